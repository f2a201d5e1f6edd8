"""GetSecurityLevel one after another (2 ms apart) until stdin closes; prints the count and
the longest call, which bounds the longest event-loop pause of imsd meanwhile."""
import os
import sys
import threading
import time

import grpc

sys.path.insert(0, os.environ["IMS_BENCH_PYGEN"])
from ims.v1 import level_pb2  # noqa: E402

ch = grpc.insecure_channel(os.environ["IMS_SERVER"])
call = ch.unary_unary("/ims.v1.Level/GetSecurityLevel",
                      request_serializer=lambda m: m.SerializeToString(),
                      response_deserializer=lambda b: b)
req = level_pb2.GetSecurityLevelRequest(tenant=os.environ["TENANT"])
md = [("authorization", "Bearer " + os.environ["IMS_TOKEN"])]
call(req, metadata=md, timeout=600)  # the first call loads the tenant
lat, failed, stop = [], 0, threading.Event()


def run():
    global failed
    while not stop.is_set():
        t = time.perf_counter()
        try:
            call(req, metadata=md, timeout=600)
            lat.append((time.perf_counter() - t) * 1000)
        except grpc.RpcError:
            failed += 1
        time.sleep(0.002)


th = threading.Thread(target=run)
th.start()
sys.stdin.read()
stop.set()
th.join()
lat.sort()
print("prober: GetSecurityLevel n=%d failed=%d median=%.2f ms max=%.2f ms"
      % (len(lat), failed, lat[len(lat) // 2] if lat else float("nan"),
         lat[-1] if lat else float("nan")))
