"""examples/deploy/nginx.conf as deployed: Debian's nginx (installed by the test command) on a
free loopback port in front of two ``wtf serve`` servers joined by a RedisBus. WebSockets go
through it, a client hears an emit made on either server, and slow HTTP clients are held by
nginx while requests keep being answered."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

from bench.nginx_site import start_nginx
from bench.processes import stop, wait_for_port
from tests.realtime.redis_server import redis_server
from tests.serving.live import Server, free_port, post_json, request, serving

pytestmark = pytest.mark.timeout(120)

APP = "tests.realtime.cluster_app:app"


@contextlib.contextmanager
def nginx_in_front(*servers: Server) -> Iterator[int]:
    front = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        os.chmod(scratch, 0o755)  # nginx's workers run as another user when started by root
        process = start_nginx([s.port for s in servers], front, Path(scratch))
        try:
            wait_for_port(front, process, "nginx", timeout=10)
            yield front
        finally:
            stop(process)


def hub_client(port: int) -> websocket.WebSocket:
    return websocket.create_connection(
        f"ws://127.0.0.1:{port}/rt", timeout=10, subprotocols=["wtf.json"]
    )


def call(ws: websocket.WebSocket, method: str, **params: Any) -> Any:
    ws.send(json.dumps({"m": method, "p": params, "i": 1}))
    answer = json.loads(ws.recv())
    assert answer.get("i") == 1 and "e" not in answer, answer
    return answer["r"]


def test_websockets_through_nginx_hear_emits_from_either_server() -> None:
    with (
        redis_server() as url,
        serving(APP, "--workers", "1", env={"WTF_TEST_REDIS_URL": url}) as a,
        serving(APP, "--workers", "1", env={"WTF_TEST_REDIS_URL": url}) as b,
        nginx_in_front(a, b) as front,
    ):
        clients = [hub_client(front) for _ in range(2)]  # nginx takes turns between a and b
        try:
            assert call(clients[0], "pid") != call(clients[1], "pid")  # one on each server
            for ws in clients:
                assert call(ws, "$subscribe", event="message", channel="lobby") is True
            for origin, text in ((a, "from a"), (b, "from b")):
                status, _, _ = post_json(origin.port, "/emit/lobby", text)
                assert status == 200
                for ws in clients:
                    assert json.loads(ws.recv()) == {
                        "v": "message",
                        "c": "lobby",
                        "r": {"text": text},
                    }
            # Quiet longer than nothing: the socket stays open through nginx between messages.
            time.sleep(1.0)
            assert call(clients[0], "me")
        finally:
            for ws in clients:
                ws.close()


def test_slow_http_clients_are_held_by_nginx() -> None:
    with (
        redis_server() as url,
        serving(APP, "--threads", "4", env={"WTF_TEST_REDIS_URL": url}) as a,
        nginx_in_front(a) as front,
    ):
        slow = []
        try:
            for _ in range(40):  # ten times the server's threads, each sending half a head
                sock = socket.create_connection(("127.0.0.1", front), timeout=5)
                sock.sendall(b"GET /presence/lobby HTTP/1.1\r\nHost: x\r\n")
                slow.append(sock)
            began = time.monotonic()
            status, _, body = request(front, "GET", "/presence/lobby")
            assert (status, json.loads(body)) == (200, [])
            assert time.monotonic() - began < 5  # answered while the 40 still dawdle
        finally:
            for sock in slow:
                sock.close()
