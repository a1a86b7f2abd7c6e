"""WebSocket routes in-process (wtf.testing.Client(app).websocket): the API, the handshake
refusals, limits and close codes."""

from __future__ import annotations

import logging
import time

import pytest

import wtf
from wtf.testing import Client, WebSocketRefused

from .ws_app import EVENTS, app

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def client() -> Client:
    return Client(app)


def test_echo_text_binary_and_route_params(client: Client) -> None:
    with client.websocket("/ws/echo/lobby") as ws:
        ws.send("hello")
        assert ws.receive() == "hello"
        ws.send(b"\x00\xff")
        assert ws.receive() == b"\x00\xff"
        ws.send("whoami")
        assert ws.receive() == "room=lobby subprotocol=None"
    assert ws.close_code == 1000


def test_large_messages_both_ways(client: Client) -> None:
    payload = bytes(range(256)) * (5 << 12)  # 5 MiB
    with client.websocket("/ws/large") as ws:
        ws.send(payload)
        assert ws.receive() == payload
        ws.send("é" * (2 << 20))
        assert ws.receive() == "é" * (2 << 20)


def test_the_first_offered_subprotocol_the_route_speaks_is_chosen(client: Client) -> None:
    with client.websocket("/ws/chat", subprotocols=["chat.v1", "chat.v2"]) as ws:
        assert ws.subprotocol == "chat.v1"
        assert ws.receive_json() == {"subprotocol": "chat.v1"}
    with client.websocket("/ws/chat", subprotocols=["other"]) as ws:
        assert ws.subprotocol is None
        assert ws.receive_json() == {"subprotocol": None}


def test_builders_are_torn_down_when_the_socket_ends(client: Client) -> None:
    EVENTS.clear()
    with client.websocket("/ws/resource") as ws:
        assert ws.receive() == "open=True"
        assert EVENTS == ["built"]
        ws.close(4001, "leaving")
    assert EVENTS == ["built", "peer closed 4001", "torn down"]


def test_a_plain_request_gets_426_with_upgrade(client: Client) -> None:
    response = client.get("/ws/echo/x")
    assert response.status_code == 426
    assert response.headers["Upgrade"] == "websocket"
    assert "WebSocket" in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("headers", "status", "header"),
    [
        ({"Sec-WebSocket-Version": "8"}, 426, ("Sec-WebSocket-Version", "13")),
        ({"Sec-WebSocket-Key": "c2hvcnQ="}, 400, None),  # 5 bytes, not 16
        ({"Sec-WebSocket-Key": "not base64!!"}, 400, None),
        ({"Connection": "keep-alive"}, 400, None),
        ({"Origin": "https://evil.example"}, 403, None),
        ({"Origin": "null"}, 403, None),
    ],
)
def test_malformed_and_cross_site_handshakes_are_refused(
    client: Client, headers: dict[str, str], status: int, header: tuple[str, str] | None
) -> None:
    with pytest.raises(WebSocketRefused) as refused:
        client.websocket("/ws/echo/x", headers=headers)
    assert refused.value.status == status
    if header is not None:
        assert refused.value.header(header[0]) == header[1]
    assert b"Traceback" not in refused.value.body


@pytest.mark.parametrize(
    ("route", "origin"),
    [
        ("/ws/echo/x", None),  # no Origin: no browser, passes
        ("/ws/echo/x", "http://localhost"),  # the request's own host
        ("/ws/chat", "https://app.example"),  # listed
        ("/ws/chat", "HTTPS://APP.EXAMPLE/"),  # listed, spelled otherwise
    ],
)
def test_same_host_listed_and_missing_origins_pass(
    client: Client, route: str, origin: str | None
) -> None:
    headers = {"Origin": origin} if origin else {}
    with client.websocket(route, headers=headers) as ws:
        ws.send("ping")
        if route == "/ws/chat":
            ws.receive_json()
        assert ws.receive() == "ping"


def test_a_midware_that_stops_the_chain_answers_with_http(client: Client) -> None:
    with pytest.raises(WebSocketRefused) as refused:
        client.websocket("/ws/private")
    assert (refused.value.status, refused.value.body) == (401, b"no token")
    with client.websocket("/ws/private?token=good") as ws:
        assert ws.receive() == "welcome"


def test_a_message_over_the_limit_closes_with_1009(client: Client) -> None:
    with client.websocket("/ws/small") as ws:
        ws.send("x" * 1024)
        assert ws.receive() == "x" * 1024
        ws.send("x" * 1025)
        with pytest.raises(wtf.WebSocketClosed) as closed:
            ws.receive()
    assert closed.value.code == 1009


def test_a_peer_that_answers_no_ping_is_closed_with_1011(client: Client) -> None:
    with client.websocket("/ws/pings") as ws:
        ws.send("still here")
        assert ws.receive() == "still here"  # reading answers the pings
        time.sleep(1.2)  # not reading: the pings go unanswered (0.3 s + 0.5 s)
        with pytest.raises(wtf.WebSocketClosed) as closed:
            while True:
                ws.receive()
    assert closed.value.code == 1011


def test_over_max_connections_the_upgrade_gets_503_and_http_still_answers(
    client: Client,
) -> None:
    with client.websocket("/ws/one") as first:
        with pytest.raises(WebSocketRefused) as refused:
            client.websocket("/ws/one")
        assert refused.value.status == 503
        assert refused.value.header("Retry-After") == "1"
        assert client.get("/hello").text == "Hello"
        first.send("still served")
        assert first.receive() == "still served"
    with client.websocket("/ws/one") as again:  # the slot came back
        again.send("x")
        assert again.receive() == "x"


def test_a_route_slot_comes_back_when_the_process_is_full(client: Client) -> None:
    from wtf.realtime.capacity import process_capacity

    limit = process_capacity.limit
    process_capacity.limit = process_capacity.open  # the process holds all it can
    try:
        with pytest.raises(WebSocketRefused) as refused:
            client.websocket("/ws/one")  # max_connections=1: its slot taken, then given back
        assert refused.value.status == 503 and refused.value.header("Retry-After") == "5"
    finally:
        process_capacity.limit = limit
    with client.websocket("/ws/one") as again:  # the route's one slot is free
        again.send("x")
        assert again.receive() == "x"


def test_a_handler_exception_closes_with_1011_and_is_logged(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="wtf"), client.websocket("/ws/fails") as ws:
        ws.send("go")
        with pytest.raises(wtf.WebSocketClosed) as closed:
            ws.receive()
    assert (closed.value.code, closed.value.reason) == (1011, "server error")
    assert "the handler broke" not in closed.value.reason
    assert any("the handler broke" in r.getMessage() or r.exc_info for r in caplog.records)


def test_the_server_closes_with_its_own_code(client: Client) -> None:
    with client.websocket("/ws/bye") as ws:
        assert ws.receive() == "bye"
        with pytest.raises(wtf.WebSocketClosed) as closed:
            ws.receive()
    assert (closed.value.code, closed.value.reason) == (4000, "done")


def test_a_single_threaded_server_gets_503() -> None:
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(
        path="/ws/echo/x",
        headers={
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13",
        },
    ).get_environ()
    environ["wsgi.multithread"] = False
    statuses: list[str] = []
    body = b"".join(app(environ, lambda status, headers, exc=None: statuses.append(status)))
    assert statuses == ["503 Service Unavailable"]
    assert b"threaded or gevent worker" in body


def test_registration_mistakes_are_named() -> None:
    other = wtf.Server()
    with pytest.raises(wtf.RegistrationError, match="origins must be a list"):
        other.websocket("/a", origins="https://a.example")
    with pytest.raises(wtf.RegistrationError, match="max_message_size must be a positive"):
        other.websocket("/b", max_message_size=0)
    with pytest.raises(wtf.RegistrationError, match="is a generator"):

        @other.websocket("/c")
        def gen(ws: wtf.WebSocket) -> object:
            yield ws

    with pytest.raises(
        wtf.HandlerError,
        match=r"only WebSocket routes provide: register the handler with @app\.websocket",
    ):

        @other.get("/d")
        def not_a_socket(ws: wtf.WebSocket) -> str:
            return ""


def test_sending_from_many_threads_writes_whole_frames(client: Client) -> None:
    with client.websocket("/ws/fanout") as ws:
        ws.send("go")
        received = [ws.receive() for _ in range(161)]
    assert received[-1] == "done"
    counts: dict[int, int] = {}
    for message in received[:-1]:
        assert isinstance(message, bytes) and len(message) == 64 << 10
        assert message == bytes([message[0]]) * (64 << 10)  # never two frames interleaved
        counts[message[0]] = counts.get(message[0], 0) + 1
    assert counts == {n: 20 for n in range(8)}


def test_a_frame_announcing_a_huge_payload_is_cut_off_at_the_limit(client: Client) -> None:
    import os
    import struct

    with client.websocket("/ws/small") as ws:
        key = os.urandom(4)
        ws.send_raw(bytes([0x82, 0x80 | 127]) + struct.pack("!Q", 1 << 40) + key)
        sent = 0
        try:
            for _ in range(64):  # 64 KiB at most, long past the 1 KiB limit
                ws.send_raw(b"\x00" * 1024)
                sent += 1024
        except OSError:  # the app closed the connection: writing fails
            pass
        with pytest.raises(wtf.WebSocketClosed) as closed:
            ws.receive()
    assert closed.value.code == 1009


def test_routes_are_described_as_websocket_routes() -> None:
    methods = {info.pattern: info.methods for info in app.describe_routes()}
    assert methods["/ws/echo/:room"] == ("WEBSOCKET",)
    assert methods["/hello"] == ("GET",)


class _Untouchable:
    """A wsgi.input that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("wsgi.input was read on an upgrade")

    readline = read


def test_the_request_body_is_never_read_on_an_upgrade() -> None:
    from werkzeug.test import EnvironBuilder

    from wtf.realtime.testing import TestWebSocket

    seen: list[object] = []
    original = EnvironBuilder.get_environ

    def with_untouchable_input(self: EnvironBuilder) -> dict[str, object]:
        environ = original(self)
        environ["wsgi.input"] = _Untouchable()
        environ["CONTENT_LENGTH"] = "10"
        seen.append(environ)
        return environ

    EnvironBuilder.get_environ = with_untouchable_input  # type: ignore[method-assign]
    try:
        ws = TestWebSocket(app, "/ws/echo/x")
    finally:
        EnvironBuilder.get_environ = original  # type: ignore[method-assign]
    with ws:
        ws.send("fine")
        assert ws.receive() == "fine"
    assert seen and ws.error is None


def test_a_protocol_error_is_logged_with_its_code(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="wtf.realtime"), client.websocket("/ws/echo/x") as ws:
        ws.send_raw(bytes([0x81, 0x01]) + b"x")  # an unmasked client frame
        with pytest.raises(wtf.WebSocketClosed) as closed:
            ws.receive()
    assert closed.value.code == 1002
    lines = [r.getMessage() for r in caplog.records if r.name == "wtf.realtime"]
    assert any("closing WebSocket /ws/echo/x" in line and "(1002)" in line for line in lines)


def test_a_handler_that_only_sends_learns_the_peer_closed(client: Client) -> None:
    EVENTS.clear()
    with client.websocket("/ws/ticker") as ws:
        assert ws.receive() == "tick 0"
        assert ws.receive() == "tick 1"
        ws.close(1000)
    assert EVENTS == ["ticker ended 1000"]


def test_a_handler_that_only_sends_still_pings(client: Client) -> None:
    EVENTS.clear()
    with client.websocket("/ws/ticker") as ws:
        assert ws.receive() == "tick 0"
        time.sleep(1.2)  # not reading: the pings the ticker sends go unanswered
        with pytest.raises(wtf.WebSocketClosed) as closed:
            while True:
                ws.receive()
    assert closed.value.code == 1011
    assert EVENTS == ["ticker ended 1011"]
