"""Sessions through gunicorn (two workers sharing one SQLite file) with websocket-client."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

from tests.realtime.redis_server import redis_server
from tests.serving.live import Server, post_json, request, serving

pytestmark = pytest.mark.timeout(120)


class Peer:
    def __init__(self, server: Server, token: str) -> None:
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/rt?token={token}",
            timeout=10,
            subprotocols=["wtf.json"],
        )
        self.next = 0

    def call(self, method: str, **params: Any) -> Any:
        self.next += 1
        self.ws.send(json.dumps({"m": method, "p": params, "i": self.next}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("i") == self.next:
                return message.get("r", message.get("e"))

    def event(self) -> Any:
        return json.loads(self.ws.recv())

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close(timeout=1)
        self.ws.shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = Path(tmp_path_factory.mktemp("sessions")) / "sessions.db"
    with (
        redis_server() as redis_url,
        serving(
            "tests.realtime.session_app:app",
            "--workers",
            "2",
            env={"WTF_TEST_SESSIONS_DB": str(db), "WTF_TEST_REDIS_URL": redis_url},
        ) as running,
    ):
        yield running


def test_settings_follow_the_user_across_workers(server: Server) -> None:
    first = Peer(server, "user:zed")
    try:
        me = first.call("me")
        first.call("set", key="theme", value="dark")
    finally:
        first.close()
    other_worker = None
    peers = []
    try:
        for _ in range(40):  # gunicorn balances by accept(): another worker soon answers
            peer = Peer(server, "user:zed")
            peers.append(peer)
            found = peer.call("me")
            if found["pid"] != me["pid"]:
                other_worker = found
                break
    finally:
        for peer in peers:
            peer.close()
    assert other_worker is not None, "every connection landed on the same worker"
    assert other_worker["user"] == "zed" and other_worker["settings"] == {"theme": "dark"}


def test_notify_and_kick_over_http() -> None:
    # One worker: with the in-process bus an HTTP request reaches the sockets of its own
    # worker (the Redis bus spans workers).
    with serving("tests.realtime.session_app:app", "--workers", "1") as single:
        peer = Peer(single, "user:yan")
        try:
            me = peer.call("me")
            status, _, body = post_json(single.port, "/notify/yan", "hello")
            assert (status, json.loads(body)) == (200, {"online": True})
            assert peer.event() == {"v": "news", "c": None, "r": {"text": "hello"}}
            assert request(single.port, "POST", f"/kick/{me['id']}")[0] == 200
            frame = peer.ws.recv_frame()
            assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
            assert int.from_bytes(frame.data[:2], "big") == 1008
        finally:
            peer.close()
