"""Hostile peers against one imsd, with figures: what the attacker gets, what it costs the
daemon (resident memory from /proc, transactions from pg_stat_database), and what a
legitimate client sees meanwhile (latency of authenticated GetSecurityLevel calls).

    abuse.py SCENARIO ...   (run by bench/abuse/run.sh, which sets the environment)

Environment: IMS_SERVER (host:port), IMS_TOKEN (operator), IMSD_PID, IMS_ADMIN_DSN,
TENANT (one tenant id), VIEWER (a viewer token of it), IMS_BENCH_PYGEN, IMS_BENCH_TOP."""
import os
import random
import socket
import statistics
import string
import subprocess
import sys
import threading
import time

TOP = os.environ["IMS_BENCH_TOP"]
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
sys.path.insert(0, os.environ["IMS_BENCH_PYGEN"])
import grpc  # noqa: E402

import h2raw  # noqa: E402
from ims.v1 import level_pb2, tenants_pb2  # noqa: E402

SERVER = os.environ["IMS_SERVER"]
HOST, PORT = SERVER.rsplit(":", 1)
PORT = int(PORT)
TOKEN = os.environ["IMS_TOKEN"]
PID = int(os.environ["IMSD_PID"])
TENANT = os.environ["TENANT"]
PUSH = "/ims.v1.Events/PushMetrics"
GET = "/ims.v1.Level/GetSecurityLevel"


def rss_kib(field="VmRSS"):
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def cpu_seconds():
    """imsd's user + system CPU time so far."""
    with open("/proc/%d/stat" % PID) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg(sql):
    return subprocess.run(["psql", os.environ["IMS_ADMIN_DSN"], "-Atc", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def commits():
    time.sleep(0.7)  # the statistics collector reports with a delay
    return int(pg("SELECT pg_stat_clear_snapshot(); SELECT xact_commit + xact_rollback "
                  "FROM pg_stat_database WHERE datname = current_database()").split()[-1])


class Prober:
    """Authenticated GetSecurityLevel calls, one after another, while an attack runs."""

    def __init__(self, pause=0.005):
        self.ch = grpc.insecure_channel(SERVER)
        self.call = self.ch.unary_unary(GET, request_serializer=lambda m: m.SerializeToString(),
                                        response_deserializer=lambda b: b)
        self.req = level_pb2.GetSecurityLevelRequest(tenant=TENANT)
        self.md = [("authorization", "Bearer " + TOKEN)]
        self.call(self.req, metadata=self.md, timeout=10)  # connected and token cached
        self.lat, self.failed, self.pause = [], 0, pause
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        while not self.stop.is_set():
            t = time.perf_counter()
            try:
                self.call(self.req, metadata=self.md, timeout=10)
                self.lat.append((time.perf_counter() - t) * 1000)
            except grpc.RpcError:
                self.failed += 1
            time.sleep(self.pause)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.ch.close()

    def report(self, name):
        lat = sorted(self.lat) or [float("nan")]
        p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
        print("%s: legit GetSecurityLevel n=%d failed=%d median=%.2f ms p99=%.2f ms max=%.2f ms"
              % (name, len(self.lat), self.failed, p(0.5), p(0.99), lat[-1]))


def _flood_one(streams, mib):
    """One attacking connection (run as its own process, so that the prober's timings are
    not the attacker's Python): prints the status codes it got."""
    body = b"\x0a" + b"\xff" * (mib << 20)
    ch = grpc.insecure_channel(SERVER, options=[("grpc.max_send_message_length", 64 << 20)])
    push = ch.unary_unary(PUSH, request_serializer=lambda b: b, response_deserializer=lambda b: b)
    fs = [push.future(body, timeout=60) for _ in range(streams)]
    codes = {}
    for f in fs:
        try:
            f.result()
            c = "OK"
        except grpc.RpcError as e:
            c = e.code().name
        codes[c] = codes.get(c, 0) + 1
    ch.close()
    print(" ".join("%s=%d" % kv for kv in codes.items()))


def flood(conns=10, streams=100, mib=4):
    before = rss_kib()
    cpu0 = cpu_seconds()
    with Prober() as probe:
        t0 = time.time()
        procs = [subprocess.Popen([sys.executable, __file__, "_flood_one=%d,%d" % (streams, mib)],
                                  stdout=subprocess.PIPE, text=True) for _ in range(conns)]
        outs = [p.communicate()[0].split() for p in procs]
        took = time.time() - t0
    codes = {}
    for out in outs:
        for kv in out:
            k, v = kv.split("=")
            codes[k] = codes.get(k, 0) + int(v)
    print("flood: %d conns x %d streams x %d MiB without a token in %.1f s: %s" %
          (conns, streams, mib, took, codes))
    print("flood: RSS before %d KiB, peak %d KiB (growth %d KiB); imsd used %.2f s of CPU in "
          "those %.1f s (the rest of the 2 CPUs went to the attackers' own clients)" %
          (before, rss_kib("VmHWM"), rss_kib("VmHWM") - before, cpu_seconds() - cpu0, took))
    probe.report("flood")


def slowloris(n=5000, wait=15):
    before = rss_kib()
    socks = []
    for i in range(n):
        try:
            s = socket.create_connection((HOST, PORT), timeout=5)
        except OSError as e:
            print("slowloris: connect %d failed: %s" % (i, e))
            break
        if i % 2 == 0:
            s.sendall(h2raw.PREFACE[:10])  # half a preface; the others send nothing
        s.setblocking(False)
        socks.append(s)
    opened = time.time()
    print("slowloris: %d connections open (half with a partial preface), RSS %d KiB (+%d)" %
          (len(socks), rss_kib(), rss_kib() - before))
    with Prober() as probe:
        closed, first_all = set(), None
        while time.time() - opened < wait:
            for i, s in enumerate(socks):
                if i in closed:
                    continue
                try:
                    if s.recv(65536) == b"":
                        closed.add(i)
                except BlockingIOError:
                    pass
                except OSError:
                    closed.add(i)
            if len(closed) == len(socks) and first_all is None:
                first_all = time.time() - opened
                break
            time.sleep(0.2)
    print("slowloris: %d of %d closed by the server%s" %
          (len(closed), len(socks),
           " (all within %.1f s of the last connect)" % first_all if first_all else ""))
    probe.report("slowloris")
    for s in socks:
        s.close()


def token_flood(n=100000, distinct=None):
    distinct = distinct or n
    alphabet = string.ascii_letters + string.digits
    tokens = ["ims_" + "".join(random.choice(alphabet) for _ in range(43))
              for _ in range(distinct)]
    ch = grpc.insecure_channel(SERVER)
    call = ch.unary_unary(GET, request_serializer=lambda m: m.SerializeToString(),
                          response_deserializer=lambda b: b)
    req = level_pb2.GetSecurityLevelRequest(tenant=TENANT)
    before_tx, before_rss = commits(), rss_kib()
    codes = {}
    t0 = time.time()
    window = []
    for i in range(n):
        window.append(call.future(req, metadata=[("authorization",
                                                  "Bearer " + tokens[i % distinct])], timeout=30))
        if len(window) >= 200:
            for f in window:
                try:
                    f.result()
                    c = "OK"
                except grpc.RpcError as e:
                    c = e.code().name
                codes[c] = codes.get(c, 0) + 1
            window = []
    for f in window:
        try:
            f.result()
            c = "OK"
        except grpc.RpcError as e:
            c = e.code().name
        codes[c] = codes.get(c, 0) + 1
    took = time.time() - t0
    ch.close()
    tx = commits() - before_tx
    print("token flood: %d calls, %d distinct random well-formed tokens, %.1f s (%.0f calls/s): "
          "%s; database transactions %d (%.2f per distinct token); RSS %d -> %d KiB" %
          (n, distinct, took, n / took, codes, tx, tx / distinct, before_rss, rss_kib()))


def oversized_prefix():
    c = h2raw.Conn(PORT)
    c.preface()
    c.headers(1, h2raw.grpc_headers(GET, token=TOKEN))
    c.data(1, b"\x00\xff\xff\xff\xff")  # announces a 4 GiB message
    frames = c.read_frames(until=lambda f: f[0] in (h2raw.HEADERS,) and f[1] & h2raw.END_STREAM
                           or f[0] == h2raw.RST_STREAM, timeout=10)
    kinds = [f[0] for f in frames]
    print("oversized prefix: answered with %s, connection %s" %
          ("Trailers-Only HEADERS" if h2raw.HEADERS in kinds else kinds,
           "closed" if c.closed else "still open"))
    c.close()


def header_flood(conns=20, streams=100):
    before = rss_kib()
    resets = 0
    t0 = time.time()
    for _ in range(conns):
        c = h2raw.Conn(PORT)
        c.preface()
        for s in range(streams):
            c.headers(1 + 2 * s, h2raw.grpc_headers(GET, extra=[("x-flood", "a" * 15000)] * 2),
                      end_stream=True)
        frames = c.read_frames(timeout=3, until=lambda f, n=[0]: f[0] == h2raw.RST_STREAM and
                               (n.__setitem__(0, n[0] + 1) or n[0] >= streams))
        resets += sum(1 for f in frames if f[0] == h2raw.RST_STREAM)
        c.close()
    print("header flood: %d conns x %d streams of 30 KB headers in %.1f s: %d streams reset; "
          "RSS %d -> %d KiB" % (conns, streams, time.time() - t0, resets, before, rss_kib()))


def client_stream_flood(streams=8, messages=80):
    ch = grpc.insecure_channel(SERVER, options=[("grpc.max_send_message_length", 64 << 20)])
    stream = ch.stream_unary("/ims.v1.Events/StreamMetrics", request_serializer=lambda b: b,
                             response_deserializer=lambda b: b)
    msg = b"\x0a" + b"\x80\x80\x40" + b"\x00" * (1 << 20)  # a 1 MiB field, repeated
    before = rss_kib()
    codes = {}
    fs = [stream.future(iter([msg] * messages), timeout=120,
                        metadata=[("authorization", "Bearer " + TOKEN)])
          for _ in range(streams)]
    for f in fs:
        try:
            f.result()
            c = "OK"
        except grpc.RpcError as e:
            c = e.code().name
        codes[c] = codes.get(c, 0) + 1
    ch.close()
    print("client-stream flood: %d streams of %d x 1 MiB: %s; RSS %d KiB, peak %d KiB" %
          (len(fs), messages, codes, before, rss_kib("VmHWM")))


def plan_pause(parallel=50, steps=20):
    # A viewer may ask for plan_max_steps_viewer steps at most (20 by default).
    viewer = os.environ["VIEWER"]
    ch = grpc.insecure_channel(SERVER)
    plan = ch.unary_unary("/ims.v1.Level/GetImprovementPlan",
                          request_serializer=lambda m: m.SerializeToString(),
                          response_deserializer=lambda b: b)
    req = level_pb2.GetImprovementPlanRequest(tenant=TENANT, steps=steps)
    md = [("authorization", "Bearer " + viewer)]
    plan(req, metadata=md, timeout=60)
    with Prober(pause=0.002) as probe:
        t0 = time.time()
        fs = [plan.future(req, metadata=md, timeout=120) for _ in range(parallel)]
        codes = {}
        for f in fs:
            try:
                f.result()
                c = "OK"
            except grpc.RpcError as e:
                c = e.code().name
            codes[c] = codes.get(c, 0) + 1
        took = time.time() - t0
    print("plans: %d x %d-step GetImprovementPlan in parallel by a viewer: %s in %.2f s" %
          (parallel, steps, codes, took))
    probe.report("plans (the longest legit call bounds the longest loop pause)")
    ch.close()


def idle_connections(n=10000):
    base = rss_kib()
    socks = []
    for i in range(n):
        s = socket.create_connection((HOST, PORT), timeout=5)
        s.sendall(h2raw.PREFACE + h2raw.frame(h2raw.SETTINGS, 0, 0))
        socks.append(s)
    time.sleep(2)
    grown = rss_kib() - base
    print("idle connections: %d open with a preface each: RSS %d -> %d KiB, %.1f KiB each" %
          (n, base, base + grown, grown / n))
    for s in socks:
        s.close()


def audit_verify(rows=200000):
    """VerifyAuditLog over a long chain (appended in SQL as the daemon would) while the
    prober measures the loop: the hashing runs in PostgreSQL, the loop only waits."""
    pg("SELECT set_config('ims.tenant_id', '%s', false); "
       "SELECT count(ims_audit_append(NULL, 'operator', 'bench', 'x')) "
       "FROM generate_series(1, %d)" % (TENANT, rows))
    ch = grpc.insecure_channel(SERVER)
    verify = ch.unary_unary("/ims.v1.Tenants/VerifyAuditLog",
                            request_serializer=lambda m: m.SerializeToString(),
                            response_deserializer=tenants_pb2.AuditVerifyResponse.FromString)
    req = tenants_pb2.AuditVerifyRequest(tenant=TENANT)
    md = [("authorization", "Bearer " + TOKEN)]
    with Prober(pause=0.002) as probe:
        t0 = time.time()
        try:
            r = verify(req, metadata=md, timeout=120)
            result = "OK, %d rows, %s" % (r.rows, r.detail)
        except grpc.RpcError as e:
            result = "%s: %s" % (e.code().name, e.details())
        took = time.time() - t0
    print("audit verify: %s in %.2f s" % (result, took))
    probe.report("audit verify (the loop waits on the database's socket)")
    ch.close()


if __name__ == "__main__":
    for name in sys.argv[1:]:
        fn, _, arg = name.partition("=")
        globals()[fn](*([int(a) for a in arg.split(",")] if arg else []))
        sys.stdout.flush()
