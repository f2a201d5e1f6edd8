"""imsd over TLS: a test CA, ALPN h2, client certificates, imsctl, and reload on SIGHUP."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import grpc

import h2raw
import imstest
from imstest import health_pb2, tenants_pb2


def openssl(*args, cwd, stdin=None):
    return subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True,
                          text=True, input=stdin, timeout=30)


def make_ca(d):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=ims test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)


def make_cert(d, name, cn, extensions):
    """name.key and name.pem signed by the CA in d."""
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write(extensions)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn, cwd=d)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-out", name + ".pem", "-extfile", name + ".ext",
            cwd=d)


SERVER_EXT = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
CLIENT_EXT = "extendedKeyUsage=clientAuth\n"


def fingerprint_of_file(d, pem):
    out = openssl("x509", "-in", pem, "-noout", "-fingerprint", "-sha256", cwd=d).stdout
    return out.strip().split("=", 1)[1]


def s_client(d, port, *extra):
    """openssl s_client's whole output for one connection to the daemon."""
    out = subprocess.run(["openssl", "s_client", "-alpn", "h2", "-connect", "127.0.0.1:%d" % port,
                          "-servername", "localhost", "-CAfile", "ca.pem"] + list(extra),
                         cwd=d, input="", capture_output=True, text=True, timeout=30)
    return out.stdout + out.stderr


def served_fingerprint(d, port):
    out = s_client(d, port)
    begin = out.index("-----BEGIN CERTIFICATE-----")
    end = out.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")
    got = openssl("x509", "-noout", "-fingerprint", "-sha256", cwd=d,
                  stdin=out[begin:end] + "\n").stdout
    return got.strip().split("=", 1)[1]


class TLS(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ims-tls-")
        make_ca(cls.dir)
        make_cert(cls.dir, "server", "localhost", SERVER_EXT)
        make_cert(cls.dir, "client", "ims test client", CLIENT_EXT)
        cls.op = imstest.imsd_token("operator")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def daemon(self, *extra):
        d = imstest.Daemon("--tls-cert", self.path("server.pem"), "--tls-key",
                           self.path("server.key"), *extra, listen=("https://127.0.0.1:0",))
        self.addCleanup(lambda: self.assertEqual(d.stop(), 0))
        return d

    def channel(self, port, client_cert=False):
        creds = grpc.ssl_channel_credentials(
            root_certificates=self.read("ca.pem"),
            private_key=self.read("client.key") if client_cert else None,
            certificate_chain=self.read("client.pem") if client_cert else None)
        ch = grpc.secure_channel("127.0.0.1:%d" % port, creds)
        self.addCleanup(ch.close)
        return ch

    def health(self, ch):
        return imstest.unary(ch, "/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest(),
                             health_pb2.HealthCheckResponse, timeout=5)

    def imsctl(self, port, *args):
        return subprocess.run([imstest.IMSCTL, "--server", "https://127.0.0.1:%d" % port,
                               "--ca", self.path("ca.pem")] + list(args),
                              capture_output=True, text=True, timeout=30)

    def test_serving_listing_and_alpn(self):
        d = self.daemon()
        ch = self.channel(d.port)
        self.assertEqual(self.health(ch).status, health_pb2.HealthCheckResponse.SERVING)
        r = imstest.unary(ch, "/ims.v1.Tenants/ListTenants", tenants_pb2.ListTenantsRequest(),
                          tenants_pb2.ListTenantsResponse, token=self.op)
        self.assertIsNotNone(r.next_page_token)
        out = s_client(self.dir, d.port)
        self.assertIn("ALPN protocol: h2", out)
        self.assertIn("Verify return code: 0 (ok)", out)
        self.assertEqual(served_fingerprint(self.dir, d.port),
                         fingerprint_of_file(self.dir, "server.pem"))
        out = self.imsctl(d.port, "health")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        # Without the test CA the server is not trusted.
        out = subprocess.run([imstest.IMSCTL, "--server", "https://127.0.0.1:%d" % d.port,
                              "health"], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(out.returncode, 0)

    def test_tls_1_3_minimum_unless_configured(self):
        d = self.daemon()
        out = s_client(self.dir, d.port, "-tls1_2")
        self.assertIn("alert protocol version", out)
        self.assertIn("Cipher is (NONE)", out)
        out = s_client(self.dir, d.port, "-tls1_3")
        self.assertIn("TLSv1.3", out)
        self.assertNotIn("Cipher is (NONE)", out)
        d12 = self.daemon("--tls-min-version", "1.2")
        out = s_client(self.dir, d12.port, "-tls1_2")
        self.assertIn("Protocol  : TLSv1.2", out)
        self.assertNotIn("Cipher is (NONE)", out)

    def test_handshake_timeout(self):
        d = self.daemon("--tls-handshake-timeout-ms", "300")
        c = h2raw.Conn(d.port)
        self.addCleanup(c.close)
        c.send(b"\x16\x03\x01")  # the start of a ClientHello, and nothing more
        self.assertTrue(c.wait_closed(10), "a handshake that never ends kept its connection")
        self.assertIn("tls handshake timed out", d.log_text())

    def test_client_certificate_required(self):
        d = self.daemon("--tls-client-ca", self.path("ca.pem"), "--tls-require-client-cert",
                        "true")
        code, _ = imstest.code_of(lambda: self.health(self.channel(d.port)))
        self.assertEqual(code, grpc.StatusCode.UNAVAILABLE)
        ch = self.channel(d.port, client_cert=True)
        self.assertEqual(self.health(ch).status, health_pb2.HealthCheckResponse.SERVING)
        out = self.imsctl(d.port, "health")
        self.assertNotEqual(out.returncode, 0)
        out = self.imsctl(d.port, "--cert", self.path("client.pem"), "--key",
                          self.path("client.key"), "health")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        # A certificate from another CA is refused as well.
        other = tempfile.mkdtemp(prefix="ims-tls-other-", dir=self.dir)
        make_ca(other)
        make_cert(other, "client", "stranger", CLIENT_EXT)
        out = subprocess.run([imstest.IMSCTL, "--server", "https://127.0.0.1:%d" % d.port,
                              "--ca", self.path("ca.pem"), "--cert",
                              os.path.join(other, "client.pem"), "--key",
                              os.path.join(other, "client.key"), "health"],
                             capture_output=True, text=True, timeout=30)
        self.assertNotEqual(out.returncode, 0)

    def test_sighup_reloads_certificate(self):
        d = self.daemon()
        old = fingerprint_of_file(self.dir, "server.pem")
        self.assertEqual(served_fingerprint(self.dir, d.port), old)
        # A new key and certificate, moved into place the way an operator would.
        new = tempfile.mkdtemp(prefix="ims-tls-new-", dir=self.dir)
        for f in ("ca.pem", "ca.key"):
            shutil.copy(self.path(f), new)
        make_cert(new, "server", "localhost", SERVER_EXT)
        saved = {f: self.read(f) for f in ("server.pem", "server.key")}
        for f in ("server.pem", "server.key"):
            os.replace(os.path.join(new, f), self.path(f))
        self.addCleanup(self.restore, saved)
        fresh = fingerprint_of_file(self.dir, "server.pem")
        self.assertNotEqual(fresh, old)
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while "tls certificates reloaded" not in d.log_text():
            self.assertLess(time.time(), deadline, "no reload in the log")
            time.sleep(0.05)
        self.assertEqual(served_fingerprint(self.dir, d.port), fresh)
        self.assertEqual(self.health(self.channel(d.port)).status,
                         health_pb2.HealthCheckResponse.SERVING)
        # A broken file on the next reload keeps the working certificate.
        with open(self.path("server.key"), "w") as f:
            f.write("not a key\n")
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while "tls reload failed" not in d.log_text():
            self.assertLess(time.time(), deadline, "no failed reload in the log")
            time.sleep(0.05)
        self.assertEqual(served_fingerprint(self.dir, d.port), fresh)

    def restore(self, saved):
        for name, data in saved.items():
            with open(self.path(name), "wb") as f:
                f.write(data)

    def test_cleartext_refused_off_loopback(self):
        proc = subprocess.Popen([imstest.IMSD, "--db", os.environ["IMS_TEST_DB"], "--listen",
                                 "0.0.0.0:0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        try:
            out, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            self.fail("imsd accepted a cleartext listener on 0.0.0.0")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("0.0.0.0", out)


if __name__ == "__main__":
    unittest.main()
