"""Hub method midware: ``hub.use(mw)``; each wraps the call: ``mw(call, proceed) -> result``.

Shipped: :class:`RateLimit` (calls per session per period, ``TOO_MANY_REQUESTS``),
:class:`RequestLimit` (concurrent calls per method, ``BUSY``), :class:`Recovery` (always on:
an unexpected exception is logged with its traceback and answered ``ERROR``) and
:class:`AccessLog` (one line per call: method, session, code, latency).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from time import monotonic
from typing import TYPE_CHECKING, Any, Protocol

from ..rate_store import RateStore
from .codes import Code, RPCError

if TYPE_CHECKING:
    from .call import Call
    from .session import Session

__all__ = ["AccessLog", "HubMidware", "RateLimit", "Recovery", "RequestLimit"]

log = logging.getLogger("wtf.realtime")


class HubMidware(Protocol):
    """Wraps each call of a Hub method.

    Attributes:
        priority: Lower runs first (outermost).
    """

    priority: int

    def __call__(self, call: Call, proceed: Callable[[], Any]) -> Any:
        """Return the call's result (usually ``proceed()``), or raise :class:`RPCError`."""
        ...


class Recovery:
    """An unexpected exception becomes ``ERROR`` (no traceback on the wire), logged with it.
    Every Hub has one, outermost."""

    priority = -1

    def __call__(self, call: Call, proceed: Callable[[], Any]) -> Any:
        """Run the call; turn a crash into ``ERROR``."""
        try:
            return proceed()
        except RPCError:
            raise
        except Exception as exc:
            log.error(
                "Hub method %s failed (session %s, call %s)",
                call.method,
                call.session.id,
                call.id,
                exc_info=exc,
            )
            raise RPCError(Code.ERROR, "the method failed") from None


class RateLimit:
    """At most ``limit`` calls per session (or per ``key``) in any ``period`` seconds; over:
    ``TOO_MANY_REQUESTS``, with ``{"retry_after": seconds}`` as data.

    In this process (the default) the window slides: never more than ``limit`` calls in any
    ``period``. With a shared ``store`` (:class:`wtf.realtime.RedisStore`) every worker and
    machine counts together, in fixed windows begun by a key's first call; give a ``key``
    that spans connections then (a session lives in one worker).

    Args:
        limit: Calls allowed per window.
        period: The window, in seconds.
        priority: Where it runs among the Hub's midware.
        key: ``key(call) -> str``: what is counted (default: the session; e.g.
            ``lambda call: call.session.user_id or call.session.ip``).
        store: Where to count: ``None`` (this process) or a shared :class:`RateStore`.
    """

    def __init__(
        self,
        limit: int,
        period: float = 1.0,
        priority: int = 10,
        *,
        key: Callable[[Call], str] | None = None,
        store: RateStore | None = None,
    ) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("RateLimit(limit >= 1, period > 0)")
        self.limit = limit
        self.period = period
        self.priority = priority
        self.key = key
        self.store = store
        self._windows: weakref.WeakKeyDictionary[Session, deque[float]] = (
            weakref.WeakKeyDictionary()
        )
        self._keyed: dict[str, deque[float]] = {}
        self._swept = monotonic()
        self._lock = threading.Lock()

    def __call__(self, call: Call, proceed: Callable[[], Any]) -> Any:
        """Count the call against its session's (or key's) window."""
        if self.store is not None:
            counted = self.key(call) if self.key is not None else call.session.id
            wait = self.store.hit(f"hub:{counted}", self.limit, self.period)
            if wait is not None:
                raise self._refusal(wait)
            return proceed()
        now = monotonic()
        with self._lock:
            if self.key is None:
                times = self._windows.get(call.session)
                if times is None:
                    times = self._windows[call.session] = deque()
            else:
                self._sweep(now)
                times = self._keyed.setdefault(self.key(call), deque())
            while times and now - times[0] >= self.period:
                times.popleft()
            if len(times) >= self.limit:
                raise self._refusal(self.period - (now - times[0]))
            times.append(now)
        return proceed()

    def _refusal(self, wait: float) -> RPCError:
        return RPCError(
            Code.TOO_MANY_REQUESTS,
            f"over {self.limit} calls in {self.period:g} s",
            {"retry_after": round(wait, 3)},
        )

    def _sweep(self, now: float) -> None:  # holds self._lock
        """Forget the keys with no call in the last period (once a period: O(keys))."""
        if now - self._swept < self.period:
            return
        self._swept = now
        for name, times in list(self._keyed.items()):
            if not times or now - times[-1] >= self.period:
                del self._keyed[name]


class RequestLimit:
    """At most ``limit`` calls of one method running at once (across the worker's sessions);
    over: ``BUSY``."""

    def __init__(self, limit: int, priority: int = 20) -> None:
        if limit < 1:
            raise ValueError("RequestLimit(limit >= 1)")
        self.limit = limit
        self.priority = priority
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, call: Call, proceed: Callable[[], Any]) -> Any:
        """Take a slot of the method, or refuse."""
        with self._lock:
            running = self._running.get(call.method, 0)
            if running >= self.limit:
                raise RPCError(Code.BUSY, f"{call.method} is busy (over {self.limit} at once)")
            self._running[call.method] = running + 1
        try:
            return proceed()
        finally:
            with self._lock:
                self._running[call.method] -= 1


class AccessLog:
    """One INFO line per call on the ``wtf.realtime.access`` logger: method, session, code
    (0 for success), latency."""

    def __init__(self, priority: int = 0) -> None:
        self.priority = priority
        self.log = logging.getLogger("wtf.realtime.access")

    def __call__(self, call: Call, proceed: Callable[[], Any]) -> Any:
        """Time the call and log it."""
        began = monotonic()
        code = 0
        try:
            return proceed()
        except RPCError as exc:
            code = exc.code
            raise
        finally:
            self.log.info(
                "%s session=%s id=%s code=%d %.1fms",
                call.method,
                call.session.id,
                call.id,
                code,
                (monotonic() - began) * 1000,
            )
