"""One round of bench/history/load.sh against one imsd: a watcher of tenant WATCHED receives a
level for each sample a pusher sends it (PushMetrics one after another, 2 ms apart); once
that runs, the large tenant BIG is read for the first time (its load) while the small
tenants of SMALL_DURING are read for the first time one after another until BIG answers.
Then the small tenants of SMALL_AFTER are read for the first time with nothing else
running. Prints one line: BIG's first read, the longest gap between two levels the watcher
received while BIG loaded (and before, for reference), and the first-read latency of the
small tenants during and after (p50/p99, ms)."""
import os
import sys
import threading
import time

import grpc

sys.path.insert(0, os.environ["IMS_BENCH_PYGEN"])
from ims.v1 import events_pb2, level_pb2  # noqa: E402

ch = grpc.insecure_channel(os.environ["IMS_SERVER"])
md = [("authorization", "Bearer " + os.environ["IMS_TOKEN"])]
level = ch.unary_unary("/ims.v1.Level/GetSecurityLevel",
                       request_serializer=lambda m: m.SerializeToString(),
                       response_deserializer=level_pb2.SecurityLevel.FromString)
push = ch.unary_unary("/ims.v1.Events/PushMetrics",
                      request_serializer=lambda m: m.SerializeToString(),
                      response_deserializer=events_pb2.PushMetricsResponse.FromString)
watch = ch.unary_stream("/ims.v1.Level/WatchSecurityLevel",
                        request_serializer=lambda m: m.SerializeToString(),
                        response_deserializer=level_pb2.SecurityLevel.FromString)
BIG, WATCHED = os.environ["BIG"], os.environ["WATCHED"]
during = os.environ["SMALL_DURING"].split(",")
after = os.environ["SMALL_AFTER"].split(",")


def get(tenant):
    return level(level_pb2.GetSecurityLevelRequest(tenant=tenant), metadata=md, timeout=600)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


get(WATCHED)
arrivals, stop = [], threading.Event()
stream = watch(level_pb2.WatchSecurityLevelRequest(tenant=WATCHED), metadata=md, timeout=3600)


def watcher():
    try:
        for _ in stream:
            arrivals.append(time.perf_counter())
    except grpc.RpcError:
        pass


def pusher():
    i = 0
    while not stop.is_set():
        i += 1
        push(events_pb2.PushMetricsRequest(tenant=WATCHED, samples=[
            events_pb2.Sample(metric="patch_latency_days", value=float(i % 50))]),
            metadata=md, timeout=600)
        time.sleep(0.002)


tw, tp = threading.Thread(target=watcher), threading.Thread(target=pusher)
tw.start()
tp.start()
time.sleep(2)
big_done = threading.Event()
t0 = time.perf_counter()


big_error = []


def read_big():
    try:
        get(BIG)
    except grpc.RpcError as e:
        big_error.append(e.code().name)
    big_done.set()


tb = threading.Thread(target=read_big)
tb.start()
lat_during = []
for t in during:
    if big_done.is_set():
        break
    s = time.perf_counter()
    get(t)
    lat_during.append((time.perf_counter() - s) * 1000)
tb.join()
t1 = time.perf_counter()
big_ms = (t1 - t0) * 1000
time.sleep(1)
stop.set()
tp.join()
stream.cancel()
tw.join()


def max_gap(lo, hi):
    xs = [a for a in arrivals if lo <= a <= hi]
    return max((b - a for a, b in zip(xs, xs[1:])), default=float("nan")) * 1000


lat_after = []
for t in after:
    s = time.perf_counter()
    get(t)
    lat_after.append((time.perf_counter() - s) * 1000)
failed = " big_failed=" + big_error[0] if big_error else ""
print("big_first_read_ms=%.1f%s watcher_levels=%d max_gap_during_ms=%.1f "
      "max_gap_before_ms=%.1f small_during_n=%d small_during_p50_ms=%.1f "
      "small_during_p99_ms=%.1f small_during_max_ms=%.1f "
      "small_after_n=%d small_after_p50_ms=%.2f small_after_p99_ms=%.2f"
      % (big_ms, failed, len(arrivals), max_gap(t0, t1 + 1), max_gap(t0 - 2, t0),
         len(lat_during), pct(lat_during, 0.5), pct(lat_during, 0.99), max(lat_during or [0]),
         len(lat_after), pct(lat_after, 0.5), pct(lat_after, 0.99)))
