"""imsd driven by an independent gRPC client (Debian's python3-grpcio)."""
import os
import socket
import struct
import subprocess
import time
import unittest

import grpc

import imstest
from imstest import health_pb2, tenants_pb2


class Conformance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = imstest.Daemon("--max-message-bytes", "65536")
        cls.channel = cls.daemon.channel()
        cls.token = imstest.imsd_token()

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code = cls.daemon.stop()
        assert code == 0, "imsd exited with %s" % code

    def list_tenants(self, **kw):
        return imstest.unary(self.channel, "/ims.v1.Tenants/ListTenants",
                             tenants_pb2.ListTenantsRequest(**kw),
                             tenants_pb2.ListTenantsResponse, token=self.token)

    def test_health_serving(self):
        r = imstest.unary(self.channel, "/grpc.health.v1.Health/Check",
                          health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
        self.assertEqual(r.status, health_pb2.HealthCheckResponse.SERVING)
        code, _ = imstest.code_of(lambda: imstest.unary(
            self.channel, "/grpc.health.v1.Health/Check",
            health_pb2.HealthCheckRequest(service="no.such.Service"),
            health_pb2.HealthCheckResponse))
        self.assertEqual(code, grpc.StatusCode.NOT_FOUND)

    def test_create_get_list_tenants(self):
        slug = imstest.unique("conf")
        t = imstest.unary(self.channel, "/ims.v1.Tenants/CreateTenant",
                          tenants_pb2.CreateTenantRequest(slug=slug, display_name="Conformance Ltd",
                                                          sector="retail", size_band="micro"),
                          tenants_pb2.Tenant, token=self.token)
        self.assertEqual(t.slug, slug)
        self.assertEqual(len(t.id), 36)
        self.assertEqual(t.schema_id, "retail-micro")
        got = imstest.unary(self.channel, "/ims.v1.Tenants/GetTenant",
                            tenants_pb2.GetTenantRequest(tenant=slug), tenants_pb2.Tenant,
                            token=self.token)
        self.assertEqual(got.id, t.id)
        self.assertEqual(got.display_name, "Conformance Ltd")
        # Paging one by one reaches every tenant, the new one included, each once.
        seen, token = [], ""
        while True:
            page = self.list_tenants(page_size=1, page_token=token)
            seen += [x.slug for x in page.tenants]
            token = page.next_page_token
            if not token:
                break
        self.assertIn(slug, seen)
        self.assertEqual(len(seen), len(set(seen)))

    def test_bad_field_is_named_and_nothing_written(self):
        slug = imstest.unique("bad")
        code, details = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/CreateTenant",
            tenants_pb2.CreateTenantRequest(slug=slug, display_name="", sector="retail",
                                            size_band="micro"),
            tenants_pb2.Tenant, token=self.token))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("display_name", details)
        code, details = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/CreateTenant",
            tenants_pb2.CreateTenantRequest(slug=slug, display_name="X", sector="no-such-sector",
                                            size_band="micro"),
            tenants_pb2.Tenant, token=self.token))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("sector", details)
        self.assertEqual(imstest.psql("SELECT count(*) FROM tenants WHERE slug = '%s'" % slug),
                         [["0"]])

    def test_missing_and_wrong_token(self):
        call = lambda tok: imstest.unary(self.channel, "/ims.v1.Tenants/ListTenants",
                                         tenants_pb2.ListTenantsRequest(),
                                         tenants_pb2.ListTenantsResponse, token=tok)
        self.assertEqual(imstest.code_of(lambda: call(None))[0], grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(imstest.code_of(lambda: call("ims_" + "x" * 43))[0],
                         grpc.StatusCode.UNAUTHENTICATED)

    def test_unknown_method(self):
        code, _ = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/NoSuchMethod", tenants_pb2.ListTenantsRequest(),
            tenants_pb2.ListTenantsResponse, token=self.token))
        self.assertEqual(code, grpc.StatusCode.UNIMPLEMENTED)

    def test_oversized_message(self):
        code, details = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Tenants/CreateTenant",
            tenants_pb2.CreateTenantRequest(slug="big", display_name="x" * 100000,
                                            sector="retail", size_band="micro"),
            tenants_pb2.Tenant, token=self.token))
        self.assertEqual(code, grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("65536", details)
        self.list_tenants()  # still serving

    def test_garbage_request_message(self):
        call = self.channel.unary_unary("/ims.v1.Tenants/ListTenants")
        code, _ = imstest.code_of(lambda: call(b"\xff\xff\xff\xff\x0f",
                                               metadata=[("authorization", "Bearer " + self.token)],
                                               timeout=5))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)

    def test_deadline_ends_a_long_call(self):
        # A watch never ends by itself: only the deadline the client sent can end it, and the
        # server must answer DEADLINE_EXCEEDED and keep serving.
        slug = imstest.unique("deadline")
        imstest.unary(self.channel, "/ims.v1.Tenants/CreateTenant",
                      tenants_pb2.CreateTenantRequest(slug=slug, display_name="Deadline Ltd",
                                                      sector="retail", size_band="micro"),
                      tenants_pb2.Tenant, token=self.token)
        watch = self.channel.unary_stream(
            "/ims.v1.Level/WatchSecurityLevel",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=imstest.level_pb2.SecurityLevel.FromString)
        started = time.time()
        got = []

        def consume():
            for msg in watch(imstest.level_pb2.WatchSecurityLevelRequest(tenant=slug),
                             metadata=[("authorization", "Bearer " + self.token)], timeout=0.5):
                got.append(msg)

        code, _ = imstest.code_of(consume)
        self.assertEqual(code, grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertEqual(len(got), 1)  # the current level, then nothing until the deadline
        self.assertGreaterEqual(time.time() - started, 0.45)
        self.list_tenants()

    def nghttp(self, path, headers, body=b""):
        with open(os.path.join(self.daemon.dir, "body"), "wb") as f:
            f.write(body)
        args = ["nghttp", "-v", "-n", "-t", "5", "-d", os.path.join(self.daemon.dir, "body")]
        for h in headers:
            args += ["-H", h]
        args.append("http://%s%s" % (self.daemon.addr, path))
        return subprocess.run(args, capture_output=True, text=True, timeout=20).stdout

    def test_wrong_content_type_is_415(self):
        out = self.nghttp("/ims.v1.Tenants/ListTenants", ["content-type: text/plain"])
        self.assertIn(":status: 415", out)
        self.list_tenants()

    def test_grpc_timeout_header_past(self):
        body = b"\x00" + struct.pack(">I", 0)
        out = self.nghttp("/ims.v1.Tenants/ListTenants",
                          ["content-type: application/grpc", "te: trailers", "grpc-timeout: 1n",
                           "authorization: Bearer " + self.token], body)
        self.assertIn("grpc-status: 4", out)  # DEADLINE_EXCEEDED

    def test_garbage_bytes_connection(self):
        s = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(4096))
        s.settimeout(5)
        try:
            while s.recv(4096):
                pass
        except (ConnectionResetError, socket.timeout):
            pass
        s.close()
        self.list_tenants()


class DatabaseOutage(unittest.TestCase):
    def test_unavailable_then_recovers(self):
        daemon = imstest.Daemon()
        token = imstest.imsd_token()
        channel = daemon.channel()
        call = lambda: imstest.unary(channel, "/ims.v1.Tenants/ListTenants",
                                     tenants_pb2.ListTenantsRequest(),
                                     tenants_pb2.ListTenantsResponse, token=token, timeout=5)
        pg = [os.path.join(imstest.TOP, "deploy", "pg.sh")]
        try:
            call()
            subprocess.run(pg + ["kill", os.environ["IMS_TEST_PG_DIR"]], check=True,
                           capture_output=True)
            # The token is cached; a tenant lookup still needs the database.
            deadline = time.time() + 10
            code = None
            while time.time() < deadline:
                code, _ = imstest.code_of(call)
                if code == grpc.StatusCode.UNAVAILABLE:
                    break
                time.sleep(0.1)
            self.assertEqual(code, grpc.StatusCode.UNAVAILABLE)
            h = imstest.unary(channel, "/grpc.health.v1.Health/Check",
                              health_pb2.HealthCheckRequest(), health_pb2.HealthCheckResponse)
            self.assertEqual(h.status, health_pb2.HealthCheckResponse.NOT_SERVING)
        finally:
            subprocess.run(pg + ["start", os.environ["IMS_TEST_PG_DIR"]], check=True,
                           capture_output=True)
        try:
            deadline = time.time() + 20
            while True:
                code, _ = imstest.code_of(call)
                if code == grpc.StatusCode.OK or time.time() > deadline:
                    break
                time.sleep(0.2)
            self.assertEqual(code, grpc.StatusCode.OK)
        finally:
            channel.close()
            self.assertEqual(daemon.stop(), 0)


if __name__ == "__main__":
    unittest.main()
