#!/usr/bin/python3
"""What GetSecurityLevel answers, byte for byte: for each request form (plain, with
controls, with an explanation of 5, both), the status, the response headers and trailers
(as grpcio gives them) and the serialized SecurityLevel message in hex. Two servers given
at once are asked together, at the start of a second, so that a tenant both load on that
first call gets the same evaluation time; the output is one block per server.

    answer.py TOKEN TENANT HOST:PORT [HOST:PORT ...]
"""
import sys
import threading
import time

import grpc

PATH = "/ims.v1.Level/GetSecurityLevel"
FORMS = [("plain", False, 0), ("controls", True, 0), ("explain", False, 5),
         ("controls+explain", True, 5)]


def request(tenant, controls, explain):
    t = tenant.encode()
    body = b"\x0a" + bytes([len(t)]) + t
    if controls:
        body += b"\x10\x01"
    if explain:
        body += b"\x18" + bytes([explain])
    return body


def ask(server, token, tenant, out):
    lines = []
    with grpc.insecure_channel(server) as channel:
        call = channel.unary_unary(PATH, request_serializer=None, response_deserializer=None)
        for name, controls, explain in FORMS:
            try:
                body, c = call.with_call(request(tenant, controls, explain),
                                         metadata=[("authorization", "Bearer " + token)],
                                         timeout=10)
                status = c.code().name
                initial, trailing = c.initial_metadata(), c.trailing_metadata()
            except grpc.RpcError as e:
                body, status = b"", e.code().name
                initial, trailing = e.initial_metadata(), e.trailing_metadata()
            lines.append("request %s" % name)
            lines.append("status %s" % status)
            lines.append("headers %s" % ", ".join("%s=%s" % kv for kv in initial or ()))
            lines.append("trailers %s" % ", ".join("%s=%s" % kv for kv in trailing or ()))
            lines.append("message %d bytes %s" % (len(body), body.hex()))
    out.append("\n".join(lines))


def main():
    token, tenant, servers = sys.argv[1], sys.argv[2], sys.argv[3:]
    time.sleep(1.05 - time.time() % 1)
    outs = [[] for _ in servers]
    threads = [threading.Thread(target=ask, args=(s, token, tenant, o))
               for s, o in zip(servers, outs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for server, out in zip(servers, outs):
        print("== %s" % server)
        print(out[0] if out else "no answer")


if __name__ == "__main__":
    main()
