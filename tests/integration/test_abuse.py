"""Hostile and broken peers against a real imsd over real sockets: connections that say
nothing or half a preface, header blocks left open or without end, idle connections, a
peer that stops answering PINGs under an open watch, calls without a deadline, too many
connections from one address, and an unauthenticated flood of 4 MiB bodies. Each test
asserts what the peer sees (closure, GOAWAY, RST_STREAM, status codes) and that memory
stays bounded; how fast is for bench/abuse/."""
import os
import signal
import socket
import struct
import threading
import time
import unittest
import urllib.request

import grpc

import h2raw
import imstest
from imstest import events_pb2, health_pb2, level_pb2, tenants_pb2

HEALTH_CHECK = "/grpc.health.v1.Health/Check"
HEALTH_WATCH = "/grpc.health.v1.Health/Watch"
PUSH = "/ims.v1.Events/PushMetrics"
STREAM = "/ims.v1.Events/StreamMetrics"


def rss_kib(pid, field="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError("no " + field)


def goaway_code(frames):
    for t, _, _, payload in frames:
        if t == h2raw.GOAWAY:
            return struct.unpack(">I", payload[4:8])[0]
    return None


class ShortTimeouts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = imstest.Daemon("--preface-timeout-ms", "400", "--headers-timeout-ms", "400",
                               "--idle-timeout-ms", "700", "--keepalive-ms", "400",
                               "--default-deadline-ms", "800", "--max-header-list-bytes", "4096")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def conn(self):
        c = h2raw.Conn(self.d.port)
        self.addCleanup(c.close)
        return c

    def test_silent_connection_is_closed(self):
        c = self.conn()
        self.assertTrue(c.wait_closed(10), "a connection that sends nothing stays open")

    def test_half_a_preface_is_closed(self):
        c = self.conn()
        c.send(h2raw.PREFACE[:10])
        self.assertTrue(c.wait_closed(10))

    def test_open_header_block_is_closed(self):
        c = self.conn()
        c.preface()
        c.headers(1, h2raw.grpc_headers(HEALTH_CHECK), end_headers=False)
        self.assertTrue(c.wait_closed(10), "a header block without its end stays open")
        self.assertEqual(goaway_code(c.frames), 11)  # ENHANCE_YOUR_CALM

    def test_idle_connection_gets_goaway(self):
        c = self.conn()
        c.preface()
        c.send(h2raw.frame(h2raw.SETTINGS, h2raw.ACK, 0))
        self.assertTrue(c.wait_closed(10))
        self.assertEqual(goaway_code(c.frames), 0)  # NO_ERROR

    def test_watch_of_a_peer_that_answers_no_ping_is_closed(self):
        c = self.conn()
        c.preface()
        c.headers(1, h2raw.grpc_headers(HEALTH_WATCH))
        c.data(1, h2raw.grpc_message(b""), end_stream=True)
        self.assertTrue(c.wait_closed(10), "a watch outlives a peer that does not answer")
        pings = [f for f in c.frames if f[0] == h2raw.PING and not f[1] & h2raw.ACK]
        self.assertTrue(pings, "closed without a keepalive PING first")
        self.assertEqual(goaway_code(c.frames), 11)

    def test_watch_outlives_the_default_deadline(self):
        ch = self.d.channel()
        self.addCleanup(ch.close)
        watch = ch.unary_stream(HEALTH_WATCH, request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=health_pb2.HealthCheckResponse.FromString)
        call = watch(health_pb2.HealthCheckRequest())
        first = next(call)
        self.assertEqual(first.status, health_pb2.HealthCheckResponse.SERVING)
        time.sleep(2.0)  # beyond default_deadline_ms and several keepalive periods
        self.assertTrue(call.is_active(), "the watch ended")
        call.cancel()

    def test_call_without_deadline_gets_the_default(self):
        token = imstest.imsd_token("operator", label="abuse-deadline")
        ch = self.d.channel()
        self.addCleanup(ch.close)
        stream = ch.stream_unary(STREAM, request_serializer=lambda m: m.SerializeToString(),
                                 response_deserializer=events_pb2.PushMetricsResponse.FromString)
        stop = threading.Event()

        def slow():
            yield events_pb2.PushMetricsRequest()
            stop.wait(10)

        code, details = imstest.code_of(lambda: stream(
            slow(), metadata=[("authorization", "Bearer " + token)]))
        stop.set()
        self.assertEqual(code, grpc.StatusCode.DEADLINE_EXCEEDED, details)
        self.assertIn("default of 800 ms", details)

    def test_header_list_over_the_limit_resets_the_stream(self):
        c = self.conn()
        c.preface()
        c.headers(1, h2raw.grpc_headers(HEALTH_CHECK, extra=[("x-big", "a" * 6000)]),
                  end_stream=True)
        frames = c.read_frames(until=lambda f: f[0] == h2raw.RST_STREAM, timeout=10)
        self.assertIn(h2raw.RST_STREAM, [f[0] for f in frames])
        # The refused block is over: the connection goes on past the header block's
        # timeout (400 ms) and is not told to calm down (it would be before the idle one).
        later = c.read_frames(timeout=0.6)
        self.assertFalse(c.closed)
        self.assertNotEqual(goaway_code(later), 11)

    def test_peer_that_takes_no_response_is_closed(self):
        """A peer that opens no flow-control window never gets its answer: keeping up with
        the keepalive PINGs does not keep the connection, which goes after the idle
        timeout (700 ms) with GOAWAY ENHANCE_YOUR_CALM."""
        token = imstest.imsd_token("operator", label="abuse-window")
        c = self.conn()
        c.preface(struct.pack(">HI", 4, 0))  # SETTINGS_INITIAL_WINDOW_SIZE = 0
        c.headers(1, h2raw.grpc_headers(HEALTH_CHECK, token=token))
        c.data(1, h2raw.grpc_message(b""), end_stream=True)
        frames = []
        deadline = time.time() + 5
        while not c.closed and time.time() < deadline:
            got = c.read_frames(timeout=0.1)
            for f in got:
                if f[0] == h2raw.PING and not f[1] & h2raw.ACK:
                    try:
                        c.send(h2raw.frame(h2raw.PING, h2raw.ACK, 0, f[3]))
                    except OSError:
                        pass
            frames += got
        self.assertTrue(c.closed, "a peer that takes no response holds it for ever")
        self.assertEqual(goaway_code(frames), 11)  # ENHANCE_YOUR_CALM
        self.assertNotIn(h2raw.DATA, [f[0] for f in frames])

    def test_endless_continuation_closes_the_connection(self):
        c = self.conn()
        c.preface()
        c.headers(1, h2raw.grpc_headers(HEALTH_CHECK), end_headers=False)
        try:
            for _ in range(8):
                c.send(h2raw.frame(h2raw.CONTINUATION, 0, 1,
                                   h2raw.hpack_block([("x-pad", "b" * 16000)])))
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assertTrue(c.wait_closed(10))


class HealthWatchChanges(unittest.TestCase):
    def test_watch_is_told_when_the_daemon_stops(self):
        d = imstest.Daemon("--shutdown-grace-ms", "3000")
        self.addCleanup(d.stop)
        ch = d.channel()
        self.addCleanup(ch.close)
        watch = ch.unary_stream(HEALTH_WATCH, request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=health_pb2.HealthCheckResponse.FromString)
        call = watch(health_pb2.HealthCheckRequest(), timeout=20)
        self.assertEqual(next(call).status, health_pb2.HealthCheckResponse.SERVING)
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(next(call).status, health_pb2.HealthCheckResponse.NOT_SERVING)
        call.cancel()


class TokenEndsItsStreams(unittest.TestCase):
    """A revoked or expired token's WatchSecurityLevel streams end on every daemon."""

    @classmethod
    def setUpClass(cls):
        cls.a = imstest.Daemon()
        cls.b = imstest.Daemon()
        cls.op = imstest.imsd_token("operator", label="abuse-streams")

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()
        cls.b.stop()
        if os.environ.get("IMS_TEST_SHOW_LOG"):
            print(cls.a.log_text()[-3000:], cls.b.log_text()[-3000:])

    def create(self, expires_at=""):
        ch = self.a.channel()
        self.addCleanup(ch.close)
        return imstest.unary(ch, "/ims.v1.Tenants/CreateToken", tenants_pb2.CreateTokenRequest(
            role="operator", label=imstest.unique("watcher"), expires_at=expires_at),
            tenants_pb2.CreateTokenResponse, token=self.op)

    def watch(self, daemon, secret):
        ch = daemon.channel()
        self.addCleanup(ch.close)
        w = ch.unary_stream("/ims.v1.Level/WatchSecurityLevel",
                            request_serializer=lambda m: m.SerializeToString(),
                            response_deserializer=lambda b: b)
        call = w(level_pb2.WatchSecurityLevelRequest(),
                 metadata=[("authorization", "Bearer " + secret)], timeout=30)
        self.addCleanup(call.cancel)
        return call

    def ended(self, call):
        try:
            for _ in call:
                pass  # levels of other tenants may arrive meanwhile
        except grpc.RpcError:
            pass
        return call.code(), call.details()

    def test_revoked_on_another_daemon(self):
        made = self.create()
        on_a = self.watch(self.a, made.secret)
        on_b = self.watch(self.b, made.secret)
        time.sleep(1.0)  # both streams reach their daemon (no message comes before a change)
        ch = self.a.channel()
        self.addCleanup(ch.close)
        imstest.unary(ch, "/ims.v1.Tenants/RevokeToken",
                      tenants_pb2.RevokeTokenRequest(id=made.token.id),
                      tenants_pb2.RevokeTokenResponse, token=self.op)
        for call in (on_a, on_b):
            code, details = self.ended(call)
            self.assertEqual(code, grpc.StatusCode.UNAUTHENTICATED, details)
            self.assertEqual(details, "token revoked")

    def test_expired(self):
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
        made = self.create(expires_at=at)
        call = self.watch(self.b, made.secret)
        code, details = self.ended(call)
        self.assertEqual(code, grpc.StatusCode.UNAUTHENTICATED, details)
        self.assertEqual(details, "token expired")


class FreezableProxy:
    """TCP on loopback to PostgreSQL's Unix socket; freeze() stops every byte both ways
    (a database behind a black hole), without closing anything."""

    def __init__(self, unix_path):
        self.unix_path = unix_path
        self.frozen = threading.Event()
        self.stopping = False
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(64)
        self.port = self.lsock.getsockname()[1]
        self.socks = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stopping:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            u = socket.socket(socket.AF_UNIX)
            u.connect(self.unix_path)
            self.socks += [c, u]
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    def pump(self, a, b):
        while True:
            try:
                data = a.recv(65536)
            except OSError:
                return
            if not data:
                return
            while self.frozen.is_set() and not self.stopping:
                time.sleep(0.05)
            if self.stopping:
                return
            try:
                b.sendall(data)
            except OSError:
                return

    def freeze(self):
        self.frozen.set()

    def close(self):
        self.stopping = True
        self.lsock.close()
        for sk in self.socks:
            try:
                sk.close()
            except OSError:
                pass


class BlackholedDatabase(unittest.TestCase):
    def test_calls_fail_fast_with_unavailable(self):
        dsn = dict(kv.split("=", 1) for kv in os.environ["IMS_TEST_DB"].split())
        proxy = FreezableProxy(os.path.join(dsn["host"], ".s.PGSQL." + dsn["port"]))
        self.addCleanup(proxy.close)
        db = "host=127.0.0.1 port=%d dbname=%s user=%s" % (proxy.port, dsn["dbname"],
                                                           dsn["user"])
        d = imstest.Daemon("--db-txn-timeout-ms", "1500", "--db-pool-size", "2", db=db)
        self.addCleanup(d.stop)
        token = imstest.imsd_token("operator", label="abuse-blackhole")
        ch = d.channel()
        self.addCleanup(ch.close)
        listing = lambda tok: imstest.unary(ch, "/ims.v1.Tenants/ListTenants",
                                           tenants_pb2.ListTenantsRequest(),
                                           tenants_pb2.ListTenantsResponse, token=tok, timeout=15)
        listing(token)
        proxy.freeze()
        for _ in range(3):
            stranger = "ims_" + os.urandom(32).hex()[:43]
            code, details = imstest.code_of(lambda: listing(stranger))
            self.assertEqual(code, grpc.StatusCode.UNAVAILABLE, details)
        self.assertIn("transaction timed out", d.log_text())


class CallsPerToken(unittest.TestCase):
    def test_a_token_holds_at_most_its_share(self):
        d = imstest.Daemon("--max-calls-per-token", "2")
        self.addCleanup(d.stop)
        token = imstest.imsd_token("operator", label="abuse-inflight")
        other = imstest.imsd_token("operator", label="abuse-inflight-other")
        ch = d.channel()
        self.addCleanup(ch.close)
        watch = ch.unary_stream("/ims.v1.Level/WatchSecurityLevel",
                                request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=lambda b: b)
        md = [("authorization", "Bearer " + token)]
        held = [watch(level_pb2.WatchSecurityLevelRequest(), metadata=md, timeout=30)
                for _ in range(2)]
        time.sleep(1.0)  # both watches are running (no message comes before a change)
        listing = lambda tok: imstest.unary(ch, "/ims.v1.Tenants/ListTenants",
                                           tenants_pb2.ListTenantsRequest(),
                                           tenants_pb2.ListTenantsResponse, token=tok)
        code, details = imstest.code_of(lambda: listing(token))
        self.assertEqual(code, grpc.StatusCode.RESOURCE_EXHAUSTED, details)
        self.assertIn("calls in flight", details)
        self.assertEqual(imstest.code_of(lambda: listing(other))[0], grpc.StatusCode.OK)
        held[0].cancel()
        deadline = time.time() + 10
        while imstest.code_of(lambda: listing(token))[0] != grpc.StatusCode.OK:
            self.assertLess(time.time(), deadline, "the cancelled watch still counts")
            time.sleep(0.1)
        held[1].cancel()


class CallsPerTenant(unittest.TestCase):
    def test_a_tenant_holds_at_most_its_share(self):
        d = imstest.Daemon("--max-calls-per-tenant", "2")
        self.addCleanup(d.stop)
        op = imstest.imsd_token("operator", label="abuse-tenant")
        ch = d.channel()
        self.addCleanup(ch.close)
        tenant = imstest.unary(ch, "/ims.v1.Tenants/CreateTenant", tenants_pb2.CreateTenantRequest(
            slug=imstest.unique("abuse"), display_name="Abuse Ltd", sector="it-services",
            size_band="small"), tenants_pb2.Tenant, token=op).id
        viewers = [imstest.imsd_token("viewer", tenants=[tenant], label="abuse-tenant-%d" % i)
                   for i in range(3)]
        watch = ch.unary_stream("/ims.v1.Level/WatchSecurityLevel",
                                request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=lambda b: b)
        held = [watch(level_pb2.WatchSecurityLevelRequest(tenant=tenant), timeout=30,
                      metadata=[("authorization", "Bearer " + v)]) for v in viewers[:2]]
        for call in held:
            next(call)  # the current level: the watch is running
        get = lambda: imstest.unary(ch, "/ims.v1.Level/GetSecurityLevel",
                                    level_pb2.GetSecurityLevelRequest(tenant=tenant),
                                    level_pb2.SecurityLevel, token=viewers[2])
        code, details = imstest.code_of(get)
        self.assertEqual(code, grpc.StatusCode.RESOURCE_EXHAUSTED, details)
        self.assertIn("this tenant has 2 calls in flight", details)
        held[0].cancel()
        deadline = time.time() + 10
        while imstest.code_of(get)[0] != grpc.StatusCode.OK:
            self.assertLess(time.time(), deadline, "the cancelled watch still counts")
            time.sleep(0.1)
        held[1].cancel()


class ConnectionCaps(unittest.TestCase):
    def test_per_address_cap(self):
        d = imstest.Daemon("--max-connections-per-address", "4")
        self.addCleanup(d.stop)
        held = []
        for _ in range(4):
            c = h2raw.Conn(d.port)
            c.preface()
            held.append(c)
        for c in held:  # each is served: the server's SETTINGS arrive
            self.assertTrue(c.read_frames(until=lambda f: f[0] == h2raw.SETTINGS, timeout=10))
            self.assertFalse(c.closed)
        extra = h2raw.Conn(d.port)
        self.addCleanup(extra.close)
        self.assertTrue(extra.wait_closed(10), "a fifth connection from one address was kept")
        for c in held:
            c.close()
        ch = d.channel()
        self.addCleanup(ch.close)
        deadline = time.time() + 10
        while True:  # the server sees the four closes a moment later
            code, _ = imstest.code_of(lambda: imstest.unary(
                ch, HEALTH_CHECK, health_pb2.HealthCheckRequest(),
                health_pb2.HealthCheckResponse, timeout=2))
            if code == grpc.StatusCode.OK or time.time() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(code, grpc.StatusCode.OK)
        self.assertIn("too many connections from this address", d.log_text())

    def test_per_address_cap_ipv6(self):
        """Over IPv6 the cap counts the peer's /64 network (here ::/64, loopback's)."""
        try:
            probe = socket.socket(socket.AF_INET6)
            probe.bind(("::1", 0))
            probe.close()
        except OSError:
            self.skipTest("no IPv6 loopback on this machine")
        d = imstest.Daemon("--max-connections-per-address", "2", listen=("[::1]:0",))
        self.addCleanup(d.stop)
        held = []
        for _ in range(2):
            c = h2raw.Conn(d.port, host="::1")
            self.addCleanup(c.close)
            c.preface()
            held.append(c)
        for c in held:
            self.assertTrue(c.read_frames(until=lambda f: f[0] == h2raw.SETTINGS, timeout=10))
        extra = h2raw.Conn(d.port, host="::1")
        self.addCleanup(extra.close)
        self.assertTrue(extra.wait_closed(10), "a third connection from one /64 was kept")
        self.assertIn("too many connections from this address", d.log_text())

    def test_total_cap(self):
        d = imstest.Daemon("--max-connections", "2", "--ops-listen", "127.0.0.1:0")
        self.addCleanup(d.stop)
        held = [h2raw.Conn(d.port) for _ in range(2)]
        for c in held:
            self.addCleanup(c.close)
            c.preface()
            self.assertTrue(c.read_frames(until=lambda f: f[0] == h2raw.SETTINGS, timeout=10))
        extra = h2raw.Conn(d.port)
        self.addCleanup(extra.close)
        self.assertTrue(extra.wait_closed(10))
        self.assertIn('reason="too many connections"', d.log_text())
        metrics = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % d.ops_port,
                                         timeout=10).read().decode()
        self.assertIn('ims_limits_hit_total{kind="max_connections"} 1\n', metrics)


class UnauthenticatedFlood(unittest.TestCase):
    """The issue's attack, smaller: 2 connections × 20 streams × 4 MiB PushMetrics bodies
    without a token. Every call is UNAUTHENTICATED, memory stays bounded, and an
    authenticated read is answered meanwhile."""

    def test_flood(self):
        d = imstest.Daemon(env={"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1:"
                                                "quarantine_size_mb=8"})
        self.addCleanup(d.stop)
        token = imstest.imsd_token("operator", label="abuse-flood")
        ch = d.channel()
        self.addCleanup(ch.close)
        check = lambda: imstest.unary(ch, HEALTH_CHECK, health_pb2.HealthCheckRequest(),
                                      health_pb2.HealthCheckResponse, token=token)
        check()
        before = rss_kib(d.proc.pid)
        body = b"\x0a" + b"\xff" * (4 << 20)
        codes = []
        lock = threading.Lock()

        def flood():
            fch = grpc.insecure_channel(d.addr, options=[
                ("grpc.max_send_message_length", 8 << 20)])
            push = fch.unary_unary(PUSH, request_serializer=lambda b: b,
                                   response_deserializer=lambda b: b)
            futures = [push.future(body, timeout=30) for _ in range(20)]
            for f in futures:
                try:
                    f.result()
                    code = grpc.StatusCode.OK
                except grpc.RpcError as e:
                    code = e.code()
                with lock:
                    codes.append(code)
            fch.close()

        threads = [threading.Thread(target=flood) for _ in range(2)]
        for t in threads:
            t.start()
        code, _ = imstest.code_of(check)
        self.assertEqual(code, grpc.StatusCode.OK)
        for t in threads:
            t.join(60)
        self.assertEqual(codes, [grpc.StatusCode.UNAUTHENTICATED] * 40)
        peak = rss_kib(d.proc.pid, "VmHWM")
        self.assertLessEqual(peak - before, 64 * 1024,
                             "resident memory grew by %d KiB" % (peak - before))


class RepeatedMessageField(unittest.TestCase):
    """A singular message field sent again and again: protobuf merges each copy into the
    one before, which costs memory quadratic in the body's length. A 200 KB SubmitIncident
    of 50,000 `incident` fields is refused with INVALID_ARGUMENT naming the limit, memory
    stays bounded, nothing is written; with a made-up token it is never unpacked."""

    SUBMIT = "/ims.v1.Events/SubmitIncident"

    def test_refused_within_bounds(self):
        d = imstest.Daemon()
        self.addCleanup(d.stop)
        token = imstest.imsd_token("operator", label="abuse-merge")
        ch = d.channel()
        self.addCleanup(ch.close)
        tenant = imstest.unary(ch, "/ims.v1.Tenants/CreateTenant", tenants_pb2.CreateTenantRequest(
            slug=imstest.unique("merge"), display_name="Merge Ltd", sector="it-services",
            size_band="small"), tenants_pb2.Tenant, token=token).id
        before = rss_kib(d.proc.pid)
        body = b"\x0a" + bytes([len(tenant)]) + tenant.encode() + b"\x12\x02\x32\x00" * 50000
        raw = ch.unary_unary(self.SUBMIT, request_serializer=lambda b: b,
                             response_deserializer=lambda b: b)
        for secret, want in ((token, grpc.StatusCode.INVALID_ARGUMENT),
                             ("ims_" + "A" * 43, grpc.StatusCode.UNAUTHENTICATED)):
            code, details = imstest.code_of(lambda: raw(
                body, metadata=[("authorization", "Bearer " + secret)], timeout=30))
            self.assertEqual(code, want, details)
            if want == grpc.StatusCode.INVALID_ARGUMENT:
                self.assertIn("repeated too often", details)
        peak = rss_kib(d.proc.pid, "VmHWM")
        self.assertLessEqual(peak - before, 64 * 1024,
                             "resident memory grew by %d KiB" % (peak - before))
        listed = imstest.unary(ch, "/ims.v1.Events/ListIncidents",
                               events_pb2.ListIncidentsRequest(tenant=tenant),
                               events_pb2.ListIncidentsResponse, token=token)
        self.assertEqual(len(listed.incidents), 0)


if __name__ == "__main__":
    unittest.main()
