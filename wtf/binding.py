"""Binding request data to handler parameters by annotation, validated before the call.

- A parameter annotated with a dataclass, a ``TypedDict`` or a pydantic model (and no
  ArgBuilder for that type) is filled from a JSON body (MessagePack too when installed), never
  from a form: any site's HTML form can post a form without a CORS preflight, so a JSON API
  that took forms would act on cross-site requests. ``wtf.Body[T]`` binds any other type
  (``Body[list[Item]]``).
- ``wtf.Form[T]`` binds a model from an urlencoded or multipart form instead (and only), when
  the request comes from the same site (``Sec-Fetch-Site``/``Origin``; another site's form is
  refused with 403).
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
    file_fields,
    is_model,
    model_fields,
    pydantic_model,
    strip_annotated,
    type_label,
)
from .errors import FieldError, HTTPError, ValidationError
from .same_site import refuse_cross_site
from .validation import Check, FieldErrors, compile_type

if TYPE_CHECKING:
    from .context import Context
    from .request import Request

__all__ = [
    "NO_DEFAULT",
    "Binder",
    "Body",
    "Cookie",
    "Form",
    "Header",
    "Part",
    "Query",
    "plan_part",
    "source_of",
]

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
FORM = _Source("form")
HEADER = _Source("header")
COOKIE = _Source("cookie")

#: ``Query[T]``: bind the query string to ``T`` (a model's fields, or one scalar by name).
Query = Annotated[T, QUERY]
#: ``Body[T]``: bind the request body to ``T`` (any bindable type, ``Body[list[Item]]``).
Body = Annotated[T, BODY]
#: ``Form[T]``: bind an urlencoded or multipart form from the same site to the model ``T``.
Form = Annotated[T, FORM]
#: ``Header[T]``: bind the request header named like the parameter (``_`` as ``-``, any case:
#: ``x_request_id`` reads ``X-Request-Id``) to ``T``, a scalar (or a list: every value).
Header = Annotated[T, HEADER]
#: ``Cookie[T]``: bind the cookie named like the parameter to ``T``, a scalar.
Cookie = Annotated[T, COOKIE]
#: Sources read one value by name, as text.
_NAMED = frozenset(("query", "header", "cookie"))

_FORMS = frozenset(("application/x-www-form-urlencoded", "multipart/form-data"))
_MSGPACK = frozenset(("application/msgpack", "application/x-msgpack", "application/vnd.msgpack"))
_EMPTY: Any = object()
#: What :func:`plan_part` takes for a parameter without a default.
NO_DEFAULT: Any = object()


def source_of(annotation: Any) -> str | None:
    """``"query"``, ``"body"`` or ``"form"`` when ``annotation`` is ``Query[...]``,
    ``Body[...]`` or ``Form[...]``."""
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
        source: ``"query"``, ``"body"`` (JSON, MessagePack) or ``"form"``.
        name: The parameter's name (a scalar query parameter's key).
        model: Whether it binds an object of fields (else one value).
        check: Check of JSON-like values (bodies), or None.
        text_check: Check of string values (query, forms), or None.
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
    """Plan the binding of one parameter (its constraints, ``Annotated[int, Ge(1)]``, checked
    after its type).

    Raises:
        Unsupported: The type cannot be bound from that source; the message says why.
    """
    target = strip_annotated(annotation)
    bound = _without_source(annotation)  # the type with its constraints (wtf's marker aside)
    model = is_model(target)
    default = _EMPTY if default is NO_DEFAULT else default
    if source in ("header", "cookie"):
        if model:
            raise Unsupported(
                f"wtf.{source.title()}[T] binds one value (a str, int, ... or a list of them), "
                "not a model"
            )
        text = compile_type(bound, strings=True, forbid_extra=False)
        wire = name.replace("_", "-").lower() if source == "header" else name
        lists = frozenset((wire,)) if _is_list(target) else frozenset()
        return Part(source, wire, False, None, text, default, lists, bound)
    if source == "query":
        text = compile_type(bound, strings=True, forbid_extra=False)
        if model:
            return Part("query", name, True, None, text, default, _list_fields(target), target)
        lists = frozenset((name,)) if _is_list(target) else frozenset()
        return Part("query", name, False, None, text, default, lists, bound)
    if source == "form":
        if not model:
            raise Unsupported(
                "wtf.Form[T] binds the fields of a dataclass, TypedDict or pydantic model"
            )
        text = compile_type(target, strings=True, forbid_extra=forbid_extra)
        return Part("form", name, True, None, text, default, _list_fields(target), target)
    if model and (files := file_fields(target)):
        raise Unsupported(
            f"its field {files[0]!r} is a file, which only a multipart form carries; annotate "
            f"it wtf.Form[{type_label(target)}]"
        )
    check = compile_type(bound, strings=False, forbid_extra=forbid_extra)
    return Part("body", name, model, check, None, default, frozenset(), bound)


def _without_source(annotation: Any) -> Any:
    """``annotation`` without the ``Query``/``Body``/``Form`` marker in its metadata."""
    if typing.get_origin(annotation) is not Annotated:
        return annotation
    base, *metadata = typing.get_args(annotation)
    kept = [m for m in metadata if not isinstance(m, _Source)]
    return Annotated[(base, *kept)] if kept else base


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
            if part.source in _NAMED:
                out.append(_bind_named(part, request, errors))
                continue
            if body is _EMPTY:
                body = _read_form(request) if part.source == "form" else _read_body(request, part)
            out.append(_bind_body(part, body, errors))
        if errors:
            raise ValidationError(errors)
        return tuple(out)


def _bind_named(part: Part, request: Request, errors: list[FieldError]) -> Any:
    """A query parameter, header or cookie (or the query string's model)."""
    if part.source == "query":
        args: Any = request.args
    elif part.source == "header":
        args = request.headers
    else:
        args = request.cookies
    check = part.text_check
    assert check is not None  # such parts always have one
    if part.model:
        data = {key: args.getlist(key) if key in part.lists else args[key] for key in args}
        return check(data, ("query",), errors)
    name = part.name
    if name not in args:
        if part.default is not _EMPTY:
            return part.default
        errors.append({"loc": [part.source, name], "msg": "field required", "type": "missing"})
        return INVALID
    value = args.getlist(name) if part.lists else args[name]
    return check(value, (part.source, name), errors)


class _Form:
    """A parsed form body: field values are strings (or uploaded files)."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data


def _mimetype(request: Request) -> str:
    return str(request.environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()


def _no_body(request: Request) -> bool:
    data = request.get_data()
    return not isinstance(data, bytes) or not data.strip()


def _read_body(request: Request, part: Part) -> Any:
    """The body as a JSON-like value, or ``_EMPTY`` when there is none."""
    if request.is_json:
        return request.get_json()
    mimetype = _mimetype(request)
    if mimetype in _MSGPACK:
        return request.get_msgpack()
    if mimetype in _FORMS:
        raise HTTPError(
            415,
            f"this route takes a JSON body, not {mimetype}; to take an HTML form, annotate "
            f"the parameter {part.name!r} wtf.Form[...]",
        )
    if not mimetype and _no_body(request):
        return _EMPTY
    raise HTTPError(415, f"expected a JSON body, not {mimetype or 'one without Content-Type'}")


def _read_form(request: Request) -> Any:
    """The body as a :class:`_Form`, or ``_EMPTY`` when there is none.

    Raises:
        HTTPError: 403 for another site's form (CSRF), 415 for a body that is no form.
    """
    mimetype = _mimetype(request)
    if mimetype in _FORMS:
        refuse_cross_site(request.environ)
        raw = request.raw
        form, files = raw.form, raw.files
        data: dict[str, Any] = {key: form.getlist(key) for key in form}
        for key in files:
            data.setdefault(key, []).extend(files.getlist(key))
        return _Form(data)
    if not mimetype and _no_body(request):
        return _EMPTY
    raise HTTPError(
        415,
        "expected a form (application/x-www-form-urlencoded or multipart/form-data), not "
        f"{mimetype or 'a body without Content-Type'}",
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
        assert check is not None  # form parts always have one
        data = {
            key: values if key in part.lists else values[0]
            for key, values in body.data.items()
            if values
        }
        return check(data, ("body",), errors)
    assert part.check is not None  # body parts always have one
    return part.check(body, ("body",), errors)
