"""The WebSockets open in this process, closed with 1001 when the worker is told to stop.

gunicorn tells a worker to stop with a signal (SIGTERM: graceful, SIGINT/SIGQUIT: quick) and
then waits for its connections; a WebSocket never ends on its own, so :func:`watch_signals`
(installed by ``wtf serve``'s ``post_worker_init`` hook, or by yours) chains a handler that
closes every open socket with 1001 ("going away") before gunicorn's own handler runs.
"""

from __future__ import annotations

import importlib
import signal
import sys
import threading
import time
import weakref
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .websocket import WebSocket

__all__ = ["close_all", "open_count", "register", "unregister", "watch_signals"]

_open: weakref.WeakSet[WebSocket] = weakref.WeakSet()
_lock = threading.Lock()
_watched = False


def register(ws: WebSocket) -> None:
    """Count ``ws`` among this process's open sockets."""
    with _lock:
        _open.add(ws)


def unregister(ws: WebSocket) -> None:
    """``ws`` ended."""
    with _lock:
        _open.discard(ws)


def open_count() -> int:
    """How many WebSockets are open in this process."""
    with _lock:
        return len(_open)


def close_all(
    code: int = 1001, reason: str = "the server is shutting down", wait: float = 2.0
) -> int:
    """Close every open WebSocket with ``code``; those whose peer has not answered within
    ``wait`` seconds are aborted. Return how many there were."""
    with _lock:
        sockets = list(_open)
    for ws in sockets:
        ws.close(code, reason)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and not all(ws.closed for ws in sockets):
        time.sleep(0.02)
    for ws in sockets:
        if not ws.closed:
            ws.abort()
    return len(sockets)


def _close_all_soon() -> None:
    """Run :func:`close_all` outside the signal handler: closing writes to sockets, which may
    block. Under gevent the handler runs in the event loop, where starting a thread (which
    waits for it to start) cannot block: a greenlet is spawned instead."""
    gevent = sys.modules.get("gevent")
    if gevent is not None:
        monkey = importlib.import_module("gevent.monkey")
        if monkey.is_module_patched("threading"):
            gevent.spawn(close_all)
            return
    threading.Thread(target=close_all, name="wtf-websocket-shutdown", daemon=True).start()


def _chain(signum: int) -> None:
    previous = signal.getsignal(signum)

    def handler(sig: int, frame: FrameType | None) -> None:
        try:
            _close_all_soon()
        finally:
            if callable(previous):
                previous(sig, frame)

    signal.signal(signum, handler)


def watch_signals(worker: Any = None) -> None:
    """Close open WebSockets with 1001 on SIGTERM, SIGINT and SIGQUIT, then run the handlers
    in place (gunicorn's). Call it from the process's main thread, once (gunicorn: the
    ``post_worker_init`` hook; ``worker`` is ignored, so the hook can be this function)."""
    global _watched
    if _watched or threading.current_thread() is not threading.main_thread():
        return
    _watched = True
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        _chain(signum)
