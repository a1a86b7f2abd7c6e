"""``wtf dev``: reload on save that survives import errors, tracebacks for browsers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .live import ROOT, request, serving

GOOD = """
import wtf

app = wtf.Server()


@app.get("/")
def index() -> str:
    return "{text}"


@app.get("/fail")
def fail() -> str:
    raise KeyError("boom")
"""


def wait_until(check: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:  # bounded
        try:
            if check():
                return True
        except OSError:
            pass  # a worker restarting
        time.sleep(0.2)
    return False


@pytest.mark.timeout(90)
def test_dev_reloads_on_save_and_survives_a_broken_module(tmp_path: Path) -> None:
    module = tmp_path / "devapp.py"
    module.write_text(GOOD.format(text="one"))
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    with serving("devapp:app", env=env, cwd=tmp_path, command="dev") as server:
        assert server.get("/")[2] == b"one"
        browser = {"Accept": "text/html"}
        status, headers, body = request(server.port, "GET", "/fail", headers=browser)
        assert status == 500 and headers["Content-Type"].startswith("text/html")
        assert b"KeyError: &#x27;boom&#x27;" in body and b"Traceback" in body
        time.sleep(1.1)  # a modification time the reloader can tell apart
        module.write_text("import wtf\napp = wtf.Server(\n")  # a syntax error
        assert wait_until(lambda: server.get("/")[0] == 500)
        status, headers, body = server.get("/")
        assert b"the app failed to import" in body and b"SyntaxError" in body
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
        # Python's own account of the error: the file, the line, its source and a caret.
        assert b'devapp.py", line 2\n    app = wtf.Server(\n' in body and b"^" in body
        status, headers, body = request(server.port, "GET", "/", headers=browser)
        assert status == 500 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert b"<h1>The app failed to import</h1>" in body
        assert b"    app = wtf.Server(\n" in body and b"SyntaxError" in body
        time.sleep(1.1)
        module.write_text(GOOD.format(text="two"))
        assert wait_until(lambda: server.get("/")[2] == b"two")
    assert server.process.returncode == 0
    assert "fix it and save: the server reloads" in server.output
    assert '"GET / HTTP/1.1" 200' in server.output  # the access log is on


def test_wtf_dev_needs_a_module_it_can_find(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wtf", "dev", "nowhere_to_be_found:app"],
        cwd=tmp_path, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 1 and "cannot find module 'nowhere_to_be_found'" in done.stderr
