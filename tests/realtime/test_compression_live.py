"""permessage-deflate (RFC 7692) on a real gunicorn (gthread and gevent), read off the wire by
a raw client: what is compressed and what is not, the negotiated parameters, a decompression
bomb refused with 1009, a route with compression off, and the Hub's replies."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.realtime.test_conformance import CLOSE, TEXT, frame
from tests.serving.live import Server, serving

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module", params=["gthread", "gevent"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serving(
        "tests.realtime.ws_app:app", "--worker-class", request.param, "--workers", "1"
    ) as running:
        yield running


class Raw:
    """A WebSocket client on a plain socket: frames built and read by hand."""

    def __init__(self, server: Server, path: str, extensions: str | None, **headers: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: 127.0.0.1:{server.port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items()),
        ]
        if extensions is not None:
            lines.append(f"Sec-WebSocket-Extensions: {extensions}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status, *fields = head.decode("latin-1").split("\r\n")
        assert status.startswith("HTTP/1.1 101"), status
        self.headers = {k.lower(): v.strip() for k, _, v in (f.partition(":") for f in fields)}
        self.inflater = zlib.decompressobj(-15)

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        assert data, "the server closed the connection"
        return data

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self.buffer += self._recv()
        taken, self.buffer = self.buffer[:size], self.buffer[size:]
        return taken

    def read(self) -> tuple[int, bool, bytes]:
        """The next frame: (opcode, RSV1, the payload as sent)."""
        first, second = self._take(2)
        size = second & 0x7F
        if size == 126:
            size = struct.unpack("!H", self._take(2))[0]
        elif size == 127:
            size = struct.unpack("!Q", self._take(8))[0]
        return first & 0x0F, bool(first & 0x40), self._take(size)

    def message(self) -> tuple[bool, bytes, int]:
        """The next data message: (compressed on the wire, its bytes, its size on the wire)."""
        opcode, compressed, payload = self.read()
        assert opcode in (1, 2), opcode
        if compressed:
            return True, self.inflater.decompress(payload + b"\x00\x00\xff\xff"), len(payload)
        return False, payload, len(payload)

    def send_deflated(self, data: bytes) -> None:
        deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
        payload = (deflater.compress(data) + deflater.flush(zlib.Z_SYNC_FLUSH))[:-4]
        self.sock.sendall(frame(TEXT, payload, rsv=4))

    def close(self) -> None:
        try:
            self.sock.sendall(frame(CLOSE, struct.pack("!H", 1000)))
        finally:
            self.sock.close()


def test_big_messages_go_compressed_small_ones_as_they_are(server: Server) -> None:
    raw = Raw(server, "/ws/echo/r", "permessage-deflate; client_max_window_bits")
    try:
        assert raw.headers["sec-websocket-extensions"] == (
            "permessage-deflate; client_max_window_bits=15"
        )
        text = json.dumps([{"name": f"user {n}", "online": True} for n in range(300)]).encode()
        raw.send_deflated(text)  # compressed both ways
        compressed, echoed, wire = raw.message()
        assert (compressed, echoed) == (True, text)
        assert wire < len(text) / 5
        raw.sock.sendall(frame(TEXT, b"x" * 255))  # under the 256-byte threshold
        assert raw.message() == (False, b"x" * 255, 255)
        raw.sock.sendall(frame(TEXT, b"y" * 256))  # at it
        compressed, echoed, wire = raw.message()
        assert (compressed, echoed) == (True, b"y" * 256) and wire < 20
        noise = base64.b64encode(os.urandom(1500))  # hardly compressible on its own
        raw.sock.sendall(frame(TEXT, noise))
        compressed, echoed, first = raw.message()
        assert (compressed, echoed) == (True, noise) and first > 1500
        raw.sock.sendall(frame(TEXT, noise))  # the context is kept: it refers to the first
        compressed, echoed, again = raw.message()
        assert (compressed, echoed) == (True, noise) and again < 40
    finally:
        raw.close()


def test_offers_it_cannot_take_are_declined(server: Server) -> None:
    for offer in (
        "permessage-deflate; server_max_window_bits=8",  # zlib's raw deflate needs 9
        "permessage-deflate; unknown_param",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "x-webkit-deflate-frame",
    ):
        raw = Raw(server, "/ws/echo/r", offer)
        try:
            assert "sec-websocket-extensions" not in raw.headers, offer
            raw.sock.sendall(frame(TEXT, b"z" * 1000))
            assert raw.message() == (False, b"z" * 1000, 1000)
        finally:
            raw.close()
    # The first offer that is acceptable is taken, with its parameters.
    raw = Raw(
        server,
        "/ws/echo/r",
        "permessage-deflate; server_max_window_bits=8, "
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10",
    )
    try:
        assert raw.headers["sec-websocket-extensions"] == (
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"
        )
        for _ in range(2):  # no context kept: each message inflates on its own
            raw.sock.sendall(frame(TEXT, b"w" * 1000))
            raw.inflater = zlib.decompressobj(-10)
            assert raw.message()[:2] == (True, b"w" * 1000)
    finally:
        raw.close()


def test_a_route_without_compression_does_not_agree_to_it(server: Server) -> None:
    raw = Raw(server, "/ws/plain", "permessage-deflate")
    try:
        assert "sec-websocket-extensions" not in raw.headers
        raw.sock.sendall(frame(TEXT, b"p" * 1000))
        assert raw.message() == (False, b"p" * 1000, 1000)
        raw.send_deflated(b"q" * 1000)  # RSV1 without the extension: a protocol error
        opcode, _, payload = raw.read()
        assert (opcode, struct.unpack("!H", payload[:2])[0]) == (0x8, 1002)
    finally:
        raw.sock.close()


def peak_memory_kib(server: Server) -> int:
    """The worker's peak resident memory (VmHWM) so far."""
    master = server.process.pid
    (worker,) = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    status = Path(f"/proc/{worker}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])


def test_a_decompression_bomb_is_closed_with_1009_and_the_worker_goes_on(server: Server) -> None:
    bomb = b"\x00" * (256 << 20)  # 256 MiB in about 256 KiB on the wire
    raw = Raw(server, "/ws/echo/r", "permessage-deflate")  # max_message_size: 1 MiB
    before = peak_memory_kib(server)
    try:
        raw.send_deflated(bomb)
        opcode, _, payload = raw.read()
        assert (opcode, struct.unpack("!H", payload[:2])[0]) == (0x8, 1009)
    finally:
        raw.sock.close()
    # Inflated no further than the limit: a 64 KiB read of it alone would be 64 MiB.
    assert peak_memory_kib(server) - before < 16 << 10
    status, _, body = server.get("/hello")
    assert (status, body) == (200, b"Hello")


def test_hub_replies_are_compressed_when_big() -> None:
    with serving("tests.realtime.hub_app:app", "--workers", "1") as server:
        raw = Raw(server, "/rt", "permessage-deflate", Sec_WebSocket_Protocol="wtf.json")
        try:
            call = {
                "m": "shapes",
                "i": 1,
                "p": {
                    "point": {"x": 1},
                    "query": {"text": "t" * 2000, "limit": 1},
                    "user": {"name": "ann", "age": 3},
                },
            }
            raw.sock.sendall(frame(TEXT, json.dumps(call).encode()))
            compressed, reply, wire = raw.message()
            assert compressed and wire < 300
            assert json.loads(reply)["r"]["query"]["text"] == "t" * 2000
            raw.sock.sendall(frame(TEXT, json.dumps({"m": "add", "p": {"a": 1}, "i": 2}).encode()))
            assert raw.message() == (False, b'{"i":2,"r":3}', 13)
        finally:
            raw.close()
