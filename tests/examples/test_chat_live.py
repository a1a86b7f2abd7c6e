"""examples/chat.py under a real gunicorn: a session is bound only to the user its signed login
cookie names; typing a name, or a forged cookie, binds nobody."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import websocket

from tests.realtime.test_hub_live import Peer
from tests.serving.live import Server, post_json, request, serving

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving("examples.chat:app", "--workers", "1") as running:
        yield running


def log_in(server: Server, name: str, password: str) -> tuple[int, str]:
    status, headers, _ = post_json(server.port, "/login", {"name": name, "password": password})
    return status, headers.get("Set-Cookie", "").split(";", 1)[0]


class Browser(Peer):
    """A page's socket: the login cookie goes with the upgrade."""

    def __init__(self, server: Server, cookie: str | None) -> None:
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/rt",
            timeout=10,
            subprotocols=["wtf.json"],
            cookie=cookie,
        )
        self.packed = False

    def call(self, call_id: int, method: str, **params: object) -> dict[str, object]:
        self.send({"m": method, "p": params, "i": call_id})
        while True:
            message = self.receive()
            if message.get("i") == call_id:
                return message


def test_only_a_verified_login_binds_a_user(server: Server) -> None:
    status, alice = log_in(server, "alice", "alice's password")
    assert status == 200 and alice.startswith("chat_user=alice|")
    assert log_in(server, "alice", "a guess at it!")[0] == 401
    _, bob = log_in(server, "bob", "bob's password")
    forged = "chat_user=alice|99999999999|" + "0" * 64
    real, impostor, typed = Browser(server, alice), Browser(server, forged), Browser(server, None)
    try:
        for socket in (real, impostor, typed):
            joined = socket.call(1, "$subscribe", event="message", channel="lobby")["r"]
            assert joined["offset"] == 0  # type: ignore[index]
        assert typed.call(2, "chat.nick", name="alice")["e"]["c"] == -1004  # type: ignore[index]
        for socket in (impostor, typed):
            refused = socket.call(3, "chat.send", room="lobby", text="I am alice")
            assert refused["e"]["c"] == -1005  # type: ignore[index]
        # send_user("alice") reaches alice's session, no other.
        status, _, body = request(
            server.port,
            "POST",
            "/notify/alice",
            json.dumps("for alice only").encode(),
            {"Content-Type": "application/json", "Cookie": bob},
        )
        assert (status, json.loads(body)) == (200, {"online": True})
        assert real.receive() == {
            "v": "notice",
            "c": None,
            "r": {"from": "bob", "text": "for alice only"},
        }
        sent = real.call(4, "chat.send", room="lobby", text="it's me")
        assert sent["r"] == {"sent": True}
        heard = impostor.receive()
        assert heard["r"].pop("at") > 0  # type: ignore[attr-defined]
        assert heard == {
            "v": "message",
            "c": "lobby",
            "r": {"from": "alice", "text": "it's me"},
            "o": 1,
            "ep": joined["epoch"],  # type: ignore[index]
        }
        # The impostor got the lobby message only: no notice reached it first.
    finally:
        for socket in (real, impostor, typed):
            socket.close()
