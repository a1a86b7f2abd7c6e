"""``StatusCode``: bodies for responses that carry a status and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..midware_protocol import clamp
from ..writer import Writer, WriterWrapper

if TYPE_CHECKING:
    from ..builders import Invoker
    from ..context import Context
    from ..server import Server

__all__ = ["StatusCode"]


class StatusCode:
    """Render a body for a response with a given status and an empty body.

    It applies to handlers that only set a status, to ``HTTPError`` and to the framework's own
    404/405; the status is kept. The renderer is a function injected like a handler (its
    parameters annotated: ``wtf.Request``, ``wtf.Context``, ``wtf.Response``, ``wtf.Rest``,
    ``wtf.Deadline``, ``wtf.Server`` or an ArgBuilder's type); what it returns is sent like a
    handler's result.

    Examples:
        >>> def not_found(req: wtf.Request) -> str:  # doctest: +SKIP
        ...     return f"nothing at {req.path}"
        >>> app.add_midware(StatusCode().handle(404, not_found))  # doctest: +SKIP
    """

    def __init__(self, priority: int = 60) -> None:
        self.priority = clamp(priority)
        self._fns: dict[int, Callable[..., Any]] = {}
        self._plans: dict[int, Invoker] = {}
        self._app: Server | None = None

    def __repr__(self) -> str:
        return f"StatusCode(codes={sorted(self._fns)}, priority={self.priority})"

    def handle(self, code: int, fn: Callable[..., Any]) -> StatusCode:
        """Render the body of ``code`` responses with ``fn``; returns ``self`` for chaining."""
        if not isinstance(code, int) or not 100 <= code <= 999:
            raise ValueError(f"a status code is an int from 100 to 999, not {code!r}")
        self._fns[code] = fn
        if self._app is not None:
            self._plan(code)
        return self

    def setup(self, app: Server) -> None:
        """Plan the renderers with ``app``'s injection (called by ``add_midware``)."""
        self._app = app
        for code in self._fns:
            self._plan(code)

    def _plan(self, code: int) -> None:
        assert self._app is not None
        self._plans[code] = self._app.injector.plan(
            self._fns[code],
            (),
            role=f"StatusCode({code}) renderer",
        ).invoke

    def proc(self, ctx: Context) -> Context:
        """Wrap the writer (in place: a clone would cost more than the wrapper)."""
        ctx.wrap_writer(_StatusWriter(ctx.writer, self._plans, ctx))
        return ctx


class _StatusWriter(WriterWrapper):
    def __init__(self, inner: Writer, plans: dict[int, Invoker], ctx: Context) -> None:
        super().__init__(inner)
        self._plans = plans
        self._ctx = ctx
        self._wrote = False

    def write(self, data: bytes) -> int:
        if data:
            self._wrote = True
        return self.inner.write(data)

    def flush(self) -> None:
        if not self._wrote and not self._flushed:
            status = self.status
            plan = self._plans.get(status)
            if plan is not None:
                from ..sending import write_result

                self._wrote = True
                render = self._ctx.clone(writer=self.inner)
                result = plan(render, render.values, None)
                if type(result) is tuple and len(result) >= 2:
                    result = (result[0], status, *result[2:])  # the status is kept
                write_result(render, result)
        super().flush()
