"""High availability on Patroni: deploy/ha/ha.sh starts etcd, two PostgreSQL nodes under
Patroni (synchronous replication), two imsd reaching the primary through a multi-host DSN
and HAProxy in front of them. Agents push metric samples and submit incidents through
HAProxy, each write with its idempotency key and retried until acknowledged; the primary
node (its Patroni and its postmaster) is killed with SIGKILL mid-ingest; Patroni promotes
the standby. Afterwards every acknowledged write is stored exactly once, the writes went on
without restarting either imsd, and a watcher resumed.

Time budget: about 60 s on 2 cores (start ~15 s, failover ~20-30 s: Patroni's ttl is 20 s),
at most 240 s (the deadlines below). Prints one line of figures (failover_s, acked, lost,
duplicates) for bench/README.md.
"""
import os
import signal
import subprocess
import threading
import time
import unittest
import urllib.request

import grpc

import imstest
from imstest import events_pb2, level_pb2, tenants_pb2

HA = os.path.join(imstest.TOP, "deploy", "ha", "ha.sh")
NAME = "test-%d" % os.getpid()
ITEMS = 300            # writes in all: even ones push 10 samples, odd ones submit an incident
SAMPLES = 10
THREADS = 4
KILL_AFTER = 80        # acknowledged writes before the kill
DEADLINE_S = 150       # the whole ingest, failover and retries included
CALL_TIMEOUT_S = 5
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
             grpc.StatusCode.CANCELLED, grpc.StatusCode.INTERNAL,
             grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNKNOWN)


def ha(*args):
    env = dict(os.environ, IMS_BUILD=imstest.BUILD)
    out = subprocess.run([HA] + list(args) + [NAME], capture_output=True, text=True, env=env,
                         timeout=300)
    if out.returncode != 0:
        raise AssertionError("ha.sh %s failed:\n%s%s" % (" ".join(args), out.stdout, out.stderr))
    values = {}
    for line in out.stdout.splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            values[key] = value.strip("'")
    return values


def first_int(path):
    with open(path) as f:
        return int(f.readline())


def retry(fn, deadline):
    while True:
        try:
            return fn()
        except grpc.RpcError as e:
            if e.code() not in RETRYABLE or time.time() > deadline:
                raise
            time.sleep(0.1)


def is_primary(rest_port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%s/primary" % rest_port, timeout=1) as r:
            return r.status == 200
    except Exception:
        return False


class Agents:
    """THREADS agents write items 0..ITEMS-1 through one address; each write is retried
    with its own idempotency key until acknowledged."""

    def __init__(self, addr, token, tenant, metric, prefix):
        self.lock = threading.Lock()
        self.addr, self.token, self.tenant, self.metric = addr, token, tenant, metric
        self.prefix = prefix
        self.next_item = 0
        self.acked = {}      # item -> time acknowledged
        self.retried = set()
        self.errors = []
        self.deadline = time.time() + DEADLINE_S
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(THREADS)]

    def key(self, item):
        return "%s-%d" % (self.prefix, item)

    def send(self, channel, item):
        if item % 2 == 0:
            req = events_pb2.PushMetricsRequest(
                tenant=self.tenant, idempotency_key=self.key(item),
                samples=[events_pb2.Sample(metric=self.metric, value=float(item * 100 + i))
                         for i in range(SAMPLES)])
            imstest.unary(channel, "/ims.v1.Events/PushMetrics", req,
                          events_pb2.PushMetricsResponse, token=self.token,
                          timeout=CALL_TIMEOUT_S)
        else:
            req = events_pb2.SubmitIncidentRequest(
                tenant=self.tenant, idempotency_key=self.key(item),
                incident=events_pb2.Incident(severity=2, threat="T.malware",
                                             controls=["A.8.7"], description=self.key(item)))
            imstest.unary(channel, "/ims.v1.Events/SubmitIncident", req,
                          events_pb2.IncidentResult, token=self.token, timeout=CALL_TIMEOUT_S)

    def run(self):
        channel = grpc.insecure_channel(self.addr)
        try:
            while time.time() < self.deadline:
                with self.lock:
                    item = self.next_item
                    self.next_item += 1
                if item >= ITEMS:
                    return
                attempts = 0
                while time.time() < self.deadline:
                    attempts += 1
                    try:
                        self.send(channel, item)
                    except grpc.RpcError as e:
                        if e.code() not in RETRYABLE:
                            with self.lock:
                                self.errors.append((item, e.code(), e.details()))
                            return
                        time.sleep(0.1)
                        continue
                    with self.lock:
                        self.acked[item] = time.time()
                        if attempts > 1:
                            self.retried.add(item)
                    break
        finally:
            channel.close()

    def start(self):
        for t in self.threads:
            t.start()

    def join(self, timeout):
        end = time.time() + timeout
        for t in self.threads:
            t.join(max(0.1, end - time.time()))
        return not any(t.is_alive() for t in self.threads)

    def acked_count(self):
        with self.lock:
            return len(self.acked)


class Watcher:
    """Watches the tenant's level through HAProxy; when the stream breaks it watches again."""

    def __init__(self, addr, token, tenant):
        self.addr, self.token, self.tenant = addr, token, tenant
        self.lock = threading.Lock()
        self.received = []   # (time, revision)
        self.breaks = 0
        self.stop = threading.Event()
        self.call = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        channel = grpc.insecure_channel(self.addr)
        watch = channel.unary_stream(
            "/ims.v1.Level/WatchSecurityLevel",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=level_pb2.SecurityLevel.FromString)
        while not self.stop.is_set():
            self.call = watch(level_pb2.WatchSecurityLevelRequest(tenant=self.tenant),
                              metadata=[("authorization", "Bearer " + self.token)],
                              timeout=DEADLINE_S + 60)
            try:
                for msg in self.call:
                    with self.lock:
                        self.received.append((time.time(), msg.revision))
            except grpc.RpcError:
                pass
            if not self.stop.is_set():
                with self.lock:
                    self.breaks += 1
                time.sleep(0.2)
        channel.close()

    def received_after(self, t):
        with self.lock:
            return [r for at, r in self.received if at > t]

    def close(self):
        self.stop.set()
        if self.call:
            self.call.cancel()
        self.thread.join(5)


class HaFailover(unittest.TestCase):
    def test_primary_killed_mid_ingest_loses_and_doubles_nothing(self):
        started = time.time()
        env = ha("start")
        try:
            self.run_failover(env, started)
        except BaseException:
            for name in ("imsd1.log", "imsd2.log", "haproxy.log"):
                path = os.path.join(env["IMS_HA_DIR"], name)
                if os.path.exists(path):
                    with open(path) as f:
                        print("--- %s (last lines)\n%s" % (name, "".join(f.readlines()[-15:])))
            raise
        finally:
            ha("stop")

    def run_failover(self, env, started):
        server, admin = env["IMS_HA_SERVER"], env["IMS_HA_ADMIN_DSN"]
        ha_dir = env["IMS_HA_DIR"]
        pids = {n: first_int(os.path.join(ha_dir, "imsd%d.pid" % n)) for n in (1, 2)}
        token = subprocess.run([imstest.IMSD, "token", "create", "--db", admin, "--role",
                                "operator", "--label", "ha"], check=True, capture_output=True,
                               text=True).stdout.strip()
        deadline = time.time() + 30
        with grpc.insecure_channel(server) as channel:
            tenant = retry(lambda: imstest.unary(
                channel, "/ims.v1.Tenants/CreateTenant",
                tenants_pb2.CreateTenantRequest(slug=imstest.unique("ha"), display_name="HA Ltd",
                                                sector="it-services", size_band="small",
                                                idempotency_key="ha-tenant"),
                tenants_pb2.Tenant, token=token), deadline)
        metric = imstest.psql("SELECT metric_id FROM tenant_metrics WHERE tenant_id = '%s' "
                              "AND enabled ORDER BY metric_id LIMIT 1" % tenant.id, admin)[0][0]
        ready_s = time.time() - started

        watcher = Watcher(server, token, tenant.id)
        watcher.thread.start()
        agents = Agents(server, token, tenant.id, metric, imstest.unique("ha"))
        agents.start()
        try:
            end = time.time() + 60
            while agents.acked_count() < KILL_AFTER and time.time() < end:
                time.sleep(0.01)
            self.assertGreaterEqual(agents.acked_count(), KILL_AFTER, "ingest too slow")

            # The primary node dies: its Patroni, then its postmaster and every backend.
            rest = {1: env["IMS_HA_REST1_PORT"], 2: env["IMS_HA_REST2_PORT"]}
            primary = [n for n in (1, 2) if is_primary(rest[n])]
            self.assertEqual(len(primary), 1, "exactly one primary before the kill")
            node = primary[0]
            survivor = 3 - node
            patroni_pid = first_int(os.path.join(ha_dir, "patroni%d.pid" % node))
            postmaster = first_int(os.path.join(ha_dir, "pg%d" % node, "data", "postmaster.pid"))
            children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True,
                                      text=True).stdout.split()
            os.kill(patroni_pid, signal.SIGKILL)
            os.kill(postmaster, signal.SIGKILL)
            for child in children:
                try:
                    os.kill(int(child), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            killed_at = time.time()
            acked_at_kill = agents.acked_count()
            self.assertLess(acked_at_kill, ITEMS, "the ingest ended before the kill")

            promoted_at = None
            while time.time() < killed_at + 90:
                if is_primary(rest[survivor]):
                    promoted_at = time.time()
                    break
                time.sleep(0.2)
            self.assertIsNotNone(promoted_at, "Patroni promoted the standby")

            self.assertTrue(agents.join(DEADLINE_S + 10), "the ingest did not finish in time")
            self.assertEqual(agents.errors, [])
            self.assertEqual(sorted(agents.acked), list(range(ITEMS)),
                             "every write is acknowledged in the end")
            # The outage: the longest pause between two acknowledgements from the kill on;
            # writes resumed at its end.
            times = sorted(agents.acked.values())
            before = [t for t in times if t <= killed_at]
            after = [t for t in times if t > killed_at]
            self.assertTrue(after, "writes were acknowledged after the kill")
            edges = ([before[-1]] if before else [killed_at]) + after
            gap, resumed_at = max((b - a, b) for a, b in zip(edges, edges[1:]))
            self.assertGreater(len([t for t in after if t >= resumed_at]), 10,
                               "writes went on after the failover")

            # The watcher sees a revision made after the failover.
            end = time.time() + 30
            while not watcher.received_after(resumed_at) and time.time() < end:
                time.sleep(0.2)
            self.assertTrue(watcher.received_after(resumed_at), "the watcher resumed")
        finally:
            agents.deadline = 0
            watcher.close()

        # Neither daemon was restarted.
        for n, pid in pids.items():
            os.kill(pid, 0)
            self.assertEqual(first_int(os.path.join(ha_dir, "imsd%d.pid" % n)), pid)

        # Every acknowledged write is stored exactly once, on the new primary.
        samples = imstest.psql(
            "SELECT value::bigint, count(*) FROM metric_samples WHERE tenant_id = '%s' AND "
            "metric_id = '%s' GROUP BY 1" % (tenant.id, metric), admin)
        incidents = imstest.psql(
            "SELECT description, count(*) FROM incidents WHERE tenant_id = '%s' GROUP BY 1"
            % tenant.id, admin)
        stored = {int(v): int(c) for v, c in samples}
        stored_incidents = {d: int(c) for d, c in incidents}
        lost, duplicates = 0, 0
        for item in agents.acked:
            if item % 2 == 0:
                for i in range(SAMPLES):
                    n = stored.get(item * 100 + i, 0)
                    lost += n == 0
                    duplicates += max(0, n - 1)
            else:
                n = stored_incidents.get(agents.key(item), 0)
                lost += n == 0
                duplicates += max(0, n - 1)
        extra = len(stored) - (ITEMS + 1) // 2 * SAMPLES
        total_s = time.time() - started
        print("ha-failover: ready_s=%.1f acked_before_kill=%d acked=%d retried=%d "
              "promotion_s=%.1f write_outage_s=%.1f lost=%d duplicates=%d watcher_breaks=%d "
              "total_s=%.1f" % (ready_s, acked_at_kill, len(agents.acked), len(agents.retried),
                                promoted_at - killed_at, resumed_at - killed_at, lost,
                                duplicates, watcher.breaks, total_s), flush=True)
        self.assertEqual(lost, 0, "acknowledged writes lost")
        self.assertEqual(duplicates, 0, "writes stored twice")
        self.assertEqual(extra, 0, "samples stored that no write sent")


if __name__ == "__main__":
    unittest.main()
