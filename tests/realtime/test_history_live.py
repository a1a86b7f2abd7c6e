"""Channel history on a RedisBus, through real servers: two gunicorn masters ("two machines",
one with three workers) and a redis-server the test starts. Offsets are one sequence across
every publisher, a client recovers what it missed on another machine (a SIGKILLed one's
clients too), and what cannot be recovered says so."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

from tests.realtime.redis_server import redis_server
from tests.realtime.test_redis_bus_live import _redis_pid, _restarted_redis
from tests.serving.live import Server, post_json, serving

pytestmark = pytest.mark.timeout(120)

APP = "tests.realtime.history_app:app"


@contextlib.contextmanager
def machine(redis_url: str, workers: int = 1) -> Iterator[Server]:
    with serving(APP, "--workers", str(workers), env={"WTF_TEST_REDIS_URL": redis_url}) as s:
        yield s


class Client:
    """A websocket-client connection speaking the Hub's JSON wire format."""

    def __init__(self, server: Server) -> None:
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/rt", timeout=10, subprotocols=["wtf.json"]
        )
        self.calls = 0
        self.events: list[dict[str, Any]] = []

    def subscribe(self, room: str, **params: Any) -> Any:
        """``$subscribe``; the events that came before the reply are in :attr:`events`."""
        self.calls += 1
        p = {"event": "message", "channel": room, **params}
        self.ws.send(json.dumps({"m": "$subscribe", "p": p, "i": self.calls}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("i") == self.calls:
                assert "e" not in message, message
                return message["r"]
            self.events.append(message)

    def take(self, count: int) -> list[dict[str, Any]]:
        while len(self.events) < count:
            self.events.append(json.loads(self.ws.recv()))
        taken, self.events = self.events[:count], self.events[count:]
        return taken

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close(timeout=1)


def emit(server: Server, room: str, count: int, tag: str = "") -> None:
    status, _, body = post_json(server.port, f"/emit/message/{room}?count={count}&tag={tag}", None)
    assert status == 200, body


def test_publishers_on_every_worker_and_machine_share_one_sequence(redis_url: str) -> None:
    with machine(redis_url) as a, machine(redis_url, workers=3) as b:
        listeners = [Client(a), Client(b), Client(b)]
        try:
            for client in listeners:
                assert client.subscribe("seq")["offset"] == 0
            threads = [
                threading.Thread(target=emit, args=(server, "seq", 30, tag))
                for server, tag in ((a, "a1"), (a, "a2"), (b, "b1"), (b, "b2"))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            for client in listeners:
                got = client.take(120)
                assert [m["o"] for m in got] == list(range(1, 121))  # no gap, none twice
                for tag in ("a1", "a2", "b1", "b2"):  # each publisher's own order kept
                    assert [m["r"]["n"] for m in got if m["r"]["tag"] == tag] == list(range(30))
        finally:
            for client in listeners:
                client.close()


def test_a_client_recovers_on_another_machine_then_goes_live(redis_url: str) -> None:
    with machine(redis_url) as a, machine(redis_url) as b:
        first = Client(a)
        epoch = first.subscribe("rec")["epoch"]
        emit(a, "rec", 5, "before")
        seen = first.take(5)[2]["o"]  # it handled three, then its connection dropped
        first.close()
        emit(b, "rec", 4, "missed")
        again = Client(b)
        try:
            where = again.subscribe("rec", since=seen, epoch=epoch)
            assert where == {"offset": 9, "epoch": epoch, "recovered": True}
            replayed = again.take(6)  # before the reply, in order
            assert [m["o"] for m in replayed] == [4, 5, 6, 7, 8, 9]
            assert [m["r"]["tag"] for m in replayed] == ["before"] * 2 + ["missed"] * 4
            emit(a, "rec", 1, "live")
            assert again.take(1)[0]["o"] == 10
            with pytest.raises(websocket.WebSocketTimeoutException):  # none twice
                again.ws.settimeout(0.3)
                again.ws.recv()
            # Older than the history (50 kept): not recovered, said plainly.
            emit(a, "rec", 60)
            again.take(60)
            assert again.subscribe("rec", since=seen, epoch=epoch)["recovered"] is False
        finally:
            again.close()


def test_a_killed_servers_client_recovers_on_the_other(redis_url: str) -> None:
    with machine(redis_url) as a, machine(redis_url) as b:
        doomed = Client(a)
        epoch = doomed.subscribe("k")["epoch"]
        emit(b, "k", 3)
        last = doomed.take(3)[-1]["o"]
        master = a.process.pid
        (worker,) = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        os.kill(master, signal.SIGKILL)
        os.kill(int(worker), signal.SIGKILL)
        a.process.wait(10)
        emit(b, "k", 2, "down")
        back = Client(b)
        try:
            assert back.subscribe("k", since=last, epoch=epoch)["recovered"] is True
            assert [(m["o"], m["r"]["tag"]) for m in back.take(2)] == [
                (4, "down"),
                (5, "down"),
            ]
        finally:
            back.close()
            doomed.close()


def test_an_epoch_from_before_a_redis_restart_is_not_recovered() -> None:
    with redis_server() as url:
        port = url.rsplit(":", 1)[1].split("/")[0]
        with machine(url) as a:
            client = Client(a)
            epoch = client.subscribe("r")["epoch"]
            emit(a, "r", 3)
            client.take(3)
            client.close()
            os.kill(_redis_pid(port), signal.SIGKILL)
            with _restarted_redis(port):
                deadline = time.monotonic() + 15
                while True:  # the bus reconnects with backoff
                    back = Client(a)
                    try:
                        where = back.subscribe("r", since=3, epoch=epoch)
                        break
                    except AssertionError:  # the history could not be read yet
                        assert time.monotonic() < deadline
                        time.sleep(0.3)
                    finally:
                        back.close()
                assert where["recovered"] is False and where["epoch"] != epoch
