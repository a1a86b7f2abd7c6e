"""One route's operation: parameters, request body and responses, from its planned handler.

Everything comes from what registration already decided (the handler's :class:`~wtf.builders
.Plan`: which parameter is a route value, which is bound from the query or the body, with
which type), never from a second reading of the signature; the return annotation gives the
success response; the errors the framework itself can answer for that route (a value that
does not convert, a malformed or too large body, a failed validation, a passed deadline) are
listed as problem+json (RFC 9457).
"""

from __future__ import annotations

import collections.abc
import inspect
import json
import re
import typing
from collections.abc import Callable, Mapping
from typing import Any

from ..annotations import (
    classify,
    file_fields,
    is_model,
    model_fields,
    pydantic_model,
    strip_annotated,
)
from ..binding import Part
from ..constraints import bounds_of
from ..emitter import Built, RouteValue
from ..problems import reason
from ..route_doc import RouteDoc
from ..security import SecurityScheme, security_scheme_of
from .paths import PathParam
from .schemas import Schemas

__all__ = [
    "PROBLEM",
    "Operation",
    "error_name",
    "merge",
    "problem_components",
    "problem_response",
]

#: The media type of wtf's error bodies.
PROBLEM = "application/problem+json"
_JSON = "application/json"
_MSGPACK = "application/msgpack"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_ITERATORS = (
    collections.abc.Iterator,
    collections.abc.Iterable,
    collections.abc.Generator,
)


class Operation:
    """The OpenAPI Operation Object of one handler under one method.

    Args:
        fn: The handler.
        doc: The route's documentation options.
        plan_parameters: The handler's resolved parameters (``Plan.parameters``).
        parts: Its query and body bindings (``Plan.parts``).
        path_params: The path template's parameters.
        schemas: The document's schemas.
        msgpack: The server answers (and reads) MessagePack too.
        timed: A deadline applies to the route (a 504 is possible).
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        doc: RouteDoc,
        plan_parameters: tuple[Any, ...],
        parts: tuple[Part, ...],
        path_params: list[PathParam],
        schemas: Schemas,
        *,
        msgpack: bool,
        timed: bool,
    ) -> None:
        self.fn = fn
        self.doc = doc
        self.schemas = schemas
        self.msgpack = msgpack
        self.errors: set[int] = {504} if timed else set()
        self.parameters = self._path_parameters(plan_parameters, path_params)
        self.body: dict[str, Any] | None = None
        for part in parts:
            if part.source in ("header", "cookie"):
                self.parameters.append(
                    self._query(
                        part.name, part.annotation, part.required, part.default, part.source
                    )
                )
                self.errors.add(422)
            elif part.source == "query":
                self.parameters.extend(self._query_parameters(part))
                self.errors |= {400, 422}  # too many parameters; a value that does not fit
            else:
                self.body = self._request_body(part)
                self.errors |= {400, 413, 415, 422}
                if part.source == "form":
                    self.errors.add(403)  # another site's form
        if self.parameters:
            self.errors.add(414)  # values make the URL longer than Limits.max_url_length
        #: The security schemes the handler needs, through any chain of ArgBuilders.
        self.security = schemes_needed(plan_parameters)
        if self.security:
            self.errors.add(401)

    def build(self, operation_id: str) -> dict[str, Any]:
        """The Operation Object, under ``operation_id``."""
        out: dict[str, Any] = {}
        if self.doc.tags:
            out["tags"] = list(self.doc.tags)
        summary, description = _docstring(self.fn)
        summary = self.doc.summary if self.doc.summary is not None else summary
        description = self.doc.description if self.doc.description is not None else description
        if summary:
            out["summary"] = summary
        if description:
            out["description"] = description
        out["operationId"] = operation_id
        if self.parameters:
            out["parameters"] = self.parameters
        if self.body is not None:
            out["requestBody"] = self.body
        if self.security:
            out["security"] = [{scheme.scheme_name: [] for scheme in self.security}]
        out["responses"] = self._responses()
        if self.doc.deprecated:
            out["deprecated"] = True
        return merge(out, self.doc.openapi_extra)

    # Parameters.

    def _path_parameters(
        self, plan_parameters: tuple[Any, ...], path_params: list[PathParam]
    ) -> list[dict[str, Any]]:
        typed: dict[int, Any] = {}
        for param in plan_parameters:
            argument = param.argument
            if isinstance(argument, RouteValue):
                typed[argument.index] = param.annotation
                if argument.convert is not None:
                    self.errors.add(404)  # a value that does not convert: no such resource
        out = []
        for path_param in path_params:
            annotation = typed.get(path_param.index, inspect.Parameter.empty)
            bounds = None if annotation is inspect.Parameter.empty else bounds_of(annotation)
            if bounds is not None:
                self.errors.add(422)  # a value outside its bounds
            if annotation is inspect.Parameter.empty or strip_annotated(annotation) is str:
                schema: dict[str, Any] = {"type": "string"}
                if path_param.pattern is not None:
                    schema["pattern"] = path_param.pattern
                if path_param.min_length:
                    schema["minLength"] = path_param.min_length
                if bounds is not None:
                    schema = _with_bounds(schema, bounds.schema(is_string=True))
            else:
                schema = self.schemas.of(annotation)
            out.append({"name": path_param.name, "in": "path", "required": True, "schema": schema})
        return out

    def _query_parameters(self, part: Part) -> list[dict[str, Any]]:
        if not part.model:
            return [self._query(part.name, part.annotation, part.required, part.default)]
        return [
            self._query(name, annotation, required, None)
            for name, (annotation, required) in _fields(part.annotation).items()
        ]

    def _query(
        self, name: str, annotation: Any, required: bool, default: Any, where: str = "query"
    ) -> dict[str, Any]:
        schema = self.schemas.of(annotation)
        if not required and _plain_json(default):
            schema = {**schema, "default": default}
        param: dict[str, Any] = {"name": name, "in": where, "required": required}
        if schema.get("type") == "array" and where == "query":
            param.update(style="form", explode=True)  # ?tag=a&tag=b
        param["schema"] = schema
        return param

    # Body.

    def _request_body(self, part: Part) -> dict[str, Any]:
        schema = self.schemas.of(part.annotation)
        if part.source == "form":  # forms only (multipart only when a field is a file)
            media = list(_FORMS[1:] if file_fields(part.annotation) else _FORMS)
        else:
            media = [_JSON, _MSGPACK] if self.msgpack else [_JSON]
        # A missing body binds as {} for a model whose fields all have defaults: not required.
        needed = part.required and (
            not part.model or any(required for _, required in _fields(part.annotation).values())
        )
        return {
            "required": needed,
            "content": {name: {"schema": schema} for name in media},
        }

    # Responses.

    def _responses(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        success_status, success = self._success()
        own = dict(self.doc.responses)
        own_success = [s for s in own if s.startswith("2")]
        if not own_success:
            out[success_status] = success
        for code in sorted(self.errors):
            out[str(code)] = _error_ref(code)
        for status, answer in own.items():
            entry: dict[str, Any] = {}
            if status in out and "$ref" not in out[status]:
                entry.update(out[status])
            if isinstance(answer, str):
                entry["description"] = answer
            else:
                entry.update(answer)
            entry.setdefault("description", _description(status))
            if "content" not in entry:
                if status.startswith("2") and "content" in success:
                    entry["content"] = success["content"]
                elif status[0] in "45" and status != "default":
                    entry["content"] = problem_response(400)["content"]
            out[status] = entry
        return dict(sorted(out.items(), key=lambda item: _status_order(item[0])))

    def _success(self) -> tuple[str, dict[str, Any]]:
        """The status key and Response Object the return annotation promises."""
        try:
            annotation = typing.get_type_hints(self.fn, include_extras=True).get("return")
        except (NameError, TypeError):
            annotation = None  # unresolvable: already tolerated at registration
        status = "200"
        if annotation is None or annotation is type(None):
            return status, {"description": "OK"}
        annotation = strip_annotated(annotation)
        origin = typing.get_origin(annotation)
        if origin is tuple:  # (body, status) or (body, status, headers)
            args = typing.get_args(annotation)
            annotation, status = (args[0] if args else Any), "2XX"
            origin = typing.get_origin(annotation)
        if annotation is str:
            return status, _content("OK", {"text/plain": {"type": "string"}})
        if annotation is bytes:
            return status, _binary("OK")
        if origin in _ITERATORS:  # a generator handler: streamed
            item = (typing.get_args(annotation) or (str,))[0]
            if item is bytes:
                return status, {**_binary("OK, streamed"), "x-wtf-streamed": True}
            media = {"text/plain": {"type": "string"}}
            return status, {**_content("OK, streamed", media), "x-wtf-streamed": True}
        if annotation is Any:
            return status, {"description": "OK"}
        if isinstance(annotation, type) and not (
            is_model(annotation) or annotation in (dict, list, int, float, bool)
        ):
            try:
                classify(annotation)
            except TypeError:  # a Response object, a class the handler renders itself
                return status, {"description": "OK"}
        schema = self.schemas.of(annotation)
        media = {_JSON: schema}
        if self.msgpack:
            media[_MSGPACK] = schema
        return status, _content("OK", media)


def merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` over ``base``: objects merged key by key, lists appended, values replaced."""
    out = dict(base)
    for key, value in extra.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, Mapping):
            out[key] = merge(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            out[key] = old + value
        else:
            out[key] = value
    return out


def problem_components() -> dict[str, Any]:
    """The ``Problem`` schema (RFC 9457 §3, with wtf's ``errors`` list for 422)."""
    return {
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "errors": {
                    "type": "array",
                    "description": "One entry per invalid field (422)",
                    "items": {
                        "type": "object",
                        "properties": {
                            "loc": {
                                "type": "array",
                                "items": {"type": ["string", "integer"]},
                            },
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                        "required": ["loc", "msg", "type"],
                    },
                },
                "omitted": {"type": "integer"},
            },
            "required": ["type", "title", "status", "detail"],
        }
    }


def problem_response(status: int) -> dict[str, Any]:
    """The Response Object of a problem+json error with ``status``."""
    return _content(reason(status), {PROBLEM: {"$ref": "#/components/schemas/Problem"}})


def _error_ref(status: int) -> dict[str, Any]:
    """A reference to the shared response of ``status`` (``components/responses``)."""
    return {"$ref": f"#/components/responses/{error_name(status)}"}


def error_name(status: int) -> str:
    """``"NotFound"`` for 404: the name of its shared response."""
    return "".join(word.capitalize() for word in re.split(r"[^A-Za-z0-9]+", reason(status)))


def _content(description: str, media: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {name: {"schema": schema} for name, schema in media.items()},
    }


def _binary(description: str) -> dict[str, Any]:
    return _content(description, {"application/octet-stream": {}})


def _description(status: str) -> str:
    return reason(int(status)) if status.isdigit() else "Response"


def _status_order(status: str) -> tuple[int, str]:
    return (1000, status) if status == "default" else (int(status[0]) * 100, status)


def _fields(model: Any) -> dict[str, tuple[Any, bool]]:
    """``{name: (annotation, required)}`` of a model bound field by field."""
    if pydantic_model(model):
        return {
            name: (field.annotation, field.is_required())
            for name, field in model.model_fields.items()
        }
    if is_model(model):
        return model_fields(model)
    return {}


def _plain_json(value: Any) -> bool:
    if value is None or isinstance(value, type):
        return False
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _docstring(fn: Callable[..., Any]) -> tuple[str | None, str | None]:
    """The docstring's first paragraph (as one line) and the rest."""
    doc = inspect.getdoc(fn)
    if not doc:
        return None, None
    first, _, rest = doc.partition("\n\n")
    return " ".join(first.split()), rest.strip() or None


def _with_bounds(schema: dict[str, Any], keywords: dict[str, Any]) -> dict[str, Any]:
    """``schema`` and a parameter's own bounds; a second pattern (the segment's, and the
    parameter's) goes under ``allOf``, as one schema holds one pattern."""
    out = dict(schema)
    pattern = keywords.pop("pattern", None)
    for key, value in keywords.items():
        if key == "minLength":
            value = max(value, out.get(key, 0))
        out[key] = value
    if pattern is not None:
        if "pattern" in out:
            out["allOf"] = [{"pattern": pattern}]
        else:
            out["pattern"] = pattern
    return out


def schemes_needed(parameters: tuple[Any, ...]) -> list[SecurityScheme]:
    """The security schemes among the ArgBuilders ``parameters`` need, directly or through
    other builders (each once, in the order found)."""
    found: list[SecurityScheme] = []
    seen: set[int] = set()

    def walk(params: tuple[Any, ...]) -> None:
        for param in params:
            argument = param.argument
            if not isinstance(argument, Built):
                continue
            builder = argument.slot.current
            if builder is None or id(builder) in seen:
                continue
            seen.add(id(builder))
            scheme = security_scheme_of(builder.fn)
            if scheme is not None and scheme not in found:
                found.append(scheme)
            walk(builder.parameters)

    walk(parameters)
    return found
