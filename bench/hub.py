"""Hub benchmark: RPC round trips and fan-out, wtf's Hub against python-socketio.

All servers run under the same gunicorn (one gthread worker) on 127.0.0.1, one at a time:
the Hub (``bench.ws_apps:hub_app``), python-socketio in threading mode with simple-websocket
(``bench.ws_apps:socketio_app``; its call with an ack is the RPC) and wtf's raw WebSocket echo
as the floor. The client is one thread with a selector and pre-built frames of each protocol.
Round trips: for a fixed time over 1 connection, then over 50. Fan-out: 1,000 connections
subscribed to one channel (``$subscribe`` / socket.io's room), one emit, the time until the last
connection has it (median of 5). ``make bench-hub``.
"""

from __future__ import annotations

import argparse
import selectors
import socket
import statistics
import sys
import time
from collections.abc import Callable

from .websocket import (
    ECHO,
    REQUEST,
    _open_raw,
    client_frame,
    read_frame,
    round_trips,
    running,
    server_frame,
)

X = "x" * 32
HUB_CALL = client_frame(b'{"m":"echo","p":{"x":"' + X.encode() + b'"},"i":1}')
HUB_REPLY = server_frame(b'{"i":1,"r":"' + X.encode() + b'"}')
SIO_CALL = client_frame(b'421["echo","' + X.encode() + b'"]')
SIO_REPLY = server_frame(b'431["' + X.encode() + b'"]')
SIO_PATH = "/socket.io/?EIO=4&transport=websocket"


def open_hub(port: int) -> socket.socket:
    return _open_raw(port, "/rt", "wtf.json")[0]


def open_socketio(port: int) -> socket.socket:
    """Engine.IO v4 over a WebSocket: the server's open packet, then connect to '/'."""
    sock, rest = _open_raw(port, SIO_PATH)
    opened, rest = read_frame(sock, rest)
    assert opened.startswith(b"0{"), opened
    sock.sendall(client_frame(b"40"))
    connected, rest = read_frame(sock, rest)
    assert connected.startswith(b"40"), connected
    return sock


def subscribe(sock: socket.socket, kind: str) -> None:
    if kind == "hub":
        sock.sendall(client_frame(b'{"m":"$subscribe","p":{"event":"tick","channel":"r"},"i":1}'))
        reply, _ = read_frame(sock)
        assert reply == b'{"i":1,"r":true}', reply
    else:
        sock.sendall(client_frame(b'421["join","r"]'))
        reply, _ = read_frame(sock)
        assert reply == b"431[true]", reply


def fan_out(port: int, kind: str, count: int, rounds: int = 5) -> float:
    """Median seconds from one emit to the last of ``count`` subscribers having it."""
    opener: Callable[[int], socket.socket] = open_hub if kind == "hub" else open_socketio
    subscribers = []
    for _ in range(count):
        sock = opener(port)
        subscribe(sock, kind)
        subscribers.append(sock)
    trigger = opener(port)
    call = (
        client_frame(b'{"m":"fanout","p":{"room":"r"},"i":2}')
        if kind == "hub"
        else client_frame(b'422["fanout","r"]')
    )
    selector = selectors.DefaultSelector()
    for sock in subscribers:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    times = []
    for _ in range(rounds):
        waiting = set(subscribers)
        began = time.monotonic()
        trigger.sendall(call)
        while waiting:
            events = selector.select(timeout=30)
            if not events:
                raise SystemExit(f"{kind}: {len(waiting)} subscribers never got the emit")
            for key, _ in events:
                sock = key.fileobj
                sock.recv(65536)  # type: ignore[union-attr]
                waiting.discard(sock)  # type: ignore[arg-type]
        times.append(time.monotonic() - began)
        read_frame(trigger)  # the trigger's own reply
        time.sleep(0.2)
    selector.close()
    for sock in [*subscribers, trigger]:
        sock.close()
    return statistics.median(times)


GTHREAD = ["-k", "gthread", "--threads", "64"]
WIDE = ["-k", "gthread", "--threads", "2100", "--worker-connections", "2200"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--subscribers", type=int, default=1000)
    args = parser.parse_args(argv)
    cases = {
        "wtf Hub": ("hub", HUB_CALL, HUB_REPLY, open_hub),
        "python-socketio": ("socketio", SIO_CALL, SIO_REPLY, open_socketio),
        "wtf WebSocket echo (floor)": ("wtf", REQUEST, ECHO, None),
    }
    rows: dict[str, tuple[float, float]] = {}
    for label, (name, request, answer, opener) in cases.items():
        with running(name, GTHREAD) as (port, _):
            rows[label] = (
                round_trips(port, 1, args.seconds, request, answer, opener),
                round_trips(port, 50, args.seconds, request, answer, opener),
            )
    print(f"# Hub RPC round trips/s, Python {sys.version.split()[0]}, {args.seconds:g} s each")
    print("| server | 1 connection | 50 connections | Hub / this (1) | Hub / this (50) |")
    print("|---|---|---|---|---|")
    hub = rows["wtf Hub"]
    for label, (one, fifty) in rows.items():
        print(
            f"| {label} | {one:,.0f} | {fifty:,.0f} | {hub[0] / one:.2f}x | {hub[1] / fifty:.2f}x |"
        )
    print(f"\n| fan-out: one emit to {args.subscribers:,} subscribers | ms until the last has it |")
    print("|---|---|")
    for label, name in (("wtf Hub", "hub"), ("python-socketio", "socketio")):
        with running(name, WIDE) as (port, _):
            seconds = fan_out(port, name, args.subscribers)
        print(f"| {label} | {seconds * 1000:,.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
