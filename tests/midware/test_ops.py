"""Recovery, Logger, RateLimit and ConcurrencyLimit, including under threads."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

import wtf
from wtf.midware import ConcurrencyLimit, Logger, RateLimit, Recovery
from wtf.testing import Client


def test_recovery_logs_calls_hook_and_answers_500(caplog: pytest.LogCaptureFixture) -> None:
    panics: list[str] = []
    app = wtf.Server()
    app.add_midware(
        Recovery(logging.getLogger("myapp"), on_panic=lambda ctx, exc: panics.append(str(exc)))
    )

    @app.get("/boom")
    def boom() -> str:
        raise ZeroDivisionError("secret detail")

    with caplog.at_level(logging.ERROR):
        response = Client(app, validate=True).get("/boom")
    assert response.status_code == 500 and "secret" not in response.text
    assert panics == ["secret detail"]
    record = next(r for r in caplog.records if r.name == "myapp")
    assert "GET /boom" in record.getMessage() and record.exc_info is not None


def test_recovery_hook_failure_still_500() -> None:
    app = wtf.Server()

    def hook(ctx: wtf.Context, exc: BaseException) -> None:
        raise RuntimeError("hook broke")

    app.add_midware(Recovery(on_panic=hook))
    app.handle(lambda: 1 / 0, "/")
    assert Client(app, validate=True).get("/").status_code == 500


def test_logger_line_after_body(caplog: pytest.LogCaptureFixture) -> None:
    app = wtf.Server()
    app.add_midware(Logger())

    @app.get("/stream")
    def stream() -> Iterator[bytes]:
        yield b"12345"
        yield b"678"

    @app.get("/text")
    def text() -> str:
        return "hello"

    client = Client(app, validate=True)
    with caplog.at_level(logging.INFO, logger="wtf.access"):
        client.get("/stream?x=1")
        client.get("/missing")
        client.head("/text")
    lines = [r.getMessage() for r in caplog.records if r.name == "wtf.access"]
    assert len(lines) == 3
    assert '"GET /stream?x=1" 200 8 ' in lines[0] and lines[0].endswith("ms")
    assert '"GET /missing" 404 ' in lines[1]
    assert '"HEAD /text" 200 0 ' in lines[2]


def test_rate_limit_window_and_retry_after() -> None:
    now = [100.0]
    app = wtf.Server()
    app.add_midware(RateLimit(2, 10, clock=lambda: now[0]))
    app.handle(lambda: "ok", "/")
    client = Client(app, validate=True)
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
    refused = client.get("/")
    assert refused.headers["Retry-After"] == "10" and refused.text == "too many requests\n"
    now[0] = 105.5
    assert client.get("/").headers["Retry-After"] == "5"
    now[0] = 110.0  # a new window
    assert client.get("/").status_code == 200


def test_rate_limit_per_key() -> None:
    app = wtf.Server()
    app.add_midware(RateLimit(1, 60, key=lambda ctx: ctx.request.args.get("user", "")))
    app.handle(lambda: "ok", "/")
    client = Client(app, validate=True)
    assert client.get("/?user=a").status_code == 200
    assert client.get("/?user=b").status_code == 200
    assert client.get("/?user=a").status_code == 429


def test_rate_limit_exact_under_threads() -> None:
    app = wtf.Server()
    app.add_midware(RateLimit(50, 3600))
    app.handle(lambda: "ok", "/")
    client = Client(app)
    statuses: list[int] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(25):
            code = client.get("/").status_code
            with lock:
                statuses.append(code)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] * 50 + [429] * 50


def test_concurrency_limit_never_exceeded() -> None:
    limit = 3
    guard = ConcurrencyLimit(limit)
    app = wtf.Server()
    app.add_midware(guard)
    running = [0]
    peak = [0]
    lock = threading.Lock()
    release = threading.Event()

    @app.get("/")
    def slow() -> str:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(timeout=10)
        with lock:
            running[0] -= 1
        return "ok"

    client = Client(app)
    statuses: list[int] = []

    def call() -> None:
        code = client.get("/").status_code
        with lock:
            statuses.append(code)

    threads = [threading.Thread(target=call) for _ in range(limit + 4)]
    for thread in threads:
        thread.start()
    # Wait until the slots are taken and the rest were refused, then let the slow ones finish.
    for _ in range(1000):
        with lock:
            if len(statuses) == 4 and running[0] == limit:
                break
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert peak[0] == limit
    assert sorted(statuses) == [200] * limit + [503] * 4
    assert guard.in_use == 0
    assert client.get("/").status_code == 200  # slots came back


def test_concurrency_slot_held_by_a_stream_until_close() -> None:
    guard = ConcurrencyLimit(1)
    app = wtf.Server()
    app.add_midware(guard)

    @app.get("/s")
    def stream() -> Iterator[bytes]:
        yield b"a"
        yield b"b"

    client = Client(app)
    first = client.get("/s", buffered=False)
    assert guard.in_use == 1
    assert client.get("/s").status_code == 503
    first.close()
    assert guard.in_use == 0


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: RateLimit(0, 1), id="rate-limit-0"),
        pytest.param(lambda: RateLimit(1, 0), id="period-0"),
        pytest.param(lambda: ConcurrencyLimit(0), id="concurrency-0"),
    ],
)
def test_bad_limits(build: object) -> None:
    with pytest.raises(ValueError, match="positive"):
        build()  # type: ignore[operator]
