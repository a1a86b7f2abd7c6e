"""What a planned parameter is, and the one place that writes a plan's generated code.

The planner (:mod:`wtf.injection`) resolves every parameter of a handler, builder, afterware or
error handler to an :data:`Argument`; :func:`emit_plan` turns the list into one small
``invoke(ctx, values, extra)`` function and the :class:`~wtf.builders.Plan` describing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .binding import Binder
from .builders import MISSING, Plan, Slot, build
from .request import Request
from .request_limits import Limits
from .response import Response

__all__ = ["Argument", "Bound", "Built", "Caught", "Provided", "RouteValue", "emit_plan"]


@dataclass(frozen=True, slots=True)
class RouteValue:
    """The route's ``index``-th value, converted by ``convert`` (``None``: the string)."""

    index: int
    convert: Callable[[str], Any] | None = None


@dataclass(frozen=True, slots=True)
class Provided:
    """A value wtf provides: ``expr`` over ``ctx``, ``req`` (the :class:`wtf.Request`),
    ``resp`` (a :class:`wtf.Response`) or ``extra`` (the invoker's third argument: the
    WebSocket of a WebSocket handler); ``needs`` names ``req`` or ``resp`` when it reads one."""

    expr: str
    needs: str | None = None


@dataclass(frozen=True, slots=True)
class Bound:
    """The ``index``-th value the plan's :class:`~wtf.binding.Binder` binds (body, query)."""

    index: int


@dataclass(frozen=True, slots=True)
class Built:
    """The value of the ArgBuilder in ``slot`` (cached per request)."""

    slot: Slot


@dataclass(frozen=True, slots=True)
class Caught:
    """The exception an error handler handles (the invoker's ``extra`` argument)."""


#: What one parameter resolves to.
Argument = RouteValue | Provided | Bound | Built | Caught


@dataclass(frozen=True, slots=True)
class Parameter:
    """A resolved parameter: passed by position, or by ``name=`` when ``keyword``;
    ``annotation`` as written (for documents such as OpenAPI's)."""

    name: str
    keyword: bool
    argument: Argument
    annotation: Any = None


def emit_plan(
    fn: Callable[..., Any],
    title: str,
    params: list[Parameter],
    binder: Binder,
    route_count: int,
    limits: Limits | None,
    app_scope: bool = False,
) -> Plan:
    """Write and compile ``invoke(ctx, values, extra)`` calling ``fn`` with ``params``.

    Args:
        fn: The function planned.
        title: Names the generated code in tracebacks (``<wtf plan for ...>``).
        params: ``fn``'s parameters, in order, resolved.
        binder: Binds the :class:`Bound` parameters.
        route_count: How many values the route has.
        limits: The route's limits, known at registration (else ``ctx.limits`` per request).
        app_scope: ``fn`` is an app-scoped builder: called with no context, built values
            are not cached per request.
    """
    code = _Code(binder, limits, app_scope)
    positional: list[str] = []
    keywords: list[str] = []
    for param in params:
        expr = code.expression(param.argument)
        if param.keyword:
            keywords.append(f"{param.name}={expr}")
        else:
            positional.append(expr)
    args = ", ".join(positional + keywords)
    source = f"def invoke(ctx, values, extra):\n{''.join(code.setup)}    return fn({args})\n"
    namespace = {**code.namespace, "fn": fn}
    exec(compile(source, f"<wtf plan for {title}>", "exec"), namespace)
    arguments = [param.argument for param in params]
    return Plan(
        invoke=namespace["invoke"],
        needs_context=any(not isinstance(a, RouteValue) for a in arguments),
        parameters=tuple(params),
        parts=tuple(binder.parts),
        no_params=not params,
        takes_route_values=(
            route_count > 0
            and len(arguments) == route_count
            and not any(param.keyword for param in params)
            and arguments == [RouteValue(i) for i in range(route_count)]
        ),
    )


class _Code:
    """The statements and names of one generated ``invoke``."""

    def __init__(self, binder: Binder, limits: Limits | None, app_scope: bool) -> None:
        self.app_scope = app_scope
        self.setup: list[str] = []
        self.namespace: dict[str, Any] = {
            "_build": build,
            "_Response": Response,
            "_Request": Request,
            "_MISSING": MISSING,
            "_binder": binder,
            "_limits": limits,
        }
        self._made: set[str] = set()

    def name(self, value: Any, prefix: str) -> str:
        """Put ``value`` in the namespace under a fresh name."""
        name = f"{prefix}{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def expression(self, argument: Argument) -> str:
        """The expression passing ``argument``, after the statements it needs."""
        if isinstance(argument, RouteValue):
            value = f"values[{argument.index}]"
            if argument.convert is None:
                return value
            return f"{self.name(argument.convert, '_convert')}({value})"
        if isinstance(argument, Provided):
            if argument.needs is not None:
                self.make(argument.needs)
            return argument.expr
        if isinstance(argument, Bound):
            self.make("bound")
            return f"bound[{argument.index}]"
        if isinstance(argument, Built):
            return self.built(argument.slot)
        return "extra"

    def make(self, variable: str) -> None:
        """Emit, once, the statement that sets ``req``, ``resp``, ``bound`` or ``cache``.

        The Request is made once per request (kept on the context, where the route's limits
        apply when known at registration); a Response is a stateless facade over the writer,
        so a fresh one is fine (and avoids a context <-> response reference cycle).
        """
        if variable in self._made:
            return
        self._made.add(variable)
        # PERF: the Request (Context.request with the route's limits) and the ArgBuilder cache
        # are made inline, reading the context's fields: a method frame each cost 5% of a
        # request (bench-injection). See Context's docstring.
        if variable == "req":
            limits = "_limits" if self.namespace["_limits"] is not None else "ctx.limits"
            self.setup.append(
                "    req = ctx._request\n"
                "    if req is None:\n"
                f"        req = ctx._request = _Request(ctx.environ, ctx.path, {limits})\n"
            )
        elif variable == "resp":
            # Bound to the writer midware left at its first call: no lookup per call after it.
            self.setup.append("    resp = _Response(ctx, True)\n")
        elif variable == "bound":
            self.setup.append("    bound = _binder(ctx)\n")
        elif variable == "cache":
            self.setup.append(
                "    cache = ctx._cache\n    if cache is None:\n        cache = ctx._cache = {}\n"
            )
        else:  # pragma: no cover - a Provided with an unknown need is a bug in this module
            raise AssertionError(f"unknown plan variable {variable!r}")

    def built(self, slot: Slot) -> str:
        """Emit the statements that fetch one ArgBuilder value; return its variable.

        PERF: a value already built for this request is read from the cache inline; a
        parameterless, request-scoped, non-generator builder is called inline as long as its
        slot still holds it (``replace=`` and ``override`` swap the slot, and then the generic
        :func:`~wtf.builders.build` runs). Everything else goes through ``build``.
        """
        slot_name = self.name(slot, "_slot")
        if self.app_scope:
            return f"_build(None, None, {slot_name})"
        self.make("cache")
        var = f"b{len(self.setup)}"
        builder = slot.current
        lines = [
            f"    {var} = cache.get({slot_name}, _MISSING)\n",
            f"    if {var} is _MISSING:\n",
        ]
        if (
            builder is not None
            and builder.no_params
            and builder.scope == "request"
            and not builder.is_generator
        ):
            fn_name = self.name(builder.fn, "_fn")
            builder_name = self.name(builder, "_builder")
            lines += [
                f"        if {slot_name}.current is {builder_name}:\n",
                f"            {var} = cache[{slot_name}] = {fn_name}()\n",
                "        else:\n",
                f"            {var} = _build(ctx, cache, {slot_name})\n",
            ]
        else:
            lines.append(f"        {var} = _build(ctx, cache, {slot_name})\n")
        self.setup.append("".join(lines))
        return var
