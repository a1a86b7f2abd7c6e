"""WebSocket echo benchmark: wtf against flask-sock and the ``websockets`` library.

Each server runs on 127.0.0.1 (wtf and flask-sock under the same gunicorn: one gthread worker,
64 threads; ``websockets``: its own threaded server, the upper anchor), one at a time; the
client (websocket-client, in this process) does echo round trips of a 32-byte text message for
a fixed time over one connection, then over 50 concurrent connections (a thread each). Then
memory: one worker's RSS growth per idle open connection, at 1,000 connections (gthread,
1,100 threads) and 5,000 (gevent). Every server is stopped by its PID. ``make bench-websocket``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import websocket

from .processes import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
MESSAGE = "x" * 32


@contextlib.contextmanager
def running(name: str, worker: list[str]) -> Iterator[tuple[int, int]]:
    """Start server ``name``; yield (port, pid of the process holding the sockets)."""
    port = free_port()
    if name == "websockets":
        command = [sys.executable, "-m", "bench.ws_apps", str(port)]
    else:
        target = {
            "wtf": "bench.ws_apps:wtf_app",
            "flask-sock": "bench.ws_apps:flask_app",
            "hub": "bench.ws_apps:hub_app",
            "socketio": "bench.ws_apps:socketio_app",
        }[name]
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "1",
            *worker,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, process, name)
        pid = process.pid
        if name != "websockets":  # the gunicorn worker, the master's only child
            for _ in range(100):
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                if children:
                    pid = int(children[0])
                    break
                time.sleep(0.05)
        yield port, pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def client_frame(text: bytes) -> bytes:
    """A masked text frame, as a client sends it (a fixed mask: the server cannot tell)."""
    key = b"\x01\x02\x03\x04"
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(text))
    return bytes([0x81, 0x80 | len(text)]) + key + masked


REQUEST = client_frame(MESSAGE.encode())
ECHO = bytes([0x81, len(MESSAGE)]) + MESSAGE.encode()  # what the server sends back


def _open_raw(
    port: int, path: str = "/echo", protocol: str | None = None
) -> tuple[socket.socket, bytes]:
    """A WebSocket handshake by hand; the socket, ready for frames, and what came after the
    101."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    extra = f"Sec-WebSocket-Protocol: {protocol}\r\n" if protocol else ""
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\n{extra}\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("the server closed during the handshake")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(f"no upgrade: {head[:60]!r}")
    return sock, head.partition(b"\r\n\r\n")[2]


def read_frame(sock: socket.socket, buffered: bytes = b"") -> tuple[bytes, bytes]:
    """One unmasked server frame's payload (blocking), and the bytes after it."""
    data = buffered

    def need(size: int) -> None:
        nonlocal data
        while len(data) < size:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("the server closed the connection")
            data += chunk

    need(2)
    size, at = data[1] & 0x7F, 2
    if size == 126:
        need(4)
        size, at = int.from_bytes(data[2:4], "big"), 4
    elif size == 127:
        need(10)
        size, at = int.from_bytes(data[2:10], "big"), 10
    need(at + size)
    return data[at : at + size], data[at + size :]


def take_frames(buffer: bytearray) -> Iterator[tuple[int, bytes]]:
    """The complete unmasked frames at the start of ``buffer``, as (opcode, payload); each is
    removed from it (what is left is the start of the next)."""
    while len(buffer) >= 2:
        opcode, size, at = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
        if size == 126:
            if len(buffer) < 4:
                return
            size, at = int.from_bytes(buffer[2:4], "big"), 4
        if len(buffer) < at + size:
            return
        payload = bytes(buffer[at : at + size])
        del buffer[: at + size]
        yield opcode, payload


def server_frame(payload: bytes) -> bytes:
    """The frame a server sends for a short text ``payload``."""
    return (
        bytes([0x81, len(payload)]) + payload
        if len(payload) < 126
        else (bytes([0x81, 126]) + len(payload).to_bytes(2, "big") + payload)
    )


def round_trips(
    port: int,
    connections: int,
    seconds: float,
    request: bytes = REQUEST,
    answer: bytes = ECHO,
    opener: Callable[[int], socket.socket] | None = None,
) -> float:
    """Round trips per second over ``connections`` concurrent connections: send ``request``,
    wait for exactly ``answer``, again.

    The client is one thread with a selector and pre-built frames (a few microseconds per
    round trip), so that the server, not the client, is what is measured.
    """
    sockets = [opener(port) if opener else _open_raw(port)[0] for _ in range(connections)]
    selector = selectors.DefaultSelector()
    pending = {}
    for sock in sockets:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        pending[sock] = b""
    count = 0
    for sock in sockets:
        sock.send(request)
    began = time.monotonic()
    stop = began + seconds
    size = len(answer)
    while time.monotonic() < stop:
        for key, _ in selector.select(timeout=1):
            sock = key.fileobj  # type: ignore[assignment]
            data = pending[sock] + sock.recv(65536)
            while len(data) >= size:
                if data[:size] != answer:
                    raise SystemExit(f"a wrong answer: {data[:60]!r}, expected {answer[:60]!r}")
                data = data[size:]
                count += 1
                sock.send(request)
            pending[sock] = data
    elapsed = time.monotonic() - began
    selector.close()
    for sock in sockets:
        sock.close()
    return count / elapsed


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def rss_per_connection(name: str, worker: list[str], count: int) -> float:
    """KiB of the worker's RSS per idle open connection, at ``count`` connections."""
    with running(name, worker) as (port, pid):
        warm = [
            websocket.create_connection(f"ws://127.0.0.1:{port}/echo", timeout=30)
            for _ in range(10)
        ]
        time.sleep(0.5)
        before = rss_kib(pid)
        sockets = [
            websocket.create_connection(f"ws://127.0.0.1:{port}/echo", timeout=30)
            for _ in range(count)
        ]
        sockets[-1].send(MESSAGE)
        assert sockets[-1].recv() == MESSAGE  # all of them accepted and served
        time.sleep(1.0)
        after = rss_kib(pid)
        for ws in [*warm, *sockets]:
            ws.shutdown()
        return (after - before) / count


GTHREAD = ["-k", "gthread", "--threads", "64"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args(argv)
    rows: dict[str, tuple[float, float]] = {}
    for name in ("wtf", "flask-sock", "websockets"):
        with running(name, GTHREAD) as (port, _):
            one = round_trips(port, 1, args.seconds)
            fifty = round_trips(port, 50, args.seconds)
        rows[name] = (one, fifty)
    print(
        f"# WebSocket echo round trips/s, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores, {args.seconds:g} s each, one client thread"
    )
    print("| server | 1 connection | 50 connections | wtf / this (1) | wtf / this (50) |")
    print("|---|---|---|---|---|")
    for name, (one, fifty) in rows.items():
        print(
            f"| {name} | {one:,.0f} | {fifty:,.0f} | {rows['wtf'][0] / one:.2f}x | "
            f"{rows['wtf'][1] / fifty:.2f}x |"
        )
    if args.skip_memory:
        return 0
    print("\n| memory | KiB of worker RSS per idle connection |")
    print("|---|---|")
    cases = [
        (
            "wtf, gthread, 1,000 connections",
            "wtf",
            ["-k", "gthread", "--threads", "1100", "--worker-connections", "1200"],
            1000,
        ),
        (
            "flask-sock, gthread, 1,000 connections",
            "flask-sock",
            ["-k", "gthread", "--threads", "1100", "--worker-connections", "1200"],
            1000,
        ),
        (
            "wtf, gevent, 5,000 connections",
            "wtf",
            ["-k", "gevent", "--worker-connections", "6000"],
            5000,
        ),
    ]
    for label, name, worker, count in cases:
        print(f"| {label} | {rss_per_connection(name, worker, count):,.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
