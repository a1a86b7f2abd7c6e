"""What midware build on: the ``Midware`` protocol, the adapter for plain functions, and the
hooks the request cycle offers them (``ErrorPolicy`` under :data:`ERROR_POLICY`). The core
defines these; the midware in :mod:`wtf.midware` implement them (the core never imports
them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .context import Context
    from .server import Server

__all__ = ["ERROR_POLICY", "ErrorPolicy", "FunctionMidware", "Midware", "NeedsServer", "clamp"]

#: The per-request value (``ctx.set(ERROR_POLICY, policy)``) the request cycle asks, instead
#: of logging, what to do with an unexpected exception (``wtf.midware.Recovery`` sets it).
ERROR_POLICY = "wtf.recovery"


@runtime_checkable
class Midware(Protocol):
    """A step run before routing, for every request (404s included).

    Attributes:
        priority: 0..100 (clamped); lower runs first.
    """

    priority: int

    def proc(self, ctx: Context) -> Context | None:
        """Return the context for the next step (``ctx.clone(writer=w)`` to wrap the writer),
        or ``None`` to stop: no handler runs and whatever was written is the response."""
        ...


@runtime_checkable
class NeedsServer(Protocol):
    """Midware that needs the app it is added to (CORS reads the routes, StatusCode plans its
    renderers with the app's injection): ``add_midware`` calls ``setup(app)`` once."""

    def setup(self, app: Server) -> None:
        """Called by :meth:`wtf.Server.add_midware` with the app."""
        ...


@runtime_checkable
class ErrorPolicy(Protocol):
    """Handles an unexpected exception of a request before its 500 is written (log it, report
    it...): what midware put under :data:`ERROR_POLICY`."""

    def recover(self, ctx: Context, exc: BaseException) -> None:
        """Called once per unexpected exception, instead of wtf's own logging."""
        ...


def clamp(priority: int) -> int:
    """Clamp a priority to 0..100.

    Raises:
        TypeError: ``priority`` is not an int.
    """
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise TypeError(f"a midware priority is an int from 0 to 100, not {priority!r}")
    return max(0, min(100, priority))


class FunctionMidware:
    """A plain function ``fn(ctx) -> Context | None`` used as midware."""

    __slots__ = ("fn", "priority")

    def __init__(self, fn: Callable[[Context], Context | None], priority: int) -> None:
        self.fn = fn
        self.priority = clamp(priority)

    def proc(self, ctx: Context) -> Context | None:
        """Call the function."""
        return self.fn(ctx)

    def __repr__(self) -> str:
        return f"<midware {getattr(self.fn, '__qualname__', self.fn)!r} priority={self.priority}>"
