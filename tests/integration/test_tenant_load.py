"""A tenant's load off the event loop (server/tenant/load.c): the snapshot document of a
tenant with a long history is parsed and evaluated on libuv's thread pool while the loop
goes on. What must hold whatever the timing: writes that arrive during the load are all
applied, in order, to the loaded state; another daemon's change during the load reaches
this daemon; the cache never evicts a tenant being loaded; and a daemon stopped while a
load runs exits cleanly (under AddressSanitizer: nothing freed twice or leaked)."""
import threading
import time
import unittest

import imstest
from imstest import events_pb2, level_pb2, tenants_pb2

SAMPLES = 60000  # one a minute: a document of about 3.6 MB, parsed on the thread pool


def create_tenant(channel, token, prefix):
    return imstest.unary(channel, "/ims.v1.Tenants/CreateTenant",
                         tenants_pb2.CreateTenantRequest(slug=imstest.unique(prefix),
                                                         display_name="Load Ltd",
                                                         sector="it-services",
                                                         size_band="small"),
                         tenants_pb2.Tenant, token=token)


def fill(tenant, count):
    """count samples one minute apart ending now, on the tenant's pushed metrics in turn."""
    imstest.psql("""
INSERT INTO metric_samples (tenant_id, metric_id, at, value, received_at)
SELECT '%s', m.ids[1 + i %% array_length(m.ids, 1)], now() - i * interval '1 minute',
       (i %% 1000) / 7.0, now() - i * interval '1 minute'
  FROM generate_series(1, %d) i,
       (SELECT array_agg(metric_id ORDER BY metric_id) ids FROM tenant_metrics
         WHERE tenant_id = '%s' AND enabled
           AND metric_id NOT IN (SELECT metric_id FROM computed_metrics)) m""" % (
        tenant, count, tenant))


class TenantLoad(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.token = imstest.imsd_token()
        d = imstest.Daemon()
        ch = d.channel()
        try:
            cls.big = create_tenant(ch, cls.token, "load-big").id
            cls.small = [create_tenant(ch, cls.token, "load-small").id for _ in range(12)]
        finally:
            ch.close()
            d.stop()
        fill(cls.big, SAMPLES)

    def setUp(self):
        self.daemons, self.channels = [], []

    def tearDown(self):
        for ch in self.channels:
            ch.close()
        for d in self.daemons:
            self.assertEqual(d.stop(), 0, d.log_text()[-3000:])

    def daemon(self, *extra):
        d = imstest.Daemon(*extra)
        self.daemons.append(d)
        ch = d.channel()
        self.channels.append(ch)
        return d, ch

    def level(self, channel, tenant, timeout=120):
        return imstest.unary(channel, "/ims.v1.Level/GetSecurityLevel",
                             level_pb2.GetSecurityLevelRequest(tenant=tenant),
                             level_pb2.SecurityLevel, token=self.token, timeout=timeout)

    def push(self, channel, tenant, value):
        return imstest.unary(channel, "/ims.v1.Events/PushMetrics", events_pb2.PushMetricsRequest(
            tenant=tenant, samples=[events_pb2.Sample(metric="patch_latency_days", value=value)]),
            events_pb2.PushMetricsResponse, token=self.token, timeout=120)

    def run_all(self, fns):
        """Runs every fn in its own thread at once; returns their results (or exceptions)."""
        out = [None] * len(fns)

        def run(i):
            try:
                out[i] = fns[i]()
            except Exception as e:  # noqa: BLE001 - reported by the caller
                out[i] = e
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        return out

    def same_level(self, a, b):
        self.assertEqual(a.revision, b.revision)
        self.assertEqual(a.security_level, b.security_level)
        self.assertEqual(a.maturity, b.maturity)

    def test_writes_arriving_during_a_load_are_all_applied(self):
        base = self.level(self.daemon()[1], self.big).revision
        d, ch = self.daemon()
        # The first call starts the load; the others queue behind it (the loop is free to
        # take them while the document is parsed on a thread).
        writes = 8
        fns = [lambda: self.level(ch, self.big)]
        fns += [lambda v=v: self.push(ch, self.big, 1000.5 + v) for v in range(writes)]
        res = self.run_all(fns)
        for r in res:
            self.assertNotIsInstance(r, Exception, r)
        self.assertIn("tenant load queued", d.log_text())
        # Batched as they queued (one revision per flush), every one committed once.
        revisions = [r.revision for r in res[1:]]
        final = self.level(ch, self.big).revision
        self.assertTrue(all(base < r <= final for r in revisions), (base, revisions, final))
        self.assertEqual(max(revisions), final)
        stored = imstest.psql(
            "SELECT count(*) FROM metric_samples WHERE tenant_id = '%s' AND metric_id = "
            "'patch_latency_days' AND value >= 1000.5 AND at > now() - interval '1 hour'"
            % self.big)
        self.assertEqual(int(stored[0][0]), writes)
        # A daemon loading the tenant afresh finds the same level.
        _, other = self.daemon()
        self.same_level(self.level(ch, self.big), self.level(other, self.big))

    def test_another_daemons_write_during_a_load_reaches_the_loading_daemon(self):
        _, writer = self.daemon()
        self.level(writer, self.big)
        d, ch = self.daemon()
        res = self.run_all([lambda: self.level(ch, self.big),
                            lambda: self.push(writer, self.big, 42.0)])
        for r in res:
            self.assertNotIsInstance(r, Exception, r)
        pushed = res[1]
        deadline = time.time() + 60
        while self.level(ch, self.big).revision < pushed.revision and time.time() < deadline:
            time.sleep(0.05)
        self.same_level(self.level(ch, self.big), self.level(writer, self.big))
        self.assertEqual(self.level(ch, self.big).revision, pushed.revision)

    def test_a_tenant_being_loaded_is_not_evicted(self):
        d, ch = self.daemon("--tenant-cache-mb", "1")
        _, full = self.daemon("--tenant-cache-mb", "0")
        # Small tenants read over and over while the large one loads: each of their loads
        # trims the cache, whose budget the large tenant alone exceeds.
        def smalls():
            return [self.level(ch, t) for _ in range(3) for t in self.small]
        res = self.run_all([lambda: self.level(ch, self.big), smalls])
        for r in res:
            self.assertNotIsInstance(r, Exception, r)
        self.same_level(res[0], self.level(full, self.big))
        self.same_level(self.level(ch, self.big), self.level(full, self.big))
        for t in self.small:
            self.same_level(self.level(ch, t), self.level(full, t))
        # Evicted only once loaded: its first "tenant loaded" comes before any eviction.
        lines = [l for l in d.log_text().splitlines() if "tenant=" + self.big in l]
        first_loaded = next(i for i, l in enumerate(lines) if "tenant loaded" in l)
        evictions = [i for i, l in enumerate(lines) if "tenant evicted" in l]
        self.assertTrue(all(i > first_loaded for i in evictions), lines)

    def test_a_fresh_load_holds_the_samples_as_the_writes_gave_them(self):
        # The window's samples come beside the document (server/tenant/load_samples.c):
        # a daemon that took the writes and one that loads the tenant afresh must hold the
        # same samples, in the same order. Two samples of a "last" metric at one second (the
        # later arrival counts), a "mean" metric's samples at one second and at others, sent
        # out of time order, and a sample older than the window with none inside it.
        _, writer = self.daemon()
        tenant = create_tenant(writer, self.token, "load-order").id
        before = self.level(writer, tenant)
        now = int(time.time())

        def at(seconds_ago):
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - seconds_ago))

        def push(*samples):
            return imstest.unary(
                writer, "/ims.v1.Events/PushMetrics", events_pb2.PushMetricsRequest(
                    tenant=tenant, samples=[events_pb2.Sample(metric=m, at=t, value=v)
                                            for m, t, v in samples]),
                events_pb2.PushMetricsResponse, token=self.token)
        push(("patch_latency_days", at(600), 25.0))
        push(("patch_latency_days", at(600), 9.0))
        push(("backup_success_pct", at(30), 99.0), ("backup_success_pct", at(3600), 91.0),
             ("backup_success_pct", at(30), 92.5), ("backup_success_pct", at(7200), 97.25))
        push(("mfa_coverage_pct", at(150000), 80.0))
        took = self.level(writer, tenant)
        self.assertNotEqual(took.security_level, before.security_level)
        _, fresh = self.daemon()
        self.same_level(took, self.level(fresh, tenant))
        # The order matters: the same samples with the two at one second the other way
        # round give another level, which a load that reordered them would have found.
        push(("patch_latency_days", at(600), 25.0))
        turned = self.level(writer, tenant)
        self.assertNotEqual(turned.security_level, took.security_level)
        _, again = self.daemon()
        self.same_level(turned, self.level(again, tenant))

    def test_stopping_while_a_reload_runs(self):
        # A read waits for its load, and the daemon's stop waits for the read; a reload
        # after another daemon's change has nobody waiting: the stop can overtake it.
        d, ch = self.daemon("--shutdown-grace-ms", "0")
        _, writer = self.daemon()
        self.level(ch, self.big)
        self.push(writer, self.big, 7.0)
        deadline = time.time() + 120
        while d.log_text().count("tenant load queued") < 2 and time.time() < deadline:
            time.sleep(0.005)
        self.assertEqual(d.log_text().count("tenant load queued"), 2)
        # Stopped now: the document may still be parsed on a thread; the daemon waits for
        # it, drops the result and frees everything once.
        self.assertEqual(d.stop(), 0, d.log_text()[-3000:])


if __name__ == "__main__":
    unittest.main()
