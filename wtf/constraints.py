"""Value constraints: ``Annotated[int, Ge(1)]``, ``Annotated[str, MaxLen(100), Pattern("^a")]``.

Read from the ``Annotated`` metadata of a parameter or field: the constraints of
``annotated-types`` (``Gt``, ``Ge``, ``Lt``, ``Le``, ``MultipleOf``, ``MinLen``, ``MaxLen``,
``Len``, ``Interval``), :class:`Pattern` for strings, and pydantic's ``Field(...)`` and
``StringConstraints`` (which carry the same). They are read once, at registration, into a
:class:`Bounds`, which gives the compiled check (run after the value's type was checked and
converted) and the JSON Schema keywords of the OpenAPI document. A violation is one field
error with pydantic's ``type`` (``greater_than_equal``, ``string_too_long``,
``string_pattern_mismatch``...) and a ``ctx`` naming the limit.
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import annotated_types as at

from .errors import FieldError

__all__ = ["Bounds", "Pattern", "bounds_of", "check_applies", "split_constraints"]

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Pattern:
    """A string must match ``regex`` (searched, as JSON Schema's ``pattern``: anchor it with
    ``^...$`` to match the whole string).

    Examples:
        >>> from typing import Annotated
        >>> Code = Annotated[str, Pattern(r"^[A-Z]{3}$")]
    """

    regex: str


_NUMERIC = (int, float)
_SIZED = (str, bytes, list, tuple, set, frozenset, dict)


@dataclass(frozen=True)
class Bounds:
    """The constraints found on one annotation (``None``: no such limit)."""

    gt: Any = None
    ge: Any = None
    lt: Any = None
    le: Any = None
    multiple_of: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None

    @property
    def numeric(self) -> bool:
        """Whether it bounds a number."""
        return any(v is not None for v in (self.gt, self.ge, self.lt, self.le, self.multiple_of))

    @property
    def sized(self) -> bool:
        """Whether it bounds a length."""
        return self.min_length is not None or self.max_length is not None

    def schema(self, is_string: bool) -> dict[str, Any]:
        """The JSON Schema keywords of these bounds (``minLength`` for a string,
        ``minItems`` for a list, ``minProperties`` for an object)."""
        out: dict[str, Any] = {}
        for key, value in (
            ("exclusiveMinimum", self.gt),
            ("minimum", self.ge),
            ("exclusiveMaximum", self.lt),
            ("maximum", self.le),
            ("multipleOf", self.multiple_of),
        ):
            if value is not None:
                out[key] = value
        lengths = ("minLength", "maxLength") if is_string else ("minItems", "maxItems")
        if self.min_length is not None:
            out[lengths[0]] = self.min_length
        if self.max_length is not None:
            out[lengths[1]] = self.max_length
        if self.pattern is not None:
            out["pattern"] = self.pattern
        return out

    def condition(self, var: str, prefix: str) -> tuple[str, dict[str, Any]]:
        """A Python expression over ``var`` that is true when a value of the type is within
        the bounds, and the names it uses (prefixed by ``prefix``): the generated happy path
        of validation inlines it."""
        names: dict[str, Any] = {}
        terms = []
        for op, value in ((">", self.gt), (">=", self.ge), ("<", self.lt), ("<=", self.le)):
            if value is not None:
                names[f"{prefix}{len(names)}"] = value
                terms.append(f"{var} {op} {prefix}{len(names) - 1}")
        if self.multiple_of is not None:
            names[f"{prefix}m"] = self.multiple_of
            names[f"{prefix}mul"] = _is_multiple
            terms.append(f"{prefix}mul({var}, {prefix}m)")
        if self.min_length is not None:
            terms.append(f"len({var}) >= {int(self.min_length)}")
        if self.max_length is not None:
            terms.append(f"len({var}) <= {int(self.max_length)}")
        if self.pattern is not None:
            names[f"{prefix}re"] = re.compile(self.pattern).search
            terms.append(f"{prefix}re({var}) is not None")
        return " and ".join(terms) or "True", names

    def check(self, kind: str) -> Callable[[Any, Loc, list[FieldError]], Any]:
        """``check(value, loc, errors)`` for a value already of the type (``kind``: ``str``,
        ``list``, ``dict`` or ``number``): the value, or ``INVALID`` with one error added."""
        from .annotations import INVALID

        limits: list[tuple[Callable[[Any], bool], str, str, dict[str, Any]]] = []
        noun = {"str": "String", "list": "List", "dict": "Dictionary"}.get(kind, "Input")
        unit = "character" if kind == "str" else "item"
        if self.gt is not None:
            gt = self.gt
            limits.append((lambda v: v > gt, "greater_than", f"greater than {gt}", {"gt": gt}))
        if self.ge is not None:
            ge = self.ge
            limits.append(
                (
                    lambda v: v >= ge,
                    "greater_than_equal",
                    f"greater than or equal to {ge}",
                    {"ge": ge},
                )
            )
        if self.lt is not None:
            lt = self.lt
            limits.append((lambda v: v < lt, "less_than", f"less than {lt}", {"lt": lt}))
        if self.le is not None:
            le = self.le
            limits.append(
                (lambda v: v <= le, "less_than_equal", f"less than or equal to {le}", {"le": le})
            )
        if self.multiple_of is not None:
            step = self.multiple_of
            limits.append(
                (
                    lambda v: _is_multiple(v, step),
                    "multiple_of",
                    f"a multiple of {step}",
                    {"multiple_of": step},
                )
            )
        too = "string_too" if kind == "str" else "too"
        if self.min_length is not None:
            low = self.min_length
            limits.append(
                (
                    lambda v: len(v) >= low,
                    f"{too}_short",
                    f"have at least {low} {unit}{'s' if low != 1 else ''}",
                    {"min_length": low},
                )
            )
        if self.max_length is not None:
            high = self.max_length
            limits.append(
                (
                    lambda v: len(v) <= high,
                    f"{too}_long",
                    f"have at most {high} {unit}{'s' if high != 1 else ''}",
                    {"max_length": high},
                )
            )
        if self.pattern is not None:
            search = re.compile(self.pattern).search
            shown = self.pattern
            limits.append(
                (
                    lambda v: search(v) is not None,
                    "string_pattern_mismatch",
                    f"match pattern {shown!r}",
                    {"pattern": shown},
                )
            )
        verb = "should be" if kind == "number" else "should"  # "be greater", "have at most"

        def check(value: Any, loc: Loc, errors: list[FieldError]) -> Any:
            for holds, kind_name, wanted, ctx in limits:
                if not holds(value):
                    errors.append(
                        {
                            "loc": list(loc),
                            "msg": f"{noun} {verb} {wanted}",
                            "type": kind_name,
                            "ctx": ctx,
                        }
                    )
                    return INVALID
            return value

        return check


def _is_multiple(value: Any, step: Any) -> bool:
    if isinstance(value, int) and isinstance(step, int):
        return value % step == 0
    quotient = value / step
    return math.isclose(quotient, round(quotient), rel_tol=1e-9, abs_tol=1e-9)


def split_constraints(tp: Any) -> tuple[Any, Bounds | None]:
    """``(the type without its constraints, the bounds)`` of an annotation; ``(tp, None)``
    when it has none. Other ``Annotated`` metadata stays on the type.

    Raises:
        ValueError: A constraint wtf cannot check (an ``annotated-types`` predicate, a time
            zone...), or a pattern that does not compile; the message names it.
    """
    if typing.get_origin(tp) is not Annotated:
        return tp, None
    base, *metadata = typing.get_args(tp)
    found: dict[str, Any] = {}
    kept: list[Any] = []
    for item in metadata:
        if not _collect(item, found):
            kept.append(item)
    if not found:
        return tp, None
    pattern = found.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"the pattern {pattern!r} does not compile: {exc}") from None
    stripped = Annotated[(base, *kept)] if kept else base
    return stripped, Bounds(**found)


def _collect(item: Any, found: dict[str, Any]) -> bool:
    """Add what ``item`` constrains to ``found``; whether it was a constraint."""
    if isinstance(item, Pattern):
        if not isinstance(item.regex, str):
            raise ValueError(f"Pattern takes a regular expression string, not {item.regex!r}")
        found["pattern"] = item.regex
        return True
    simple = (
        (at.Gt, "gt"),
        (at.Ge, "ge"),
        (at.Lt, "lt"),
        (at.Le, "le"),
        (at.MultipleOf, "multiple_of"),
        (at.MinLen, "min_length"),
        (at.MaxLen, "max_length"),
    )
    for kind, name in simple:
        if isinstance(item, kind):
            found[name] = getattr(item, name)
            return True
    if isinstance(item, at.GroupedMetadata) or type(item).__name__ == "FieldInfo":
        _unsupported_pydantic_options(item)
        members = list(item) if isinstance(item, at.GroupedMetadata) else item.metadata
        any_found = False
        for member in members:
            if _collect(member, found):
                any_found = True
            elif isinstance(member, at.BaseMetadata):
                raise ValueError(f"{member!r} is a constraint wtf cannot check")
        return any_found
    pattern = getattr(item, "pattern", None)
    if type(item).__name__ == "_PydanticGeneralMetadata":
        if isinstance(pattern, str):
            found["pattern"] = pattern
            return True
        raise ValueError(f"{item!r} is a constraint wtf cannot check")
    if isinstance(item, at.BaseMetadata):
        raise ValueError(f"{item!r} is a constraint wtf cannot check")
    return False


def _unsupported_pydantic_options(item: Any) -> None:
    """StringConstraints' transforms (strip, lower...) change values: not a check."""
    for option in ("strip_whitespace", "to_upper", "to_lower", "strict", "ascii_only"):
        if getattr(item, option, None):
            raise ValueError(f"{type(item).__name__}({option}=...) is a transform wtf cannot apply")


def bounds_of(tp: Any) -> Bounds | None:
    """The bounds on ``tp`` (see :func:`split_constraints`)."""
    return split_constraints(tp)[1]


def check_applies(bounds: Bounds, kind: str, base_label: str) -> None:
    """Raise ``ValueError`` when ``bounds`` cannot apply to a value of ``kind`` (``number``,
    ``str``, ``list``, ``dict`` or anything else), naming the constraint and the type."""
    if bounds.numeric and kind != "number":
        raise ValueError(
            f"a numeric bound (Gt, Ge, Lt, Le, MultipleOf) cannot apply to {base_label}; "
            "use it on an int or a float"
        )
    if bounds.sized and kind not in ("str", "list", "dict"):
        raise ValueError(
            f"a length bound (MinLen, MaxLen, Len) cannot apply to {base_label}; use it on a "
            "str, a list or a dict"
        )
    if bounds.pattern is not None and kind != "str":
        raise ValueError(f"Pattern cannot apply to {base_label}; use it on a str")
