"""imsd killed (SIGKILL) in the middle of a sustained ingest loses no acknowledged sample and
stores none twice, when the client retries every unacknowledged batch with its same key."""
import shutil
import threading
import time
import unittest

import grpc

import imstest
from imstest import events_pb2, tenants_pb2

BATCHES = 240
SAMPLES = 200
THREADS = 4
KILL_AFTER = 60        # acknowledged batches before the kill
DEADLINE_S = 50        # the whole ingest, retries included
CALL_TIMEOUT_S = 5


class Ingest:
    """Sends batches 0..BATCHES-1 from THREADS threads; each batch is retried with its own
    key until acknowledged. The address can change under it (a restarted daemon)."""

    def __init__(self, addr, token, tenant, key_prefix, metric):
        self.lock = threading.Lock()
        self.addr = addr
        self.token = token
        self.tenant = tenant
        self.key_prefix = key_prefix
        self.metric = metric
        self.next_batch = 0
        self.acked = {}        # batch -> accepted count
        self.retried = set()   # batches sent more than once
        self.errors = []       # answers that are not worth a retry
        self.deadline = time.time() + DEADLINE_S
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(THREADS)]

    def start(self):
        for t in self.threads:
            t.start()

    def join(self, timeout):
        end = time.time() + timeout
        for t in self.threads:
            t.join(max(0.1, end - time.time()))
        return not any(t.is_alive() for t in self.threads)

    def set_addr(self, addr):
        with self.lock:
            self.addr = addr

    def acked_count(self):
        with self.lock:
            return len(self.acked)

    def request(self, batch):
        samples = [events_pb2.Sample(metric=self.metric, value=float(batch * 1000 + i))
                   for i in range(SAMPLES)]
        return events_pb2.PushMetricsRequest(tenant=self.tenant, samples=samples,
                                             idempotency_key="%s-%d" % (self.key_prefix, batch))

    def run(self):
        addr, channel = None, None
        try:
            while time.time() < self.deadline:
                with self.lock:
                    batch = self.next_batch
                    self.next_batch += 1
                if batch >= BATCHES:
                    return
                request, attempts = self.request(batch), 0
                while time.time() < self.deadline:
                    with self.lock:
                        current = self.addr
                    if current != addr:
                        if channel:
                            channel.close()
                        addr, channel = current, grpc.insecure_channel(current)
                    attempts += 1
                    try:
                        res = imstest.unary(channel, "/ims.v1.Events/PushMetrics", request,
                                            events_pb2.PushMetricsResponse, token=self.token,
                                            timeout=CALL_TIMEOUT_S)
                    except grpc.RpcError as e:
                        if e.code() not in (grpc.StatusCode.UNAVAILABLE,
                                            grpc.StatusCode.DEADLINE_EXCEEDED,
                                            grpc.StatusCode.CANCELLED,
                                            grpc.StatusCode.INTERNAL):
                            with self.lock:
                                self.errors.append((batch, e.code(), e.details()))
                            return
                        time.sleep(0.05)
                        continue
                    with self.lock:
                        self.acked[batch] = res.accepted
                        if attempts > 1:
                            self.retried.add(batch)
                    break
        finally:
            if channel:
                channel.close()


class IngestFault(unittest.TestCase):
    def test_sigkill_mid_ingest_keeps_every_acknowledged_sample_once(self):
        token = imstest.imsd_token()
        first = imstest.Daemon()
        second = None
        try:
            with first.channel() as channel:
                tenant = imstest.unary(
                    channel, "/ims.v1.Tenants/CreateTenant",
                    tenants_pb2.CreateTenantRequest(slug=imstest.unique("fault"),
                                                    display_name="Fault Ltd",
                                                    sector="it-services", size_band="small"),
                    tenants_pb2.Tenant, token=token)
            metric = imstest.psql("SELECT metric_id FROM tenant_metrics WHERE tenant_id = '%s' "
                                  "AND enabled ORDER BY metric_id LIMIT 1" % tenant.id)[0][0]
            ingest = Ingest(first.addr, token, tenant.id, imstest.unique("fault"), metric)
            ingest.start()

            end = time.time() + 20
            while ingest.acked_count() < KILL_AFTER and time.time() < end:
                time.sleep(0.01)
            self.assertGreaterEqual(ingest.acked_count(), KILL_AFTER, "ingest too slow")
            first.proc.kill()  # SIGKILL: no grace, calls in flight are cut
            first.proc.wait(timeout=10)
            acked_at_kill = ingest.acked_count()
            self.assertLess(acked_at_kill, BATCHES, "the ingest ended before the kill")

            second = imstest.Daemon()
            ingest.set_addr(second.addr)
            self.assertTrue(ingest.join(DEADLINE_S + 5), "ingest did not finish in time")
            self.assertEqual(ingest.errors, [])
            self.assertEqual(sorted(ingest.acked), list(range(BATCHES)),
                             "every batch is acknowledged in the end")
            self.assertTrue(all(n == SAMPLES for n in ingest.acked.values()))
            self.assertTrue(ingest.retried, "some batch had to be sent again")

            # Every acknowledged sample is stored, and each exactly once.
            rows = imstest.psql(
                "SELECT count(*), count(DISTINCT value), min(value), max(value) "
                "FROM metric_samples WHERE tenant_id = '%s' AND metric_id = '%s'"
                % (tenant.id, metric))[0]
            self.assertEqual(int(rows[0]), BATCHES * SAMPLES)
            self.assertEqual(int(rows[1]), BATCHES * SAMPLES, "no sample stored twice")
            dups = imstest.psql(
                "SELECT value, count(*) FROM metric_samples WHERE tenant_id = '%s' "
                "GROUP BY metric_id, at, value HAVING count(*) > 1 LIMIT 5" % tenant.id)
            self.assertEqual(dups, [])
            expected = set(b * 1000 + i for b in range(BATCHES) for i in range(SAMPLES))
            stored = imstest.psql("SELECT value FROM metric_samples WHERE tenant_id = '%s'"
                                  % tenant.id)
            self.assertEqual(set(int(float(v[0])) for v in stored), expected)
        finally:
            if first.proc.poll() is None:
                first.proc.kill()
                first.proc.wait()
            first.log.close()
            shutil.rmtree(first.dir, ignore_errors=True)
            if second:
                code = second.stop()
                shutil.rmtree(second.dir, ignore_errors=True)
                self.assertEqual(code, 0)


if __name__ == "__main__":
    unittest.main()
