"""``Logger``: one access-log line per request, written once the body was fully sent."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from ..midware_protocol import clamp

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["Logger"]


class Logger:
    """Access log: method, path, status, body bytes sent, latency.

    The line is written at WSGI ``close()``, so the byte count is what the body really was
    (streams included) and a client that went away early is logged with what it got.

    Args:
        logger: Where lines go (default ``wtf.access``, level INFO).
        priority: Midware priority (default 5).
    """

    def __init__(self, logger: logging.Logger | None = None, priority: int = 5) -> None:
        self.logger = logger or logging.getLogger("wtf.access")
        self.priority = clamp(priority)

    def __repr__(self) -> str:
        return f"Logger(logger={self.logger.name!r}, priority={self.priority})"

    def proc(self, ctx: Context) -> Context:
        """Start the clock; log at close."""
        started = time.perf_counter()
        base = ctx.base_writer
        environ = ctx.environ
        query = environ.get("QUERY_STRING")
        target = f"{ctx.path}?{query}" if query else ctx.path

        def log() -> None:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.logger.info(
                '%s "%s %s" %d %d %.2fms',
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD"),
                target,
                base.status,
                base.bytes_sent,
                elapsed_ms,
            )

        ctx.call_on_close(log)
        return ctx
