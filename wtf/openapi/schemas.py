"""JSON Schemas (OpenAPI 3.1 is JSON Schema 2020-12) of the types handlers bind and return.

One :class:`Schemas` per document: named types (dataclasses, ``TypedDict``, pydantic models,
enums) become shared ``components/schemas`` entries referenced by ``$ref``, so a type used by
ten routes is written once and a recursive type refers to itself. The mapping follows what
wtf's validation accepts (:func:`wtf.annotations.classify`, the same reading of a type), so a
client built from the document sends what the server takes.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import re
import uuid
from typing import Any

from ..annotations import Unsupported, classify, is_typeddict, model_fields, pydantic_model
from ..constraints import Bounds, split_constraints
from ..validation import value_kind

__all__ = ["Schemas"]

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    uuid.UUID: {"type": "string", "format": "uuid"},
    datetime.datetime: {"type": "string", "format": "date-time"},
    datetime.date: {"type": "string", "format": "date"},
    datetime.time: {"type": "string", "format": "time"},
}
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")


class Schemas:
    """The schemas of one document, and its shared components.

    Args:
        forbid_extra: Objects bound from bodies refuse unknown fields
            (``additionalProperties: false``), as the server does with
            ``extra_fields="forbid"``.
    """

    def __init__(self, forbid_extra: bool = True) -> None:
        self.forbid_extra = forbid_extra
        #: ``components/schemas``: name -> schema.
        self.components: dict[str, dict[str, Any]] = {}
        self._names: dict[Any, str] = {}

    def of(self, tp: Any) -> dict[str, Any]:
        """The schema of values of ``tp`` (a ``$ref`` for named types).

        Types wtf cannot bind (a class of the app's own, ``Any``-like annotations) are ``{}``:
        any value. The document still says what it can.
        """
        try:
            base, bounds = split_constraints(tp)
        except ValueError:
            return {}
        if bounds is not None:
            return self._bounded(base, bounds)
        try:
            kind, detail = classify(tp)
        except Unsupported:
            return {}
        if kind == "any":
            return {}
        if kind == "none":
            return {"type": "null"}
        if kind == "scalar":
            return dict(_SCALARS[detail])
        if kind == "union":
            return {"anyOf": _unique([self.of(member) for member in detail])}
        if kind == "literal":
            return _literal(detail)
        if kind == "list":
            item, container = detail
            schema: dict[str, Any] = {"type": "array", "items": self.of(item)}
            if container in (set, frozenset):
                schema["uniqueItems"] = True
            return schema
        if kind == "dict":
            return {"type": "object", "additionalProperties": self.of(detail)}
        if kind == "file":
            return {"type": "string", "format": "binary"}
        return self._named(detail)  # enum, model

    def _bounded(self, base: Any, bounds: Bounds) -> dict[str, Any]:
        """The schema of ``base`` with the keywords of its bounds (on the non-null member of
        an optional value)."""
        schema = self.of(base)
        keywords = bounds.schema(is_string=value_kind(base) == "str")
        members = schema.get("anyOf")
        if members is not None:
            return {"anyOf": [m if m.get("type") == "null" else {**m, **keywords} for m in members]}
        return {**schema, **keywords}

    def _named(self, tp: Any) -> dict[str, Any]:
        name = self._names.get(tp)
        if name is None:
            name = self._names[tp] = self._free_name(tp)
            self.components[name] = {}  # taken before the fields: a recursive type refers to it
            self.components[name] = self._define(tp)
        return {"$ref": f"#/components/schemas/{name}"}

    def _free_name(self, tp: Any) -> str:
        name = _NAME_CHARS.sub("_", tp.__name__)
        if name in self.components:  # another type of that name: qualify this one
            name = _NAME_CHARS.sub("_", f"{tp.__module__}.{tp.__qualname__}")
        base, n = name, 2
        while name in self.components:
            name, n = f"{base}_{n}", n + 1
        return name

    def _define(self, tp: Any) -> dict[str, Any]:
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            schema = _literal(tuple(member.value for member in tp))
            schema["title"] = tp.__name__
            return schema
        if pydantic_model(tp):
            return self._pydantic(tp)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field, (annotation, needed) in model_fields(tp).items():
            properties[field] = self.of(annotation)
            if needed:
                required.append(field)
            else:
                default = _default(tp, field)
                if default is not None:
                    properties[field] = {**properties[field], "default": default[0]}
        schema = {"type": "object", "title": tp.__name__, "properties": properties}
        if required:
            schema["required"] = required
        if self.forbid_extra:
            schema["additionalProperties"] = False
        doc = _own_doc(tp)
        if doc:
            schema["description"] = doc
        return schema

    def _pydantic(self, model: Any) -> dict[str, Any]:
        """pydantic's own schema; the models it nests become components too."""
        schema: dict[str, Any] = model.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for name, nested in schema.pop("$defs", {}).items():
            self.components.setdefault(name, nested)
        return schema


def _literal(options: tuple[Any, ...]) -> dict[str, Any]:
    values = [o.value if isinstance(o, enum.Enum) else o for o in options]
    types = {_json_type(v) for v in values}
    schema: dict[str, Any] = {"enum": values} if len(values) != 1 else {"const": values[0]}
    if len(types) == 1 and None not in types:
        schema["type"] = types.pop()
    return schema


def _json_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _default(tp: Any, field: str) -> tuple[Any] | None:
    """``(default,)`` of a dataclass field when it is plain JSON, else None."""
    if is_typeddict(tp) or not dataclasses.is_dataclass(tp):
        return None
    for f in dataclasses.fields(tp):
        if f.name == field and f.default is not dataclasses.MISSING:
            try:
                json.dumps(f.default)
            except (TypeError, ValueError):
                return None
            return (f.default,)
    return None


def _own_doc(tp: Any) -> str | None:
    """The class's own docstring (not dataclass's generated signature, nor an inherited one)."""
    doc = tp.__dict__.get("__doc__")
    if not doc or (dataclasses.is_dataclass(tp) and doc.startswith(f"{tp.__name__}(")):  # type: ignore[union-attr]
        return None
    return " ".join(doc.split())


def _unique(schemas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for schema in schemas:
        if schema not in out:
            out.append(schema)
    return out
