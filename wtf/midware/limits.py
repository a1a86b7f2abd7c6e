"""``RateLimit`` and ``ConcurrencyLimit``.

``RateLimit`` counts in the worker process by default: with N gunicorn workers the effective
limit is N times larger. ``RateLimit(..., store=wtf.midware.RedisStore(url))`` counts in Redis,
one count for every worker of every machine. ``ConcurrencyLimit`` is per process by nature (it
guards the worker's own threads).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..midware_protocol import clamp
from ..rate_store import RateStore

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["ConcurrencyLimit", "RateLimit"]


def _client_address(ctx: Context) -> str:
    return str(ctx.environ.get("REMOTE_ADDR", ""))


def _refuse(ctx: Context, status: int, message: str, headers: dict[str, str]) -> None:
    writer = ctx.writer
    for name, value in headers.items():
        writer.headers[name] = value
    writer.headers["Content-Type"] = "text/plain; charset=utf-8"
    writer.write_header(status)
    writer.write(message.encode())


class RateLimit:
    """At most ``limit`` requests per ``period`` seconds per key (fixed window).

    Over the limit: 429 with ``Retry-After`` (RFC 6585 §4). Thread-safe.

    Args:
        limit: Requests allowed per window.
        period: Window length in seconds.
        key: ``key(ctx) -> str`` (default: the client address, ``REMOTE_ADDR``; behind a
            proxy use werkzeug's ``ProxyFix`` first).
        clock: Monotonic seconds (for tests).
        priority: Midware priority (default 15).
        store: Where to count: ``None`` (this process) or a shared store such as
            :class:`wtf.midware.RedisStore` (every worker and machine together).
    """

    def __init__(
        self,
        limit: int,
        period: float,
        key: Callable[[Context], str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        priority: int = 15,
        store: RateStore | None = None,
    ) -> None:
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"RateLimit limit is a positive int, not {limit!r}")
        if not isinstance(period, int | float) or period <= 0:
            raise ValueError(f"RateLimit period is a positive number of seconds, not {period!r}")
        self.limit = limit
        self.period = float(period)
        self.key = key or _client_address
        self.clock = clock
        self.priority = clamp(priority)
        self.store = store
        self._lock = threading.Lock()
        self._window = -1
        self._counts: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"RateLimit(limit={self.limit}, period={self.period}, priority={self.priority})"

    def proc(self, ctx: Context) -> Context | None:
        """Count the request; refuse it when over the limit."""
        if self.store is not None:
            wait = self.store.hit(f"http:{self.key(ctx)}", self.limit, self.period)
            if wait is None:
                return ctx
            retry = max(1, math.ceil(wait))
            _refuse(ctx, 429, "too many requests\n", {"Retry-After": str(retry)})
            return None
        now = self.clock()
        window = int(now // self.period)
        key = self.key(ctx)
        with self._lock:
            if window != self._window:
                self._window = window
                self._counts = {}  # PERF: the whole window is dropped at once, no sweeping
            count = self._counts.get(key, 0) + 1
            self._counts[key] = count
        if count <= self.limit:
            return ctx
        retry = max(1, math.ceil((window + 1) * self.period - now))
        _refuse(ctx, 429, "too many requests\n", {"Retry-After": str(retry)})
        return None


class ConcurrencyLimit:
    """At most ``limit`` requests in progress at once; others get 503 at once (no queueing).

    A slot is released when the response was sent or abandoned (WSGI ``close()``), so
    streams count until they end.

    Args:
        limit: Requests allowed in progress.
        retry_after: Seconds suggested in ``Retry-After``.
        priority: Midware priority (default 15).
    """

    def __init__(self, limit: int, retry_after: int = 1, priority: int = 15) -> None:
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"ConcurrencyLimit limit is a positive int, not {limit!r}")
        self.limit = limit
        self.retry_after = str(retry_after)
        self.priority = clamp(priority)
        self._lock = threading.Lock()
        self._active = 0

    def __repr__(self) -> str:
        return f"ConcurrencyLimit(limit={self.limit}, priority={self.priority})"

    @property
    def in_use(self) -> int:
        """Requests in progress now."""
        return self._active

    def proc(self, ctx: Context) -> Context | None:
        """Take a slot or refuse."""
        with self._lock:
            full = self._active >= self.limit
            if not full:
                self._active += 1
        if full:
            _refuse(ctx, 503, "server busy\n", {"Retry-After": self.retry_after})
            return None
        ctx.call_on_close(self._release)
        return ctx

    def _release(self) -> None:
        with self._lock:
            self._active -= 1
