"""Compiling the pattern tree into one Python function per (host group, method).

The generated code is a nest of ``if`` blocks, one per tree node, so trying the alternatives of a
node in priority order and falling back to the next one after a deeper failure is plain
fall-through; positions known at compile time are constants. Fully static routes are answered
by a dict before any of it runs. Wide literal fan-outs are looked up in a dict of sub-functions,
so the cost of a lookup does not grow with the number of routes (Falcon's ``CompiledRouter``
generates code the same way but tests wide fan-outs one by one).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from .pattern import Literal, Named, RegexPiece, Wildcard
from .route import Match, Route, new_match
from .tree import Node

__all__ = ["Finder", "compile_finder"]

Finder = Callable[[str], "tuple[Route, tuple[str, ...]] | None"]
"""A compiled lookup: ``finder(path) -> (route, values) | None``."""
# (Static hits are prebuilt Match instances: a Match is a (route, values) tuple.)
Selector = Callable[[list[Route]], "Route | None"]

_WIDE = 8  # PERF: above this many literal alternatives, a dict beats a chain of startswith.
_MAX_INDENT = 40  # Python's tokenizer allows 100 levels; deeper subtrees become functions.


def compile_finder(root: Node, select: Selector, as_dict: bool = False) -> Finder:
    """Compile the routes of ``root`` that ``select`` admits into a finder function.

    Args:
        root: The router's full pattern tree (its order is the matching order).
        select: Picks, among the routes ending at one node, the one this finder answers with
            (or ``None``); it encodes the method and host filter.
        as_dict: Answer ``(target, {name: value})`` (a new dict each time) instead.

    Returns:
        ``finder(path)`` returning ``(route, values)`` (or the dict form) or ``None``.
    """
    static: dict[str, Match] = {}
    live: dict[int, bool] = {}
    chosen: dict[int, Route] = {}
    for node in root.walk():
        if node.routes:
            route = select(node.routes)
            if route is not None:
                if route.static_path is not None:
                    static[route.static_path] = new_match((route, ()))
                else:
                    chosen[id(node)] = route
    _mark_live(root, chosen, live)
    if not live[id(root)] and not as_dict:
        return static.get  # every route is static: a dict lookup, no generated code
    emitter = _Emitter(chosen, live, as_dict)
    body: list[str] = []
    emitter.segment_node(root, 0, (0, ()), [], 1, body)
    source = "\n".join(
        [
            *emitter.functions,
            "def find(path):",
            "    hit = STATIC.get(path)",
            "    if hit is not None:",
            "        return (hit[0].target, {})" if as_dict else "        return hit",
            "    segs = path.split('/')",
            "    k = len(segs)",
            *body,
            "    return None",
        ]
    )
    namespace: dict[str, Any] = dict(emitter.consts, STATIC=static)
    exec(compile(source, "<wtf.router compiled>", "exec"), namespace)
    finder: Finder = namespace["find"]
    _SOURCES[finder] = source
    return finder


#: The generated source of each compiled finder (for :meth:`wtf.router.Router.finder_source`).
_SOURCES: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def finder_source(finder: Finder) -> str:
    """The Python source generated for ``finder`` (or a note when no code was needed)."""
    try:
        source = _SOURCES.get(finder)
    except TypeError:  # a bound dict.get: not weak-referenceable
        source = None
    if source is None:
        return "# every route for this method is static: one dict lookup (STATIC.get)\n"
    return source + "\n"


def _mark_live(node: Node, chosen: dict[int, Route], live: dict[int, bool]) -> bool:
    """Record, for each node, whether a dynamic admitted route ends at or below it."""
    alive = id(node) in chosen
    for child in node.children.values():
        alive = _mark_live(child, chosen, live) or alive
    live[id(node)] = alive
    return alive


_Pos = tuple[int, tuple[int, ...]]  # a path offset: constant + the lengths of these segments


def _pos(pos: _Pos) -> str:
    """Render a segment-mode offset as an expression."""
    const, dyn = pos
    return " + ".join([str(const), *(f"len(segs[{j}])" for j in dyn)]) if dyn else str(const)


class _Emitter:
    """Writes the source of the finder, node by node.

    Two modes, whose methods say which. Segment mode (``segment_*``) works on
    ``segs = path.split('/')`` while the tree is aligned on ``/``: literal segments compare with
    ``==`` or a dict, ``:name`` is ``segs[i]``. Position mode (``position_*``) works on offsets
    into ``path`` and handles what is not aligned: regex pieces and text mixed with parameters
    inside a segment.
    """

    def __init__(
        self, chosen: dict[int, Route], live: dict[int, bool], as_dict: bool = False
    ) -> None:
        self.chosen = chosen
        self.live = live
        #: Answer ``(target, {name: value})`` instead of ``(route, values)``.
        self.as_dict = as_dict
        self.consts: dict[str, Any] = {}
        self.functions: list[str] = []
        self.counter = 0

    def answer(self, route: Route, ref: str, vals: list[str]) -> str:
        """The expression a finder returns for ``route`` with these value expressions."""
        if not self.as_dict:
            return f"({ref}, ({_tuple(vals)}))"
        target = self.const(route.target, "T")
        items = ", ".join(f"{name!r}: {val}" for name, val in zip(route.names, vals, strict=True))
        return f"({target}, {{{items}}})"

    def uid(self) -> int:
        self.counter += 1
        return self.counter

    def const(self, value: Any, prefix: str) -> str:
        name = f"{prefix}{self.uid()}"
        self.consts[name] = value
        return name

    def position_node(
        self, node: Node, pos: str, vals: list[str], ind: int, out: list[str]
    ) -> None:
        """Emit the code trying ``node``'s alternatives; the path position is ``pos``."""
        pad = "    " * ind
        route = self.chosen.get(id(node))
        if route is not None:
            ref = self.const(route, "R")
            out.append(f"{pad}if {pos} == n:")
            out.append(f"{pad}    return {self.answer(route, ref, vals)}")
        kids = [c for c in node.children.values() if self.live[id(c)]]
        literals = [c for c in kids if isinstance(c.piece, Literal)]
        slashed = [c for c in literals if _text(c).endswith("/")]
        plain = [c for c in literals if not _text(c).endswith("/")]
        named = [c for c in kids if isinstance(c.piece, Named)]
        # PERF: one find() per node serves both the segment compare and the named pieces.
        slash = ""
        if slashed or named:
            slash = f"e{self.uid()}"
            out.append(f"{pad}{slash} = path.find('/', {pos})")
        if slashed:
            self.position_slashed(slashed, pos, slash, vals, ind, out)
        for length in sorted({len(_text(c)) for c in plain}, reverse=True):
            group = [c for c in plain if len(_text(c)) == length]
            self.position_plain(group, length, pos, vals, ind, out)
        for child in kids:
            if isinstance(child.piece, RegexPiece):
                self.position_regex(child, pos, vals, ind, out)
        if named:
            u = self.uid()
            out.append(f"{pad}q{u} = n if {slash} < 0 else {slash}")
            out.append(f"{pad}if q{u} > {pos}:")
            out.append(f"{pad}    v{u} = path[{pos}:q{u}]")
            for child in named:
                self.position_enter(child, f"q{u}", [*vals, f"v{u}"], ind + 1, out)
        for child in kids:
            if isinstance(child.piece, Wildcard):
                wild = self.chosen[id(child)]
                ref = self.const(wild, "R")
                tail = "path" if pos == "0" else f"path[{pos}:]"
                out.append(f"{pad}return {self.answer(wild, ref, [*vals, tail])}")

    def segment_node(
        self, node: Node, i: int, pos: _Pos, vals: list[str], ind: int, out: list[str]
    ) -> None:
        """Emit ``node``'s alternatives, standing at the start of segment ``i``."""
        pad = "    " * ind
        route = self.chosen.get(id(node))
        if route is not None:  # the path ended with the '/' that led here
            out.append(f"{pad}if k == {i + 1} and not segs[{i}]:")
            out.append(f"{pad}    return {self.answer(route, self.const(route, 'R'), vals)}")
        kids = [c for c in node.children.values() if self.live[id(c)]]
        literals = [c for c in kids if isinstance(c.piece, Literal)]
        slashed = [c for c in literals if _text(c).endswith("/")]
        plain = [c for c in literals if not _text(c).endswith("/")]
        if slashed:
            out.append(f"{pad}if k > {i + 1}:")
            if len(slashed) <= _WIDE:
                seg = f"s{self.uid()}"
                out.append(f"{pad}    {seg} = segs[{i}]")  # PERF: one subscript, many compares
                for child in slashed:
                    text = _text(child)[:-1]
                    out.append(f"{pad}    if {seg} == {text!r}:")
                    after = (pos[0] + len(text) + 1, pos[1])
                    self.segment_enter(child, i + 1, after, vals, ind + 2, out)
            else:
                self.segment_dispatch(slashed, i, pos, vals, ind + 1, out)
        for child in sorted(plain, key=lambda c: -len(_text(c))):
            if any(self.live[id(g)] for g in child.children.values()):
                # Text followed by a piece inside the segment: position mode from here.
                out.append(f"{pad}n = len(path)")
                self.position_literal(child, _pos(pos) if pos[1] else str(pos[0]), vals, ind, out)
            else:
                out.append(f"{pad}if k == {i + 1} and segs[{i}] == {_text(child)!r}:")
                done = self.chosen[id(child)]
                out.append(f"{pad}    return {self.answer(done, self.const(done, 'R'), vals)}")
        regexes = [c for c in kids if isinstance(c.piece, RegexPiece)]
        if regexes:
            u = self.uid()
            out.append(f"{pad}n = len(path)")
            out.append(f"{pad}o{u} = {_pos(pos)}")
            for child in regexes:
                self.position_regex(child, f"o{u}", vals, ind, out)
        named = [c for c in kids if isinstance(c.piece, Named)]
        if named:
            out.append(f"{pad}if segs[{i}]:")
            for child in named:
                self.segment_named(child, i, pos, [*vals, f"segs[{i}]"], ind + 1, out)
        for child in kids:
            if isinstance(child.piece, Wildcard):
                wild = self.chosen[id(child)]
                ref = self.const(wild, "R")
                out.append(f"{pad}return {self.answer(wild, ref, [*vals, f'path[{_pos(pos)}:]'])}")

    def segment_named(
        self, node: Node, i: int, pos: _Pos, vals: list[str], ind: int, out: list[str]
    ) -> None:
        """Emit a ``:name`` node that took segment ``i``: it may end, or go on after a '/'."""
        pad = "    " * ind
        route = self.chosen.get(id(node))
        if route is not None:
            out.append(f"{pad}if k == {i + 1}:")
            out.append(f"{pad}    return {self.answer(route, self.const(route, 'R'), vals)}")
        after = (pos[0] + 1, (*pos[1], i))
        for child in node.children.values():
            if self.live[id(child)]:  # only "/" can follow a named piece
                out.append(f"{pad}if k > {i + 1}:")
                self.segment_enter(child, i + 1, after, vals, ind + 1, out)

    def segment_enter(
        self, child: Node, i: int, pos: _Pos, vals: list[str], ind: int, out: list[str]
    ) -> None:
        """Emit ``child`` in segment mode, inline or (when nested deep) as its own function."""
        if ind < _MAX_INDENT:
            self.segment_node(child, i, pos, vals, ind, out)
            return
        name = self.segment_function(child, i, pos, len(vals))
        self.segment_call(name, vals, ind, out)

    def segment_function(self, child: Node, i: int, pos: _Pos, nvals: int) -> str:
        """Emit ``child`` (at the start of segment ``i``) as ``G(path, segs, k, a...)``."""
        return self.emit_function(
            "G",
            "path, segs, k",
            nvals,
            lambda vals, body: self.segment_node(child, i, pos, vals, 1, body),
        )

    def segment_call(self, fn: str, vals: list[str], ind: int, out: list[str]) -> None:
        self.emit_call(fn, "path, segs, k", vals, ind, out)

    def emit_function(
        self,
        prefix: str,
        params: str,
        nvals: int,
        emit_body: Callable[[list[str], list[str]], None],
    ) -> str:
        """Emit a generated function ``prefixN(params, a0, a1...)``; return its name."""
        name = f"{prefix}{self.uid()}"
        args = "".join(f", a{j}" for j in range(nvals))
        body = [f"def {name}({params}{args}):"]
        emit_body([f"a{j}" for j in range(nvals)], body)
        body.append("    return None")
        self.functions.append("\n".join(body))
        return name

    def emit_call(self, fn: str, fixed: str, vals: list[str], ind: int, out: list[str]) -> None:
        """Emit a call of a generated function that returns its result when it matched."""
        pad = "    " * ind
        u = self.uid()
        args = "".join(f", {v}" for v in vals)
        out.append(f"{pad}r{u} = {fn}({fixed}{args})")
        out.append(f"{pad}if r{u} is not None:")
        out.append(f"{pad}    return r{u}")

    def segment_dispatch(
        self, group: list[Node], i: int, pos: _Pos, vals: list[str], ind: int, out: list[str]
    ) -> None:
        """Many literal segments: a dict from the segment to a function per subtree."""
        pad = "    " * ind
        name = f"D{self.uid()}"
        entries = ", ".join(
            f"{_text(c)[:-1]!r}: "
            + self.segment_function(c, i + 1, (pos[0] + len(_text(c)), pos[1]), len(vals))
            for c in group
        )
        self.functions.append(f"{name} = {{{entries}}}")
        u = self.uid()
        out.append(f"{pad}f{u} = {name}.get(segs[{i}])")
        out.append(f"{pad}if f{u} is not None:")
        self.segment_call(f"f{u}", vals, ind + 1, out)

    def position_enter(
        self, child: Node, pos: str, vals: list[str], ind: int, out: list[str]
    ) -> None:
        """Emit ``child`` inline, or as a call to its own function when nested too deep."""
        if ind < _MAX_INDENT:
            self.position_node(child, pos, vals, ind, out)
            return
        fn = self.position_function(child, len(vals))
        self.position_call(fn, pos, vals, ind, out)

    def position_function(self, child: Node, nvals: int) -> str:
        """Emit ``child``'s subtree as ``F(path, n, p, a...)``; return the function's name."""
        return self.emit_function(
            "F",
            "path, n, p",
            nvals,
            lambda vals, body: self.position_node(child, "p", vals, 1, body),
        )

    def position_table(self, group: list[Node], nvals: int) -> str:
        """Emit a dict from each child's literal text to its sub-function; return its name."""
        name = f"D{self.uid()}"
        entries = ", ".join(f"{_text(c)!r}: {self.position_function(c, nvals)}" for c in group)
        self.functions.append(f"{name} = {{{entries}}}")
        return name

    def position_call(self, fn: str, pos: str, vals: list[str], ind: int, out: list[str]) -> None:
        self.emit_call(fn, f"path, n, {pos}", vals, ind, out)

    def position_slashed(
        self, group: list[Node], pos: str, slash: str, vals: list[str], ind: int, out: list[str]
    ) -> None:
        """Literal children ending in ``/``: at most one can match, the whole next segment."""
        pad = "    " * ind
        u = self.uid()
        out.append(f"{pad}if {slash} >= 0:")
        out.append(f"{pad}    s{u} = path[{pos}:{slash} + 1]")
        out.append(f"{pad}    p{u} = {slash} + 1")
        if len(group) <= _WIDE:
            for child in group:
                out.append(f"{pad}    if s{u} == {_text(child)!r}:")
                self.position_enter(child, f"p{u}", vals, ind + 2, out)
            return
        table = self.position_table(group, len(vals))
        args = "".join(f", {v}" for v in vals)
        out.append(f"{pad}    f{u} = {table}.get(s{u})")
        out.append(f"{pad}    if f{u} is not None:")
        out.append(f"{pad}        r{u} = f{u}(path, n, p{u}{args})")
        out.append(f"{pad}        if r{u} is not None:")
        out.append(f"{pad}            return r{u}")

    def position_plain(
        self, group: list[Node], length: int, pos: str, vals: list[str], ind: int, out: list[str]
    ) -> None:
        """Literal children of one length without ``/``: at most one of them can match."""
        pad = "    " * ind
        if len(group) <= _WIDE:
            for child in group:
                self.position_literal(child, pos, vals, ind, out)
            return
        u = self.uid()
        table = self.position_table(group, len(vals))
        args = "".join(f", {v}" for v in vals)
        end = f"{pos} + {length}"
        out.append(f"{pad}f{u} = {table}.get(path[{pos}:{end}])")
        out.append(f"{pad}if f{u} is not None:")
        out.append(f"{pad}    r{u} = f{u}(path, n, {end}{args})")
        out.append(f"{pad}    if r{u} is not None:")
        out.append(f"{pad}        return r{u}")

    def position_literal(
        self, child: Node, pos: str, vals: list[str], ind: int, out: list[str]
    ) -> None:
        pad = "    " * ind
        text = _text(child)
        at = "" if pos == "0" else f", {pos}"
        out.append(f"{pad}if path.startswith({text!r}{at}):")
        if pos.isdigit():
            nxt = str(int(pos) + len(text))
        else:
            nxt = f"p{self.uid()}"
            out.append(f"{pad}    {nxt} = {pos} + {len(text)}")
        self.position_enter(child, nxt, vals, ind + 1, out)

    def position_regex(
        self, child: Node, pos: str, vals: list[str], ind: int, out: list[str]
    ) -> None:
        pad = "    " * ind
        piece = child.piece
        assert isinstance(piece, RegexPiece)
        rx = self.const(piece.regex.match, "X")
        u = self.uid()
        subject = "path" if pos == "0" else f"path[{pos}:]"
        # A regex piece sees the rest of the path as a string of its own (no look-behind into
        # earlier text, '^' anchors here), is tried once, and must consume a character.
        out.append(f"{pad}m{u} = {rx}({subject})")
        out.append(f"{pad}if m{u} is not None and m{u}.end():")
        out.append(f"{pad}    p{u} = {pos} + m{u}.end()")
        out.append(f"{pad}    v{u} = m{u}.group()")
        self.position_enter(child, f"p{u}", [*vals, f"v{u}"], ind + 1, out)


def _text(node: Node) -> str:
    piece = node.piece
    assert isinstance(piece, Literal)
    return piece.text


def _tuple(items: list[str]) -> str:
    if not items:
        return ""
    return ", ".join(items) + ","
