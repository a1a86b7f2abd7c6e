"""ArgBuilders at request time: building, caching per request, teardown, overrides.

Plans refer to a :class:`Slot` per built type, so ``replace=True`` and ``app.override`` take
effect in every existing plan without re-planning.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .context import Context
from .errors import HandlerError
from .generators import finish_builder, first_value
from .naming import describe, type_name

if TYPE_CHECKING:
    from .binding import Part
    from .emitter import Parameter

__all__ = [
    "BUILDING",
    "MISSING",
    "Builder",
    "Invoker",
    "Override",
    "Plan",
    "Slot",
    "build",
]

#: ``invoke(ctx, values, extra)`` calls a planned function with its resolved arguments
#: (``extra``: the exception of an error handler, the WebSocket of a WebSocket handler).
Invoker = Callable[[Any, tuple[str, ...], Any], Any]


@dataclass(frozen=True, slots=True)
class Plan:
    """How to call a handler, builder, afterware or error handler, decided at registration.

    Attributes:
        invoke: Calls the function with its resolved arguments.
        needs_context: The call reads the request context (else ``invoke(None, ...)`` works).
        no_params: The function takes no parameters: ``fn()`` does the same as ``invoke``.
        takes_route_values: It takes exactly the route's values, as strings, in order:
            ``fn(*values)`` does the same as ``invoke``.
        parameters: The parameters as resolved (read by documents such as OpenAPI's).
        parts: The bound parameters' bindings (query and body), likewise.
    """

    invoke: Invoker
    needs_context: bool
    no_params: bool
    takes_route_values: bool
    parameters: tuple[Parameter, ...] = ()
    parts: tuple[Part, ...] = ()


MISSING: Any = object()
BUILDING: Any = object()


class Builder:
    """A registered ArgBuilder: how to build one value of ``type``."""

    __slots__ = (
        "_app_lock",
        "_app_pid",
        "_app_teardown",
        "_app_value",
        "fn",
        "invoke",
        "is_generator",
        "no_params",
        "parameters",
        "scope",
        "type",
    )

    def __init__(
        self, fn: Callable[..., Any], type_: Any, scope: str, invoke: Invoker, is_generator: bool
    ) -> None:
        self.fn = fn
        self.type = type_
        self.scope = scope
        self.invoke = invoke
        self.is_generator = is_generator
        self.no_params = False  # call fn() directly
        #: Its own parameters as resolved (documents follow them, e.g. to security schemes).
        self.parameters: tuple[Parameter, ...] = ()
        self._app_lock = threading.Lock()
        self._app_pid = -1
        self._app_value: Any = None
        self._app_teardown: Iterator[Any] | None = None

    def app_value(self) -> Any:
        """The per-process value of an ``scope="app"`` builder (built after fork, once)."""
        if self._app_pid == os.getpid():
            return self._app_value
        with self._app_lock:
            if self._app_pid != os.getpid():
                if self.is_generator:
                    gen = self.invoke(None, (), None)
                    self._app_value = first_value(gen, self.fn)
                    self._app_teardown = gen
                else:
                    self._app_value = self.invoke(None, (), None)
                self._app_pid = os.getpid()
        return self._app_value

    def close_app_value(self) -> None:
        """Run the teardown of an app-scoped generator builder, if it was built."""
        gen, self._app_teardown = self._app_teardown, None
        self._app_pid = -1
        if gen is not None:
            finish_builder(gen, self.fn)


class Slot:
    """The place plans refer to for one type; replacing or overriding swaps its builder."""

    __slots__ = ("current", "registered", "type")

    def __init__(self, type_: Any) -> None:
        self.type = type_
        self.registered: Builder | None = None
        self.current: Builder | None = None


def build(ctx: Context | None, cache: dict[object, Any] | None, slot: Slot) -> Any:
    """Return the value of ``slot``'s builder for this request, cached in ``cache`` (the
    request's cache of built values, made by the plan's generated code; ``None`` outside a
    request, for app scope)."""
    # PERF: the cached case is a dict lookup.
    if cache is not None:
        value = cache.get(slot, MISSING)
        if value is not MISSING:
            if value is BUILDING:
                raise HandlerError(
                    f"ArgBuilders depend on each other in a cycle through {type_name(slot.type)}"
                )
            return value
    builder = slot.current
    if builder is None:
        raise HandlerError(f"no ArgBuilder is registered for {type_name(slot.type)}")
    if builder.scope == "app":
        return builder.app_value()
    if ctx is None or cache is None:
        raise HandlerError(
            f"an app-scoped ArgBuilder depends on {type_name(slot.type)}, whose builder "
            f"{describe(builder.fn)} is request-scoped"
        )
    cache[slot] = BUILDING
    try:
        if builder.is_generator:
            gen = builder.invoke(ctx, (), None)
            value = first_value(gen, builder.fn)
            ctx.shared.add_teardown(gen)
        elif builder.no_params:
            value = builder.fn()  # PERF: no planned-call frame for a parameterless builder
        else:
            value = builder.invoke(ctx, (), None)
    except BaseException:
        del cache[slot]
        raise
    cache[slot] = value
    return value


class Override:
    """An active ``app.override(T, fn)``; as a context manager it restores on exit."""

    def __init__(self, slot: Slot, previous: Builder | None) -> None:
        self._slot = slot
        self._previous = previous

    def restore(self) -> None:
        """Put back the builder that was in place before this override."""
        self._slot.current = self._previous

    def __enter__(self) -> Override:
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()
