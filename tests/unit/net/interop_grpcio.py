#!/usr/bin/python3
"""Interop of the transport with grpcio (gRPC C-core) as the client.

Usage: interop_grpcio.py ECHO_SERVER

Starts the echo server (cleartext, then TLS and mutual TLS with a CA made here with the
openssl command), runs calls through grpcio with raw bytes (no protobuf), stops every
server with SIGTERM and removes the temporary directory.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import grpc

MAX_MESSAGE = 1024


def start(server, args):
    proc = subprocess.Popen([server] + args, stdout=subprocess.PIPE, text=True)
    ports = []
    for line in proc.stdout:
        if line.startswith("port "):
            ports.append(int(line.split()[1]))
        if line.startswith("ready"):
            return proc, ports
    proc.kill()
    proc.wait()
    raise RuntimeError("echo server did not start")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    finally:
        proc.stdout.close()
    if rc != 0:
        raise AssertionError("echo server exited with %d" % rc)


def expect_code(call, code):
    try:
        call()
    except grpc.RpcError as err:
        if err.code() != code:
            raise AssertionError("expected %s, got %s: %s" % (code, err.code(), err.details()))
        return err
    raise AssertionError("expected %s, got OK" % code)


def check_cleartext(port):
    with grpc.insecure_channel("127.0.0.1:%d" % port) as channel:
        unary = channel.unary_unary("/test.Echo/Unary")
        payload = bytes(range(256)) * 3
        assert unary(payload, timeout=5) == payload
        assert unary(b"", timeout=5) == b""
        stream = channel.unary_stream("/test.Echo/Stream")
        replies = list(stream(b"tick", metadata=(("x-count", "4"),), timeout=5))
        assert replies == [b"tick"] * 4, replies
        err = expect_code(lambda: channel.unary_unary("/test.Echo/Nope")(b"x", timeout=5),
                          grpc.StatusCode.UNIMPLEMENTED)
        assert "/test.Echo/Nope" in err.details(), err.details()
        expect_code(lambda: channel.unary_unary("/test.Echo/Slow")(b"x", timeout=0.2),
                    grpc.StatusCode.DEADLINE_EXCEEDED)
        err = expect_code(lambda: unary(b"x" * (4 * MAX_MESSAGE), timeout=5),
                          grpc.StatusCode.RESOURCE_EXHAUSTED)
        assert str(MAX_MESSAGE) in err.details(), err.details()
        # Concurrent calls on one connection.
        futures = [unary.future(b"n%d" % i, timeout=5) for i in range(50)]
        assert [f.result() for f in futures] == [b"n%d" % i for i in range(50)]


def make_certificates(d):
    steps = [
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2"
        " -subj /CN=ims-test-ca",
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr"
        " -subj /CN=localhost",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -out server.pem -days 2 -extfile server.ext",
        "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr"
        " -subj /CN=interop-client",
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -out client.pem -days 2",
    ]
    for step in steps:
        subprocess.run(step, shell=True, cwd=d, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read(d, name):
    with open(os.path.join(d, name), "rb") as f:
        return f.read()


def check_tls(server, d):
    ca = read(d, "ca.pem")
    proc, ports = start(server, ["--tls-listen", "127.0.0.1:0",
                                 "--cert", os.path.join(d, "server.pem"),
                                 "--key", os.path.join(d, "server.key")])
    try:
        creds = grpc.ssl_channel_credentials(root_certificates=ca)
        with grpc.secure_channel("localhost:%d" % ports[0], creds) as channel:
            assert channel.unary_unary("/test.Echo/Unary")(b"secret", timeout=5) == b"secret"
            assert channel.unary_unary("/test.Echo/Peer")(b"", timeout=5) == b"1|-|1"
    finally:
        stop(proc)

    proc, ports = start(server, ["--tls-listen", "127.0.0.1:0",
                                 "--cert", os.path.join(d, "server.pem"),
                                 "--key", os.path.join(d, "server.key"),
                                 "--client-ca", os.path.join(d, "ca.pem"),
                                 "--require-client-cert"])
    try:
        creds = grpc.ssl_channel_credentials(root_certificates=ca)
        with grpc.secure_channel("localhost:%d" % ports[0], creds) as channel:
            expect_code(lambda: channel.unary_unary("/test.Echo/Unary")(b"x", timeout=5),
                        grpc.StatusCode.UNAVAILABLE)
        creds = grpc.ssl_channel_credentials(root_certificates=ca,
                                             private_key=read(d, "client.key"),
                                             certificate_chain=read(d, "client.pem"))
        with grpc.secure_channel("localhost:%d" % ports[0], creds) as channel:
            peer = channel.unary_unary("/test.Echo/Peer")(b"", timeout=5).decode()
            assert peer.startswith("1|") and "CN=interop-client" in peer, peer
    finally:
        stop(proc)


def main():
    server = sys.argv[1]
    d = tempfile.mkdtemp(prefix="ims-net-interop-")
    try:
        proc, ports = start(server, ["--listen", "127.0.0.1:0",
                                     "--max-message", str(MAX_MESSAGE)])
        try:
            check_cleartext(ports[0])
        finally:
            stop(proc)
        make_certificates(d)
        check_tls(server, d)
    finally:
        shutil.rmtree(d)
    print("grpcio interop: ok")


if __name__ == "__main__":
    main()
