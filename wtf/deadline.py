"""``wtf.Deadline``: how long a request may still take (blademaster's request timeout).

Cooperative: Python threads cannot be pre-empted, so nothing stops a handler that does not look.
A handler (or builder, or midware) asks ``deadline.remaining()`` to bound its own waits (a
database statement timeout, an HTTP client timeout) and calls ``deadline.check()`` between
steps; the server checks once more before calling the handler, after midware ran.

Where the budget comes from, lowest wins: ``Server(timeout=...)``, a route's ``timeout=``,
and the client's ``Request-Timeout`` header (seconds). Handlers that are generator functions
(streams) are exempt from the server's timeout and the header; a ``timeout=`` on their route
still applies.
"""

from __future__ import annotations

import math
import re
import time

from .errors import HTTPError

__all__ = ["Deadline", "parse_request_timeout"]

_NEVER = math.inf
_SECONDS = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,12})?")


class Deadline:
    """The point in time (``time.monotonic()``) a request should be answered by.

    Attributes:
        at: The deadline, on the ``time.monotonic()`` clock; ``math.inf`` when there is none.

    Examples:
        >>> def report(deadline: Deadline) -> str:          # doctest: +SKIP
        ...     rows = db.query(sql, timeout=deadline.remaining())
        ...     deadline.check()                              # 504 if the time is up
        ...     return render(rows)
    """

    __slots__ = ("at",)

    def __init__(self, at: float = _NEVER) -> None:
        self.at = at

    @classmethod
    def after(cls, seconds: float | None, start: float | None = None) -> Deadline:
        """A deadline ``seconds`` after ``start`` (default: now); none when ``seconds`` is None."""
        if seconds is None:
            return cls()
        return cls((time.monotonic() if start is None else start) + seconds)

    @property
    def bounded(self) -> bool:
        """Whether there is a deadline at all."""
        return self.at != _NEVER

    def remaining(self) -> float:
        """Seconds left (``0.0`` once expired, ``math.inf`` without a deadline)."""
        if self.at == _NEVER:
            return _NEVER
        return max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.at != _NEVER and time.monotonic() >= self.at

    def check(self) -> None:
        """Raise a 504 problem if the deadline has passed.

        Raises:
            HTTPError: 504 (RFC 9110 §15.6.5), "the request's deadline passed".
        """
        if self.expired:
            raise HTTPError(504, "the request's deadline passed before it was answered")

    def __repr__(self) -> str:
        if self.at == _NEVER:
            return "<wtf.Deadline none>"
        return f"<wtf.Deadline {self.remaining():.3f}s left>"


def parse_request_timeout(value: str) -> float:
    """The seconds of a ``Request-Timeout`` header: a non-negative decimal number (``2``,
    ``0.25``), nothing around it (no sign, spaces, underscores or exponent).

    Raises:
        HTTPError: 400 for anything else.
    """
    if not _SECONDS.fullmatch(value):
        raise HTTPError(
            400, f"invalid Request-Timeout: {value[:40]!r} (expected seconds, e.g. 2.5)"
        )
    return float(value)
