"""A database that stops answering (a black hole: connections accepted, nothing read) must
not fill the daemon's queue: after the first transaction times out, the pool opens its
circuit and writes fail at once with UNAVAILABLE instead of waiting behind the connect
timeout; reads of a tenant in memory keep answering; when the database answers again, a
reconnect closes the circuit and writes succeed.

The daemon reaches the real PostgreSQL of tests/run.sh through a Unix-socket relay in this
test, which can stop relaying (and hold every connection open) and start again."""
import os
import re
import select
import shutil
import socket
import tempfile
import threading
import time
import unittest

import grpc

import imstest
from imstest import events_pb2, health_pb2, level_pb2, tenants_pb2


def dsn_field(dsn, key):
    m = re.search(r"(?:^|\s)%s=(\S+)" % key, dsn)
    return m.group(1).strip("'") if m else None


class Relay:
    """Relays a Unix socket to PostgreSQL's; blackhole() stops reading from either side and
    holds every connection, new ones included; heal() drops what it held and relays again."""

    def __init__(self, target):
        self.dir = tempfile.mkdtemp(prefix="imsd-relay-")
        self.port = 5432
        self.path = os.path.join(self.dir, ".s.PGSQL.%d" % self.port)
        self.target = target
        self.holding = threading.Event()
        self.lock = threading.Lock()
        self.sockets = []
        self.stopping = threading.Event()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(64)
        self.server.settimeout(0.1)
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self):
        while not self.stopping.is_set():
            try:
                client, _ = self.server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.sockets.append(client)
            if self.holding.is_set():
                continue  # accepted, never read: a database that does not answer
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.append(upstream)
            threading.Thread(target=self.pump, args=(client, upstream), daemon=True).start()

    def pump(self, a, b):
        peers = {a: b, b: a}
        try:
            while not self.stopping.is_set():
                if self.holding.is_set():
                    time.sleep(0.05)
                    continue
                ready, _, _ = select.select([a, b], [], [], 0.1)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    peers[s].sendall(data)
        except (OSError, ValueError):  # closed by heal()
            return
        finally:
            a.close()
            b.close()

    def blackhole(self):
        self.holding.set()

    def heal(self):
        """Relays again; the connections held meanwhile are closed (their peer sees EOF)."""
        with self.lock:
            held, self.sockets = self.sockets, []
            self.holding.clear()
        for s in held:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def dsn(self):
        return "host=%s port=%d dbname=%s user=%s" % (
            self.dir, self.port, dsn_field(os.environ["IMS_TEST_DB"], "dbname"),
            dsn_field(os.environ["IMS_TEST_DB"], "user"))

    def close(self):
        self.heal()
        self.stopping.set()
        self.server.close()
        self.thread.join(5)
        shutil.rmtree(self.dir, ignore_errors=True)


class DbCircuit(unittest.TestCase):
    def push(self, channel, value, timeout=10):
        return imstest.unary(channel, "/ims.v1.Events/PushMetrics", events_pb2.PushMetricsRequest(
            tenant=self.tenant, samples=[events_pb2.Sample(metric="patch_latency_days",
                                                           value=value)]),
            events_pb2.PushMetricsResponse, token=self.token, timeout=timeout)

    def level(self, channel):
        return imstest.unary(channel, "/ims.v1.Level/GetSecurityLevel",
                             level_pb2.GetSecurityLevelRequest(tenant=self.tenant),
                             level_pb2.SecurityLevel, token=self.token)

    def health(self, channel):
        return imstest.unary(channel, "/grpc.health.v1.Health/Check",
                             health_pb2.HealthCheckRequest(),
                             health_pb2.HealthCheckResponse).status

    def test_blackholed_database_fails_writes_fast_and_recovers(self):
        env = os.environ["IMS_TEST_DB"]
        target = os.path.join(dsn_field(env, "host"), ".s.PGSQL.%s" % dsn_field(env, "port"))
        relay = Relay(target)
        # A short transaction timeout (the first write notices the black hole) and a connect
        # timeout far beyond the calls' deadline: without the circuit, writes would queue
        # behind the reconnect and end DEADLINE_EXCEEDED instead of UNAVAILABLE.
        daemon = imstest.Daemon("--db-pool-size", "2", "--db-txn-timeout-ms", "1500",
                                "--db-connect-timeout-ms", "60000",
                                "--token-cache-ttl-ms", "600000", db=relay.dsn())
        try:
            self.token = imstest.imsd_token()
            channel = daemon.channel()
            self.tenant = imstest.unary(
                channel, "/ims.v1.Tenants/CreateTenant",
                tenants_pb2.CreateTenantRequest(slug=imstest.unique("circuit"),
                                                display_name="Circuit Ltd",
                                                sector="it-services", size_band="small"),
                tenants_pb2.Tenant, token=self.token).id
            self.push(channel, 3)
            before = self.level(channel)

            relay.blackhole()
            # The first write waits for the transaction timeout, then fails.
            code, details = imstest.code_of(lambda: self.push(channel, 4, timeout=30))
            self.assertEqual(code, grpc.StatusCode.UNAVAILABLE, details)
            # The next ones are refused at once: the reconnect hangs on the black hole for a
            # minute, yet each write ends UNAVAILABLE well within its 5 s deadline.
            for i in range(20):
                code, details = imstest.code_of(lambda: self.push(channel, 5 + i, timeout=5))
                self.assertEqual(code, grpc.StatusCode.UNAVAILABLE, details)
                self.assertIn("database unavailable", details)
            # A tenant in memory still answers reads, with the level it had.
            during = self.level(channel)
            self.assertEqual(during.security_level, before.security_level)
            self.assertEqual(during.revision, before.revision)
            self.assertIn("db unavailable: refusing transactions", daemon.log_text())
            # Health says so while the circuit is open.
            self.assertEqual(self.health(channel), health_pb2.HealthCheckResponse.NOT_SERVING)

            relay.heal()
            deadline = time.time() + 60
            while True:
                code, details = imstest.code_of(lambda: self.push(channel, 30, timeout=5))
                if code == grpc.StatusCode.OK or time.time() > deadline:
                    break
                self.assertEqual(code, grpc.StatusCode.UNAVAILABLE, details)
                time.sleep(0.2)
            self.assertEqual(code, grpc.StatusCode.OK, details)
            self.assertIn("db available again", daemon.log_text())
            self.assertEqual(self.health(channel), health_pb2.HealthCheckResponse.SERVING)
            self.assertGreater(self.level(channel).revision, before.revision)
            channel.close()
        finally:
            relay.heal()
            daemon.stop()
            relay.close()


if __name__ == "__main__":
    unittest.main()
