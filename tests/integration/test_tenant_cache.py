"""The tenant-state cache under a memory budget: with a budget smaller than a few tenants,
idle tenants are evicted (least recently used first) and loaded again on their next use,
answering exactly as a daemon that keeps every tenant; a watched tenant is never evicted
and its watcher sees every change."""
import queue
import threading
import time
import unittest
import urllib.request

import grpc

import imstest
from imstest import events_pb2, level_pb2, tenants_pb2

TENANTS = 20  # a small tenant holds about 0.1 MiB: twice the budget and more


def create_tenant(channel, token):
    return imstest.unary(channel, "/ims.v1.Tenants/CreateTenant",
                         tenants_pb2.CreateTenantRequest(slug=imstest.unique("cache"),
                                                         display_name="Cache Ltd",
                                                         sector="it-services",
                                                         size_band="small"),
                         tenants_pb2.Tenant, token=token)


class TenantCache(unittest.TestCase):
    def level(self, channel, tenant):
        return imstest.unary(channel, "/ims.v1.Level/GetSecurityLevel",
                             level_pb2.GetSecurityLevelRequest(tenant=tenant),
                             level_pb2.SecurityLevel, token=self.token)

    def push(self, channel, tenant, value):
        return imstest.unary(channel, "/ims.v1.Events/PushMetrics", events_pb2.PushMetricsRequest(
            tenant=tenant, samples=[events_pb2.Sample(metric="patch_latency_days", value=value)]),
            events_pb2.PushMetricsResponse, token=self.token)

    def watch(self, channel, tenant, out, ready):
        stream = channel.unary_stream(
            "/ims.v1.Level/WatchSecurityLevel",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=level_pb2.SecurityLevel.FromString)
        call = stream(level_pb2.WatchSecurityLevelRequest(tenant=tenant),
                      metadata=[("authorization", "Bearer " + self.token)], timeout=60)
        self.calls.append(call)
        try:
            for i, msg in enumerate(call):
                out.put(msg)
                if i == 0:
                    ready.set()
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.CANCELLED:
                out.put(e)

    def test_evicted_tenants_reload_exactly_and_a_watched_one_stays(self):
        self.token = imstest.imsd_token()
        self.calls = []
        small = imstest.Daemon("--tenant-cache-mb", "1")
        full = imstest.Daemon("--tenant-cache-mb", "0")
        chs, chf = small.channel(), full.channel()
        watcher = None
        try:
            tenants = [create_tenant(chs, self.token).id for _ in range(TENANTS)]
            watched = tenants[0]
            q, ready = queue.Queue(), threading.Event()
            watcher = threading.Thread(target=self.watch, args=(chs, watched, q, ready),
                                       daemon=True)
            watcher.start()
            self.assertTrue(ready.wait(10))
            # Writes through the small daemon, each tenant its own level; then every tenant
            # read in turn, several rounds: each read of a tenant evicted meanwhile loads it.
            for i, t in enumerate(tenants):
                self.push(chs, t, float(3 + 4 * i))
            for rnd in range(3):
                for t in tenants:
                    a, b = self.level(chs, t), self.level(chf, t)
                    self.assertEqual(a.revision, b.revision)
                    self.assertEqual(a.security_level, b.security_level)
                    self.assertEqual(a.maturity, b.maturity)
                # A write to a tenant that may have been evicted: applied to the reloaded
                # state, its answer and the other daemon agree.
                t = tenants[1 + rnd]
                res = self.push(chs, t, 50.0 + rnd)
                deadline = time.time() + 10
                while self.level(chf, t).revision < res.revision and time.time() < deadline:
                    time.sleep(0.05)
                b = self.level(chf, t)
                self.assertEqual(res.revision, b.revision)
                self.assertEqual(res.security_level, b.security_level)
            # The watched tenant's changes all reach its watcher.
            for k in range(3):
                self.push(chs, watched, float(10 + k))
            got, deadline = [], time.time() + 20
            while len(got) < 5 and time.time() < deadline:
                try:
                    item = q.get(timeout=0.2)
                except queue.Empty:
                    continue
                if isinstance(item, Exception):
                    raise item
                got.append(item)
            self.assertEqual([m.revision for m in got], [0, 1, 2, 3, 4])
            log = small.log_text()
            evicted = {line.split("tenant=")[1].split()[0] for line in log.splitlines()
                       if "tenant evicted" in line}
            self.assertTrue(evicted - {watched}, "nothing was evicted under a 1 MiB budget")
            self.assertNotIn(watched, evicted)
            self.assertNotIn("tenant evicted", full.log_text())
        finally:
            for call in self.calls:
                call.cancel()
            if watcher:
                watcher.join(10)
            chs.close()
            chf.close()
            self.assertEqual(small.stop(), 0)
            self.assertEqual(full.stop(), 0)

    def test_samples_at_held_seconds_take_no_more_memory(self):
        """A tenant's state holds one entry per metric and second: thousands more samples
        at seconds already held leave it no larger, and a daemon that loads the tenant from
        the database (where every sample is kept apart) gives the same level."""
        self.token = imstest.imsd_token()
        live = imstest.Daemon("--ops-listen", "127.0.0.1:0", "--tenant-cache-mb", "0")
        ops = "http://127.0.0.1:%d/metrics" % live.ops_port
        ch = live.channel()
        other, cho = None, None
        try:
            tenant = create_tenant(ch, self.token).id
            base = int(time.time()) - 3600
            times = [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + k)) for k in range(5)]

            def push(round_no):
                samples = [events_pb2.Sample(metric="backup_success_pct", at=times[i % 5],
                                             value=float(80 + (7 * i + round_no) % 21))
                           for i in range(5000)]
                return imstest.unary(ch, "/ims.v1.Events/PushMetrics",
                                     events_pb2.PushMetricsRequest(tenant=tenant, samples=samples),
                                     events_pb2.PushMetricsResponse, token=self.token)

            def cache_bytes():
                with urllib.request.urlopen(ops, timeout=5) as r:
                    text = r.read().decode()
                return int(next(line.split()[1] for line in text.splitlines()
                                if line.startswith("ims_tenant_cache_bytes ")))

            push(0)
            held = cache_bytes()
            for round_no in range(1, 4):
                last = push(round_no)
            self.assertLessEqual(cache_bytes(), held)
            other = imstest.Daemon()
            cho = other.channel()
            a, b = self.level(ch, tenant), self.level(cho, tenant)
            self.assertEqual(a.revision, last.revision)
            self.assertEqual(b.revision, last.revision)
            self.assertAlmostEqual(a.security_level, b.security_level, places=12)
            self.assertEqual(a.maturity, b.maturity)
        finally:
            ch.close()
            if cho:
                cho.close()
            self.assertEqual(live.stop(), 0)
            if other:
                self.assertEqual(other.stop(), 0)


if __name__ == "__main__":
    unittest.main()
