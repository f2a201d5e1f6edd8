"""ImportTenantStream through a real imsd, python3-grpcio sending the pieces: a document
larger than the unary import takes, imported and exported again byte for byte; the same
errors as ImportTenant for the same document, and nothing written by a failed or cancelled
import; imsctl import."""
import json
import os
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import grpc
from imstest import (IMSCTL, Daemon, code_of, imsd_token, psql, tenants_pb2, unary, unique)

IMPORT = "/ims.v1.Tenants/ImportTenantStream"
EXPORT = "/ims.v1.Tenants/ExportTenantStream"
PIECE = 64 << 10
BIG = 200000


def chunks(doc, slug, piece=PIECE, names=None):
    """The messages of a streamed import of doc (bytes): the names ride on the first."""
    names = names or dict(display_name="Imported", sector="retail", size_band="small")
    for i in range(0, max(len(doc), 1), piece):
        m = tenants_pb2.ImportTenantChunk(data=doc[i:i + piece])
        if i == 0:
            m.slug = slug
            m.display_name = names["display_name"]
            m.sector = names["sector"]
            m.size_band = names["size_band"]
        yield m


class ImportStreamTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The daemon's default statement and transaction timeouts: a tenant of 200,000 old
        # samples loads well within them (the window found per metric, migration 0180).
        cls.daemon = Daemon()
        cls.channel = cls.daemon.channel()
        cls.op = imsd_token("operator")
        cls.slug = unique("is")
        unary(cls.channel, "/ims.v1.Tenants/CreateTenant",
              tenants_pb2.CreateTenantRequest(slug=cls.slug, display_name="Source " + cls.slug,
                                              sector="it-services", size_band="small"),
              tenants_pb2.Tenant, token=cls.op)
        tid = psql("SELECT id FROM tenants WHERE slug = '%s'" % cls.slug)[0][0]
        metrics = [r[0] for r in psql(
            "SELECT tm.metric_id FROM tenant_metrics tm WHERE tm.tenant_id = '%s' "
            "AND tm.enabled AND tm.metric_id NOT IN (SELECT metric_id FROM computed_metrics) "
            "ORDER BY tm.metric_id LIMIT 2" % tid)]
        cls.metric = metrics[0]
        # Two metrics; pairs of samples at the same time (their order must survive), fractional
        # seconds, values that need all 17 digits.
        psql("INSERT INTO metric_samples (tenant_id, metric_id, at, value) "
             "SELECT '%s', CASE WHEN i %% 3 = 0 THEN '%s' ELSE '%s' END, "
             "now() - interval '500 days' + (i / 2) * interval '1.25 second', "
             "i / 7.0 + 1e-9 FROM generate_series(1, %d) i"
             % (tid, metrics[0], metrics[1], BIG))
        cls.doc = cls.export(cls.slug)
        small = unique("iss")
        unary(cls.channel, "/ims.v1.Tenants/CreateTenant",
              tenants_pb2.CreateTenantRequest(slug=small, display_name="Small", sector="retail",
                                              size_band="micro"),
              tenants_pb2.Tenant, token=cls.op)
        sid = psql("SELECT id FROM tenants WHERE slug = '%s'" % small)[0][0]
        psql("INSERT INTO metric_samples (tenant_id, metric_id, at, value) "
             "SELECT '%s', m.metric_id, now() - i * interval '1 hour', i "
             "FROM generate_series(1, 6) i, (SELECT tm.metric_id FROM tenant_metrics tm "
             "WHERE tm.tenant_id = '%s' AND tm.enabled AND tm.metric_id NOT IN "
             "(SELECT metric_id FROM computed_metrics) ORDER BY 1 LIMIT 2) m" % (sid, sid))
        cls.small = json.loads(cls.export(small))

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.daemon.stop()

    @classmethod
    def export(cls, slug):
        ser = lambda m: m.SerializeToString()  # noqa: E731
        stream = cls.channel.unary_stream(
            EXPORT, request_serializer=ser,
            response_deserializer=tenants_pb2.ExportTenantChunk.FromString)(
                tenants_pb2.ExportTenantStreamRequest(
                    tenant=slug, history=tenants_pb2.EXPORT_HISTORY_ALL),
                metadata=[("authorization", "Bearer " + cls.op)], timeout=600)
        return b"".join(m.chunk for m in stream)

    def stream_import(self, messages, token=None, timeout=600):
        ser = lambda m: m.SerializeToString()  # noqa: E731
        return self.channel.stream_unary(
            IMPORT, request_serializer=ser, response_deserializer=tenants_pb2.Tenant.FromString)(
                messages, metadata=[("authorization", "Bearer " + (token or self.op))],
                timeout=timeout)

    def unary_import(self, doc, slug):
        return unary(self.channel, "/ims.v1.Tenants/ImportTenant",
                     tenants_pb2.ImportTenantRequest(slug=slug, display_name="Imported",
                                                     sector="retail", size_band="small",
                                                     snapshot=doc),
                     tenants_pb2.Tenant, token=self.op, timeout=120)

    def tenant_count(self, slug):
        return int(psql("SELECT count(*) FROM tenants WHERE slug = '%s'" % slug)[0][0])

    def test_larger_than_the_unary_limit_round_trips_byte_for_byte(self):
        self.assertGreater(len(self.doc), 16 << 20)
        self.assertEqual(len(json.loads(self.doc)["samples"]), BIG)
        too_big = unique("isu")
        code = code_of(lambda: self.unary_import(self.doc.decode(), too_big))[0]
        self.assertNotEqual(code, grpc.StatusCode.OK)
        copy = unique("isc")
        t = self.stream_import(chunks(self.doc, copy))
        self.assertEqual(t.slug, copy)
        self.assertGreater(t.revision, 0)
        self.assertEqual(self.export(copy), self.doc)

    def test_odd_piece_sizes_give_the_same_tenant(self):
        doc = json.dumps(self.small, indent=2).encode()
        a, b = unique("isa"), unique("isb")
        self.unary_import(doc.decode(), a)
        self.stream_import(chunks(doc, b, piece=7))
        self.assertEqual(self.export(b), self.export(a))

    def test_errors_are_the_unary_import_s_and_nothing_is_written(self):
        def broken(change):
            d = json.loads(json.dumps(self.small))
            change(d)
            return json.dumps(d, indent=2)

        def bad_time(d):
            d["samples"][2]["at"] = "yesterday"

        def unknown_metric(d):
            d["samples"][3]["metric"] = "no-such-metric"

        def unknown_metric_before_bad_time(d):
            d["samples"][1]["metric"] = "no-such-metric"
            d["samples"][3]["at"] = 5

        def bad_framework_and_sample(d):
            d["frameworks"] = [{"id": 7}]
            d["samples"][0]["value"] = "x"

        def bad_threat_and_sample(d):
            d["threats"] = [{"id": 7}]
            d["samples"][4]["extra"] = 1

        def bad_threat_and_unknown_metric(d):
            d["threats"] = [{"id": 7}]
            d["samples"][5]["metric"] = "no-such-metric"

        def future_sample(d):
            d["samples"][2]["at"] = "2999-01-01T00:00:00Z"

        def max_age_of_ten_thousand_years(d):
            d["metrics"][0]["max_age"] = 315576000000

        # (document, whether the message is the unary import's word for word)
        docs = [(broken(f), True) for f in (bad_time, unknown_metric,
                                            unknown_metric_before_bad_time,
                                            bad_framework_and_sample, bad_threat_and_sample,
                                            bad_threat_and_unknown_metric,
                                            max_age_of_ten_thousand_years)]
        # The unary import sees the samples in time order: it names the sample by its time.
        docs.append((broken(future_sample), False))
        # Samples before metrics: the unknown metric is found once the metrics are read.
        d = json.loads(broken(unknown_metric))
        docs.append(('{"samples": %s, %s' % (json.dumps(d.pop("samples")), json.dumps(d)[1:]),
                     True))
        # JSON syntax: inside a sample the position is the document's; elsewhere it is the
        # position in the document without its samples.
        docs.append((json.dumps(self.small, indent=2).replace('"samples": [\n    {',
                                                             '"samples": [\n    {{', 1), True))
        docs.append((json.dumps(self.small)[:-40], False))
        for doc, same in docs:
            u, s = unique("ise"), unique("ise")
            ucode, umsg = code_of(lambda: self.unary_import(doc, u))
            scode, smsg = code_of(lambda: self.stream_import(chunks(doc.encode(), s, piece=50)))
            self.assertEqual(ucode, grpc.StatusCode.INVALID_ARGUMENT, umsg)
            self.assertEqual(scode, grpc.StatusCode.INVALID_ARGUMENT, smsg)
            if same:
                self.assertEqual(smsg, umsg, doc[:300])
            elif "2999-01-01" in doc:
                self.assertIn("$.samples[2].at: more than 300 s in the future", smsg)
                self.assertIn("2999-01-01T00:00:00Z is more than 300 s in the future", umsg)
            self.assertEqual(self.tenant_count(s), 0)

    def test_slug_in_use_and_bad_names(self):
        doc = json.dumps(self.small).encode()
        code, msg = code_of(lambda: self.stream_import(chunks(doc, self.slug)))
        self.assertEqual(code, grpc.StatusCode.ALREADY_EXISTS, msg)
        code, msg = code_of(lambda: self.stream_import(chunks(doc, "X Y")))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("slug", msg)
        # A slug shaped like a tenant id would hide the tenant whose id it copies.
        code, msg = code_of(lambda: self.stream_import(chunks(doc, str(uuid.uuid4()))))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("has the form of a tenant id", msg)
        code, msg = code_of(lambda: self.stream_import(iter([])))
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)

    def test_cancelled_midway_writes_nothing(self):
        slug = unique("isx")
        sent, release = threading.Event(), threading.Event()

        def messages():
            for i, m in enumerate(chunks(self.doc, slug)):
                if i == 40:
                    sent.set()
                    release.wait(30)  # the call is cancelled meanwhile
                    return
                yield m

        ser = lambda m: m.SerializeToString()  # noqa: E731
        call = self.channel.stream_unary(
            IMPORT, request_serializer=ser,
            response_deserializer=tenants_pb2.Tenant.FromString).future(
                messages(), metadata=[("authorization", "Bearer " + self.op)], timeout=600)
        self.assertTrue(sent.wait(120))
        self.assertTrue(call.cancel())
        release.set()
        # The transaction is rolled back: the slug is free again and nothing stayed.
        t = self.stream_import(chunks(json.dumps(self.small).encode(), slug))
        self.assertEqual(t.slug, slug)
        self.assertEqual(self.tenant_count(slug), 1)

    def test_revoked_token_ends_the_import_and_writes_nothing(self):
        made = unary(self.channel, "/ims.v1.Tenants/CreateToken",
                     tenants_pb2.CreateTokenRequest(role="operator", label=unique("import")),
                     tenants_pb2.CreateTokenResponse, token=self.op)
        slug = unique("isr")
        sent, release = threading.Event(), threading.Event()

        def messages():
            for i, m in enumerate(chunks(self.doc, slug)):
                if i == 40:
                    sent.set()
                    release.wait(60)  # the token is revoked meanwhile
                yield m

        ser = lambda m: m.SerializeToString()  # noqa: E731
        call = self.channel.stream_unary(
            IMPORT, request_serializer=ser,
            response_deserializer=tenants_pb2.Tenant.FromString).future(
                messages(), metadata=[("authorization", "Bearer " + made.secret)], timeout=600)
        self.addCleanup(call.cancel)
        self.assertTrue(sent.wait(120))
        unary(self.channel, "/ims.v1.Tenants/RevokeToken",
              tenants_pb2.RevokeTokenRequest(id=made.token.id),
              tenants_pb2.RevokeTokenResponse, token=self.op)
        with self.assertRaises(grpc.RpcError) as caught:
            call.result(timeout=120)
        release.set()
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(caught.exception.details(), "token revoked")
        # Rolled back: no tenant by that slug.
        self.assertEqual(self.tenant_count(slug), 0)

    def test_imsctl_import_streams_a_file(self):
        env = dict(os.environ, IMS_SERVER=self.daemon.addr, IMS_TOKEN=self.op)
        slug = unique("isi")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.json")
            with open(path, "wb") as f:
                f.write(self.doc)
            r = subprocess.run([IMSCTL, "import", path, "--slug", slug, "--name", "Copy",
                                "--sector", "retail", "--size", "small", "--json"],
                               env=env, capture_output=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["slug"], slug)
        self.assertEqual(self.export(slug), self.doc)
        r = subprocess.run([IMSCTL, "import", "/nonexistent", "--slug", unique("isn"),
                            "--name", "N", "--sector", "retail", "--size", "small"],
                           env=env, capture_output=True)
        self.assertNotEqual(r.returncode, 0)


class ImportStreamCapTest(unittest.TestCase):
    """Each streamed import holds a pool connection for its length: at most half the pool
    run at once, so other calls keep connections."""

    def test_at_most_half_the_pool_at_once(self):
        daemon = Daemon("--db-pool-size", "2")  # half of it: one import at a time
        self.addCleanup(daemon.stop)
        channel = daemon.channel()
        self.addCleanup(channel.close)
        op = imsd_token("operator")
        source = unique("isc")
        unary(channel, "/ims.v1.Tenants/CreateTenant",
              tenants_pb2.CreateTenantRequest(slug=source, display_name="Source", sector="retail",
                                              size_band="micro"),
              tenants_pb2.Tenant, token=op)
        doc = unary(channel, "/ims.v1.Tenants/ExportTenant",
                    tenants_pb2.ExportTenantRequest(tenant=source),
                    tenants_pb2.ExportTenantResponse, token=op).snapshot.encode()
        ser = lambda m: m.SerializeToString()  # noqa: E731
        stub = channel.stream_unary(IMPORT, request_serializer=ser,
                                    response_deserializer=tenants_pb2.Tenant.FromString)
        meta = [("authorization", "Bearer " + op)]
        release = threading.Event()

        def held(slug):
            for i, m in enumerate(chunks(doc, slug, piece=256)):
                if i == 2:
                    release.wait(60)
                yield m

        first = stub.future(held(unique("isc")), metadata=meta, timeout=120)
        self.addCleanup(first.cancel)
        # The first import's tenant is written in its held transaction: it runs.
        for _ in range(600):
            if psql("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                    "AND query LIKE '%ims_create_tenant%'")[0][0] != "0":
                break
            time.sleep(0.05)
        with self.assertRaises(grpc.RpcError) as caught:
            stub(chunks(doc, unique("isc")), metadata=meta, timeout=60)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("1 streamed imports run already", caught.exception.details())
        self.assertIn("db_pool_size 2", caught.exception.details())
        # Once the first ends, the next one runs.
        release.set()
        self.assertTrue(first.result(timeout=120).slug.startswith("isc"))
        self.assertTrue(stub(chunks(doc, unique("isc")), metadata=meta, timeout=60).slug)


if __name__ == "__main__":
    unittest.main()
