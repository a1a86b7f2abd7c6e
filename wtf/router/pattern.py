"""Parsing route patterns into pieces.

A pattern is read left to right, character by character:

* ``(`` starts a regex piece that ends at its balanced ``)``;
* ``:name`` is a named piece (one or more characters up to the next ``/``);
* ``*`` or ``*:name`` is the wildcard (the rest of the path) and must be last;
* everything else is literal text, split after every ``/`` so that a compiled router can look a
  whole segment up in a dict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import PatternError

__all__ = ["Literal", "Named", "Piece", "RegexPiece", "Wildcard", "parse"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Literal:
    """Literal text; contains at most one ``/``, and only as its last character."""

    text: str

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the tree node this piece occupies."""
        return ("L", self.text)


@dataclass(frozen=True, slots=True)
class RegexPiece:
    """A ``(regex)`` piece, matched once at its position against the rest of the path."""

    source: str
    regex: re.Pattern[str]
    name: str

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the tree node this piece occupies."""
        return ("R", self.source)


@dataclass(frozen=True, slots=True)
class Named:
    """A ``:name`` piece: one or more characters up to the next ``/``."""

    name: str

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the tree node this piece occupies."""
        return ("N", self.name)


@dataclass(frozen=True, slots=True)
class Wildcard:
    """The ``*`` / ``*:name`` piece: the whole rest of the path, possibly empty."""

    name: str

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the tree node; ``*`` and ``*:name`` share it."""
        return ("W", "")


Piece = Literal | RegexPiece | Named | Wildcard


# "<int:id>" or "<name>", but not the "<name>" of a regex group "(?P<name>...)".
_FLASK_PARAM = re.compile(r"(?<!\?P)<(?:([a-z]+):)?([A-Za-z_][A-Za-z0-9_]*)>")


def parse(pattern: str) -> tuple[Piece, ...]:
    """Parse ``pattern`` into its pieces.

    Args:
        pattern: A route pattern such as ``/user/:id`` or ``/v(?P<ver>\\d+)/*:rest``.

    Returns:
        The pieces in order; literal text is split after each ``/``.

    Raises:
        PatternError: The pattern is empty, does not start with ``/``, has unbalanced
            parentheses, a regex that does not compile, a ``:`` not followed by a name and then
            ``/`` or the end, or text after ``*``. The message names the pattern and the fix.
    """
    if not isinstance(pattern, str):
        raise PatternError(repr(pattern), "a pattern must be a string")
    if not pattern:
        raise PatternError(pattern, "the pattern is empty; patterns start with '/'")
    if not pattern.startswith("/"):
        raise PatternError(pattern, f"a pattern must start with '/' (did you mean '/{pattern}'?)")
    flask = _FLASK_PARAM.search(pattern)
    if flask is not None:  # Flask/werkzeug syntax: <int:id>, <path:rest>, <name>
        converter, name = flask.group(1), flask.group(2)
        ours = _FLASK_PARAM.sub(
            lambda m: f"*:{m.group(2)}" if m.group(1) == "path" else f":{m.group(2)}", pattern
        )
        typed = (
            f" and annotate the parameter '{name}: {converter}'"
            if converter in ("int", "float", "uuid")
            else ""
        )
        raise PatternError(
            pattern,
            f"'<{flask.group(0)[1:-1]}>' is Flask's syntax; wtf writes parameters as ':name' "
            f"(one segment) or '*:name' (the rest): use '{ours}'{typed}",
        )
    pieces: list[Piece] = []
    text: list[str] = []

    def flush_text() -> None:
        if text:
            pieces.extend(Literal(t) for t in _split_literal("".join(text)))
            text.clear()

    i, end = 0, len(pattern)
    while i < end:
        char = pattern[i]
        if char == "(":
            close = _regex_end(pattern, i)
            flush_text()
            pieces.append(_regex_piece(pattern, pattern[i : close + 1]))
            i = close + 1
        elif char == ")":
            raise PatternError(
                pattern, f"unbalanced ')' at position {i}; a regex piece is written '(...)'"
            )
        elif char == ":":
            ident = _IDENT.match(pattern, i + 1)
            if ident is None:
                raise PatternError(
                    pattern,
                    f"':' at position {i} must be followed by a parameter name "
                    "([A-Za-z_][A-Za-z0-9_]*); for a literal ':' use a regex piece '(:)'",
                )
            name = ident.group()
            nxt = ident.end()
            if nxt < end and pattern[nxt] != "/":
                fixed = pattern[:i] + f"(?P<{name}>[^/{re.escape(pattern[nxt])}]+)" + pattern[nxt:]
                raise PatternError(
                    pattern,
                    f"':{name}' must be followed by '/' or the end of the pattern, not "
                    f"{pattern[nxt]!r}; to capture part of a segment use a regex piece, "
                    f"e.g. {fixed!r}",
                )
            flush_text()
            pieces.append(Named(name))
            i = nxt
        elif char == "*":
            name = ""
            rest = pattern[i + 1 :]
            if rest.startswith(":"):
                ident = _IDENT.fullmatch(rest, 1)
                if ident is None:
                    raise PatternError(
                        pattern, "'*:' must be followed by a parameter name and nothing else"
                    )
                name = ident.group()
            elif rest:
                raise PatternError(
                    pattern,
                    f"'*' must be the last piece of a pattern, but {rest!r} follows it",
                )
            flush_text()
            pieces.append(Wildcard(name))
            i = end
        else:
            text.append(char)
            i += 1
    flush_text()
    return tuple(pieces)


def _split_literal(text: str) -> list[str]:
    """Split literal text after every ``/``: ``"/user/x"`` -> ``["/", "user/", "x"]``."""
    out: list[str] = []
    start = 0
    while True:
        slash = text.find("/", start)
        if slash < 0:
            if start < len(text):
                out.append(text[start:])
            return out
        out.append(text[start : slash + 1])
        start = slash + 1


def _regex_end(pattern: str, start: int) -> int:
    """Return the index of the ``)`` closing the ``(`` at ``start``.

    Escapes (``\\)``) and character classes (``[)]``) do not count.
    """
    depth = 0
    i, end = start, len(pattern)
    while i < end:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(pattern, i)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise PatternError(
        pattern, f"unbalanced '(' at position {start}; close the regex piece with ')'"
    )


def _class_end(pattern: str, start: int) -> int:
    """Return the index of the ``]`` closing the character class opened at ``start``."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    raise PatternError(pattern, f"unterminated character class '[' at position {start}")


def _regex_piece(pattern: str, source: str) -> RegexPiece:
    """Compile one ``(regex)`` piece; its param name is its first named group's name."""
    try:
        regex = re.compile(source)
    except re.error as exc:
        raise PatternError(pattern, f"the regex piece {source!r} does not compile: {exc}") from None
    groups = sorted(regex.groupindex.items(), key=lambda item: item[1])
    name = groups[0][0] if groups else ""
    return RegexPiece(source, regex, name)
