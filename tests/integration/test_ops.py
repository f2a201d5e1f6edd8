"""The ops listener with the real things: a Prometheus server scrapes imsd's /metrics and
sends it remote_write; promtool checks the exposition; /readyz follows PostgreSQL."""
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import snappy

import imstest
from imstest import events_pb2, level_pb2, tenants_pb2

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
SOURCE_METRIC = "sme_patch_latency_days"
IMS_METRIC = "patch_latency_days"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, headers=None, timeout=5):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


def http_post(url, body, headers, timeout=10):
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_ready(ops, timeout=10):
    """/readyz until it says ready (a probe polls it too): its last (status, body)."""
    deadline = time.time() + timeout
    while True:
        status, body, _ = http_get(ops + "/readyz")
        if status == 200 or time.time() > deadline:
            return status, body
        time.sleep(0.1)


class Source(http.server.BaseHTTPRequestHandler):
    """A scrape target standing in for an SME's exporter: one gauge."""
    value = 40

    def do_GET(self):
        body = ("# TYPE %s gauge\n%s{host=\"web-1\"} %d\n" % (SOURCE_METRIC, SOURCE_METRIC,
                                                            Source.value)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def write_request(series):
    """A remote_write body (snappy-compressed prompb WriteRequest), built from the prompb
    messages compiled for the test."""
    from prometheus import remote_pb2  # generated from proto/prometheus/remote.proto
    wr = remote_pb2.WriteRequest()
    for labels, samples in series:
        ts = wr.timeseries.add()
        for k, v in sorted(labels.items()):
            ts.labels.add(name=k, value=v)
        for value, ms in samples:
            ts.samples.add(value=value, timestamp=ms)
    return snappy.compress(wr.SerializeToString())


class OpsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.token = imstest.imsd_token()
        cls.daemon = imstest.Daemon("--ops-listen", "127.0.0.1:0")
        cls.ops = "http://127.0.0.1:%d" % cls.daemon.ops_port
        cls.channel = cls.daemon.channel()
        slug = imstest.unique("ops")
        cls.tenant = imstest.unary(cls.channel, "/ims.v1.Tenants/CreateTenant",
                                   tenants_pb2.CreateTenantRequest(
                                       slug=slug, display_name="Ops Ltd", sector="it-services",
                                       size_band="small"),
                                   tenants_pb2.Tenant, token=cls.token)
        cls.agent = imstest.imsd_token("agent", [cls.tenant.id])

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.daemon.stop()

    def level(self):
        return imstest.unary(self.channel, "/ims.v1.Level/GetSecurityLevel",
                             level_pb2.GetSecurityLevelRequest(tenant=self.tenant.id),
                             level_pb2.SecurityLevel, token=self.token)

    def map_series(self, matchers, metric=IMS_METRIC):
        return imstest.unary(self.channel, "/ims.v1.Events/MapSeries",
                             events_pb2.MapSeriesRequest(tenant=self.tenant.id, metric=metric,
                                                         matchers=matchers),
                             events_pb2.SeriesMapping, token=self.token)

    def samples(self):
        return imstest.psql("SELECT at, value FROM metric_samples WHERE tenant_id = '%s' AND "
                            "metric_id = '%s' ORDER BY at" % (self.tenant.id, IMS_METRIC))

    def test_health_and_exposition(self):
        status, body, _ = http_get(self.ops + "/healthz")
        self.assertEqual((status, body), (200, "ok\n"))
        status, body = wait_ready(self.ops)
        self.assertEqual(status, 200, body)
        self.level()  # load the tenant so its gauges exist
        status, text, headers = http_get(self.ops + "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=text, text=True,
                               capture_output=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        for family in ("ims_rpc_calls_total", "ims_rpc_duration_seconds_bucket",
                       "ims_security_level", "ims_db_connections", "ims_tenants_loaded"):
            self.assertIn("\n" + family, text)
        self.assertIn('ims_security_level{tenant="%s"}' % self.tenant.slug, text)
        # A page elsewhere whose name resolves to 127.0.0.1 (DNS rebinding) sends its own
        # Host: without a token it reads nothing, and with an operator's it does.
        for host in ("evil.example:%d" % self.daemon.ops_port, "127.0.0.1.evil.example"):
            status, _, _ = http_get(self.ops + "/metrics", {"Host": host})
            self.assertEqual(status, 401, host)
        status, _, _ = http_get(self.ops + "/metrics", {"Host": "evil.example",
                                                        "Authorization": "Bearer " + self.token})
        self.assertEqual(status, 200)
        for host in ("localhost", "LOCALHOST:1", "127.0.0.1", "[::1]:9"):
            status, _, _ = http_get(self.ops + "/metrics", {"Host": host})
            self.assertEqual(status, 200, host)

    def test_message_limits_per_method(self):
        """A read takes at most 64 KiB of request; the bulk methods take max_message_bytes."""
        code, details = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Level/GetSecurityLevel",
            level_pb2.GetSecurityLevelRequest(tenant="x" * (100 * 1024)),
            level_pb2.SecurityLevel, token=self.token))
        self.assertEqual(code, imstest.grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("exceeds the limit of 65536 bytes", details)
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        other = imstest.psql("SELECT min(metric_id) FROM tenant_metrics WHERE tenant_id = '%s' "
                             "AND metric_id <> '%s'" % (self.tenant.id, IMS_METRIC))[0][0]
        big = events_pb2.PushMetricsRequest(
            tenant=self.tenant.id, idempotency_key=imstest.unique("big"),
            samples=[events_pb2.Sample(metric=other, at=at, value=float(i % 30))
                     for i in range(9000)])
        self.assertGreater(big.ByteSize(), 64 * 1024)
        r = imstest.unary(self.channel, "/ims.v1.Events/PushMetrics", big,
                          events_pb2.PushMetricsResponse, token=self.agent)
        self.assertEqual(r.accepted, 9000)

    def test_tokens_are_checked_as_the_headers_end(self):
        """A malformed token is refused before its body is read, and counted by reason."""
        def failures(reason):
            text = http_get(self.ops + "/metrics")[1]
            line = 'ims_auth_failures_total{reason="%s"} ' % reason
            return float(text.split(line)[1].split("\n")[0]) if line in text else 0.0
        before_malformed, before_invalid = failures("malformed_token"), failures("invalid_token")
        big = events_pb2.PushMetricsRequest(
            tenant=self.tenant.id,
            samples=[events_pb2.Sample(metric=IMS_METRIC, value=float(i)) for i in range(9000)])
        code, details = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Events/PushMetrics", big, events_pb2.PushMetricsResponse,
            token="not-a-token"))
        self.assertEqual(code, imstest.grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("malformed", details)
        unknown = "ims_" + "A" * 43
        code, details = imstest.code_of(lambda: imstest.unary(
            self.channel, "/ims.v1.Events/PushMetrics", big, events_pb2.PushMetricsResponse,
            token=unknown))
        self.assertEqual(code, imstest.grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("invalid, expired or revoked", details)
        self.assertEqual(failures("malformed_token"), before_malformed + 1)
        self.assertEqual(failures("invalid_token"), before_invalid + 1)

    def test_remote_write_is_idempotent_and_refuses_bad_input(self):
        m = self.map_series(['__name__="ims_test_direct"', 'host=~"db-.*"'])
        self.assertTrue(m.id)
        url = self.ops + "/api/v1/write"
        headers = {"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
                   "X-Prometheus-Remote-Write-Version": "0.1.0",
                   "Authorization": "Bearer " + self.agent}
        now_ms = int(time.time()) * 1000
        body = write_request([({"__name__": "ims_test_direct", "host": "db-1"},
                               [(12.0, now_ms - 5000), (13.0, now_ms - 4000)]),
                              ({"__name__": "ims_test_direct", "host": "web-1"},
                               [(99.0, now_ms - 4000)])])
        before = len(self.samples())
        for _ in range(3):  # a sender's retries of one request
            status, text = http_post(url, body, headers)
            self.assertEqual(status, 204, text)
        self.assertEqual(len(self.samples()), before + 2)

        status, text = http_post(url, body, dict(headers, Authorization="Bearer nope"))
        self.assertEqual(status, 401, text)
        status, text = http_post(url, b"not snappy", headers)
        self.assertEqual(status, 400, text)
        self.assertIn("snappy", text)
        status, text = http_post(url, body, dict(headers, **{"Content-Encoding": "gzip"}))
        self.assertEqual(status, 400, text)
        self.assertEqual(len(self.samples()), before + 2)

    def test_another_tenants_mapping_takes_none_of_a_senders_series(self):
        """A tenant admin's catch-all mapping, made before ours, sees only the series of
        senders that may push for that tenant: our agent's series still reach our tenant."""
        other = imstest.unary(self.channel, "/ims.v1.Tenants/CreateTenant",
                              tenants_pb2.CreateTenantRequest(
                                  slug=imstest.unique("ops-other"), display_name="Other Ltd",
                                  sector="it-services", size_band="small"),
                              tenants_pb2.Tenant, token=self.token)
        admin = imstest.imsd_token("tenant_admin", [other.id])
        grab = imstest.unary(self.channel, "/ims.v1.Events/MapSeries",
                             events_pb2.MapSeriesRequest(tenant=other.id, metric=IMS_METRIC,
                                                         matchers=['__name__=~".+"']),
                             events_pb2.SeriesMapping, token=admin)
        self.addCleanup(lambda: imstest.unary(
            self.channel, "/ims.v1.Events/UnmapSeries",
            events_pb2.UnmapSeriesRequest(tenant=other.id, id=grab.id),
            events_pb2.SeriesMapping, token=admin))
        self.map_series(['__name__="ims_test_scope"'])
        now_ms = int(time.time()) * 1000
        body = write_request([({"__name__": "ims_test_scope"}, [(21.0, now_ms - 3000)])])
        before = len(self.samples())
        status, text = http_post(self.ops + "/api/v1/write", body, {
            "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
            "X-Prometheus-Remote-Write-Version": "0.1.0", "Authorization": "Bearer " + self.agent})
        self.assertEqual(status, 204, text)
        self.assertEqual(len(self.samples()), before + 1)
        self.assertEqual(imstest.psql("SELECT count(*) FROM metric_samples WHERE tenant_id = '%s'"
                                      % other.id), [["0"]])

    def test_prometheus_scrapes_and_remote_writes(self):
        self.map_series(['__name__="%s"' % SOURCE_METRIC])
        source = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Source)
        threading.Thread(target=source.serve_forever, daemon=True).start()
        work = tempfile.mkdtemp(prefix="ims-prom-")
        prom_port = free_port()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("""
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: imsd
    static_configs: [{targets: ['127.0.0.1:%d']}]
  - job_name: sme
    static_configs: [{targets: ['127.0.0.1:%d']}]
remote_write:
  - url: %s/api/v1/write
    authorization: {credentials: %s}
    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s}
    write_relabel_configs:
      - {source_labels: [__name__], regex: '%s', action: keep}
""" % (self.daemon.ops_port, source.server_address[1], self.ops, self.agent, SOURCE_METRIC))
        log = open(os.path.join(work, "prometheus.log"), "w")
        prom = subprocess.Popen([PROMETHEUS, "--config.file=" + config,
                                 "--storage.tsdb.path=" + os.path.join(work, "data"),
                                 "--web.listen-address=127.0.0.1:%d" % prom_port],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            revision = self.level().revision
            deadline = time.time() + 60
            stored = []
            while time.time() < deadline:
                stored = [s for s in self.samples() if float(s[1]) == Source.value]
                if stored:
                    break
                time.sleep(0.5)
            self.assertTrue(stored, "no remote_write sample arrived: "
                            + open(os.path.join(work, "prometheus.log")).read()[-3000:])
            self.assertGreater(self.level().revision, revision)
            times = [s[0] for s in self.samples()]
            self.assertEqual(len(times), len(set(times)), "a sample was stored twice")

            # Prometheus's view of the level is the gRPC API's.
            level = self.level()
            query = "ims_security_level{tenant=\"%s\"}" % self.tenant.slug
            url = "http://127.0.0.1:%d/api/v1/query?query=%s" % (
                prom_port, urllib.request.quote(query))
            seen = None
            while time.time() < deadline:
                status, body, _ = http_get(url)
                result = json.loads(body)["data"]["result"] if status == 200 else []
                if result:
                    seen = float(result[0]["value"][1])
                    if abs(seen - self.level().security_level) < 1e-9:
                        break
                time.sleep(0.5)
            self.assertIsNotNone(seen, "Prometheus never scraped ims_security_level")
            self.assertAlmostEqual(seen, self.level().security_level, places=9)
            self.assertGreaterEqual(level.revision, 1)
        finally:
            prom.terminate()
            try:
                prom.wait(timeout=15)
            except subprocess.TimeoutExpired:
                prom.kill()
                prom.wait()
            log.close()
            source.shutdown()
            source.server_close()
            shutil.rmtree(work, ignore_errors=True)


class OpsAuthTest(unittest.TestCase):
    """Off loopback (here: forced with ops_require_token) /metrics and /readyz need an
    operator token or a verified client certificate; /healthz stays open."""

    def test_metrics_need_an_operator(self):
        daemon = imstest.Daemon("--ops-listen", "127.0.0.1:0", "--ops-require-token", "true")
        ops = "http://127.0.0.1:%d" % daemon.ops_port
        try:
            self.assertEqual(http_get(ops + "/healthz")[0], 200)
            status, _, headers = http_get(ops + "/metrics")
            self.assertEqual(status, 401)
            self.assertEqual(headers.get("WWW-Authenticate"), "Bearer")
            operator = imstest.imsd_token()
            with daemon.channel() as channel:
                tenant = imstest.unary(channel, "/ims.v1.Tenants/CreateTenant",
                                       tenants_pb2.CreateTenantRequest(
                                           slug=imstest.unique("opsauth"), display_name="A",
                                           sector="retail", size_band="micro"),
                                       tenants_pb2.Tenant, token=operator)
            viewer = imstest.imsd_token("viewer", [tenant.id])
            self.assertEqual(http_get(ops + "/metrics",
                                      {"Authorization": "Bearer " + viewer})[0], 403)
            self.assertEqual(http_get(ops + "/metrics",
                                      {"Authorization": "Bearer not-a-token"})[0], 403)
            status, text, _ = http_get(ops + "/metrics", {"Authorization": "Bearer " + operator})
            self.assertEqual(status, 200)
            self.assertIn("ims_rpc_calls_total", text)
            self.assertEqual(http_get(ops + "/readyz")[0], 401)
        finally:
            daemon.stop()


class ReadyzTest(unittest.TestCase):
    """/readyz is not ready while PostgreSQL is down and ready again when it is back."""

    def test_readyz_follows_the_database(self):
        daemon = imstest.Daemon("--ops-listen", "127.0.0.1:0")
        ops = "http://127.0.0.1:%d" % daemon.ops_port
        pg = os.path.join(imstest.TOP, "deploy", "pg.sh")
        pgdir = os.environ["IMS_TEST_PG_DIR"]
        try:
            self.assertEqual(wait_ready(ops)[0], 200)
            subprocess.run([pg, "stop", pgdir], check=True, capture_output=True)
            try:
                deadline = time.time() + 20
                status, body = 200, ""
                while time.time() < deadline:
                    status, body, _ = http_get(ops + "/readyz")
                    if status == 503:
                        break
                    time.sleep(0.2)
                self.assertEqual(status, 503)
                self.assertIn("database", body)
                self.assertEqual(http_get(ops + "/healthz")[0], 200)
            finally:
                subprocess.run([pg, "start", pgdir], check=True, capture_output=True)
            deadline = time.time() + 30
            while time.time() < deadline and http_get(ops + "/readyz")[0] != 200:
                time.sleep(0.2)
            self.assertEqual(http_get(ops + "/readyz")[0], 200)
        finally:
            daemon.stop()


if __name__ == "__main__":
    unittest.main()
