"""Errors raised by :mod:`wtf.router` at registration time.

They live here, inside the router package, so the router stays usable on its own; ``wtf``'s own
error hierarchy (:mod:`wtf.errors`) builds on them.
"""

from __future__ import annotations

__all__ = ["DuplicateRouteError", "PatternError", "RouteError"]


class RouteError(ValueError):
    """Base class of every router registration error.

    It subclasses :class:`ValueError` because every such error is a bad argument to
    :meth:`wtf.router.Router.add`.
    """


class PatternError(RouteError):
    """A route pattern that cannot be parsed or compiled.

    Attributes:
        pattern: The offending pattern, as given.
    """

    def __init__(self, pattern: str, message: str) -> None:
        self.pattern = pattern
        super().__init__(f"invalid route pattern {pattern!r}: {message}")


class DuplicateRouteError(RouteError):
    """Two routes with the same pattern whose methods and hosts overlap.

    Attributes:
        pattern: The pattern registered twice.
        existing: The target registered first.
        new: The target whose registration was refused.
    """

    def __init__(self, pattern: str, existing: object, new: object, overlap: str) -> None:
        self.pattern = pattern
        self.existing = existing
        self.new = new
        super().__init__(
            f"duplicate route {pattern!r} ({overlap}): {_describe(new)} conflicts with "
            f"{_describe(existing)}, registered first; change the pattern, the methods or the hosts"
        )


def _describe(target: object) -> str:
    """Return a readable name for a route target (``module.qualname`` for functions)."""
    module = getattr(target, "__module__", None)
    qualname = getattr(target, "__qualname__", None)
    if module and qualname:
        return f"{module}.{qualname}"
    return repr(target)
