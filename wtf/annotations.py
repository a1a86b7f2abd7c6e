"""What kind of type an annotation is, for the compilers of checks (:mod:`wtf.validation` and
its generated happy path, :mod:`wtf.fast_validation`), which both build on this module."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import types
import typing
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Union

from werkzeug.datastructures import FileStorage

__all__ = [
    "INVALID",
    "SCALAR_TYPES",
    "Unsupported",
    "classify",
    "file_fields",
    "is_model",
    "is_typeddict",
    "model_fields",
    "pydantic_model",
    "strip_annotated",
    "type_label",
]

#: Returned by a check that found the value invalid (the error is already recorded).
INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()


class Unsupported(TypeError):
    """An annotation wtf cannot bind; the planner turns it into a :class:`wtf.HandlerError`."""


#: The field errors one validation keeps; past it they are only counted.
#: The scalar types a check converts to (``str``, ``int``, ``float``, ``bool``, UUID, dates).
SCALAR_TYPES = frozenset(
    (str, int, float, bool, uuid.UUID, datetime.datetime, datetime.date, datetime.time)
)


def strip_annotated(annotation: Any) -> Any:
    """``Annotated[T, ...]`` -> ``T`` (nested ones too); anything else as it is."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def pydantic_model(tp: Any) -> bool:
    """Whether ``tp`` is a pydantic ``BaseModel`` subclass (without importing pydantic)."""
    if not isinstance(tp, type):
        return False
    for base in tp.__mro__:
        if base.__name__ == "BaseModel" and base.__module__.startswith("pydantic"):
            return True
    return False


def is_typeddict(tp: Any) -> bool:
    """Whether ``tp`` is a ``TypedDict`` class."""
    return isinstance(tp, type) and typing.is_typeddict(tp)


def is_model(tp: Any) -> bool:
    """Whether ``tp`` binds from an object of fields: a dataclass, ``TypedDict`` or pydantic
    model."""
    return (
        (isinstance(tp, type) and dataclasses.is_dataclass(tp))
        or is_typeddict(tp)
        or pydantic_model(tp)
    )


def classify(tp: Any) -> tuple[str, Any]:
    """What kind of annotation ``tp`` is, for the compilers of checks: ``(kind, detail)``.

    ``Annotated`` is unwrapped. Kinds and details: ``any``, ``none`` (no detail); ``union``
    (the members), ``literal`` (the options), ``list`` (``(item type, container)``, the
    container being ``list``, ``set``, ``frozenset`` or ``tuple``), ``dict`` (the value type),
    ``scalar``, ``enum``, ``file``, ``model`` (a dataclass, ``TypedDict`` or pydantic model;
    the type itself).

    Raises:
        Unsupported: Not a type wtf can bind, or a tuple other than ``tuple[T, ...]``.
    """
    tp = strip_annotated(tp)
    origin = typing.get_origin(tp)
    if tp is Any or tp is object:
        return "any", None
    if tp is None or tp is type(None):
        return "none", None
    if origin in (Union, types.UnionType):
        return "union", typing.get_args(tp)
    if origin is Literal:
        return "literal", typing.get_args(tp)
    if origin in (list, Sequence, set, frozenset, tuple) or tp in (list, set, tuple):
        args = typing.get_args(tp)
        kind = origin or tp
        if kind is tuple and args and (len(args) != 2 or args[1] is not Ellipsis):
            raise Unsupported(f"{type_label(tp)}: only tuple[T, ...] can be bound; use a dataclass")
        container = kind if kind in (set, frozenset, tuple) else list
        return "list", (args[0] if args else Any, container)
    if origin in (dict, Mapping) or tp is dict:
        args = typing.get_args(tp)
        return "dict", args[1] if args else Any
    if tp in SCALAR_TYPES:
        return "scalar", tp
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "enum", tp
    if tp is FileStorage:
        return "file", tp
    if is_model(tp):
        return "model", tp
    raise Unsupported(
        f"{type_label(tp)} is not a type wtf can bind (use str, int, float, bool, UUID, "
        "datetime, date, Enum, Literal, list, dict, a dataclass, a TypedDict or a "
        "pydantic model)"
    )


def model_fields(cls: Any) -> dict[str, tuple[Any, bool]]:
    """``{name: (annotation, required)}`` of a dataclass or ``TypedDict`` (annotations
    resolved, ``from __future__ import annotations`` included)."""
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except NameError as exc:
        raise Unsupported(
            f"cannot resolve the annotations of {type_label(cls)}: {exc}; define the types it "
            "names at module level"
        ) from None
    if is_typeddict(cls):
        # __required_keys__ misses Required/NotRequired written as strings (postponed
        # annotations), so the resolved hints decide first.
        required = cls.__required_keys__
        out = {}
        for name, hint in hints.items():
            marker = typing.get_origin(hint)
            needed = (
                True
                if marker is typing.Required
                else False
                if marker is typing.NotRequired
                else name in required
            )
            out[name] = (_strip_required(hint), needed)
        return out
    out = {}
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        needed = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        out[field.name] = (hints.get(field.name, Any), needed)
    return out


def _strip_required(hint: Any) -> Any:
    while typing.get_origin(hint) in (typing.Required, typing.NotRequired):
        hint = typing.get_args(hint)[0]
    return hint


def type_label(tp: Any) -> str:
    """``tp`` as messages show it (a class's qualified name)."""
    if isinstance(tp, type):
        return tp.__qualname__
    return repr(tp).replace("typing.", "")


def file_fields(model: Any) -> list[str]:
    """The fields of a model that hold uploaded files (``FileStorage``, optional or a list of
    them): only a multipart form can carry those."""
    if pydantic_model(model):
        fields = {name: field.annotation for name, field in model.model_fields.items()}
    else:
        fields = {name: annotation for name, (annotation, _) in model_fields(model).items()}
    return [name for name, annotation in fields.items() if _holds_file(annotation)]


def _holds_file(annotation: Any) -> bool:
    try:
        kind, detail = classify(annotation)
    except Unsupported:
        return False
    if kind == "union":
        return any(_holds_file(member) for member in detail)
    if kind == "list":
        return _holds_file(detail[0])
    return kind == "file"
