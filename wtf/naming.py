"""Names of functions and types, as registration errors print them."""

from __future__ import annotations

from typing import Any

__all__ = ["describe", "type_name"]


def describe(fn: Any) -> str:
    """``module.qualname`` of a function, for messages."""
    module = getattr(fn, "__module__", None) or "?"
    qualname = getattr(fn, "__qualname__", None) or repr(fn)
    return f"{module}.{qualname}"


def type_name(ann: Any) -> str:
    """A type as ``module.Qualname`` (builtins bare)."""
    if isinstance(ann, type):
        return (
            ann.__qualname__
            if ann.__module__ == "builtins"
            else f"{ann.__module__}.{ann.__qualname__}"
        )
    return repr(ann)
