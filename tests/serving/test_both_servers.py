"""What the live tests check under gunicorn, checked under granian too (HTTP apps): limits,
deadlines, streaming, file responses, uploads, HEAD, graceful shutdown without lost
requests. Each test runs on both servers."""

from __future__ import annotations

import hashlib
import http.client
import json
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from .features_app import BIG
from .live import Server, request, serving

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module", params=["gunicorn", "granian"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    with serving(
        "tests.serving.features_app:app", "--server", request.param, "--workers", "1"
    ) as running:
        running.kind = request.param  # type: ignore[attr-defined]
        yield running


def test_hello_and_head(server: Server) -> None:
    assert server.get("/hello")[0::2] == (200, b"Hello")
    status, headers, body = request(server.port, "HEAD", "/hello")
    assert (status, body, headers.get("Content-Length") or headers.get("content-length")) == (
        200,
        b"",
        "5",
    )


def test_body_limits(server: Server) -> None:
    small = b"x" * 1000
    assert request(server.port, "POST", "/echo", small)[0::2] == (200, small)
    status, _, body = request(server.port, "POST", "/echo", b"x" * (65 * 1024))
    assert status == 413 and b"65536" in body
    big = bytes(range(256)) * 6000  # 1.5 MiB under the route's own 2 MiB limit
    status, _, body = request(server.port, "POST", "/big-echo", big)
    assert status == 200
    assert json.loads(body) == {"size": len(big), "sha256": hashlib.sha256(big).hexdigest()}


def test_deadline(server: Server) -> None:
    assert server.get("/late")[0] == 504
    assert server.get("/hello", **{"Request-Timeout": "abc"})[0] == 400


def test_streaming(server: Server) -> None:
    assert server.get("/stream")[0::2] == (200, b"".join(f"chunk {i}\n".encode() for i in range(5)))


def test_file_response_whole_range_and_conditional(server: Server) -> None:
    with open(BIG, "rb") as handle:
        content = handle.read()
    status, headers, body = server.get("/file")
    lower = {k.lower(): v for k, v in headers.items()}
    assert (status, len(body), body == content) == (200, len(content), True)
    # gunicorn offers wsgi.file_wrapper (sendfile); granian does not, and werkzeug streams the
    # file in blocks through the response iterator instead: the same bytes either way.
    assert lower["x-file-wrapper"] == str(server.kind == "gunicorn")  # type: ignore[attr-defined]
    status, headers, body = server.get("/file", Range="bytes=10-19")
    assert (status, body) == (206, content[10:20])
    etag = lower["etag"]
    assert server.get("/file", **{"If-None-Match": etag})[0] == 304


def test_multipart_upload(server: Server) -> None:
    data = bytes(range(256)) * 100
    boundary = "wtfboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="doc"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _, answer = request(
        server.port,
        "POST",
        "/upload",
        body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 200
    assert json.loads(answer) == {
        "name": "a.bin",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


@pytest.mark.parametrize("kind", ["gunicorn", "granian"])
def test_sigterm_loses_no_in_flight_request(kind: str) -> None:
    with serving(
        "tests.serving.features_app:app",
        "--server",
        kind,
        "--workers",
        "1",
        "--threads",
        "4",
        "--graceful-timeout",
        "10",
    ) as server:
        results: list[tuple[int, bytes]] = []

        def slow() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
            conn.request("GET", "/slow")
            response = conn.getresponse()
            results.append((response.status, response.read()))
            conn.close()

        callers = [threading.Thread(target=slow) for _ in range(3)]
        for caller in callers:
            caller.start()
        time.sleep(0.5)  # the three are in flight
        server.signal(signal.SIGTERM)
        for caller in callers:
            caller.join(30)
        assert results == [(200, b"done")] * 3
        assert server.stop() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["examples.chat:app"], "has WebSocket routes (/ws/echo, /rt), which granian cannot"),
        (["examples.hello:app", "--keep-alive", "3"], "--keep-alive has no granian equivalent"),
        (["examples.hello:app", "--worker-class", "sync"], "--worker-class has no granian"),
        (["examples.hello:app", "--bind", "fd://3"], "inherited file descriptor"),
    ],
)
def test_what_granian_cannot_do_is_refused_in_one_line(args: list[str], message: str) -> None:
    import subprocess
    import sys

    from .live import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "wtf", "serve", *args, "--server", "granian"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr
