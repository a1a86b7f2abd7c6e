"""Route patterns as OpenAPI path templates (``/notes/:id`` -> ``/notes/{id}``).

Every piece becomes a ``{name}`` template expression. What a template cannot say by itself is
said by the parameter's schema: a ``:name`` is one non-empty segment (``pattern: ^[^/]+$``), a
regex piece keeps its regex (Python's ``re`` syntax, which ECMA-262 shares for the usual
classes and quantifiers), the wildcard may be empty. Unnamed pieces get a generated name
(``param1``, ``path``), so the document lists them even though a handler cannot take them by
name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..router.pattern import Literal, Named, Piece, RegexPiece, Wildcard

__all__ = ["PathParam", "template"]

_PY_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


@dataclass(frozen=True)
class PathParam:
    """One template expression of a path.

    Attributes:
        name: Its name in the template (the piece's, or a generated one).
        index: Its position among the route's values (what the handler receives).
        pattern: A regex every value matches (``None``: any text, ``/`` included).
        min_length: The shortest value the router matches.
    """

    name: str
    index: int
    pattern: str | None
    min_length: int


def template(pieces: tuple[Piece, ...]) -> tuple[str, list[PathParam]]:
    """The OpenAPI path template of a parsed pattern, and its parameters in order."""
    out: list[str] = []
    params: list[PathParam] = []
    taken = {piece.name for piece in pieces if not isinstance(piece, Literal) and piece.name}
    for piece in pieces:
        if isinstance(piece, Literal):
            out.append(piece.text.replace("{", "%7B").replace("}", "%7D"))
            continue
        name = piece.name or _generated(piece, len(params), taken)
        if isinstance(piece, Named):
            param = PathParam(name, len(params), "^[^/]+$", 1)
        elif isinstance(piece, Wildcard):
            param = PathParam(name, len(params), None, 0)
        else:
            assert isinstance(piece, RegexPiece)
            # Python's named groups are "(?P<name>", ECMA-262's "(?<name>": a plain group
            # reads the same in both (and in the validators, which compile with Python).
            source = _PY_NAMED_GROUP.sub("(", piece.source)
            param = PathParam(name, len(params), f"^{source}$", 0)
        params.append(param)
        out.append(f"{{{name}}}")
    return "".join(out), params


def _generated(piece: Piece, index: int, taken: set[str]) -> str:
    base = "path" if isinstance(piece, Wildcard) else f"param{index + 1}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name
