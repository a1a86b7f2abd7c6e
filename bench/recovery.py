"""A reconnect storm: ``--clients`` clients of a server that is SIGKILLed reconnect to the other
server and recover what they missed from the channel's history.

Two servers (two gunicorn masters, one gthread worker each) share one redis-server started here
(``bench.cluster_apps:hub_app``, its ``storm`` event keeping 1,000 events per channel). Every
client subscribes on the first server; a publisher on the second emits ``--rate`` events a
second, numbered, for ``--seconds``; midway the first server is killed (master and worker, no
clean close). Each client notices, reconnects to the second and resubscribes ``since`` the last
offset it saw. Printed: the seconds from the kill until every client had its recovery answer,
how many clients recovered, and events lost (offsets a client never got) and duplicated (got
twice), summed over all clients: the targets are 0 and 0. Loopback only; every process is
stopped by its PID. ``make bench-recovery``.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from tests.realtime.redis_server import redis_server

from .cluster import server
from .hub import open_hub
from .websocket import client_frame, read_frame, take_frames


def subscribe_frame(since: int | None, epoch: str | None) -> bytes:
    params: dict[str, object] = {"event": "storm", "channel": "s"}
    if since is not None:
        params.update(since=since, epoch=epoch)
    return client_frame(json.dumps({"m": "$subscribe", "p": params, "i": 1}).encode())


class Client:
    """One subscriber: the offsets it got (with repeats), where it is, whether it is back."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.offsets: list[int] = []
        self.epoch: str | None = None
        self.answered = False
        self.recovered: bool | None = None

    def feed(self, data: bytes) -> None:
        self.buffer += data
        for _, payload in take_frames(self.buffer):
            message = json.loads(payload)
            if message.get("v") == "storm":
                self.offsets.append(message["o"])
                self.epoch = message["ep"]
            elif message.get("i") == 1:
                result = message["r"]
                self.epoch = self.epoch or result["epoch"]
                self.recovered = result.get("recovered")
                self.answered = True


def publish(
    port: int, rate: float, seconds: float, stop: threading.Event, published: list[int]
) -> None:
    sock = open_hub(port)
    began = time.monotonic()
    n = 0
    while not stop.is_set() and time.monotonic() - began < seconds:
        text = f'{{"m":"publish","p":{{"room":"s","n":{n},"t":0,"event":"storm"}}}}'
        sock.sendall(client_frame(text.encode()))
        n += 1
        published[0] = n
        time.sleep(max(0.0, began + n / rate - time.monotonic()))
    sock.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="events a second")
    parser.add_argument("--seconds", type=float, default=12.0)
    args = parser.parse_args(argv)
    threads = args.clients + 100
    with redis_server() as url, server("hub", url, threads) as a, server("hub", url, threads) as b:
        clients = []
        for _ in range(args.clients):
            sock = open_hub(a)
            sock.sendall(subscribe_frame(None, None))
            client = Client(sock)
            reply, rest = read_frame(sock)
            client.feed(bytes([0x81, 126]) + len(reply).to_bytes(2, "big") + reply + rest)
            clients.append(client)
        selector = selectors.DefaultSelector()
        for client in clients:
            client.sock.setblocking(False)
            selector.register(client.sock, selectors.EVENT_READ, client)
        stop = threading.Event()
        published = [0]  # how many the publisher sent: the last offset every client must reach
        publisher = threading.Thread(
            target=publish, args=(b, args.rate, args.seconds, stop, published)
        )
        publisher.start()
        time.sleep(args.seconds / 3)
        master = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
        killed_at = time.monotonic()
        victim = next(int(pid) for pid in master if _listens(int(pid), a))
        for pid in Path(f"/proc/{victim}/task/{victim}/children").read_text().split():
            os.kill(int(pid), signal.SIGKILL)
        os.kill(victim, signal.SIGKILL)
        back_at = ending = 0.0
        lost_connection: list[Client] = []
        deadline = time.monotonic() + args.seconds + 60
        while time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.2):
                client = key.data
                try:
                    data = client.sock.recv(65536)
                except (ConnectionResetError, BlockingIOError):
                    data = b"" if not isinstance(sys.exc_info()[1], BlockingIOError) else None
                if data is None:
                    continue
                if not data:  # the server is gone: to the other one, since the last offset
                    selector.unregister(client.sock)
                    client.sock.close()
                    lost_connection.append(client)
                    continue
                client.feed(data)
            for client in lost_connection:
                sock = open_hub(b)
                client.buffer = bytearray()
                client.answered = False
                since = client.offsets[-1] if client.offsets else 0
                sock.sendall(subscribe_frame(since, client.epoch))
                sock.setblocking(False)
                client.sock = sock
                selector.register(sock, selectors.EVENT_READ, client)
            lost_connection.clear()
            if not back_at and all(c.answered and c.recovered is not None for c in clients):
                back_at = time.monotonic()
            if back_at and not publisher.is_alive():
                if not ending:
                    ending = time.monotonic() + 5.0  # the last events in flight
                if time.monotonic() > ending or all(
                    c.offsets and c.offsets[-1] >= published[0] for c in clients
                ):
                    break
        stop.set()
        publisher.join()
        top = published[0]
        lost = sum(len(set(range(1, top + 1)) - set(c.offsets)) for c in clients)
        duplicated = sum(len(c.offsets) - len(set(c.offsets)) for c in clients)
        recovered = sum(1 for c in clients if c.recovered)
        if os.environ.get("WTF_BENCH_DEBUG"):
            for c in clients:
                missing = sorted(set(range(1, top + 1)) - set(c.offsets))
                if missing:
                    print("missing", missing[:10], "last", c.offsets[-3:], c.recovered)
        for client in clients:
            client.sock.close()
    print(
        f"# reconnect storm: {args.clients:,} clients, {args.rate:g} events/s, "
        f"history=1000, Python {sys.version.split()[0]}"
    )
    print("| back on the other server in | recovered | events | lost | duplicated |")
    print("|---|---|---|---|---|")
    took = f"{back_at - killed_at:.2f} s" if back_at else "never"
    print(f"| {took} | {recovered:,} / {args.clients:,} | {top:,} | {lost:,} | {duplicated:,} |")
    return 0


def _listens(pid: int, port: int) -> bool:
    """Whether gunicorn master ``pid`` serves ``port`` (its command line names it)."""
    try:
        return f":{port}".encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
