"""Building a path from a pattern and parameter values (the reverse of matching)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from .errors import RouteError
from .pattern import Literal, Named, RegexPiece, Wildcard, parse

__all__ = ["build_path"]


def build_path(pattern: str, params: Mapping[str, object]) -> str:
    """The path ``pattern`` matches with these parameter values.

    Values are percent-encoded (``/`` kept); a ``:name`` value must have no ``/`` (it is one
    segment), a regex piece's value must match its regex. The decoded result matches
    ``pattern`` again with the same values.

    Args:
        pattern: A route pattern.
        params: A value for every named piece (``str(value)`` is used).

    Raises:
        RouteError: A value is missing, an unnamed piece cannot be built, or a value does not
            match its regex piece; the message names the piece.
    """
    out: list[str] = []
    for piece in parse(pattern):
        if isinstance(piece, Literal):
            out.append(piece.text)
            continue
        name = piece.name
        if not name:
            raise RouteError(
                f"cannot build {pattern!r}: it has an unnamed piece; name it ('*:rest', "
                "'(?P<name>...)') to build URLs for it"
            )
        if name not in params:
            raise RouteError(f"cannot build {pattern!r}: no value for {name!r}")
        value = str(params[name])
        if isinstance(piece, Named):
            if not value or "/" in value:
                raise RouteError(
                    f"cannot build {pattern!r}: the value of ':{name}' must be non-empty and "
                    f"without '/' ({value!r}; WSGI servers decode %2F before routing, so it "
                    f"could not match): use '*:{name}' for values with '/'"
                )
            out.append(quote(value))
        elif isinstance(piece, Wildcard):
            out.append(quote(value, safe="/"))
        else:
            assert isinstance(piece, RegexPiece)
            if not piece.regex.fullmatch(value):
                raise RouteError(
                    f"cannot build {pattern!r}: {value!r} does not match {piece.source!r}"
                )
            out.append(quote(value, safe="/"))
    return "".join(out)
