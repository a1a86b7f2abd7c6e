"""wtf under a real gunicorn on 127.0.0.1: the notes app, reloads, graceful stops, the CLI."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .live import ROOT, request, serving


def test_notes_app_over_http(tmp_path: Path) -> None:
    env = {"WTF_NOTES_DB": str(tmp_path / "live.db")}
    with serving("examples.notes:app", "--workers", "2", "--access-log", env=env) as server:
        body = json.dumps({"title": "live", "body": "x" * 600}).encode()
        status, headers, data = request(
            server.port, "POST", "/notes", body, {"Content-Type": "application/json"}
        )
        assert status == 201 and headers["Location"] == "/notes/1"
        status, headers, data = server.get("/notes/1", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert headers["Server"] == "gunicorn"  # no version leaked
        assert json.loads(gzip.decompress(data))["title"] == "live"
        status, headers, data = server.get("/notes/2")
        assert status == 404 and headers["Content-Type"] == "application/problem+json"
        assert json.loads(data)["detail"] == "note 2 not found"
        status, headers, _ = request(server.port, "DELETE", "/")
        assert status == 405 and headers["Allow"] == "GET, HEAD, OPTIONS"
        big = json.dumps({"title": "x" * (2 << 20)}).encode()  # over the route's 64 KiB
        status, headers, data = request(
            server.port, "POST", "/notes", big, {"Content-Type": "application/json"}
        )
        assert status == 413 and json.loads(data)["detail"] == (
            "the request body is over 65536 bytes"
        )
        status, headers, data = request(
            server.port,
            "POST",
            "/notes",
            b'{"title": 5, "x": 1}',
            {"Content-Type": "application/json"},
        )
        assert status == 422 and [e["loc"] for e in json.loads(data)["errors"]] == [
            ["body", "title"],
            ["body", "x"],
        ]
        status, _, data = request(server.port, "GET", "/notes?limit=1")
        assert status == 200 and [n["title"] for n in json.loads(data)] == ["live"]
    assert server.process.returncode == 0
    assert "Traceback" not in server.output
    assert '"GET /notes/2 HTTP/1.1" 404' in server.output  # --access-log


def test_hup_under_load_loses_no_request(tmp_path: Path) -> None:
    env = {"WTF_NOTES_DB": str(tmp_path / "hup.db")}
    results: list[int | str] = []
    with serving("examples.notes:app", "--workers", "2", env=env) as server:

        def load() -> None:
            for _ in range(300):
                try:
                    results.append(server.get("/")[0])
                except (OSError, http.client.HTTPException) as exc:  # reported, not raised
                    results.append(repr(exc))

        worker = threading.Thread(target=load)
        worker.start()
        while len(results) < 50 and worker.is_alive():
            time.sleep(0.01)
        server.signal(signal.SIGHUP)
        worker.join(timeout=120)
    assert len(results) == 300
    assert [r for r in results if r != 200] == []
    assert "Hang up" in server.output  # the reload really happened


def test_sigterm_lets_an_in_flight_request_finish() -> None:
    outcome: list[object] = []
    with serving("tests.serving.slow_app:app", "--graceful-timeout", "10") as server:

        def slow() -> None:
            try:
                outcome.append(server.get("/slow"))
            except (OSError, http.client.HTTPException) as exc:
                outcome.append(exc)

        worker = threading.Thread(target=slow)
        worker.start()
        time.sleep(1.0)  # the request is being handled (it takes 2.5 s)
        started = time.monotonic()
        server.signal(signal.SIGTERM)
        worker.join(timeout=30)
        code = server.stop()
    assert outcome and outcome[0][:1] == (200,) and outcome[0][2] == b"done"  # type: ignore[index]
    assert code == 0
    assert time.monotonic() - started < 10


def test_reload_picks_up_code_changes(tmp_path: Path) -> None:
    module = tmp_path / "reloadable.py"
    source = 'import wtf\napp = wtf.Server()\n@app.get("/v")\ndef v() -> str:\n    return "{}"\n'
    module.write_text(source.format("one"))
    with serving("reloadable:app", "--reload", cwd=tmp_path) as server:
        assert server.get("/v")[2] == b"one"
        time.sleep(1.1)  # a later modification time than the first import
        module.write_text(source.format("two"))
        deadline = time.monotonic() + 20
        while server.get("/v")[2] != b"two" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.get("/v")[2] == b"two"
    assert "Worker reloading" in server.output


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wtf", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_routes_command() -> None:
    result = run_cli("routes", "examples.notes:app")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["PATTERN", "METHODS", "HOSTS", "HANDLER", "MIDWARE"]
    notes = next(line for line in lines if line.startswith("/notes/:note_id ") and " GET " in line)
    assert "examples.notes.show_note" in notes and "CORS(" in notes and "> Gzip(" in notes


def test_cli_errors_are_one_line() -> None:
    for args, code in [
        (("serve", "no.such.module:app"), 1),
        (("serve", "examples.notes:missing"), 1),
        (("serve", "examples.notes:app", "--workers", "zero"), 2),
        (("serve", "examples.notes:app", "--bind", "nowhere"), 2),
        (("routes", "examples.router_bare_wsgi:app"), 1),
        (("dance",), 2),
    ]:
        result = run_cli(*args)
        assert result.returncode == code, (args, result.stderr)
        assert result.stderr.startswith("wtf: ") and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_wtf_serve_logs_like_gunicorn() -> None:
    """Logger() and 500 tracebacks print under wtf serve, in gunicorn's line format."""
    with serving("tests.serving.logging_app:app", "--workers", "1") as server:
        assert server.get("/ok")[0] == 200
        assert server.get("/fail")[0] == 500
    stamp = r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\] "
    assert re.search(stamp + r"\[INFO\] wtf\.access: .*GET /ok.* 200", server.output)
    assert re.search(stamp + r"\[ERROR\] wtf: unhandled RuntimeError in GET /fail", server.output)
    assert "RuntimeError: the database is down" in server.output  # the traceback follows


@pytest.mark.timeout(60)
def test_long_urls_reach_wtf() -> None:
    """gunicorn's default request line (4094) answered a 5,000-character URL with its own
    HTML 414, well under wtf's Limits.max_url_length (8192); wtf serve takes gunicorn's
    bounded maximum (8190), and only a longer request line is refused before wtf."""
    with serving("examples.hello:app", "--workers", "1") as server:
        status, _, body = server.get("/hello/" + "a" * 8000)
        assert status == 200 and body == b"Hello, " + b"a" * 8000 + b"\n"
        status, _, _ = server.get("/hello/" + "a" * 8200)
        assert status == 414
