"""Write what a WebSocket could not write at once, in one thread per process.

A frame goes out at once when the socket's kernel buffer has room (the usual case). What does
not fit stays in the socket's backlog and this process's one flushing thread (a greenlet under
gevent) writes it as the peer reads: no sender ever waits on a slow peer, and no socket has a
thread of its own for writing. The same thread checks, once a second, the backlogs that stopped
moving, and runs the few timers the sockets need (giving up on a close the peer never
answered): no thread per timer either.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import select
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from time import monotonic

__all__ = ["Flusher", "flusher"]

log = logging.getLogger("wtf.realtime")

_CHECK_INTERVAL = 1.0  # seconds between looks at backlogs that may have stopped moving


@dataclass(frozen=True)
class _Watched:
    fd: int
    flush: Callable[[], bool]  # write what fits now; True when nothing is left
    check: Callable[[float], bool]  # given the time: True when done with (closed, or empty)


class Flusher:
    """Writes the backlogs of this process's sockets when their peers make room."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[object, _Watched] = {}
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)

    def start(self) -> None:
        """Start the flushing thread (once; what was watched before waits for it)."""
        threading.Thread(target=self._run, name="wtf-flusher", daemon=True).start()

    def watch(
        self, key: object, fd: int, flush: Callable[[], bool], check: Callable[[float], bool]
    ) -> None:
        """Call ``flush()`` each time ``fd`` can take more (until it returns ``True``: nothing
        left), and ``check(now)`` once a second (until it returns ``True``)."""
        with self._lock:
            if key in self._watched:
                return
            self._watched[key] = _Watched(fd, flush, check)
        self._wake()

    def forget(self, key: object) -> None:
        """Stop watching ``key`` (its backlog is empty, or its socket is done with)."""
        with self._lock:
            if self._watched.pop(key, None) is None:
                return
        self._wake()

    def call_at(self, when: float, fn: Callable[[], None]) -> None:
        """Call ``fn()`` at ``when`` (``time.monotonic()``), in the flushing thread."""
        with self._lock:
            heapq.heappush(self._timers, (when, next(self._order), fn))
        self._wake()

    @property
    def watched(self) -> int:
        """How many sockets have a backlog."""
        with self._lock:
            return len(self._watched)

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_write, b"\0")

    def _run(self) -> None:
        poll = select.poll()
        poll.register(self._wake_read, select.POLLIN)
        registered: dict[int, _Watched] = {}
        checked = monotonic()
        while True:
            with self._lock:
                watched = list(self._watched.items())
                next_timer = self._timers[0][0] if self._timers else None
            by_fd = {entry.fd: entry for _, entry in watched}
            for fd in registered.keys() - by_fd.keys():
                with contextlib.suppress(KeyError, OSError):
                    poll.unregister(fd)
            for fd in by_fd.keys() - registered.keys():
                poll.register(fd, select.POLLOUT)
            registered = by_fd
            now = monotonic()
            timeout = _CHECK_INTERVAL if watched else None
            if next_timer is not None:
                until = max(0.0, next_timer - now)
                timeout = until if timeout is None else min(timeout, until)
            try:
                ready = poll.poll(None if timeout is None else timeout * 1000)
            except OSError:  # a descriptor closed under us: the next round drops it
                ready = []
            keys = {entry.fd: key for key, entry in watched}
            for fd, _ in ready:
                if fd == self._wake_read:
                    with contextlib.suppress(BlockingIOError, OSError):
                        os.read(self._wake_read, 4096)
                    continue
                entry = by_fd.get(fd)
                if entry is not None and _done(entry.flush):
                    self.forget(keys[fd])
            now = monotonic()
            if now - checked >= _CHECK_INTERVAL:
                checked = now
                for key, entry in watched:
                    if _done(partial(entry.check, now)):
                        self.forget(key)
            self._run_timers(now)

    def _run_timers(self, now: float) -> None:
        while True:
            with self._lock:
                if not self._timers or self._timers[0][0] > now:
                    return
                _, _, fn = heapq.heappop(self._timers)
            try:
                fn()
            except Exception as exc:
                log.error("a WebSocket timer failed", exc_info=exc)


def _done(step: Callable[[], bool]) -> bool:
    try:
        return step()
    except Exception as exc:  # one socket's fault must not stop the others' writes
        log.error("writing a WebSocket's backlog failed", exc_info=exc)
        return True


_flusher: Flusher | None = None
_pid = 0
_create = threading.Lock()


def flusher() -> Flusher:
    """This process's flusher (started on first use; a forked worker starts its own)."""
    global _flusher, _pid
    pid = os.getpid()
    if _flusher is not None and _pid == pid:
        return _flusher
    created = None
    with _create:
        if _flusher is None or _pid != pid:
            created = Flusher()
            _flusher, _pid = created, pid
        current = _flusher
    if created is not None:  # outside the lock: starting a thread may switch greenlets
        created.start()
    return current
