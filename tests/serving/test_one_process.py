"""``wtf serve`` never splits a Hub that delivers within one process (a LocalBus) over several
workers: one worker by default, saying why; more are refused, naming the fix."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.realtime.redis_server import redis_server

from .live import ROOT, serving

pytestmark = pytest.mark.timeout(60)


def workers_of(master: int) -> list[str]:
    """The master's worker pids, once it started them (bounded wait)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    deadline = time.monotonic() + 10
    while not children.read_text().split():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)  # a second one, were it coming, would be up by now
    return children.read_text().split()


def test_a_local_bus_hub_gets_one_worker_and_a_line_saying_why() -> None:
    with serving("examples.chat:app") as server:
        assert len(workers_of(server.process.pid)) == 1
        assert server.get("/")[0] == 200
    assert (
        "wtf: one worker: the Hub of examples.chat:app (/rt) delivers within one process "
        "(LocalBus); Hub(bus=wtf.realtime.RedisBus(url)) lets it use more"
    ) in server.output


def test_more_workers_for_a_local_bus_hub_are_refused_naming_the_fix() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wtf", "serve", "examples.chat:app", "--workers", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "cannot run 2 workers: its Hub (/rt) delivers within one process" in done.stderr
    assert "RedisBus(url)" in done.stderr and "--workers 1" in done.stderr
    assert done.stderr.count("\n") == 1  # one line, no traceback


def test_with_a_redis_bus_the_chat_takes_any_number_of_workers() -> None:
    with (
        redis_server() as url,
        serving("examples.chat:app", "--workers", "3", env={"WTF_REDIS_URL": url}) as server,
    ):
        assert len(workers_of(server.process.pid)) == 3
    assert "one worker" not in server.output
