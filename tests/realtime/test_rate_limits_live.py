"""Rate limits that hold across workers: three gunicorn workers counting in one redis-server
(started by the test) admit exactly ``limit``, over HTTP and over Hub calls; and the store
itself, against the real server: windows, keys, expiry, and an unreachable Redis."""

from __future__ import annotations

import json
import logging
import time

import pytest
import websocket

from tests.realtime.redis_server import free_port
from tests.serving.live import request, serving
from wtf.realtime import RedisStore

pytestmark = pytest.mark.timeout(90)


def test_three_workers_admit_exactly_the_limit(redis_url: str) -> None:
    env = {"WTF_TEST_REDIS_URL": redis_url}
    with serving("tests.realtime.limits_app:app", "--workers", "3", env=env) as server:
        # HTTP: a new connection per request, until more than one worker has answered.
        answers = []
        while len(answers) < 30 or len({h["X-Worker"] for _, h, _ in answers}) < 2:
            assert len(answers) < 300, "every request went to one worker"
            answers.append(request(server.port, "GET", "/limited/pid"))
        admitted = [status for status, _, _ in answers if status == 200]
        refused = [headers for status, headers, _ in answers if status == 429]
        assert len(admitted) == 10 and len(refused) == len(answers) - 10
        assert all(1 <= int(h["Retry-After"]) <= 60 for h in refused)
        assert request(server.port, "GET", "/elsewhere")[0] == 404  # not limited there
        # Hub calls: five per user, whichever worker each of the user's sockets is on.
        sockets: dict[int, websocket.WebSocket] = {}
        opened = []
        while len(sockets) < 2:
            assert len(opened) < 40, "every socket went to one worker"
            ws = websocket.create_connection(
                f"ws://127.0.0.1:{server.port}/rt?user=ann", timeout=10, subprotocols=["wtf.json"]
            )
            opened.append(ws)
            hello = json.loads(ws.recv())
            assert hello["v"] == "hello"
            sockets.setdefault(hello["r"]["pid"], ws)
        try:
            results = []
            for n in range(16):
                ws = list(sockets.values())[n % 2]
                ws.send(json.dumps({"m": "ping", "i": n}))
                results.append(json.loads(ws.recv()))
            answered = [r["r"] for r in results if "r" in r]
            codes = [r["e"]["c"] for r in results if "e" in r]
            assert len(answered) == 5 and codes == [-1008] * 11
            # Another user has a count of their own.
            bob = websocket.create_connection(
                f"ws://127.0.0.1:{server.port}/rt?user=bob", timeout=10, subprotocols=["wtf.json"]
            )
            assert json.loads(bob.recv())["v"] == "hello"
            bob.send(json.dumps({"m": "ping", "i": 1}))
            assert "r" in json.loads(bob.recv())
            bob.close()
        finally:
            for ws in opened:
                ws.close()


def test_the_store_counts_per_key_and_window(redis_url: str) -> None:
    store = RedisStore(redis_url, prefix="unit")
    assert [store.hit("a", 3, 0.5) for _ in range(3)] == [None, None, None]
    wait = store.hit("a", 3, 0.5)  # the fourth in the window
    assert wait is not None and 0 < wait <= 0.5
    assert store.hit("b", 3, 0.5) is None  # another key
    assert store.hit("a", 4, 0.5) is None  # another limit is another count
    time.sleep(wait + 0.05)
    assert store.hit("a", 3, 0.5) is None  # a new window


def test_an_unreachable_redis_lets_calls_through_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    with caplog.at_level(logging.WARNING, logger="wtf"):
        assert [store.hit("k", 1, 60) for _ in range(5)] == [None] * 5
    assert store.unchecked == 5
    assert sum("Redis is unreachable" in r.getMessage() for r in caplog.records) == 1


def test_a_malformed_url_fails_at_once() -> None:
    with pytest.raises(ValueError, match="redis"):
        RedisStore("http://not-redis")
