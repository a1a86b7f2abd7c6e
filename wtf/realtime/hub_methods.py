"""Planning a Hub method once, at registration: which params come from the call's ``p`` (bound
and checked like a JSON body), which are injected (the session, the call, the hub, what the app's
ArgBuilders build), which are files; and binding a call's params to it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NotRequired, Required, TypedDict

from ..annotations import Unsupported, strip_annotated
from ..emitter import Provided
from ..errors import HandlerError
from ..naming import describe
from ..validation import INVALID, FieldErrors, compile_type
from .call import Call
from .codes import Code, RPCError
from .files import File

if TYPE_CHECKING:
    from ..builders import Invoker
    from ..injection import Injector

__all__ = ["Method", "plan_method"]


class Method:
    """A planned Hub method: its invoker and the check of its params."""

    def __init__(
        self,
        name: str,
        fn: Callable[..., Any],
        invoke: Invoker,
        check: Any,
        params: list[tuple[str, Any]],
        needs_context: bool,
        params_type: Any = None,
        takes_files: bool = False,
    ) -> None:
        self.name = name
        self.takes_files = takes_files  # it has File (or list[File]) params
        self.params_type = params_type  # the TypedDict of its params (documents read it)
        self.needs_context = needs_context  # it takes a Context, Request, ArgBuilder...
        self.fn = fn
        self.invoke = invoke
        self.check = check
        self.params = params  # (name, default or inspect.Parameter.empty), in order

    def bind(self, call: Call) -> None:
        """Bind ``call.params`` to the method's params, into ``call.args``.

        Raises:
            RPCError: ``INVALID``, with the field errors as ``d`` (the 422 shape).
        """
        errors = FieldErrors()
        bound = self.check(call.params or {}, ("p",), errors)
        if bound is INVALID:
            data: dict[str, Any] = {"errors": list(errors)}
            if errors.omitted:
                data["omitted"] = errors.omitted
            raise RPCError(Code.INVALID, "the params do not bind", data)
        call.args = tuple(bound.get(name, default) for name, default in self.params)


def plan_method(
    name: str, fn: Callable[..., Any], injector: Injector, extra: dict[Any, Provided]
) -> Method:
    """Plan ``fn`` as the Hub method ``name``; ``extra``: what the Hub itself injects.

    Raises:
        HandlerError: Naming the method and what cannot be bound or injected.
    """
    role = f"Hub method {name!r}"
    if inspect.isgeneratorfunction(fn) or inspect.iscoroutinefunction(fn):
        raise HandlerError(f"{role} ({describe(fn)}) must be a plain function")
    try:
        sig = inspect.signature(fn, eval_str=True)
    except (NameError, TypeError, ValueError) as exc:
        raise HandlerError(f"cannot read the signature of {role} ({describe(fn)}): {exc}") from None
    injected = (
        set(injector.provided)
        | set(extra)
        | {t for t, slot in injector.slots.items() if slot.registered is not None}
    )
    fields: dict[str, Any] = {}
    params: list[tuple[str, Any]] = []
    named: dict[str, Provided] = {}
    needs_context = False
    takes_files = False
    for param in sig.parameters.values():
        ann = param.annotation
        if ann is not inspect.Parameter.empty and strip_annotated(ann) in (File, list[File]):
            takes_files = True
            many = strip_annotated(ann) != File
            named[param.name] = Provided(f"extra.file({param.name!r}, {many})")
            continue
        if ann is not inspect.Parameter.empty and strip_annotated(ann) in injected:
            needs_context = needs_context or strip_annotated(ann) not in extra
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise HandlerError(f"{role}: *args and **kwargs cannot be bound; name each param")
        value_type = Any if ann is inspect.Parameter.empty else ann
        has_default = param.default is not inspect.Parameter.empty
        fields[param.name] = NotRequired[value_type] if has_default else Required[value_type]
        named[param.name] = Provided(f"extra.args[{len(params)}]")
        params.append((param.name, param.default))
    params_type = TypedDict(f"{name}.params", fields)  # type: ignore[misc]
    try:
        check = compile_type(
            params_type,
            strings=False,
            forbid_extra=injector.forbid_extra,
        )
    except Unsupported as exc:
        raise HandlerError(f"{role} ({describe(fn)}): a param cannot be bound: {exc}") from None
    plan = injector.plan(fn, (), role=role, sig=sig, extra=extra, named=named)
    return Method(name, fn, plan.invoke, check, params, needs_context, params_type, takes_files)
