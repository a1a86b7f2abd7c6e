"""Dependency injection: each handler parameter is resolved once, at registration.

Planning reads the signature (``inspect.signature(fn, eval_str=True)``), maps every parameter
to an expression (``ctx.response``, a converted route value, an ArgBuilder call) and compiles
one small ``invoke(ctx, values, extra)`` function per handler, so a request does no inspection,
builds no dict of builders and sorts nothing.
"""

from __future__ import annotations

import inspect
import threading
import typing
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any

from werkzeug.wrappers import Request as WerkzeugRequest

from .annotations import INVALID, Unsupported, is_model, strip_annotated
from .binding import NO_DEFAULT, Binder, plan_part, source_of
from .builders import Builder, Override, Plan, Slot
from .constraints import Bounds, bounds_of, check_applies
from .context import Context
from .converters import CONVERTERS
from .deadline import Deadline
from .emitter import (
    Argument,
    Bound,
    Built,
    Caught,
    Parameter,
    Provided,
    RouteValue,
    emit_plan,
)
from .errors import FieldError, HandlerError, RegistrationError, ValidationError
from .naming import describe, type_name
from .request import Request
from .request_limits import Limits
from .response import Response
from .router import Rest
from .validation import compile_type, value_kind

__all__ = ["Injector"]


# Types wtf provides itself (the Server adds itself, see Injector(provided=)): one table for
# handlers, builders, afterware, error handlers and StatusCode renderers.
_PROVIDED: dict[Any, Provided] = {
    Context: Provided("ctx"),
    Deadline: Provided("ctx.deadline"),
    Request: Provided("req", needs="req"),
    WerkzeugRequest: Provided("req.raw", needs="req"),
    Response: Provided("resp", needs="resp"),
    Rest: Provided("ctx.rest"),
}


def _signature(fn: Callable[..., Any], role: str) -> inspect.Signature:
    if not callable(fn):
        raise HandlerError(f"{role} {fn!r} is not callable")
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        raise HandlerError(
            f"{role} {describe(fn)} is 'async def', but wtf serves WSGI (a thread per request) "
            "and would only get a coroutine back: define it with plain 'def' (use a library's "
            "synchronous API, or asyncio.run() for a one-off coroutine)"
        )
    try:
        return inspect.signature(fn, eval_str=True)
    except NameError as exc:
        raise HandlerError(
            f"cannot resolve the annotations of {role} {describe(fn)}: {exc}; define the types "
            "it names at module level (annotations are evaluated in the function's module)"
        ) from None
    except (TypeError, ValueError) as exc:
        raise HandlerError(f"cannot read the signature of {role} {describe(fn)}: {exc}") from None


class Injector:
    """The ArgBuilder registry and the planner of handlers, builders and error handlers."""

    def __init__(
        self, forbid_extra: bool = True, provided: dict[Any, Provided] | None = None
    ) -> None:
        #: What wtf provides: Context, Request, Response, Rest, Deadline, werkzeug's Request,
        #: plus ``provided`` (the Server).
        self.provided: dict[Any, Provided] = {**_PROVIDED, **(provided or {})}
        self.slots: dict[Any, Slot] = {}
        self.forbid_extra = forbid_extra
        self._lock = threading.Lock()

    # Builders.

    def register(
        self, fn: Callable[..., Any], scope: str = "request", replace: bool = False
    ) -> Builder:
        """Register ``fn`` as the ArgBuilder of its return annotation's type."""
        if scope not in ("request", "app"):
            raise RegistrationError(f"ArgBuilder scope must be 'request' or 'app', not {scope!r}")
        sig = _signature(fn, "ArgBuilder")
        is_generator = inspect.isgeneratorfunction(fn)
        built = self._built_type(fn, sig, is_generator)
        with self._lock:
            slot = self.slots.get(built)
            if slot is not None and slot.registered is not None and not replace:
                raise RegistrationError(
                    f"an ArgBuilder for {type_name(built)} is already registered "
                    f"({describe(slot.registered.fn)}); pass replace=True to replace it "
                    f"with {describe(fn)}"
                )
            builder = self._builder(fn, sig, built, scope, is_generator)
            if slot is None:
                slot = self.slots[built] = Slot(built)
            overridden = slot.current is not slot.registered
            slot.registered = builder
            if not overridden:
                slot.current = builder
        return builder

    def override(self, type_: Any, fn: Callable[..., Any], scope: str = "request") -> Override:
        """Replace the builder of ``type_`` by ``fn`` until restored."""
        slot = self.slots.get(strip_annotated(type_))
        if slot is None or slot.registered is None:
            raise RegistrationError(
                f"cannot override {type_name(type_)}: no ArgBuilder is registered for it"
            )
        sig = _signature(fn, "override")
        is_generator = inspect.isgeneratorfunction(fn)
        builder = self._builder(fn, sig, slot.type, scope, is_generator)
        previous = slot.current
        slot.current = builder
        return Override(slot, previous)

    def reset_overrides(self) -> None:
        """Put every registered builder back in place."""
        for slot in self.slots.values():
            slot.current = slot.registered

    def close(self) -> None:
        """Tear down app-scoped generator builders."""
        for slot in self.slots.values():
            for builder in {slot.registered, slot.current}:
                if builder is not None:
                    builder.close_app_value()

    def _built_type(self, fn: Any, sig: inspect.Signature, is_generator: bool) -> Any:
        ann = sig.return_annotation
        if ann is inspect.Signature.empty or ann is None:
            raise HandlerError(
                f"ArgBuilder {describe(fn)} needs a return annotation naming the type it builds "
                f"(e.g. 'def {getattr(fn, '__name__', 'build')}(...) -> Session')"
            )
        ann = strip_annotated(ann)
        if is_generator and typing.get_origin(ann) in (Iterator, Generator, Iterable):
            ann = strip_annotated(typing.get_args(ann)[0])
        if ann in self.provided:
            raise HandlerError(
                f"ArgBuilder {describe(fn)} builds {type_name(ann)}, which wtf provides itself"
            )
        return ann

    def _builder(
        self, fn: Any, sig: inspect.Signature, built: Any, scope: str, is_generator: bool
    ) -> Builder:
        plan = self.plan(fn, (), role="ArgBuilder", sig=sig, app_scope=scope == "app", builds=built)
        builder = Builder(fn, built, scope, plan.invoke, is_generator)
        builder.no_params = not sig.parameters
        builder.parameters = plan.parameters
        return builder

    # Planning.

    def plan(
        self,
        fn: Callable[..., Any],
        route_names: tuple[str, ...],
        *,
        role: str = "handler",
        sig: inspect.Signature | None = None,
        exception: type[BaseException] | None = None,
        app_scope: bool = False,
        builds: Any = None,
        extra: dict[Any, Provided] | None = None,
        limits: Limits | None = None,
        named: dict[str, Provided] | None = None,
    ) -> Plan:
        """Plan the call of ``fn``: its compiled invoker and what the call needs.

        Args:
            fn: The handler, builder or error handler.
            route_names: The route's parameter names (typed params are looked up by name).
            role: What ``fn`` is, for messages.
            sig: Its signature, if already read.
            exception: For error handlers, the exception type being handled.
            app_scope: Whether ``fn`` is an app-scoped builder (no request-scoped inputs).
            builds: For builders, the type built (a builder may not depend on itself).
            extra: More ``{type: expression}`` resolutions (e.g. for midware).
            limits: The route's limits, when planning a handler (else read per request).
            named: Parameters resolved by name, whatever their annotation (a Hub method's
                params, bound from the call's ``p``).

        Raises:
            HandlerError: A parameter cannot be resolved; the message names ``fn``, the
                parameter, its annotation and the fix.
        """
        sig = sig or _signature(fn, role)
        binder = Binder()
        params: list[Parameter] = []
        for param in sig.parameters.values():
            where = f"parameter {param.name!r} of {role} {describe(fn)}"
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise HandlerError(
                    f"{where}: *args and **kwargs cannot be injected; name each parameter"
                )
            if named is not None and param.name in named:
                argument: Argument = named[param.name]
            else:
                argument = self._resolve(
                    param, route_names, where, binder, exception, app_scope, builds, extra
                )
            params.append(
                Parameter(param.name, param.kind is param.KEYWORD_ONLY, argument, param.annotation)
            )
        return emit_plan(fn, describe(fn), params, binder, len(route_names), limits, app_scope)

    def _bind(
        self,
        param: inspect.Parameter,
        ann: Any,
        source: str,
        where: str,
        binder: Binder,
        app_scope: bool,
    ) -> Bound:
        """Plan the binding of ``param`` from the request's ``source``."""
        if app_scope:
            raise HandlerError(
                f"{where} is bound from the request {source}, but an app-scoped ArgBuilder is "
                "built once per process, outside any request; make it request-scoped"
            )
        bodies = ("body", "form")
        if source in bodies and any(p.source in bodies for p in binder.parts):
            raise HandlerError(
                f"{where}: only one parameter can bind the request body; put the fields "
                "in one dataclass, TypedDict or model"
            )
        default = NO_DEFAULT if param.default is param.empty else param.default
        try:
            part = plan_part(param.name, ann, source, default, self.forbid_extra)
        except Unsupported as exc:
            raise HandlerError(f"{where} cannot be bound from the {source}: {exc}") from None
        return Bound(binder.add(part))

    @staticmethod
    def _bounded_route_value(
        name: str, ann: Any, bounds: Bounds, where: str
    ) -> Callable[[str], Any]:
        """The route value's conversion, then its bounds: a value outside them answers 422
        (the route matched; the value does not fit), one that does not convert 404 as ever."""
        try:
            check_applies(bounds, value_kind(ann), type_name(ann))
        except ValueError as exc:
            raise HandlerError(f"{where}: {exc}") from None
        convert = CONVERTERS[ann]
        limit = bounds.check(value_kind(ann))
        loc = ("path", name)

        def bounded(text: str) -> Any:
            value = convert(text) if convert is not None else text
            errors: list[FieldError] = []
            if limit(value, loc, errors) is INVALID:
                raise ValidationError(errors)
            return value

        return bounded

    def _resolve(
        self,
        param: inspect.Parameter,
        route_names: tuple[str, ...],
        where: str,
        binder: Binder,
        exception: type[BaseException] | None,
        app_scope: bool,
        builds: Any,
        extra: dict[Any, Provided] | None,
    ) -> Argument:
        ann = param.annotation
        in_route = param.name in route_names
        source = source_of(ann)
        if source is not None:
            if in_route:
                raise HandlerError(
                    f"{where} is bound from the {source} but is also a route parameter; "
                    "rename one of them"
                )
            return self._bind(param, ann, source, where, binder, app_scope)
        if ann is inspect.Parameter.empty:
            if in_route:
                return RouteValue(route_names.index(param.name))
            raise HandlerError(
                f"{where} has no annotation; annotate it with a type wtf provides (wtf.Context, "
                "wtf.Request, wtf.Response, wtf.Rest), a type with an ArgBuilder, or name it "
                f"after a route parameter{_names_hint(route_names)}"
            )
        written = ann
        try:
            bounds = bounds_of(ann)
        except ValueError as exc:
            raise HandlerError(f"{where}: {exc}") from None
        ann = strip_annotated(ann)
        if extra and ann in extra:
            return extra[ann]
        if ann in self.provided:
            if app_scope:
                raise HandlerError(
                    f"{where} asks for {type_name(ann)}, but an app-scoped ArgBuilder is built "
                    "once per process, outside any request; make it request-scoped"
                )
            return self.provided[ann]
        if (
            exception is not None
            and isinstance(ann, type)
            and issubclass(exception, ann)
            and issubclass(ann, BaseException)
        ):
            return Caught()
        if in_route and ann in CONVERTERS:
            convert = CONVERTERS[ann]
            if bounds is not None:
                convert = self._bounded_route_value(param.name, ann, bounds, where)
            return RouteValue(route_names.index(param.name), convert)
        if builds is not None and ann == builds:
            raise HandlerError(
                f"{where}: an ArgBuilder for {type_name(ann)} cannot depend on itself"
            )
        slot = self.slots.get(ann)
        if slot is not None and slot.registered is not None:
            if app_scope and slot.registered.scope != "app":
                raise HandlerError(
                    f"{where} depends on {type_name(ann)}, whose ArgBuilder "
                    f"{describe(slot.registered.fn)} is request-scoped; an app-scoped builder "
                    "may only depend on app-scoped builders"
                )
            return Built(slot)
        if is_model(ann):
            return self._bind(param, ann, "body", where, binder, app_scope)
        if param.default is not param.empty and _queryable(ann):
            return self._bind(param, written, "query", where, binder, app_scope)
        if ann in CONVERTERS:
            raise HandlerError(
                f"{where} is annotated {type_name(ann)} but the route has no parameter named "
                f"{param.name!r}{_names_hint(route_names)}; give it a default to read it from "
                f"the query string (e.g. '{param.name}: {type_name(ann)} = ...') or annotate "
                f"it wtf.Query[{type_name(ann)}] to require it there"
            )
        origin = typing.get_origin(ann) or ann
        if origin in (dict, list, set, tuple, frozenset):
            query = (
                f", or '{param.name}: wtf.Query[{type_name(ann)}]' for a repeated query parameter"
                if origin is not dict
                else ""
            )
            raise HandlerError(
                f"{where} is annotated {type_name(ann)}, which wtf does not bind unless told "
                f"where from: write '{param.name}: wtf.Body[{type_name(ann)}]' for the request "
                f"body{query}"
            )
        if type_name(ann) == "wtf.realtime.websocket.WebSocket":
            raise HandlerError(
                f"{where} asks for a wtf.WebSocket, which only WebSocket routes provide: "
                "register the handler with @app.websocket(pattern)"
            )
        raise HandlerError(
            f"{where} has an unknown dependency on {type_name(ann)}; register an ArgBuilder "
            f"for it (@app.arg_builder on a function returning {type_name(ann)})"
        )


def _queryable(ann: Any) -> bool:
    """Whether a parameter with a default and this annotation reads the query string."""
    try:
        compile_type(ann, strings=True, forbid_extra=False)
    except Unsupported:
        return False
    return not is_model(ann) and ann is not Any


def _names_hint(route_names: tuple[str, ...]) -> str:
    names = [n for n in route_names if n]
    return (
        f" (the route's parameters: {', '.join(names)})"
        if names
        else " (the route has no named parameters)"
    )
