"""Where rate limits count: the process (the default), or Redis, shared by every worker.

Both rate limits (:class:`wtf.midware.RateLimit` for HTTP, :class:`wtf.realtime.RateLimit` for
Hub calls) count in the process by default, so ``--workers 4`` lets four times the limit
through. Given ``store=RedisStore(url)``, they count in Redis: every worker of every machine
pointing at it shares one count per key.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, Protocol

from .redis_client import bounded_client

__all__ = ["RateStore", "RedisStore"]

log = logging.getLogger("wtf")

# One round trip, atomic: count the hit; the first hit of a window starts its expiry.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return {count, left}
"""


class RateStore(Protocol):
    """Counts hits per key in windows of ``period`` seconds, shared by whoever uses it."""

    def hit(self, key: str, limit: int, period: float) -> float | None:
        """Count one hit of ``key``: ``None`` when it is within ``limit`` for its window, else
        the seconds until the window ends (when to retry)."""
        ...


class RedisStore:
    """Rate-limit counts in Redis: a fixed window per key, begun by the key's first hit and
    ended ``period`` seconds later (``INCR`` and ``PEXPIRE`` in one Lua script, atomic across
    every worker and machine).

    When Redis cannot be reached the hit is let through (availability over strictness), counted
    in :attr:`unchecked`, with one log line per outage.

    Args:
        url: ``redis://host:port/db``.
        prefix: Prefix of the keys: ``{prefix}:rate:{limit}/{period}:{key}``.
        timeout: Seconds a Redis call may take before the hit is let through.

    Raises:
        ValueError: A URL redis-py cannot read.
    """

    def __init__(self, url: str, prefix: str = "wtf", timeout: float = 1.0) -> None:
        bounded_client(url)  # a malformed URL fails here, at once
        self.url = url
        self.prefix = prefix
        self.timeout = timeout
        #: Hits let through because Redis could not be reached.
        self.unchecked = 0
        self._lock = threading.Lock()
        self._pid = 0
        self._script: Any = None
        self._outage = False

    def __repr__(self) -> str:
        return f"RedisStore({self.url!r}, prefix={self.prefix!r})"

    def hit(self, key: str, limit: int, period: float) -> float | None:
        """Count one hit of ``key`` (see :class:`RateStore`)."""
        import redis

        name = f"{self.prefix}:rate:{limit}/{period:g}:{key}"
        try:
            count, left_ms = self._hit_script()(keys=[name], args=[max(1, round(period * 1000))])
        except redis.RedisError as exc:
            with self._lock:
                self.unchecked += 1
                first = not self._outage
                self._outage = True
            if first:
                log.warning("rate limits let calls through: Redis is unreachable (%s)", exc)
            return None
        if self._outage:
            with self._lock:
                self._outage = False
            log.warning("rate limits count in Redis again")
        if int(count) <= limit:
            return None
        return max(int(left_ms), 1) / 1000

    def _hit_script(self) -> Any:
        if self._pid != os.getpid():  # a forked worker makes its own connections
            with self._lock:
                if self._pid != os.getpid():
                    client = bounded_client(self.url, self.timeout)
                    self._script = client.register_script(_HIT)
                    self._pid = os.getpid()
        return self._script
