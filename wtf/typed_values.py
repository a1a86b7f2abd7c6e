"""Typed getters over a ``get(key, default)`` store (blademaster's getters): shared by
:class:`wtf.Context` (per-request values) and :class:`wtf.realtime.Session` (server-local
values)."""

from __future__ import annotations

from typing import Any

__all__ = ["TypedGetters"]

_TRUE = frozenset(("1", "true", "yes", "on"))
_FALSE = frozenset(("0", "false", "no", "off", ""))


class TypedGetters:
    """``get_str``, ``get_int``, ``get_float`` and ``get_bool`` for a class with ``get``."""

    __slots__ = ()

    def get(self, key: str, default: Any = None) -> Any:  # pragma: no cover - overridden
        """Return a value, or ``default``."""
        raise NotImplementedError

    def get_str(self, key: str, default: str = "") -> str:
        """Return a value as ``str`` (``default`` when missing)."""
        value = self.get(key)
        return default if value is None else str(value)

    def get_int(self, key: str, default: int = 0) -> int:
        """Return a value as ``int`` (``default`` when missing or not a number)."""
        value = self.get(key)
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value) if value is not None else default
        except (TypeError, ValueError):
            return default

    def get_float(self, key: str, default: float = 0.0) -> float:
        """Return a value as ``float`` (``default`` when missing or not a number)."""
        value = self.get(key)
        try:
            return float(value) if value is not None else default
        except (TypeError, ValueError):
            return default

    def get_bool(self, key: str, default: bool = False) -> bool:
        """Return a value as ``bool``; strings ``1/true/yes/on`` and ``0/false/no/off`` count."""
        value = self.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            return default
        return bool(value)
