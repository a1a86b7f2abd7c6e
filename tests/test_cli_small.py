"""Small things of the ``wtf`` command: a closed pipe, the help's defaults, which midware
``wtf routes`` lists on a WebSocket route, and import errors that say where."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import wtf
from wtf.loading import AppNotFound, load_app, served_callable
from wtf.midware import Gzip, Logger
from wtf.testing import Client

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.timeout(60)


def wtf_command(*args: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wtf", *args],
        cwd=options.get("cwd", ROOT),
        capture_output=True,
        text=True,
        timeout=50,
        env={**os.environ, **options.get("env", {})},  # type: ignore[dict-item]
    )


def test_a_reader_that_goes_away_ends_the_output_quietly() -> None:
    reading, writing = os.pipe()
    os.close(reading)  # as `| head` does once it has its lines: the writer's next write fails
    try:
        done = subprocess.run(
            [sys.executable, "-m", "wtf", "openapi", "examples.notes:app"],
            cwd=ROOT,
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=50,
        )
    finally:
        os.close(writing)
    assert (done.returncode, done.stderr) == (141, "")


@pytest.mark.parametrize("command", ["serve", "dev"])
def test_the_help_shows_binds_default(command: str) -> None:
    shown = wtf_command(command, "--help")
    assert shown.returncode == 0
    assert "(default: 127.0.0.1:8000)" in " ".join(shown.stdout.split())


def test_routes_lists_gzip_where_it_can_act_and_not_on_websocket_routes() -> None:
    app = wtf.Server()
    app.add_midware(Gzip())
    app.add_midware(Logger())

    @app.get("/page")
    def page() -> str:
        return "x"

    @app.websocket("/ws")
    def ws(socket: wtf.WebSocket) -> None:
        socket.close()

    listed = {info.pattern: info.midware for info in app.describe_routes()}
    assert any("Gzip" in m for m in listed["/page"])
    assert not any("Gzip" in m for m in listed["/ws"])
    assert any("Logger" in m for m in listed["/ws"])  # the upgrade request is logged


def test_a_syntax_error_is_shown_with_its_line_and_caret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_syntax.py").write_text("import wtf\napp = wtf.Server(\n")
    (tmp_path / "broken_runtime.py").write_text("import wtf\n\nraise RuntimeError('no db')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(AppNotFound) as syntax:
        load_app("broken_syntax:app")
    message = str(syntax.value)
    assert message.startswith("importing 'broken_syntax' failed:\n  File ")
    assert 'broken_syntax.py", line 2\n    app = wtf.Server(\n' in message
    assert "^" in message and "SyntaxError: '(' was never closed" in message
    with pytest.raises(AppNotFound) as runtime:
        load_app("broken_runtime:app")
    assert str(runtime.value) == (
        f"importing 'broken_runtime' failed: RuntimeError: no db "
        f"(at {tmp_path / 'broken_runtime.py'}, line 3)"
    )


def test_servers_call_a_server_s_bound_call_and_anything_else_as_it_is() -> None:
    app = wtf.Server()

    @app.get("/")
    def index() -> str:
        return "hi"

    served = served_callable(app)
    assert served == app.__call__ and served.__self__ is app  # the method, bound to the app
    assert Client(served).get("/").text == "hi"

    def bare(environ: Any, start_response: Any) -> list[bytes]:
        return []

    partial = functools.partial(bare)
    assert served_callable(bare) is bare and served_callable(partial) is partial
