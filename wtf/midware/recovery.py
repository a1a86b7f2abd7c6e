"""``Recovery``: turn exceptions into a 500 and log them.

The Server already recovers from every exception a handler, ArgBuilder or midware raises;
``Recovery`` makes the policy explicit and configurable per path: which logger gets the
traceback, and an optional ``on_panic(ctx, exc)`` hook (kami's panic handler) for alerting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..midware_protocol import ERROR_POLICY, clamp

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["Recovery"]

_KEY = ERROR_POLICY


class Recovery:
    """Recovery midware.

    Args:
        logger: Where the traceback of an unexpected exception goes (default ``wtf``).
        on_panic: Called with the context and the exception before the 500 is written; its
            own failures are logged and ignored.
        priority: Midware priority (default 0: first, so it covers every later step).
    """

    def __init__(
        self,
        logger: logging.Logger | None = None,
        on_panic: Callable[[Context, BaseException], None] | None = None,
        priority: int = 0,
    ) -> None:
        self.logger = logger or logging.getLogger("wtf")
        self.on_panic = on_panic
        self.priority = clamp(priority)

    def __repr__(self) -> str:
        return f"Recovery(logger={self.logger.name!r}, priority={self.priority})"

    def proc(self, ctx: Context) -> Context:
        """Register this policy for the request."""
        ctx.set(_KEY, self)
        return ctx

    def recover(self, ctx: Context, exc: BaseException) -> None:
        """Log ``exc`` with its traceback and call the hook."""
        self.logger.error(
            "panic recovered in %s %s: %s",
            ctx.environ.get("REQUEST_METHOD"),
            ctx.path,
            type(exc).__name__,
            exc_info=exc,
        )
        if self.on_panic is not None:
            try:
                self.on_panic(ctx, exc)
            except Exception:  # the hook must not turn a 500 into something worse
                self.logger.exception("Recovery on_panic hook failed")
