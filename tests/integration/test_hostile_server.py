"""imsctl against a hostile server: a real gRPC server (Debian's python3-grpcio) on a real
socket that answers every call with what a compromised or impostor server could send. The
client must stay in its bounds: its terminal is not driven by the server's text, and an
answer larger than it accepts is refused as its prefix arrives (not after gigabytes)."""
import os
import subprocess
import unittest
from concurrent import futures

import grpc

import imstest


class Hostile:
    """A server whose every method does `behaviour(request, context)`."""

    def __init__(self, behaviour):
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[
            ("grpc.max_send_message_length", -1)])

        class Any(grpc.GenericRpcHandler):
            def service(self, details):
                return grpc.unary_unary_rpc_method_handler(
                    behaviour, request_deserializer=lambda b: b,
                    response_serializer=lambda b: b)

        self.server.add_generic_rpc_handlers((Any(),))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    def stop(self):
        self.server.stop(0)


def imsctl(port, *args):
    """imsctl's exit code, stderr and its own peak resident memory (KiB, from wait4)."""
    env = dict(os.environ, IMS_SERVER="127.0.0.1:%d" % port, IMS_TOKEN="ims_" + "A" * 43)
    p = subprocess.Popen([imstest.IMSCTL] + list(args), env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    err = p.stderr.read()
    p.stderr.close()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, err, usage.ru_maxrss


class HostileServer(unittest.TestCase):
    def serve(self, behaviour):
        s = Hostile(behaviour)
        self.addCleanup(s.stop)
        return s.port

    def test_error_text_cannot_drive_the_terminal(self):
        def refuse(request, context):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          "bad\x1b]0;pwned\x07\x1b[31m\nimsctl: OK: forged")
        code, err, _ = imsctl(self.serve(refuse), "health")
        self.assertNotEqual(code, 0)
        err = err.decode("utf-8", "replace")
        self.assertIn("INVALID_ARGUMENT", err)
        self.assertNotIn("\x1b", err)
        self.assertNotIn("\x07", err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_an_answer_too_large_is_refused_as_it_begins(self):
        # Made in the handler: allocated before imsctl starts, it would count in the peak
        # of the forked child before its exec.
        code, err, peak_kib = imsctl(self.serve(lambda request, context: b"\x00" * (64 << 20)),
                                     "health")
        self.assertNotEqual(code, 0)
        self.assertIn(b"larger than", err)
        # Its own peak (the sanitizer build's runtime included): well under the 64 MiB the
        # server sent, which it held whole before refusing it once.
        self.assertLess(peak_kib, 48 * 1024, "imsctl peaked at %d KiB" % peak_kib)

    def test_a_list_that_never_ends_is_left(self):
        page = imstest.tenants_pb2.ListTenantsResponse(
            tenants=[imstest.tenants_pb2.Tenant(id="x", slug="loop")],
            next_page_token="again").SerializeToString()
        code, err, _ = imsctl(self.serve(lambda request, context: page), "tenant", "list")
        self.assertNotEqual(code, 0)
        self.assertIn(b"does not end", err)

    def test_text_that_is_not_utf8_still_prints_as_json(self):
        tenant = b"\x0a\x01x" + b"\x12\x04a\xff\xfeb"  # id "x", slug "a", two bad bytes, "b"
        page = b"\x0a" + bytes([len(tenant)]) + tenant
        p = subprocess.run([imstest.IMSCTL, "--json", "tenant", "list"], capture_output=True,
                           env=dict(os.environ, IMS_SERVER="127.0.0.1:%d" % self.serve(
                               lambda request, context: page), IMS_TOKEN="ims_" + "A" * 43))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("a\ufffd\ufffdb", p.stdout.decode("utf-8"))


if __name__ == "__main__":
    unittest.main()
