"""``Rest``: the parameters a route pattern captured, as ordered ``(name, value)`` pairs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["Rest"]


class Rest:
    """Route parameters in pattern order.

    Names may repeat (``/a/:x/b/:x``); the unnamed regex and wildcard pieces have the name ``""``.

    Examples:
        >>> rest = Rest([("id", "42"), ("", "a/b")])
        >>> rest.get("id"), rest.get_index(1), len(rest)
        ('42', 'a/b', 2)
    """

    # PERF: built once per matched request; two tuples and no dict until as_dict() is asked for.
    __slots__ = ("_names", "_values")

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        pairs = tuple(pairs)
        self._names: tuple[str, ...] = tuple(name for name, _ in pairs)
        self._values: tuple[str, ...] = tuple(value for _, value in pairs)

    @classmethod
    def from_lists(cls, names: tuple[str, ...], values: tuple[str, ...]) -> Rest:
        """Build a ``Rest`` from parallel tuples of names and values (no copying).

        Args:
            names: The parameter names, in pattern order.
            values: The captured values, same length as ``names``.
        """
        rest = cls.__new__(cls)
        rest._names = names
        rest._values = values
        return rest

    def get(self, name: str, default: str = "") -> str:
        """Return the value of the first parameter called ``name``, or ``default``."""
        try:
            return self._values[self._names.index(name)]
        except ValueError:
            return default

    def get_index(self, index: int, default: str = "") -> str:
        """Return the value at ``index``; a negative or out-of-range index gives ``default``."""
        if 0 <= index < len(self._values):
            return self._values[index]
        return default

    def as_dict(self) -> dict[str, str]:
        """Return ``{name: value}``; a repeated name keeps its first value."""
        out: dict[str, str] = {}
        for name, value in zip(self._names, self._values, strict=True):
            out.setdefault(name, value)
        return out

    @property
    def names(self) -> tuple[str, ...]:
        """The parameter names, in pattern order."""
        return self._names

    @property
    def values(self) -> tuple[str, ...]:
        """The captured values, in pattern order."""
        return self._values

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return zip(self._names, self._values, strict=True)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Rest):
            return self._names == other._names and self._values == other._values
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._names, self._values))

    def __repr__(self) -> str:
        return f"Rest({list(self)!r})"
