"""A raw HTTP/2 peer for abuse tests and benchmarks: frames written by hand (HPACK literals
without Huffman coding), frames read back by type. It behaves as badly as a test asks."""
import socket
import struct
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1


def hpack_int(value, prefix_bits, first=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value & 127) | 128)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_block(headers):
    """Literal header fields without indexing, new names, no Huffman."""
    out = b""
    for name, value in headers:
        name = name.encode() if isinstance(name, str) else name
        value = value.encode() if isinstance(value, str) else value
        out += b"\x00" + hpack_int(len(name), 7) + name + hpack_int(len(value), 7) + value
    return out


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream) + payload


def grpc_headers(path, token=None, extra=()):
    h = [(":method", "POST"), (":scheme", "http"), (":path", path),
         (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers")]
    if token:
        h.append(("authorization", "Bearer " + token))
    return h + list(extra)


def grpc_message(body):
    return b"\x00" + struct.pack(">I", len(body)) + body


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.closed = False

    def send(self, data):
        self.sock.sendall(data)

    def preface(self, settings=b""):
        self.send(PREFACE + frame(SETTINGS, 0, 0, settings))

    def headers(self, stream, headers, end_stream=False, end_headers=True):
        """HEADERS, and CONTINUATION frames when the block is over 16,000 bytes."""
        block = hpack_block(headers)
        pieces = [block[i:i + 16000] for i in range(0, len(block), 16000)] or [b""]
        out = b""
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            flags = (END_HEADERS if last and end_headers else 0)
            if i == 0:
                out += frame(HEADERS, flags | (END_STREAM if end_stream else 0), stream, piece)
            else:
                out += frame(CONTINUATION, flags, stream, piece)
        self.send(out)

    def data(self, stream, payload, end_stream=False):
        self.send(frame(DATA, END_STREAM if end_stream else 0, stream, payload))

    def read_frames(self, until=None, timeout=10):
        """Frames (type, flags, stream, payload) until `until(frame)` is true, EOF (then
        self.closed) or timeout seconds."""
        got = []
        deadline = time.time() + timeout
        while True:
            while len(self.buf) >= 9:
                length = int.from_bytes(self.buf[:3], "big")
                if len(self.buf) < 9 + length:
                    break
                f = (self.buf[3], self.buf[4], int.from_bytes(self.buf[5:9], "big") & 0x7fffffff,
                     self.buf[9:9 + length])
                self.buf = self.buf[9 + length:]
                got.append(f)
                if until and until(f):
                    return got
            left = deadline - time.time()
            if left <= 0 or self.closed:
                return got
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return got
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = True
                return got
            self.buf += chunk

    def wait_closed(self, timeout=10):
        """Reads (dropping frames) until EOF; True when the server closed in time."""
        frames = []
        deadline = time.time() + timeout
        while not self.closed and time.time() < deadline:
            frames += self.read_frames(timeout=deadline - time.time())
        self.frames = frames
        return self.closed

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
