"""Test support for ims: a real imsd on a free port, tokens, and generated messages.

Environment (set by tests/run.sh): IMS_TEST_BUILD, IMS_TEST_TOP, IMS_TEST_DB (runtime DSN),
IMS_TEST_ADMIN_DSN (superuser DSN), IMS_TEST_PG_DIR, IMS_TEST_PYGEN (generated modules).
"""
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import grpc

BUILD = os.environ["IMS_TEST_BUILD"]
TOP = os.environ["IMS_TEST_TOP"]
PYGEN = os.environ.get("IMS_TEST_PYGEN", os.path.join(BUILD, "gen-python"))
IMSD = os.path.join(BUILD, "server", "imsd")
IMSCTL = os.path.join(BUILD, "client", "cli", "imsctl")

sys.path.insert(0, PYGEN)
from ims.v1 import events_pb2, level_pb2, tenants_pb2  # noqa: E402


def _load(name, path):
    # grpc/health/v1 would shadow the grpc package itself: load the file directly.
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


health_pb2 = _load("health_pb2", os.path.join(PYGEN, "grpc", "health", "v1", "health_pb2.py"))


def load_pb2(name):
    """ims.v1.<name>_pb2, for services added later."""
    return importlib.import_module("ims.v1.%s_pb2" % name)


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def imsd_token(role="operator", tenants=(), label="test"):
    args = [IMSD, "token", "create", "--db", os.environ["IMS_TEST_ADMIN_DSN"], "--role", role,
            "--label", label]
    for t in tenants:
        args += ["--tenant", t]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def psql(sql, dsn=None):
    """Runs SQL as the superuser (or dsn) and returns the rows as lists of text."""
    out = subprocess.run(["psql", dsn or os.environ["IMS_TEST_ADMIN_DSN"], "-v", "ON_ERROR_STOP=1",
                          "-At", "-F", "\t", "-c", sql], check=True, capture_output=True,
                         text=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


class Daemon:
    """A real imsd on a free loopback port; stopped by its pid."""

    def __init__(self, *extra, listen=("127.0.0.1:0",), db=None, env=None):
        self.dir = tempfile.mkdtemp(prefix="imsd-test-")
        self.ready = os.path.join(self.dir, "ready")
        self.log_path = os.path.join(self.dir, "imsd.log")
        args = [IMSD, "--db", db or os.environ["IMS_TEST_DB"], "--ready-file", self.ready,
                "--log-level", "debug", "--shutdown-grace-ms", "2000"]
        for addr in listen:
            args += ["--listen", addr]
        args += list(extra)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, **(env or {})))
        deadline = time.time() + 20
        while not os.path.exists(self.ready):
            if self.proc.poll() is not None:
                raise RuntimeError("imsd exited: %s" % open(self.log_path).read()[-2000:])
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("imsd did not become ready")
            time.sleep(0.02)
        words = open(self.ready).read().split()
        # gRPC listeners' ports, then "ops=PORT" when the ops listener is on.
        self.ports = [int(w) for w in words if w.isdigit()]
        self.ops_port = next((int(w[4:]) for w in words if w.startswith("ops=")), None)
        self.port = self.ports[0]
        self.addr = "127.0.0.1:%d" % self.port

    def channel(self):
        return grpc.insecure_channel(self.addr)

    def stop(self):
        """SIGTERM, then wait; returns the exit code. Leaves no process and no file behind
        (the log stays readable through log_text())."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()
            self.final_log = open(self.log_path).read()
            shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode

    def log_text(self):
        if self.log.closed:
            return self.final_log
        return open(self.log_path).read()


def unary(channel, path, request, response_cls, token=None, timeout=10, metadata=()):
    md = list(metadata)
    if token:
        md.append(("authorization", "Bearer " + token))
    call = channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=response_cls.FromString)
    return call(request, metadata=md, timeout=timeout)


def code_of(fn):
    """The gRPC status code fn raises, or OK."""
    try:
        fn()
    except grpc.RpcError as e:
        return e.code(), e.details()
    return grpc.StatusCode.OK, ""
