"""The happy path of body validation: generated code that converts a valid value, or gives up.

:func:`compile_fast` turns an annotation into ``fast(value)``, which returns the converted
value, or :data:`~wtf.validation.INVALID` as soon as anything is wrong, without recording why:
no error list, no ``loc`` tuples, one generated function per dataclass or ``TypedDict`` with
the common field types (``str``, ``int``, ``float``, ``bool``) tested inline. The full check of
:mod:`wtf.validation` then runs only for invalid values, to report every error. Both accept
exactly the same values and build the same results; a property test holds them to it.

JSON-like values only (bodies); query strings and forms use the full check directly.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

from .annotations import (
    INVALID,
    classify,
    is_typeddict,
    model_fields,
    pydantic_model,
    strip_annotated,
)
from .constraints import Bounds, split_constraints

__all__ = ["Fast", "compile_fast"]

#: ``fast(value)`` -> the converted value, or ``INVALID``.
Fast = Callable[[Any], Any]

_MISSING: Any = object()


def compile_fast(tp: Any, forbid_extra: bool, fallback: Callable[[Any], Fast]) -> Fast:
    """Compile the fast path of ``tp`` (JSON-like values).

    Args:
        tp: The annotation (already accepted by :func:`wtf.validation.compile_type`).
        forbid_extra: Unknown fields of dataclasses and ``TypedDict``\\ s make a value invalid.
        fallback: Makes the fast path of a type this module does not specialise (UUID,
            datetime, files...) from its full check.
    """
    return _FastCompiler(forbid_extra, fallback).compile(tp)


def _identity(value: Any) -> Any:
    return value


def _str(value: Any) -> Any:
    return value if isinstance(value, str) else INVALID


def _int(value: Any) -> Any:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    return INVALID


def _float(value: Any) -> Any:
    if type(value) is float or type(value) is int:
        return float(value)
    return INVALID


def _bool(value: Any) -> Any:
    return value if type(value) is bool else INVALID


def _none(value: Any) -> Any:
    return None if value is None else INVALID


_SCALARS: dict[Any, Fast] = {str: _str, int: _int, float: _float, bool: _bool}

# Inline statements for a field value ``v`` (result in ``r``); INVALID returns at once.
_INLINE: dict[Any, str] = {
    str: (
        "{i}if type(v) is str or isinstance(v, str):\n"
        "{i}    r = v\n"
        "{i}else:\n"
        "{i}    return _INVALID\n"
    ),
    bool: "{i}if type(v) is not bool:\n{i}    return _INVALID\n{i}r = v\n",
    int: (
        "{i}if type(v) is int:\n"
        "{i}    r = v\n"
        "{i}else:\n"
        "{i}    r = _int(v)\n"
        "{i}    if r is _INVALID:\n"
        "{i}        return _INVALID\n"
    ),
}


class _FastCompiler:
    def __init__(self, forbid_extra: bool, fallback: Callable[[Any], Fast]) -> None:
        self.forbid_extra = forbid_extra
        self.fallback = fallback
        self.models: dict[Any, Fast] = {}

    def compile(self, tp: Any) -> Fast:
        base, bounds = split_constraints(tp)
        if bounds is not None:
            return self._bounded(self.compile(base), bounds)
        kind, detail = classify(tp)
        if kind == "any":
            return _identity
        if kind == "none":
            return _none
        if kind == "union":
            return self._union(detail)
        if kind == "literal":
            return self._literal(detail)
        if kind == "list":
            return self._list(*detail)
        if kind == "dict":
            return self._dict(self.compile(detail))
        if kind == "enum":
            return self._enum(detail)
        if kind == "model":
            return self._pydantic(detail) if pydantic_model(detail) else self._model(detail)
        return _SCALARS.get(detail) or self.fallback(detail)  # scalars, files

    @staticmethod
    def _bounded(inner: Fast, bounds: Bounds) -> Fast:
        """``inner``, then the bounds as one generated condition (``None`` passes)."""
        condition, namespace = bounds.condition("r", "_b")
        namespace.update(_inner=inner, _INVALID=INVALID)
        source = (
            "def fast(value):\n"
            "    r = _inner(value)\n"
            "    if r is _INVALID or r is None:\n"
            "        return r\n"
            f"    return r if {condition} else _INVALID\n"
        )
        exec(compile(source, "<wtf fast bounds>", "exec"), namespace)
        fast: Fast = namespace["fast"]
        return fast

    def _union(self, members: tuple[Any, ...]) -> Fast:
        optional = type(None) in members
        fasts = [self.compile(m) for m in members if m is not type(None)]

        def fast(value: Any) -> Any:
            if value is None and optional:
                return None
            for each in fasts:
                result = each(value)
                if result is not INVALID:
                    return result
            return INVALID

        return fast

    def _literal(self, options: tuple[Any, ...]) -> Fast:
        def fast(value: Any) -> Any:
            for option in options:
                if value == option and type(value) is type(option):
                    return option
            return INVALID

        return fast

    def _enum(self, cls: type[enum.Enum]) -> Fast:
        def fast(value: Any) -> Any:
            try:
                return cls(value)
            except (ValueError, TypeError):
                return INVALID

        return fast

    def _list(self, item_type: Any, kind: Any) -> Fast:
        item = self.compile(item_type)
        make: Callable[[list[Any]], Any] = kind

        def fast(value: Any) -> Any:
            if type(value) is not list and not isinstance(value, list | tuple):
                return INVALID
            out: list[Any] = []
            append = out.append
            for element in value:
                result = item(element)
                if result is INVALID:
                    return INVALID
                append(result)
            return make(out)

        return fast

    def _dict(self, values: Fast) -> Fast:
        def fast(value: Any) -> Any:
            if not isinstance(value, dict):
                return INVALID
            out = {}
            for key, element in value.items():
                result = values(element)
                if result is INVALID:
                    return INVALID
                out[key] = result
            return out

        return fast

    def _pydantic(self, cls: Any) -> Fast:
        from pydantic import ValidationError as PydanticError

        def fast(value: Any) -> Any:
            try:
                return cls.model_validate(value)
            except PydanticError:
                return INVALID

        return fast

    def _model(self, cls: Any) -> Fast:
        known = self.models.get(cls)
        if known is not None:
            return known

        def forward(value: Any) -> Any:  # recursive models refer to themselves
            return real(value)

        self.models[cls] = forward
        fields = model_fields(cls)
        namespace: dict[str, Any] = {
            "_INVALID": INVALID,
            "_MISSING": _MISSING,
            "_Mapping": Mapping,
            "_int": _int,
            "_cls": cls,
        }
        lines = [
            "def fast(value):",
            "    if type(value) is not dict and not isinstance(value, _Mapping):",
            "        return _INVALID",
            "    out = {}",
            "    seen = 0",
        ]
        for index, (name, (annotation, required)) in enumerate(fields.items()):
            key = repr(name)
            lines.append(f"    v = value.get({key}, _MISSING)")
            lines.append("    if v is _MISSING:")
            lines.append("        return _INVALID" if required else "        pass")
            lines.append("    else:")
            base, bounds = split_constraints(annotation)
            inline = _INLINE.get(strip_annotated(base))
            if inline is not None:
                lines.append(inline.format(i="        ").rstrip("\n"))
                if bounds is not None:  # the bounds, inlined too
                    condition, names = bounds.condition("r", f"_b{index}_")
                    namespace.update(names)
                    lines.append(f"        if not ({condition}):")
                    lines.append("            return _INVALID")
            else:
                namespace[f"_f{index}"] = self.compile(annotation)
                lines.append(f"        r = _f{index}(v)")
                lines.append("        if r is _INVALID:")
                lines.append("            return _INVALID")
            lines.append(f"        out[{key}] = r")
            lines.append("        seen += 1")
        if self.forbid_extra:
            lines.append("    if seen != len(value):")  # an unknown field
            lines.append("        return _INVALID")
        if is_typeddict(cls):
            lines.append("    return out")
        else:
            lines += [
                "    try:",
                "        return _cls(**out)",
                "    except (ValueError, TypeError):",  # __post_init__ checks
                "        return _INVALID",
            ]
        source = "\n".join(lines) + "\n"
        exec(compile(source, f"<wtf fast check of {cls.__qualname__}>", "exec"), namespace)
        real: Fast = namespace["fast"]
        self.models[cls] = real
        return real
