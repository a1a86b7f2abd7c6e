"""Binding request data to handler parameters by annotation, validated before the call.

- A parameter annotated with a dataclass, a ``TypedDict`` or a pydantic model (and no
  ArgBuilder for that type) is filled from the body: JSON, urlencoded form or multipart (by
  ``Content-Type``; MessagePack too when installed). ``wtf.Body[T]`` binds any other type
  (``Body[list[Item]]``).
- ``wtf.Query[T]`` binds the query string: to a model's fields, or, for a scalar, to the
  parameter of the same name.
- A scalar parameter with a default (``page: int = 1``) that is neither a route parameter nor
  injectable comes from the query string.

Malformed bodies answer 400, a ``Content-Type`` that fits none answers 415, and values that do
not fit answer 422 with every bad field listed (:class:`wtf.ValidationError`). Everything is
compiled once, at registration (:mod:`wtf.validation`).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from .annotations import (
    INVALID,
    Unsupported,
    is_model,
    model_fields,
    pydantic_model,
    strip_annotated,
)
from .errors import FieldError, HTTPError, ValidationError
from .validation import Check, FieldErrors, compile_type

if TYPE_CHECKING:
    from .context import Context
    from .request import Request

__all__ = ["NO_DEFAULT", "Binder", "Body", "Part", "Query", "plan_part", "source_of"]

T = TypeVar("T")


class _Source:
    """The marker ``Query``/``Body`` put in ``Annotated`` metadata."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"wtf.{self.name.title()}"


QUERY = _Source("query")
BODY = _Source("body")

#: ``Query[T]``: bind the query string to ``T`` (a model's fields, or one scalar by name).
Query = Annotated[T, QUERY]
#: ``Body[T]``: bind the request body to ``T`` (any bindable type, ``Body[list[Item]]``).
Body = Annotated[T, BODY]

_FORMS = frozenset(("application/x-www-form-urlencoded", "multipart/form-data"))
_MSGPACK = frozenset(("application/msgpack", "application/x-msgpack", "application/vnd.msgpack"))
_EMPTY: Any = object()
#: What :func:`plan_part` takes for a parameter without a default.
NO_DEFAULT: Any = object()


def source_of(annotation: Any) -> str | None:
    """``"query"`` or ``"body"`` when ``annotation`` is ``Query[...]``/``Body[...]``."""
    while typing.get_origin(annotation) is Annotated:
        for meta in annotation.__metadata__:
            if isinstance(meta, _Source):
                return meta.name
        annotation = typing.get_args(annotation)[0]
    return None


def _is_list(annotation: Any) -> bool:
    """Whether a query/form field takes every value of its name (``list[int]``, ...)."""
    annotation = strip_annotated(annotation)
    if typing.get_origin(annotation) in (typing.Union, type(int | None)):
        return any(_is_list(a) for a in typing.get_args(annotation) if a is not type(None))
    origin = typing.get_origin(annotation) or annotation
    return origin in (list, set, frozenset, tuple, Sequence)


def _list_fields(model: Any) -> frozenset[str]:
    if pydantic_model(model):
        return frozenset(
            name for name, field in model.model_fields.items() if _is_list(field.annotation)
        )
    return frozenset(name for name, (ann, _) in model_fields(model).items() if _is_list(ann))


@dataclasses.dataclass(slots=True)
class Part:
    """One bound parameter (internal).

    Attributes:
        source: ``"query"`` or ``"body"``.
        name: The parameter's name (a scalar query parameter's key).
        model: Whether it binds an object of fields (else one value).
        check: Check of JSON-like values (bodies), or None.
        text_check: Check of string values (query, forms), or None when the type cannot come
            from strings.
        default: The parameter's default, or ``_EMPTY``.
        lists: Fields (or, for a scalar, the parameter) that take every value of their name.
        annotation: The type bound (for documents such as OpenAPI's; no request reads it).
    """

    source: str
    name: str
    model: bool
    check: Check | None
    text_check: Check | None
    default: Any
    lists: frozenset[str]
    annotation: Any

    @property
    def required(self) -> bool:
        """Whether the parameter has no default (a missing value answers 422)."""
        return self.default is _EMPTY


def plan_part(name: str, annotation: Any, source: str, default: Any, forbid_extra: bool) -> Part:
    """Plan the binding of one parameter.

    Raises:
        Unsupported: The type cannot be bound from that source; the message says why.
    """
    target = strip_annotated(annotation)
    model = is_model(target)
    default = _EMPTY if default is NO_DEFAULT else default
    if source == "query":
        text = compile_type(target, strings=True, forbid_extra=False)
        if model:
            return Part("query", name, True, None, text, default, _list_fields(target), target)
        lists = frozenset((name,)) if _is_list(target) else frozenset()
        return Part("query", name, False, None, text, default, lists, target)
    check = compile_type(target, strings=False, forbid_extra=forbid_extra)
    text_check: Check | None = None
    lists = frozenset()
    if model:
        try:
            text_check = compile_type(target, strings=True, forbid_extra=forbid_extra)
            lists = _list_fields(target)
        except Unsupported:
            text_check = None  # JSON only: a form answers 415
    return Part("body", name, model, check, text_check, default, lists, target)


class Binder:
    """Binds every bound parameter of one handler; one 422 lists all their errors."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[Part] = []

    def add(self, part: Part) -> int:
        """Add ``part``; return its index in the tuple :meth:`__call__` returns."""
        self.parts.append(part)
        return len(self.parts) - 1

    def __call__(self, ctx: Context) -> tuple[Any, ...]:
        """Bind; return the values in the order the parts were added.

        Raises:
            HTTPError: 400 malformed body, 413 too large, 415 unsupported ``Content-Type``.
            ValidationError: 422, with every bad field.
        """
        request = ctx.request
        errors = FieldErrors()
        out = []
        body: Any = _EMPTY
        for part in self.parts:
            if part.source == "query":
                out.append(_bind_query(part, request, errors))
                continue
            if body is _EMPTY:
                body = _read_body(request)
            out.append(_bind_body(part, body, errors))
        if errors:
            raise ValidationError(errors)
        return tuple(out)


def _bind_query(part: Part, request: Request, errors: list[FieldError]) -> Any:
    args = request.args
    check = part.text_check
    assert check is not None  # query parts always have one
    if part.model:
        data = {key: args.getlist(key) if key in part.lists else args[key] for key in args}
        return check(data, ("query",), errors)
    name = part.name
    if name not in args:
        if part.default is not _EMPTY:
            return part.default
        errors.append({"loc": ["query", name], "msg": "field required", "type": "missing"})
        return INVALID
    value = args.getlist(name) if part.lists else args[name]
    return check(value, ("query", name), errors)


class _Form:
    """A parsed form body: field values are strings (or uploaded files)."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data


def _read_body(request: Request) -> Any:
    """The body as a JSON-like value, a :class:`_Form`, or ``_EMPTY`` when there is none."""
    environ = request.environ
    mimetype = str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
    if request.is_json:
        return request.get_json()
    if mimetype in _FORMS:
        raw = request.raw
        form, files = raw.form, raw.files
        data: dict[str, Any] = {key: form.getlist(key) for key in form}
        for key in files:
            data.setdefault(key, []).extend(files.getlist(key))
        return _Form(data)
    if mimetype in _MSGPACK:
        return request.get_msgpack()
    if not mimetype:
        data_bytes = request.get_data()
        if not isinstance(data_bytes, bytes) or not data_bytes.strip():
            return _EMPTY
    raise HTTPError(
        415,
        f"expected a JSON, form or multipart body, not {mimetype or 'one without Content-Type'}",
    )


def _bind_body(part: Part, body: Any, errors: list[FieldError]) -> Any:
    if body is _EMPTY:
        if part.default is not _EMPTY:
            return part.default
        if not part.model:
            errors.append({"loc": ["body"], "msg": "a request body is required", "type": "missing"})
            return INVALID
        body = {}  # every required field is then reported missing, by name
    if isinstance(body, _Form):
        check = part.text_check
        if check is None:
            raise HTTPError(415, "expected a JSON body (Content-Type: application/json)")
        data = {
            key: values if key in part.lists else values[0]
            for key, values in body.data.items()
            if values
        }
        return check(data, ("body",), errors)
    assert part.check is not None  # body parts always have one
    return part.check(body, ("body",), errors)
