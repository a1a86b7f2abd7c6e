"""Idle connections on one machine: many gevent workers joined by a RedisBus hold ``--sockets``
idle Hub connections (each subscribed to one channel, heartbeats running), while HTTP keeps
answering; then one emit reaches them all.

The server is ``wtf serve bench.idle_app:app`` with ``--workers`` gevent workers; a
redis-server is started here on a free port. The clients are ``--clients`` processes, each
from its own loopback address (127.0.0.2, .3, ...: a source address has ~28k ports), holding
its share of sockets with one selector and answering the server's pings. Printed: the time to
open and subscribe them all, the workers' RSS per socket, HTTP latency (p50/p99 of ``GET``
requests made while the sockets are open), and the time from one ``hub.emit`` until the last
socket has it. Every process is stopped by its PID; loopback only. ``make bench-idle``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from tests.realtime.redis_server import redis_server

from .processes import free_port, stop, wait_for_port
from .websocket import client_frame, take_frames

ROOT = Path(__file__).resolve().parents[1]
HANDSHAKE = (
    b"GET /rt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Protocol: wtf.json\r\n\r\n"
)
SUBSCRIBE = client_frame(b'{"m":"$subscribe","p":{"event":"tick","channel":"all"},"i":1}')
PONG_MASK = b"\x00\x00\x00\x00"


class Holder:
    """One client process's sockets: open, subscribed, answering pings, counting ticks."""

    def __init__(self, port: int, source: str, count: int) -> None:
        self.port, self.source, self.count = port, source, count
        self.selector = selectors.DefaultSelector()
        self.state: dict[socket.socket, list[object]] = {}  # [stage, buffer]
        self.subscribed = 0
        self.ticks = 0
        self.last_tick = 0.0

    def open_all(self, batch: int = 200) -> None:
        opened = 0
        while self.subscribed < self.count:
            while opened < self.count and opened - self.subscribed < batch:
                sock = socket.socket()
                sock.bind((self.source, 0))
                sock.connect(("127.0.0.1", self.port))
                sock.sendall(HANDSHAKE)
                sock.setblocking(False)
                self.state[sock] = ["head", bytearray()]
                self.selector.register(sock, selectors.EVENT_READ)
                opened += 1
            self.pump(1.0)

    def pump(self, timeout: float) -> None:
        for key, _ in self.selector.select(timeout):
            sock: socket.socket = key.fileobj  # type: ignore[assignment]
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                raise SystemExit(f"client {self.source}: the server closed a socket")
            entry = self.state[sock]
            buffer: bytearray = entry[1]  # type: ignore[assignment]
            buffer += data
            if entry[0] == "head":
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    continue
                if not buffer.startswith(b"HTTP/1.1 101"):
                    raise SystemExit(f"no upgrade: {bytes(buffer[:80])!r}")
                del buffer[: end + 4]
                entry[0] = "subscribing"
                sock.sendall(SUBSCRIBE)
            self.frames(sock, entry, buffer)

    def frames(self, sock: socket.socket, entry: list[object], buffer: bytearray) -> None:
        for opcode, payload in take_frames(buffer):
            if opcode == 0x9:  # a heartbeat: answer it
                sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + PONG_MASK + payload)
            elif entry[0] == "subscribing":
                assert payload == b'{"i":1,"r":true}', payload
                entry[0] = "idle"
                self.subscribed += 1
            elif payload.startswith(b'{"v":"tick"'):
                self.ticks += 1
                self.last_tick = time.monotonic()


def hold(port: int, source: str, count: int, pipe: Connection) -> None:
    """A client process: open ``count`` sockets, then serve the main process's requests."""
    holder = Holder(port, source, count)
    holder.open_all()
    pipe.send("open")
    while True:
        if pipe.poll():
            command = pipe.recv()
            if command == "stop":
                return
            target = int(command)  # wait for this many ticks per socket
            deadline = time.monotonic() + 60
            while holder.ticks < target * count and time.monotonic() < deadline:
                holder.pump(0.05)
            pipe.send((holder.ticks, holder.last_tick))
        holder.pump(0.2)


@contextlib.contextmanager
def serving(
    url: str, workers: int, connections: int, log: Any = subprocess.DEVNULL
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "wtf", "serve", "bench.idle_app:app", "--bind",
         f"127.0.0.1:{port}", "--worker-class", "gevent", "--workers", str(workers),
         "--worker-connections", str(connections)],
        cwd=ROOT, env={**os.environ, "WTF_BENCH_REDIS_URL": url},
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(port, process, "wtf serve")
        yield port, process
    finally:
        stop(process, timeout=60)


def workers_rss(master: int) -> int:
    """The workers' resident memory together, KiB."""
    total = 0
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        with open(f"/proc/{child}/status") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        total += int(line.split()[1])
    return total


def http_latencies(port: int, count: int, pause: float) -> list[float]:
    times = []
    for _ in range(count):
        began = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/ping")
        response = conn.getresponse()
        assert response.status == 200 and response.read() == b"pong"
        conn.close()
        times.append(time.monotonic() - began)
        time.sleep(pause)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    per_client = -(-args.sockets // args.clients)
    per_worker = -(-args.sockets // args.workers) * 5 // 4 + 100
    log = open(os.environ["WTF_BENCH_LOG"], "w") if "WTF_BENCH_LOG" in os.environ else None  # noqa: SIM115
    with (
        redis_server() as url,
        serving(url, args.workers, per_worker, log or subprocess.DEVNULL) as (port, server),
    ):
        time.sleep(2)
        baseline = workers_rss(server.pid)
        began = time.monotonic()
        pipes, processes = [], []
        for n in range(args.clients):
            mine, theirs = multiprocessing.Pipe()
            count = min(per_client, args.sockets - n * per_client)
            process = multiprocessing.Process(
                target=hold, args=(port, f"127.0.0.{n + 2}", count, theirs), daemon=True
            )
            process.start()
            pipes.append(mine)
            processes.append(process)
        for pipe in pipes:
            if not pipe.poll(600):
                raise SystemExit("the clients did not open their sockets in 10 minutes")
            assert pipe.recv() == "open"
        opened = time.monotonic() - began
        time.sleep(2)
        per_socket = (workers_rss(server.pid) - baseline) * 1024 / args.sockets
        latencies = http_latencies(port, 300, 0.05)  # 15 s+ with every socket open
        cuts = statistics.quantiles(latencies, n=100)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/emit")
        sent = json.loads(conn.getresponse().read())["t"]
        conn.close()
        results = []
        for pipe in pipes:
            pipe.send("1")
        for pipe in pipes:
            results.append(pipe.recv())
        delivered = sum(ticks for ticks, _ in results)
        last = max(when for _, when in results)
        for pipe in pipes:
            pipe.send("stop")
        for process in processes:
            process.join(30)
            if process.is_alive():
                os.kill(process.pid, signal.SIGKILL)
    print(
        f"# {args.sockets:,} idle Hub sockets, {args.workers} gevent workers + RedisBus, "
        f"{args.clients} client processes, Python {sys.version.split()[0]}"
    )
    print(
        "| opened and subscribed in | RSS per socket | HTTP p50 | HTTP p99 "
        "| emit delivered | to all in |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| {opened:.1f} s | {per_socket / 1024:.1f} KiB | {cuts[49] * 1000:.1f} ms "
        f"| {cuts[98] * 1000:.1f} ms | {delivered:,} / {args.sockets:,} | {(last - sent):.2f} s |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
