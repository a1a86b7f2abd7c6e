"""Fan-out across machines: wtf's Hub on a RedisBus against python-socketio's RedisManager.

Two servers ("two machines": two gunicorn masters, one gthread worker each) share one
redis-server started here (wtf runs twice: an event without history, and one with
``history=100``, kept in a Redis stream); ``--subscribers`` clients on each server join one
channel; one publisher on the first server sends ``--events`` events as fast as it can (each
carrying its send time); every subscriber must get every event. Printed: events/s (events
published over the seconds until the last subscriber had the last one), deliveries/s, and the
latency of each delivery (receive time minus send time) at p50 and p99. The clients are one
thread with a selector, in this process; everything runs on 127.0.0.1 and is stopped by its PID.
``make bench-cluster``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from tests.realtime.redis_server import redis_server

from .hub import open_hub, open_socketio
from .processes import free_port, stop, wait_for_port
from .websocket import client_frame, read_frame, take_frames

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "hub": "bench.cluster_apps:hub_app",
    "kept": "bench.cluster_apps:hub_app",  # the same Hub, its event with history
    "socketio": "bench.cluster_apps:socketio_app",
}


@contextlib.contextmanager
def server(kind: str, url: str, threads: int) -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads",
         str(threads), "--worker-connections", str(threads + 100), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", TARGETS[kind]],
        cwd=ROOT, env={**os.environ, "WTF_BENCH_REDIS_URL": url},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, process, kind)
        yield port
    finally:
        stop(process)


def join(sock: socket.socket, kind: str) -> None:
    if kind in ("hub", "kept"):
        event = "tick" if kind == "hub" else "kept"
        sock.sendall(
            client_frame(
                f'{{"m":"$subscribe","p":{{"event":"{event}","channel":"r"}},"i":1}}'.encode()
            )
        )
        reply = read_frame(sock)[0]
        assert reply == b'{"i":1,"r":true}' or reply.startswith(b'{"i":1,"r":{"offset"'), reply
    else:
        sock.sendall(client_frame(b'421["join","r"]'))
        assert read_frame(sock)[0] == b"431[true]"


def publication(kind: str, n: int) -> bytes:
    t = f"{time.monotonic():.6f}"
    if kind in ("hub", "kept"):
        event = "tick" if kind == "hub" else "kept"
        text = f'{{"m":"publish","p":{{"room":"r","n":{n},"t":{t},"event":"{event}"}}}}'
    else:
        text = f'42["publish",{{"room":"r","n":{n},"t":{t}}}]'
    return client_frame(text.encode())


def event_of(kind: str, payload: bytes) -> dict[str, float] | None:
    if kind in ("hub", "kept"):
        message = json.loads(payload)
        return message.get("r") if message.get("v") in ("tick", "kept") else None  # type: ignore[no-any-return]
    if payload.startswith(b'42["tick"'):
        return json.loads(payload[2:])[1]  # type: ignore[no-any-return]
    return None  # an Engine.IO ping and the like


def run(kind: str, per_server: int, events: int) -> tuple[float, float, float, float]:
    """(events/s, deliveries/s, p50 ms, p99 ms) for one kind."""
    opener = open_socketio if kind == "socketio" else open_hub
    with (
        redis_server() as url,
        server(kind, url, per_server + 50) as a,
        server(kind, url, per_server + 50) as b,
    ):
        subscribers = []
        for port in (a, b):
            for _ in range(per_server):
                sock = opener(port)
                join(sock, kind)
                subscribers.append(sock)
        publisher = opener(a)
        time.sleep(1.0)  # every join has reached Redis
        selector = selectors.DefaultSelector()
        buffers: dict[socket.socket, bytearray] = {}
        got: dict[socket.socket, int] = {}
        for sock in subscribers:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
            buffers[sock], got[sock] = bytearray(), 0
        latencies: list[float] = []
        began = time.monotonic()

        def publish() -> None:
            for n in range(events):
                publisher.sendall(publication(kind, n))

        threading.Thread(target=publish, daemon=True).start()
        expected = events * len(subscribers)
        delivered = 0
        last = began
        while delivered < expected:
            ready = selector.select(timeout=30)
            if not ready:
                raise SystemExit(f"{kind}: {expected - delivered} deliveries never came")
            for key, _ in ready:
                sock = key.fileobj  # type: ignore[assignment]
                data = sock.recv(1 << 16)
                if not data:
                    raise SystemExit(f"{kind}: a subscriber was disconnected")
                buffer = buffers[sock]
                buffer += data
                now = time.monotonic()
                for _, payload in take_frames(buffer):
                    event = event_of(kind, payload)
                    if event is not None:
                        latencies.append(now - event["t"])
                        got[sock] += 1
                        delivered += 1
                        last = now
        elapsed = last - began
        selector.close()
        for sock in [*subscribers, publisher]:
            sock.close()
    cuts = statistics.quantiles(latencies, n=100)
    return events / elapsed, expected / elapsed, cuts[49] * 1000, cuts[98] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=500, help="per server")
    parser.add_argument("--events", type=int, default=100)
    args = parser.parse_args(argv)
    rows = {
        "wtf Hub + RedisBus": run("hub", args.subscribers, args.events),
        "wtf Hub + RedisBus, history=100": run("kept", args.subscribers, args.events),
        "python-socketio + RedisManager": run("socketio", args.subscribers, args.events),
    }
    print(
        f"# Fan-out across 2 servers x {args.subscribers} subscribers, {args.events} events, "
        f"gthread, Python {sys.version.split()[0]}"
    )
    print(
        "| server | events/s | deliveries/s | p50 ms | p99 ms "
        "| events/s vs socketio | p99 vs socketio |"
    )
    print("|---|---|---|---|---|---|---|")
    base = rows["python-socketio + RedisManager"]
    for label, (rate, deliveries, p50, p99) in rows.items():
        print(
            f"| {label} | {rate:,.0f} | {deliveries:,.0f} | {p50:,.1f} | {p99:,.1f} "
            f"| {rate / base[0]:.2f}x | {p99 / base[3]:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
