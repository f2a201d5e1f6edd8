"""ExportTenantStream through a real imsd: the canonical document in pieces, equal byte for
byte to ExportTenant's; the evaluation window alone or the whole history; imsctl export; a
long export ended by its token's revocation or expiry, as a watch is."""
import json
import os
import subprocess
import tempfile
import time
import unittest

import grpc
from imstest import (IMSCTL, Daemon, code_of, imsd_token, psql, tenants_pb2, unary, unique)

STREAM = "/ims.v1.Tenants/ExportTenantStream"
CHUNK = 64 << 10


class ExportStreamTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.channel = cls.daemon.channel()
        cls.op = imsd_token("operator")
        cls.slug = unique("xs")
        unary(cls.channel, "/ims.v1.Tenants/CreateTenant",
              tenants_pb2.CreateTenantRequest(slug=cls.slug, display_name="Stream " + cls.slug,
                                              sector="it-services", size_band="small"),
              tenants_pb2.Tenant, token=cls.op)
        tid = psql("SELECT id FROM tenants WHERE slug = '%s'" % cls.slug)[0][0]
        metric = psql("SELECT tm.metric_id FROM tenant_metrics tm WHERE tm.tenant_id = '%s' "
                      "AND tm.enabled AND tm.metric_id NOT IN (SELECT metric_id FROM "
                      "computed_metrics) ORDER BY tm.metric_id LIMIT 1" % tid)[0][0]
        cls.metric = metric
        other = psql("SELECT tm.metric_id FROM tenant_metrics tm WHERE tm.tenant_id = '%s' "
                     "AND tm.enabled AND tm.metric_id NOT IN (SELECT metric_id FROM "
                     "computed_metrics) ORDER BY tm.metric_id DESC LIMIT 1" % tid)[0][0]
        # A second metric: fractional seconds, several samples within one second.
        psql("INSERT INTO metric_samples (tenant_id, metric_id, at, value) "
             "SELECT '%s', '%s', now() - interval '3 days' + i * interval '0.25 second', "
             "1e-7 * i + 12345.678 FROM generate_series(1, 2500) i" % (tid, other))
        # 6000 samples two to three years old (outside every window) and 20 of the last hour.
        psql("INSERT INTO metric_samples (tenant_id, metric_id, at, value) "
             "SELECT '%s', '%s', now() - interval '2 years' - i * interval '1 hour', "
             "(i %% 97) / 7.0 FROM generate_series(1, 6000) i;"
             "INSERT INTO metric_samples (tenant_id, metric_id, at, value) "
             "SELECT '%s', '%s', now() - i * interval '1 minute', i / 3.0 "
             "FROM generate_series(1, 20) i" % (tid, metric, tid, metric))

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.daemon.stop()

    def pieces(self, tenant, history, token=None):
        ser = lambda m: m.SerializeToString()  # noqa: E731
        stream = self.channel.unary_stream(
            STREAM, request_serializer=ser,
            response_deserializer=tenants_pb2.ExportTenantChunk.FromString)(
                tenants_pb2.ExportTenantStreamRequest(tenant=tenant, history=history),
                metadata=[("authorization", "Bearer " + (token or self.op))], timeout=60)
        return [m.chunk for m in stream]

    def unary_export(self, tenant):
        return unary(self.channel, "/ims.v1.Tenants/ExportTenant",
                     tenants_pb2.ExportTenantRequest(tenant=tenant),
                     tenants_pb2.ExportTenantResponse, token=self.op).snapshot

    def samples_of(self, doc):
        return [s for s in json.loads(doc)["samples"] if s["metric"] == self.metric]

    def test_all_equals_the_unary_export_byte_for_byte(self):
        pieces = self.pieces(self.slug, tenants_pb2.EXPORT_HISTORY_ALL)
        self.assertGreater(len(pieces), 1)
        self.assertTrue(all(0 < len(p) <= CHUNK for p in pieces))
        doc = b"".join(pieces)
        self.assertEqual(doc, self.unary_export(self.slug).encode())
        self.assertEqual(len(self.samples_of(doc)), 6020)

    def test_window_keeps_recent_samples_and_records(self):
        window = json.loads(b"".join(self.pieces(self.slug, tenants_pb2.EXPORT_HISTORY_WINDOW)))
        everything = json.loads(self.unary_export(self.slug))
        self.assertEqual(len(self.samples_of(json.dumps(window))), 20)
        self.assertEqual(window["records"], everything["records"])
        for key in everything:
            if key != "samples":
                self.assertEqual(window[key], everything[key], key)

    def test_import_of_a_streamed_export_exports_the_same(self):
        doc = b"".join(self.pieces(self.slug, tenants_pb2.EXPORT_HISTORY_ALL)).decode()
        copy = unique("xc")
        unary(self.channel, "/ims.v1.Tenants/ImportTenant",
              tenants_pb2.ImportTenantRequest(slug=copy, display_name="Copy", sector="retail",
                                              size_band="small", snapshot=doc),
              tenants_pb2.Tenant, token=self.op)
        self.assertEqual(b"".join(self.pieces(copy, tenants_pb2.EXPORT_HISTORY_ALL)).decode(), doc)

    def test_unknown_history_and_tenant(self):
        code = code_of(lambda: self.pieces(self.slug, 7))[0]
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        code = code_of(lambda: self.pieces(unique("none"), tenants_pb2.EXPORT_HISTORY_ALL))[0]
        self.assertIn(code, (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED))

    def test_unary_export_refuses_a_history_too_long_for_one_message(self):
        """Past 1,000,000 samples ExportTenant says to stream (it builds the document whole)
        and the stream still gives the window."""
        slug = unique("xl")
        unary(self.channel, "/ims.v1.Tenants/CreateTenant",
              tenants_pb2.CreateTenantRequest(slug=slug, display_name="Long " + slug,
                                              sector="it-services", size_band="small"),
              tenants_pb2.Tenant, token=self.op)
        tid = psql("SELECT id FROM tenants WHERE slug = '%s'" % slug)[0][0]
        psql("INSERT INTO metric_samples (tenant_id, metric_id, at, value) "
             "SELECT '%s', '%s', now() - interval '1 year' - i * interval '1 second', 1 "
             "FROM generate_series(1, 1000001) i" % (tid, self.metric))
        code, detail = code_of(lambda: self.unary_export(slug))
        self.assertEqual(code, grpc.StatusCode.RESOURCE_EXHAUSTED, detail)
        self.assertIn("ExportTenantStream", detail)
        doc = json.loads(b"".join(self.pieces(slug, tenants_pb2.EXPORT_HISTORY_WINDOW)))
        self.assertEqual(doc["format"], "ims-snapshot/2")

    def imsctl(self, *args):
        env = dict(os.environ, IMS_SERVER=self.daemon.addr, IMS_TOKEN=self.op)
        return subprocess.run([IMSCTL] + list(args), env=env, capture_output=True)

    def test_imsctl_export_to_a_file_and_to_stdout(self):
        expected = self.unary_export(self.slug).encode() + b"\n"
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.json")
            r = self.imsctl("export", self.slug, "--history", "all", "--out", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), expected)
            # A tenant's data is the user's alone, and a failed export leaves the file there.
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            r = self.imsctl("export", unique("none"), "--out", path)
            self.assertNotEqual(r.returncode, 0)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), expected)
            self.assertEqual(os.listdir(d), ["t.json"])
        r = self.imsctl("export", self.slug)
        self.assertEqual(r.stdout, expected)
        r = self.imsctl("export", self.slug, "--history", "window")
        self.assertEqual(len(self.samples_of(r.stdout)), 20)
        r = self.imsctl("export", self.slug, "--history", "some")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"--history", r.stderr)


class ExportStreamTokenTest(unittest.TestCase):
    """A reader that stops reading keeps the export waiting (the daemon queues at most ~1 MiB
    more); its token's end then ends the stream with the status a watch gets."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.channel = cls.daemon.channel()
        cls.op = imsd_token("operator")
        cls.slug = unique("xr")
        unary(cls.channel, "/ims.v1.Tenants/CreateTenant",
              tenants_pb2.CreateTenantRequest(slug=cls.slug, display_name="Long " + cls.slug,
                                              sector="it-services", size_band="small"),
              tenants_pb2.Tenant, token=cls.op)
        tid = psql("SELECT id FROM tenants WHERE slug = '%s'" % cls.slug)[0][0]
        metric = psql("SELECT tm.metric_id FROM tenant_metrics tm WHERE tm.tenant_id = '%s' "
                      "AND tm.enabled AND tm.metric_id NOT IN (SELECT metric_id FROM "
                      "computed_metrics) ORDER BY tm.metric_id LIMIT 1" % tid)[0][0]
        # ~18 MB of document: far more than the client and the daemon buffer between them.
        psql("INSERT INTO metric_samples (tenant_id, metric_id, at, value) "
             "SELECT '%s', '%s', now() - i * interval '1 minute', i / 7.0 "
             "FROM generate_series(1, 200000) i" % (tid, metric))

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.daemon.stop()

    def token(self, expires_at=""):
        return unary(self.channel, "/ims.v1.Tenants/CreateToken",
                     tenants_pb2.CreateTokenRequest(role="operator", label=unique("export"),
                                                    expires_at=expires_at),
                     tenants_pb2.CreateTokenResponse, token=self.op)

    def start(self, secret, first=True):
        ser = lambda m: m.SerializeToString()  # noqa: E731
        call = self.channel.unary_stream(
            STREAM, request_serializer=ser,
            response_deserializer=tenants_pb2.ExportTenantChunk.FromString)(
                tenants_pb2.ExportTenantStreamRequest(tenant=self.slug,
                                                      history=tenants_pb2.EXPORT_HISTORY_ALL),
                metadata=[("authorization", "Bearer " + secret)], timeout=60)
        self.addCleanup(call.cancel)
        if first:
            self.assertTrue(next(call).chunk.startswith(b"{"))
        return call

    def drain(self, call):
        """Reads slowly to the end; the bytes read and the final status."""
        got = 0
        try:
            for m in call:
                got += len(m.chunk)
                time.sleep(0.002)
        except grpc.RpcError:
            pass
        return got, call.code(), call.details()

    def test_revoked_token_ends_the_export(self):
        made = self.token()
        call = self.start(made.secret)
        unary(self.channel, "/ims.v1.Tenants/RevokeToken",
              tenants_pb2.RevokeTokenRequest(id=made.token.id),
              tenants_pb2.RevokeTokenResponse, token=self.op)
        got, code, details = self.drain(call)
        self.assertEqual(code, grpc.StatusCode.UNAUTHENTICATED, details)
        self.assertEqual(details, "token revoked")
        self.assertLess(got, 200000 * 80)

    def test_expired_token_ends_the_export(self):
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 4))
        call = self.start(self.token(expires_at=at).secret, first=False)
        time.sleep(6)  # the token expires (during the head's statement or while waiting)
        got, code, details = self.drain(call)
        self.assertEqual(code, grpc.StatusCode.UNAUTHENTICATED, details)
        self.assertEqual(details, "token expired")
        self.assertLess(got, 200000 * 80)


if __name__ == "__main__":
    unittest.main()
