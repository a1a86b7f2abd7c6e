"""A Hub on a RedisBus across two gunicorn masters ("two machines", one of them with three
workers) and a redis-server the suite starts itself: every kind of delivery from one server
reaches the clients of the other exactly once, presence is shared, a SIGKILLed server's users
stop counting within the TTL, and Redis restarting does not stop local delivery."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import websocket

from tests.realtime.redis_server import redis_server
from tests.serving.live import Server, post_json, request, serving

pytestmark = pytest.mark.timeout(120)

APP = "tests.realtime.cluster_app:app"


@contextlib.contextmanager
def machine(redis_url: str, workers: int = 1) -> Iterator[Server]:
    env = {"WTF_TEST_REDIS_URL": redis_url}
    with serving(APP, "--workers", str(workers), env=env) as server:
        yield server


class Client:
    """A websocket-client connection speaking the Hub's JSON wire format."""

    def __init__(self, server: Server, user: str = "") -> None:
        query = f"?user={user}" if user else ""
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/rt{query}", timeout=10, subprotocols=["wtf.json"]
        )
        self.calls = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> Any:
        self.calls += 1
        self.ws.send(json.dumps({"m": method, "p": params, "i": self.calls}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("i") == self.calls:
                assert "e" not in message, message
                return message["r"]
            self.events.append(message)

    def next_event(self, timeout: float = 5.0) -> dict[str, Any]:
        if self.events:
            return self.events.pop(0)
        self.ws.settimeout(timeout)
        return dict(json.loads(self.ws.recv()))

    def quiet(self, seconds: float = 0.3) -> bool:
        """Whether nothing arrives for ``seconds``."""
        if self.events:
            return False
        self.ws.settimeout(seconds)
        try:
            self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return True
        return False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close(timeout=1)


def post(server: Server, path: str, data: Any = None) -> Any:
    status, _, body = post_json(server.port, path, data)
    assert status == 200, body
    return json.loads(body)


def get(server: Server, path: str) -> Any:
    status, _, body = request(server.port, "GET", path)
    assert status == 200, body
    return json.loads(body)


def online(server: Server, user: str) -> bool:
    status, _, body = request(server.port, "GET", f"/online/{user}")
    assert status == 200
    return bool(json.loads(body)["online"])


def test_every_delivery_crosses_exactly_once(redis_url: str) -> None:
    with machine(redis_url) as a, machine(redis_url, workers=3) as b:
        ann = Client(a, "ann")
        bobs = [Client(b, "bob") for _ in range(3)]  # on whichever of b's workers
        try:
            for client in (ann, *bobs):
                assert client.call("$subscribe", event="message", channel="r") is True
            # A channel emit from an HTTP handler of machine a, and of machine b.
            for origin, text in ((a, "from a"), (b, "from b")):
                post(origin, "/emit/r", text)
                for client in (ann, *bobs):
                    assert client.next_event() == {"v": "message", "c": "r", "r": {"text": text}}
            # emit_others from a socket on b: everyone else, on both machines.
            assert bobs[0].call("say", room="r", text="hi") is True
            for client in (ann, bobs[1], bobs[2]):
                assert client.next_event()["r"] == {"text": "hi"}
            # send_user from a reaches bob's three sessions on b.
            post(a, "/user/bob", "for bob")
            for client in bobs:
                assert client.next_event() == {"v": "notice", "c": None, "r": {"text": "for bob"}}
            # emit_to one session (by id) from the other machine.
            target = bobs[1].call("me")
            post(a, f"/to/{target}", "just you")
            assert bobs[1].next_event()["r"] == {"text": "just you"}
            # broadcast from b reaches a too.
            post(b, "/everyone", "all")
            for client in (ann, *bobs):
                assert client.next_event()["r"] == {"text": "all"}
            assert all(client.quiet() for client in (ann, *bobs))  # none twice
            # Presence, and a kick from the other machine.
            assert online(a, "bob") and online(b, "ann") and not online(a, "nobody")
            for server in (a, b):
                assert get(server, "/presence/r") == ["ann", "bob"]
            assert ann.call("$unsubscribe", event="message", channel="r") is True
            assert get(b, "/presence/r") == ["bob"]
            assert get(a, "/presence/elsewhere") == []
            post(b, "/kick/ann")
            with pytest.raises(websocket.WebSocketConnectionClosedException):
                for _ in range(5):
                    ann.ws.recv()
            deadline = time.monotonic() + 5
            while online(b, "ann"):  # a clean close removes the user at once
                assert time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            for client in (ann, *bobs):
                client.close()


def test_concurrent_publishers_each_arrive_in_order_none_lost(redis_url: str) -> None:
    with machine(redis_url) as a, machine(redis_url, workers=3) as b:
        listeners = [Client(a, "la"), Client(b, "lb")]
        speaker = Client(b, "speaker")  # one socket: one worker of b publishes its events
        try:
            for client in listeners:
                assert client.call("$subscribe", event="message", channel="q") is True
            count = 60

            def from_http() -> None:  # machine a, one worker: its emits in order
                for n in range(count):
                    post(a, "/emit/q", f"a{n}")

            thread = threading.Thread(target=from_http)
            thread.start()
            for n in range(count):  # meanwhile, from a socket on machine b
                assert speaker.call("say", room="q", text=f"b{n}") is True
            thread.join(60)
            for client in listeners:
                texts = [client.next_event()["r"]["text"] for _ in range(2 * count)]
                for origin in "ab":
                    mine = [int(t[1:]) for t in texts if t[0] == origin]
                    assert mine == list(range(count)), (origin, mine)  # in order, none lost
                assert client.quiet()  # none twice
        finally:
            for client in (*listeners, speaker):
                client.close()


def test_every_concurrent_subscriber_hears_what_follows_its_answer(redis_url: str) -> None:
    """Forty sockets of one node subscribe at once to a channel new there: whichever answer
    comes first, an emit from the other machine right after it reaches all forty (each waits
    until Redis carries the channel to its node, not only the first)."""
    with machine(redis_url) as a, machine(redis_url) as b:
        clients = [Client(b) for _ in range(40)]
        try:
            for round_ in range(3):
                room = f"fresh{round_}"
                answered = threading.Event()

                def join(
                    client: Client, room: str = room, answered: threading.Event = answered
                ) -> None:
                    assert client.call("$subscribe", event="message", channel=room) is True
                    answered.set()

                threads = [threading.Thread(target=join, args=(c,)) for c in clients]
                for thread in threads:
                    thread.start()
                assert answered.wait(10)
                post(a, f"/emit/{room}", "right after")
                for thread in threads:
                    thread.join(10)
                for client in clients:
                    assert client.next_event() == {
                        "v": "message", "c": room, "r": {"text": "right after"}
                    }  # fmt: skip
        finally:
            for client in clients:
                client.close()


def test_a_killed_machines_users_stop_counting_within_the_ttl(redis_url: str) -> None:
    with machine(redis_url) as a, machine(redis_url) as b:
        zoe = Client(b, "zoe")
        try:
            zoe_id = zoe.call("me")
            assert zoe.call("$subscribe", event="message", channel="z") is True
            assert online(a, "zoe") and get(a, "/presence/z") == ["zoe"]
            master = b.process.pid
            (worker,) = Path(f"/proc/{master}/task/{master}/children").read_text().split()
            os.kill(master, signal.SIGKILL)  # no clean close: the machine is gone
            os.kill(int(worker), signal.SIGKILL)
            b.process.wait(10)
            began = time.monotonic()
            while online(a, "zoe") or get(a, "/presence/z") != []:
                assert time.monotonic() - began < 3.0  # presence_ttl is 1 s here
                time.sleep(0.05)
            # What the dead node left in Redis is swept by the live one (a third of the TTL).
            store = redis.Redis.from_url(redis_url)
            while store.hexists("wtf:su", zoe_id) or store.exists("wtf:u:zoe"):
                assert time.monotonic() - began < 5.0
                time.sleep(0.05)
            assert not store.hexists("wtf:sessions", zoe_id)
            assert store.scard("wtf:nodes") == 1  # a's worker only
            store.close()
        finally:
            zoe.close()


def test_redis_restarting_stops_no_local_delivery_and_crossing_resumes() -> None:
    with redis_server() as url:
        port = url.rsplit(":", 1)[1].split("/")[0]
        first = _redis_pid(port)
        with machine(url) as a, machine(url) as b:
            near, far = Client(a), Client(b, "far")
            try:
                for client in (near, far):
                    assert client.call("$subscribe", event="message", channel="x") is True
                assert get(a, "/dropped") == {"dropped": 0}
                os.kill(first, signal.SIGKILL)  # Redis goes away
                post(a, "/emit/x", "local")
                assert near.next_event()["r"] == {"text": "local"}  # still delivered here
                deadline = time.monotonic() + 5  # the writer thread tries, fails, counts
                while get(a, "/dropped") != {"dropped": 1}:
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
                with _restarted_redis(port):
                    deadline = time.monotonic() + 15
                    while True:  # the bus reconnects and subscribes again, with backoff
                        post(a, "/emit/x", "again")
                        assert near.next_event()["r"] == {"text": "again"}
                        try:
                            event = far.next_event(timeout=0.5)
                        except websocket.WebSocketTimeoutException:
                            assert time.monotonic() < deadline
                            continue
                        assert event["r"] == {"text": "again"}
                        break
                    # The restarted Redis is empty: the nodes wrote their sessions again.
                    assert online(a, "far")
            finally:
                near.close()
                far.close()
            a.stop()
            assert "RedisBus: Redis at" in a.output and "is unreachable" in a.output
            assert a.output.count("is unreachable") <= 2  # once per outage, not per message


def _redis_pid(port: str) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                title = (entry / "cmdline").read_bytes()  # "redis-server 127.0.0.1:PORT"
                if b"redis-server" in title and f":{port}".encode() in title:
                    return int(entry.name)
    raise AssertionError("the test's redis-server is not running")


@contextlib.contextmanager
def _restarted_redis(port: str) -> Iterator[None]:
    """A redis-server again on the same port (empty), stopped by PID at the end."""
    process = subprocess.Popen(
        ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", tempfile.mkdtemp(prefix="wtf-redis-")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield
    finally:
        process.terminate()
        process.wait(10)


OUTBOX_SCRIPT = """
import os, signal, sys, time
from wtf.realtime import Delivery, RedisBus
from wtf.realtime import redis_bus
redis_bus.MAX_OUTBOX = 3
url, pid = sys.argv[1], int(sys.argv[2])
bus = RedisBus(url, prefix="outbox")
try:
    bus.publish(Delivery("e", "c", 0))  # the node starts and registers while Redis answers
    time.sleep(0.3)
    os.kill(pid, signal.SIGSTOP)
    bus.publish(Delivery("e", "c", 1))  # the writer takes it, then waits on Redis
    time.sleep(0.3)
    before = bus.dropped
    for n in range(10):
        bus.publish(Delivery("e", "c", n))
    print(before, bus.dropped, flush=True)
finally:
    os.kill(pid, signal.SIGCONT)
    bus.close()
"""


def test_while_redis_does_not_answer_the_outbox_is_bounded_and_the_rest_counted() -> None:
    """Redis stopped (SIGSTOP: its connections stay open, nothing answers): the writer waits
    on its batch; what comes meanwhile queues up to ``MAX_OUTBOX`` (3 here) and the rest is
    dropped and counted in ``bus.dropped``, never held in memory. In a process of its own:
    the bus and its connections end with it."""
    with redis_server() as url:
        pid = _redis_pid(url.rsplit(":", 1)[1].split("/")[0])
        try:
            done = subprocess.run(
                [sys.executable, "-c", OUTBOX_SCRIPT, url, str(pid)],
                capture_output=True,
                text=True,
                timeout=60,
            )
        finally:
            os.kill(pid, signal.SIGCONT)  # whatever happened to the child
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split() == ["0", "7"]  # 3 wait in the outbox, the other 7 are shed
