"""The Hub served by a real gunicorn on 127.0.0.1 (gthread), websocket-client as the peer, in
JSON and in MessagePack."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import msgpack
import pytest
import websocket

from tests.serving.live import Server, post_json, serving

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving("tests.realtime.hub_app:app", "--workers", "1") as running:
        yield running


class Peer:
    """A websocket-client connection speaking the Hub's wire format."""

    def __init__(self, server: Server, packed: bool, path: str = "/rt") -> None:
        protocol = "wtf.msgpack" if packed else "wtf.json"
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}{path}", timeout=10, subprotocols=[protocol]
        )
        assert self.ws.getsubprotocol() == protocol
        self.packed = packed

    def send(self, message: dict[str, Any]) -> None:
        if self.packed:
            self.ws.send_binary(msgpack.packb(message))
        else:
            self.ws.send(json.dumps(message))

    def receive(self) -> dict[str, Any]:
        opcode, data = self.ws.recv_data()
        if self.packed:
            assert opcode == websocket.ABNF.OPCODE_BINARY
            return dict(msgpack.unpackb(data))
        assert opcode == websocket.ABNF.OPCODE_TEXT
        return dict(json.loads(data))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close(timeout=1)
        self.ws.shutdown()


@contextlib.contextmanager
def peer(server: Server, packed: bool, path: str = "/rt") -> Iterator[Peer]:
    connection = Peer(server, packed, path)
    try:
        yield connection
    finally:
        connection.close()


@pytest.mark.parametrize("packed", [False, True], ids=["json", "msgpack"])
def test_calls_notifications_and_errors(server: Server, packed: bool) -> None:
    with peer(server, packed) as p:
        p.send({"m": "add", "p": {"a": 40}, "i": 1})
        assert p.receive() == {"i": 1, "r": 42}
        p.send({"m": "note", "p": {"text": "quiet"}})  # a notification: no answer
        p.send({"m": "fail", "p": {"code": 0}, "i": 2})
        assert p.receive() == {"i": 2, "e": {"c": -1000, "m": "the method failed", "d": None}}
        p.send({"m": "add", "p": {"a": "x"}, "i": 3})
        error = p.receive()["e"]
        assert error["c"] == -1003 and error["d"]["errors"][0]["loc"] == ["p", "a"]
        p.send({"m": "nothing", "i": 4})
        assert p.receive()["e"]["c"] == -1004


@pytest.mark.parametrize("packed", [False, True], ids=["json", "msgpack"])
def test_emits_reach_exactly_the_subscribers(server: Server, packed: bool) -> None:
    with peer(server, packed) as a, peer(server, not packed) as b, peer(server, packed) as c:
        for i, (client, channel) in enumerate([(a, "live"), (b, "live"), (c, "other")], 1):
            client.send({"m": "$subscribe", "p": {"event": "message", "channel": channel}, "i": i})
            assert client.receive() == {"i": i, "r": True}
        assert post_json(server.port, "/emit/live", "from http")[0] == 200
        expected = {"v": "message", "c": "live", "r": {"text": "from http", "from": "http"}}
        assert a.receive() == expected
        assert b.receive() == expected
        c.ws.settimeout(0.3)
        with pytest.raises(websocket.WebSocketTimeoutException):
            c.receive()


def test_rate_limit_and_handshake_timeout(server: Server) -> None:
    with peer(server, False, "/rt-limited") as p:
        for i in range(1, 4):
            p.send({"m": "ping", "i": i})
            assert p.receive() == {"i": i, "r": "pong"}
        p.send({"m": "ping", "i": 4})
        assert p.receive()["e"]["c"] == -1008
    with peer(server, False, "/rt-handshake") as p:
        time.sleep(0.6)
        frame = p.ws.recv_frame()
        assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
        assert int.from_bytes(frame.data[:2], "big") == 1008


def test_the_log_has_no_traceback_but_the_method_failure(server: Server) -> None:
    server.log.flush()
    server.log.seek(0)
    log = server.log.read()
    assert "Bad file descriptor" not in log
    assert log.count("Traceback") == log.count("Hub method fail failed")


@pytest.mark.parametrize("packed", [False, True], ids=["json", "msgpack"])
def test_a_lone_surrogate_in_params_is_invalid_and_never_relayed(
    server: Server, packed: bool
) -> None:
    with peer(server, False) as sender, peer(server, packed) as listener:
        listener.send({"m": "$subscribe", "p": {"event": "message", "channel": "s"}, "i": 1})
        assert listener.receive() == {"i": 1, "r": True}
        sender.ws.send('{"m": "chat.send", "p": {"room": "s", "text": "\\udfff"}, "i": 2}')
        error = sender.receive()["e"]
        assert (error["c"], error["d"]["errors"]) == (
            -1003,
            [
                {
                    "loc": ["p", "text"],
                    "msg": "a string with a lone UTF-16 surrogate is not valid text",
                    "type": "string_unicode",
                }
            ],
        )
        sender.send({"m": "chat.send", "p": {"room": "s", "text": "fine"}, "i": 3})
        assert sender.receive()["i"] == 3
        assert listener.receive()["r"]["text"] == "fine"  # the bad one never reached it
