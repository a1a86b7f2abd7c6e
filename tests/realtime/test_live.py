"""WebSocket routes served by a real gunicorn on 127.0.0.1 (gthread, and gevent for the main
cases), with the websocket-client package as the peer."""

from __future__ import annotations

import contextlib
import signal
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import websocket

from tests.serving.live import Server, request, serving

pytestmark = pytest.mark.timeout(120)

APP = "tests.realtime.ws_app:app"


def url(server: Server, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


@contextmanager
def connect(address: str, **options: Any) -> Iterator[websocket.WebSocket]:
    """A websocket-client connection whose socket is closed at the end, whatever happened."""
    ws = websocket.create_connection(address, timeout=options.pop("timeout", 15), **options)
    try:
        yield ws
    finally:
        with contextlib.suppress(Exception):
            ws.close(timeout=1)
        ws.shutdown()


def close_code(ws: websocket.WebSocket) -> int:
    """Read frames (answering none: the server may be gone) until the close; its code."""
    while True:
        frame = ws.recv_frame()
        if frame.opcode == websocket.ABNF.OPCODE_CLOSE:
            data = frame.data
            return int(struct.unpack("!H", data[:2])[0]) if len(data) >= 2 else 1005


@pytest.fixture(scope="module", params=["gthread", "gevent"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serving(APP, "--worker-class", request.param, "--workers", "1") as running:
        yield running


def test_echo_text_binary_and_large(server: Server) -> None:
    with connect(url(server, "/ws/large"), timeout=20) as ws:
        ws.send("hello")
        assert ws.recv() == "hello"
        ws.send_binary(b"\x00\x01\xff")
        assert ws.recv() == b"\x00\x01\xff"
        big = bytes(range(256)) * (4 << 12)  # 4 MiB: written whole, read whole
        ws.send_binary(big)
        assert ws.recv() == big


def test_text_size_is_counted_in_utf8_bytes(server: Server) -> None:
    # /ws/small takes 1,024 bytes: 256 four-byte characters fit, 257 (257 characters) do not.
    with connect(url(server, "/ws/small")) as ws:
        ws.send("\U0001f600" * 256)
        assert ws.recv() == "\U0001f600" * 256
        ws.send("\U0001f600" * 257)
        assert close_code(ws) == 1009
    with connect(url(server, "/ws/echo/x")) as ws:  # the default 1 MiB, as first reported
        try:
            ws.send("\U0001f600" * 1_000_040)  # 4,000,160 bytes in 1,000,040 characters
        except OSError:  # the server closed (1009) and reset before it was all sent
            return
        assert close_code(ws) == 1009


def test_route_params_builders_and_server_close_codes(server: Server) -> None:
    with connect(url(server, "/ws/echo/kitchen")) as ws:
        ws.send("whoami")
        assert ws.recv() == "room=kitchen subprotocol=None"
    with connect(url(server, "/ws/resource")) as ws:
        assert ws.recv() == "open=True"
    with connect(url(server, "/ws/bye")) as ws:
        assert ws.recv() == "bye"
        assert close_code(ws) == 4000


def test_handshake_refusals_over_http(server: Server) -> None:
    status, headers, _body = server.get("/ws/echo/x")
    assert (status, headers["Upgrade"]) == (426, "websocket")
    upgrade = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "8",
    }
    status, headers, _ = server.get("/ws/echo/x", **upgrade)
    assert (status, headers["Sec-WebSocket-Version"]) == (426, "13")
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url(server, "/ws/echo/x"), origin="https://evil.example")
    assert refused.value.status_code == 403
    with connect(
        url(server, "/ws/chat"), origin="https://app.example", subprotocols=["chat.v2"]
    ) as ws:
        assert ws.getsubprotocol() == "chat.v2"


def test_over_max_connections_503_while_http_answers(server: Server) -> None:
    with connect(url(server, "/ws/one")) as first:
        first.send("x")
        assert first.recv() == "x"
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(url(server, "/ws/one"), timeout=10)
        assert refused.value.status_code == 503
        assert server.get("/hello")[0::2] == (200, b"Hello")


def test_a_silent_peer_is_closed_with_1011(server: Server) -> None:
    with connect(url(server, "/ws/pings")) as ws:
        time.sleep(1.5)  # pings every 0.3 s, 0.5 s to answer: nobody reads, nobody answers
        assert close_code(ws) == 1011


def test_churn_leaves_the_log_clean(server: Server) -> None:
    began = time.monotonic()
    for i in range(2000):
        with connect(url(server, "/ws/echo/churn")) as ws:
            if i % 2:
                ws.send("x")
                assert ws.recv() == "x"
            else:
                ws.abort()  # a client that just goes away (no close frame)
    assert time.monotonic() - began < 90
    assert server.get("/hello")[0] == 200
    time.sleep(0.5)
    server.log.flush()
    server.log.seek(0)
    log = server.log.read()
    for bad in ("Traceback", "Bad file descriptor", "[ERROR]"):
        assert bad not in log, log[-3000:]


@pytest.mark.parametrize("worker_class", ["gthread", "gevent"])
def test_sigterm_closes_open_sockets_with_1001(worker_class: str) -> None:
    with (
        serving(
            APP, "--worker-class", worker_class, "--workers", "1", "--graceful-timeout", "20"
        ) as server,
        contextlib.ExitStack() as stack,
    ):
        sockets = [stack.enter_context(connect(url(server, "/ws/echo/x"))) for _ in range(3)]
        for ws in sockets:
            ws.send("up")
            assert ws.recv() == "up"
        codes: list[int] = []

        def read(ws: websocket.WebSocket) -> None:
            codes.append(close_code(ws))

        readers = [threading.Thread(target=read, args=(ws,)) for ws in sockets]
        for reader in readers:
            reader.start()
        began = time.monotonic()
        server.signal(signal.SIGTERM)
        for reader in readers:
            reader.join(15)
        assert codes == [1001, 1001, 1001]
        assert time.monotonic() - began < 5  # long before the 20 s graceful timeout
        assert server.stop() == 0
    assert "Traceback" not in server.output, server.output[-3000:]
    assert server.output.count("closed (1001)") == 3


def test_the_sync_worker_refuses_with_503_and_says_which_worker_to_use() -> None:
    with serving(APP, "--worker-class", "sync", "--workers", "1") as server:
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(url(server, "/ws/echo/x"), timeout=10)
        assert refused.value.status_code == 503
        assert server.get("/hello")[0] == 200
        server.stop()
    assert server.output.count("gthread") >= 1
    assert "wsgi.multithread is false" in server.output


def test_http_requests_on_the_same_worker_keep_answering_while_sockets_are_open() -> None:
    with (
        serving(APP, "--workers", "1", "--threads", "8") as server,
        contextlib.ExitStack() as stack,
    ):
        for _ in range(4):
            stack.enter_context(connect(url(server, "/ws/echo/x")))
        for _ in range(20):
            assert request(server.port, "GET", "/hello")[0] == 200


def test_default_serve_answers_http_promptly_with_200_idle_sockets_open() -> None:
    # Before: gthread's 32 threads, each socket holding one: the 33rd upgrade and every HTTP
    # request waited until a socket closed.
    with serving(APP, "--workers", "1") as server, contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(connect(url(server, "/ws/echo/x"))) for _ in range(200)]
        for _ in range(5):
            began = time.monotonic()
            assert request(server.port, "GET", "/hello")[0] == 200
            assert time.monotonic() - began < 1.0
        sockets[-1].send("still here")
        assert sockets[-1].recv() == "still here"


def test_when_sockets_take_their_share_of_threads_upgrades_get_503_and_http_answers() -> None:
    # 12 threads: 3 (a quarter) stay for HTTP, sockets may hold 9.
    with (
        serving(APP, "--workers", "1", "--threads", "12") as server,
        contextlib.ExitStack() as stack,
    ):
        for n in range(9):
            stack.enter_context(connect(url(server, f"/ws/echo/{n}")))
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            connect(url(server, "/ws/echo/full")).__enter__()
        assert refused.value.status_code == 503
        assert refused.value.resp_headers["retry-after"] == "5"
        for _ in range(10):
            assert request(server.port, "GET", "/hello")[0] == 200
        stack.close()  # the sockets close: their threads are given back
        deadline = time.monotonic() + 10
        while True:
            try:
                with connect(url(server, "/ws/echo/again")) as ws:
                    ws.send("in")
                    assert ws.recv() == "in"
                break
            except websocket.WebSocketBadStatusException:
                assert time.monotonic() < deadline
                time.sleep(0.05)
    assert server.output.count("WebSocket upgrades refused (503): 9 sockets are open") == 1


def test_hup_replaces_workers_and_closes_their_sockets_with_1001() -> None:
    with serving(APP, "--workers", "1", "--graceful-timeout", "20") as server:
        with connect(url(server, "/ws/echo/x")) as ws:
            ws.send("up")
            assert ws.recv() == "up"
            server.signal(signal.SIGHUP)  # new workers; the old one is told to stop
            assert close_code(ws) == 1001
        with connect(url(server, "/ws/echo/x")) as ws:  # a new worker answers
            ws.send("again")
            assert ws.recv() == "again"
