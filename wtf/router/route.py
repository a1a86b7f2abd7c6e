"""``Route`` (one registration) and ``Match`` (the answer of :meth:`Router.match`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .pattern import Literal, Piece, parse
from .rest import Rest

__all__ = ["Match", "Route", "param_names"]


def param_names(pattern: str) -> tuple[str, ...]:
    """The parameter names of ``pattern``, in order (``""`` for unnamed pieces).

    Raises:
        PatternError: The pattern is malformed.
    """
    return tuple(piece.name for piece in parse(pattern) if not isinstance(piece, Literal))


class Route:
    """A registered route.

    Attributes:
        pattern: The pattern as given to :meth:`Router.add`.
        target: The object the route leads to (a handler, an endpoint, anything).
        methods: Upper-cased methods, or ``None`` for every method.
        hosts: Lower-cased hosts, or ``None`` for every host.
        pieces: The parsed pattern.
        names: The parameter names, in pattern order.
        static_path: The path this route matches when it has no parameter, else ``None``.
        index: Registration order within its router.
    """

    __slots__ = (
        "hosts",
        "index",
        "key",
        "methods",
        "names",
        "pattern",
        "pieces",
        "static_path",
        "target",
        "to_dict",
    )

    def __init__(
        self,
        pattern: str,
        target: Any,
        methods: frozenset[str] | None,
        hosts: tuple[str, ...] | None,
        index: int,
    ) -> None:
        self.pattern = pattern
        self.target = target
        self.methods = methods
        self.hosts = hosts
        self.index = index
        self.pieces: tuple[Piece, ...] = parse(pattern)
        self.key = tuple(piece.key for piece in self.pieces)
        self.names = tuple(piece.name for piece in self.pieces if not isinstance(piece, Literal))
        #: ``to_dict(values) -> {name: value}``: generated for this route's names, so that
        #: :attr:`Match.params_dict` costs one call (no zip, no loop).
        self.to_dict: Callable[[tuple[str, ...]], dict[str, str]] = _dict_builder(self.names)
        self.static_path = (
            "".join(p.text for p in self.pieces if isinstance(p, Literal))
            if all(isinstance(p, Literal) for p in self.pieces)
            else None
        )

    def __repr__(self) -> str:
        methods = "all" if self.methods is None else ",".join(sorted(self.methods))
        hosts = "" if self.hosts is None else f" hosts={','.join(self.hosts)}"
        return f"<Route {self.pattern!r} {methods}{hosts} -> {self.target!r}>"


class Match(tuple[Route, tuple[str, ...]]):
    """A successful match: an immutable ``(route, values)`` pair.

    Being a tuple, it unpacks as ``route, values = match``; the properties below name the
    parts. Static routes return one shared instance, so a lookup allocates nothing.

    Attributes:
        route: The matched :class:`Route`.
        values: The captured values, in pattern order.
    """

    __slots__ = ()

    @property
    def route(self) -> Route:
        """The matched :class:`Route`."""
        return self[0]

    @property
    def values(self) -> tuple[str, ...]:
        """The captured values, in pattern order."""
        return self[1]

    @property
    def target(self) -> Any:
        """The matched route's target."""
        return self[0].target

    @property
    def pattern(self) -> str:
        """The matched route's pattern."""
        return self[0].pattern

    @property
    def params(self) -> Rest:
        """The captured parameters as a :class:`Rest` (built on access)."""
        return Rest.from_lists(self[0].names, self[1])

    @property
    def params_dict(self) -> dict[str, str]:
        """The captured parameters as a new ``{name: value}`` dict (a later value wins over an
        earlier one of the same name): what another framework passes as keyword arguments.
        PERF: one call of a function generated for the route."""
        return self[0].to_dict(self[1])

    def __repr__(self) -> str:
        return f"Match({self.pattern!r}, {self.target!r}, {self.params!r})"


#: ``new_match((route, values))`` without the cost of a ``__new__`` lookup.
def new_match(found: tuple[Route, tuple[str, ...]]) -> Match:
    """Wrap a ``(route, values)`` pair as a :class:`Match`."""
    return tuple.__new__(Match, found)


def _dict_builder(names: tuple[str, ...]) -> Callable[[tuple[str, ...]], dict[str, str]]:
    """``lambda v: {names[0]: v[0], ...}``, compiled once per route."""
    # The names are identifiers (or "") checked by the pattern parser; repr() quotes them.
    items = ", ".join(f"{name!r}: v[{i}]" for i, name in enumerate(names))
    built: Callable[[tuple[str, ...]], dict[str, str]] = eval(f"lambda v: {{{items}}}")
    return built
