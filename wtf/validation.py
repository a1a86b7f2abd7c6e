"""Validators compiled once, at registration, from type annotations.

:func:`compile_type` turns an annotation (``int``, ``list[Item]``, a dataclass, a
``TypedDict``, a pydantic model...) into a function ``check(value, loc, errors)`` that returns
the converted value, or :data:`INVALID` after appending a :class:`wtf.FieldError` for each bad
field. Two modes: ``strings=False`` for JSON-like values (types must match: ``1`` is not
``"1"``), ``strings=True`` for query strings and form fields (``"1"`` converts to ``1``).

Unknown fields of a dataclass or ``TypedDict`` are refused (``extra_forbidden``) unless the
caller asks to ignore them; a pydantic model follows its own ``model_config``.
"""

from __future__ import annotations

import datetime
import enum
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from werkzeug.datastructures import FileStorage

from .annotations import (
    INVALID,
    Unsupported,
    classify,
    is_model,
    is_typeddict,
    model_fields,
    pydantic_model,
    type_label,
)
from .constraints import Bounds, check_applies, split_constraints
from .errors import FieldError
from .scalars import MAX_INT_DIGITS, parse_bool, parse_float, parse_int

__all__ = [
    "INVALID",
    "MAX_ERRORS",
    "Check",
    "FieldErrors",
    "Unsupported",
    "compile_type",
    "is_model",
    "pydantic_model",
]

Loc = tuple[str | int, ...]
Check = Callable[[Any, Loc, list[FieldError]], Any]


MAX_ERRORS = 50


class FieldErrors(list[FieldError]):
    """The errors of one validation: the first :data:`MAX_ERRORS` are kept, the rest counted
    (:attr:`omitted`), so a huge invalid body costs a 422 no bigger than its first errors.

    ``len()`` counts every error, kept or not: the checks compare lengths to tell whether a
    value failed.
    """

    __slots__ = ("omitted",)

    def __init__(self) -> None:
        super().__init__()
        self.omitted = 0

    def append(self, error: FieldError) -> None:
        """Keep ``error``, or count it once :data:`MAX_ERRORS` are kept."""
        if list.__len__(self) < MAX_ERRORS:
            list.append(self, error)
        else:
            self.omitted += 1

    def extend(self, errors: Any) -> None:
        """Append each of ``errors`` (counting what another :class:`FieldErrors` omitted)."""
        for error in errors:
            self.append(error)
        self.omitted += getattr(errors, "omitted", 0)

    def __len__(self) -> int:
        return list.__len__(self) + self.omitted

    @property
    def full(self) -> bool:
        """Whether further errors are only counted."""
        return list.__len__(self) >= MAX_ERRORS


def _error(errors: list[FieldError], loc: Loc, msg: str, kind: str) -> Any:
    if type(errors) is FieldErrors and errors.full:  # PERF: no dict for an error not kept
        errors.omitted += 1
    else:
        errors.append({"loc": list(loc), "msg": msg, "type": kind})
    return INVALID


def value_kind(tp: Any) -> str:
    """What a constraint sees of values of ``tp``: ``number``, ``str``, ``list``, ``dict``, or
    the kind of annotation (an optional value is its other member's kind)."""
    kind, detail = classify(tp)
    if kind == "union":
        others = [m for m in detail if m is not type(None)]
        return value_kind(others[0]) if len(others) == 1 else "union"
    if kind == "scalar":
        if detail in (int, float):
            return "number"
        return "str" if detail is str else type_label(detail)
    return kind


def compile_type(tp: Any, *, strings: bool, forbid_extra: bool = True, fast: bool = True) -> Check:
    """Compile the check of ``tp``.

    Args:
        tp: The annotation.
        strings: Values are strings to convert (query, form) rather than JSON values.
        forbid_extra: Refuse unknown fields of dataclasses and ``TypedDict``\\ s.
        fast: For JSON values, try the generated happy path first (see
            :mod:`wtf.fast_validation`); the result is the same either way.

    Raises:
        Unsupported: ``tp`` (or a field inside it) is a type wtf cannot bind; the message
            names it.
    """
    full = _Compiler(strings, forbid_extra).compile(tp)
    if strings or not fast:
        return full
    # PERF: JSON values go through generated code that only converts (no error list, no loc
    # tuples); the full check runs only for an invalid value, to say why.
    from .fast_validation import compile_fast

    def fallback(other: Any) -> Callable[[Any], Any]:
        check = _Compiler(False, forbid_extra).compile(other)
        return lambda value: check(value, (), [])

    happy = compile_fast(tp, forbid_extra, fallback)

    def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
        result = happy(value)
        return result if result is not INVALID else full(value, loc, errors)

    return check


class _Compiler:
    def __init__(self, strings: bool, forbid_extra: bool) -> None:
        self.strings = strings
        self.forbid_extra = forbid_extra
        self.models: dict[Any, Check] = {}

    def compile(self, tp: Any) -> Check:
        try:
            base, bounds = split_constraints(tp)
        except ValueError as exc:
            raise Unsupported(str(exc)) from None
        if bounds is not None:
            return self._constrained(base, bounds)
        kind, detail = classify(tp)
        if kind == "any":
            return lambda value, loc, errors: value
        if kind == "none":
            return self._none()
        if kind == "union":
            return self._union(detail)
        if kind == "literal":
            return self._literal(detail)
        if kind == "list":
            return self._list(*detail)
        if kind == "dict":
            return self._dict(self.compile(detail))
        if kind == "scalar":
            return _SCALARS[detail][1 if self.strings else 0]
        if kind == "enum":
            return self._enum(detail)
        if kind == "file":
            return _file
        if self.strings and not self._top:  # a model
            raise Unsupported(
                f"{type_label(detail)} cannot be nested in a query string or form; bind it from a "
                "JSON body"
            )
        return self._model(detail)

    _top = True

    def _constrained(self, base: Any, bounds: Bounds) -> Check:
        """The check of ``base``, then of its bounds (on the converted value; ``None`` of an
        optional value passes)."""
        inner = self.compile(base)
        kind = value_kind(base)
        try:
            check_applies(bounds, kind, type_label(base))
        except ValueError as exc:
            raise Unsupported(str(exc)) from None
        limit = bounds.check(kind)

        def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
            result = inner(value, loc, errors)
            if result is INVALID or result is None:
                return result
            return limit(result, loc, errors)

        return check

    def _none(self) -> Check:
        def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
            if value is None:
                return None
            return _error(errors, loc, "expected null", "none_required")

        return check

    def _union(self, members: tuple[Any, ...]) -> Check:
        optional = type(None) in members
        checks = [self.compile(m) for m in members if m is not type(None)]
        strings = self.strings

        def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
            if value is None and optional:
                return None
            if strings and optional and value == "":
                return None  # an empty form field or ?page= means "not given"
            first: list[FieldError] | None = None
            for each in checks:
                attempt = FieldErrors()
                result = each(value, loc, attempt)
                if result is not INVALID:
                    return result
                first = first if first is not None else attempt
            errors.extend(first or ())
            return INVALID

        return check

    def _literal(self, options: tuple[Any, ...]) -> Check:
        by_text = {str(o).lower() if isinstance(o, bool) else str(o): o for o in options}
        strings = self.strings
        shown = ", ".join(repr(o) for o in options)

        def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
            if strings and isinstance(value, str) and value in by_text:
                return by_text[value]
            for option in options:
                if value == option and type(value) is type(option):
                    return option
            return _error(errors, loc, f"expected one of {shown}", "literal_error")

        return check

    def _enum(self, cls: type[enum.Enum]) -> Check:
        by_text = {str(member.value): member for member in cls}
        strings = self.strings
        shown = ", ".join(repr(member.value) for member in cls)

        def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
            if strings and isinstance(value, str) and value in by_text:
                return by_text[value]
            try:
                return cls(value)
            except (ValueError, TypeError):
                return _error(errors, loc, f"expected one of {shown}", "enum")

        return check

    def _list(self, item_type: Any, kind: Any) -> Check:
        item = self.compile(item_type)
        make: Callable[[list[Any]], Any] = kind

        def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
            if type(value) is not list and not isinstance(value, list | tuple):
                return _error(errors, loc, "expected a list", "list_type")
            before = len(errors)
            out = [item(element, (*loc, index), errors) for index, element in enumerate(value)]
            return INVALID if len(errors) > before else make(out)

        return check

    def _dict(self, values: Check) -> Check:
        def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
            if not isinstance(value, dict):
                return _error(errors, loc, "expected an object", "dict_type")
            out = {}
            failed = False
            for key, element in value.items():
                converted = values(element, (*loc, key), errors)
                failed = failed or converted is INVALID
                out[key] = converted
            return INVALID if failed else out

        return check

    def _model(self, cls: Any) -> Check:
        known = self.models.get(cls)
        if known is not None:
            return known
        if pydantic_model(cls):
            check = _pydantic_check(cls)
            self.models[cls] = check
            return check
        # Recursive models (a Tree of Trees) refer to themselves: register first, fill after.
        table: dict[str, Check] = {}

        def forward(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
            return real(value, loc, errors)

        self.models[cls] = forward
        fields = model_fields(cls)
        outer, self._top = self._top, False
        try:
            for name, (annotation, _required) in fields.items():
                try:
                    table[name] = self.compile(annotation)
                except Unsupported as exc:
                    raise Unsupported(f"field {name!r} of {type_label(cls)}: {exc}") from None
        finally:
            self._top = outer
        real = _object_check(cls, fields, table, self.forbid_extra)
        self.models[cls] = real
        return real


def _object_check(
    cls: Any, fields: dict[str, tuple[Any, bool]], table: dict[str, Check], forbid_extra: bool
) -> Check:
    required = [name for name, (_, needed) in fields.items() if needed]
    typed_dict = is_typeddict(cls)

    def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
        # PERF: the exact-type test first; isinstance against an ABC is several times slower.
        if type(value) is not dict and not isinstance(value, Mapping):
            return _error(errors, loc, "expected an object", "dict_type")
        before = len(errors)
        out = {}
        get = table.get
        for name, element in value.items():
            field_check = get(name)
            if field_check is None:
                if forbid_extra:
                    _error(errors, (*loc, name), "unexpected field", "extra_forbidden")
                continue
            out[name] = field_check(element, (*loc, name), errors)
        for name in required:
            if name not in value:
                _error(errors, (*loc, name), "field required", "missing")
        if len(errors) > before:
            return INVALID
        if typed_dict:  # in the class's order, whatever the client's (as the fast path does)
            return {name: out[name] for name in table if name in out}
        try:
            return cls(**out)
        except (ValueError, TypeError) as exc:  # __post_init__ checks
            return _error(errors, loc, str(exc) or type(exc).__name__, "value_error")

    return check


def _pydantic_check(cls: Any) -> Check:
    from pydantic import ValidationError as PydanticError

    def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
        try:
            return cls.model_validate(value)
        except PydanticError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                errors.append(
                    {"loc": [*loc, *error["loc"]], "msg": error["msg"], "type": error["type"]}
                )
            return INVALID

    return check


# Scalars: (JSON check, string check).


def _json_str(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
    if isinstance(value, str):
        return value
    return _error(errors, loc, "expected a string", "string_type")


def _json_int(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    return _error(errors, loc, "expected an integer", "int_type")


def _text_int(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
    number = parse_int(value) if isinstance(value, str) else None
    if number is not None:
        return number
    if isinstance(value, str) and len(value) > MAX_INT_DIGITS:
        return _error(errors, loc, f"over {MAX_INT_DIGITS} digits", "int_parsing")
    return _error(errors, loc, f"not an integer: {str(value)[:40]!r}", "int_parsing")


def _json_float(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
    if type(value) is float or type(value) is int:
        return float(value)
    return _error(errors, loc, "expected a number", "float_type")


def _text_float(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
    number = parse_float(value) if isinstance(value, str) else None
    if number is None:
        return _error(errors, loc, f"not a finite number: {str(value)[:40]!r}", "float_parsing")
    return number


def _json_bool(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
    if type(value) is bool:
        return value
    return _error(errors, loc, "expected true or false", "bool_type")


def _text_bool(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
    flag = parse_bool(value) if isinstance(value, str) else None
    if flag is not None:
        return flag
    return _error(
        errors, loc, f"not a boolean: {str(value)[:40]!r} (use true/false)", "bool_parsing"
    )


def _uuid(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    return _error(errors, loc, "not a UUID", "uuid_parsing")


def _iso(kind: Any, label: str) -> Check:
    def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
        if isinstance(value, str):
            try:
                return kind.fromisoformat(value)
            except ValueError:
                pass
        return _error(errors, loc, f"not an ISO 8601 {label}", f"{label}_parsing")

    return check


def _file(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
    if isinstance(value, FileStorage):
        return value
    return _error(errors, loc, "expected an uploaded file", "file_type")


_SCALARS: dict[Any, tuple[Check, Check]] = {
    str: (_json_str, _json_str),
    int: (_json_int, _text_int),
    float: (_json_float, _text_float),
    bool: (_json_bool, _text_bool),
    uuid.UUID: (_uuid, _uuid),
    datetime.datetime: (_iso(datetime.datetime, "datetime"),) * 2,
    datetime.date: (_iso(datetime.date, "date"),) * 2,
    datetime.time: (_iso(datetime.time, "time"),) * 2,
}
