"""Faults under a real gunicorn on 127.0.0.1: a killed worker, a hanging handler."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import threading
import time

from .live import request, serving


def workers_of(master: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


def wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_sigkilled_worker_is_replaced_and_the_app_keeps_answering() -> None:
    with serving("tests.serving.slow_app:app", "--workers", "2") as server:
        master = server.process.pid
        assert wait_for(lambda: len(workers_of(master)) == 2, 20)
        before = workers_of(master)
        results: list[int | str] = []
        stop = threading.Event()

        def load() -> None:
            for _ in range(2000):  # bounded
                if stop.is_set():
                    return
                try:
                    results.append(server.get("/fast")[0])
                except (OSError, http.client.HTTPException) as exc:
                    # the request in flight on the killed worker: reset, or cut mid-response
                    results.append(type(exc).__name__)

        worker = threading.Thread(target=load)
        worker.start()
        while len(results) < 50:
            time.sleep(0.01)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: len(workers_of(master) - before) == 1, 20)  # a new worker
        time.sleep(0.3)  # a request that was in flight on the victim has failed by now
        mark = len(results)
        while len(results) < mark + 100 and worker.is_alive():
            time.sleep(0.01)
        stop.set()
        worker.join(timeout=30)
    after_kill = results[mark:]
    assert len(after_kill) >= 100 and set(after_kill) == {200}
    assert results.count(200) >= len(results) - 2  # at most the in-flight request(s) lost
    assert "Traceback" not in server.output


def test_hanging_handler_sync_worker_is_replaced_others_keep_flowing() -> None:
    with serving(
        "tests.serving.slow_app:app",
        "--workers", "2", "--worker-class", "sync", "--timeout", "2",
    ) as server:  # fmt: skip
        master = server.process.pid
        assert wait_for(lambda: len(workers_of(master)) == 2, 20)
        before = workers_of(master)
        hung: list[object] = []

        def call_hang() -> None:
            try:
                hung.append(server.get("/hang")[0])
            except (OSError, http.client.HTTPException) as exc:
                hung.append(type(exc).__name__)

        caller = threading.Thread(target=call_hang)
        caller.start()
        time.sleep(0.3)
        fast = [server.get("/fast")[0] for _ in range(20)]  # the other worker answers
        assert fast == [200] * 20
        assert wait_for(lambda: len(workers_of(master) - before) >= 1, 30)  # replaced
        caller.join(timeout=30)
        assert request(server.port, "GET", "/fast")[0] == 200
    assert "WORKER TIMEOUT" in server.output
    assert hung and hung[0] != 200  # the hung request did not pretend to succeed


def test_hanging_handler_holds_one_gthread_thread_and_the_rest_keep_flowing() -> None:
    """Under the default gthread worker a hanging handler holds one of its threads; the worker
    keeps answering on the others (gunicorn's --timeout does not fire: its main loop is alive)."""
    with serving(
        "tests.serving.slow_app:app", "--threads", "4", "--timeout", "2", "--graceful-timeout", "1"
    ) as server:
        hung: list[object] = []

        def call_hang() -> None:
            try:
                hung.append(request(server.port, "GET", "/hang")[0])
            except (OSError, http.client.HTTPException) as exc:
                hung.append(type(exc).__name__)

        caller = threading.Thread(target=call_hang, daemon=True)
        caller.start()
        time.sleep(0.3)
        assert [server.get("/fast")[0] for _ in range(20)] == [200] * 20
        time.sleep(2.5)  # past --timeout: still answering
        assert [server.get("/fast")[0] for _ in range(5)] == [200] * 5
        assert not hung  # still hanging, not answered with a made-up success
