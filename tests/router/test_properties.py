"""Property test: the compiled router agrees with an obviously-correct reference matcher.

The reference does no tree walking. It matches each admitted route on its own (every piece is
deterministic: text, one regex attempt, a named segment, or the wildcard), then ranks the
matching routes by a key that spells out the contract: at the first place two patterns
differ, text < regex < named < wildcard, and among regex or named pieces the one whose node
(the pattern up to and including it) was registered first. A pattern that ends there ranks
before a wildcard matching nothing.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from wtf.router import DuplicateRouteError, Router
from wtf.router.hosts import request_host
from wtf.router.pattern import Literal, Named, Piece, RegexPiece, Wildcard, parse

SEGMENTS = ["a", "b", "ab", ":x", ":y", "(?P<d>\\d+)", "(?P<w>[ab]+)", "(a/b)", "a:x"]
# Literal prefixes of different lengths, each followed by a parameter in the same segment.
SEGMENTS += ["a(?P<n>1)", "(?P<e>b*)", "a(?P<r>.+)", "ab(?P<s>.+)", "ab:z"]
# Many literal siblings: above 8 the compiler dispatches through a dict of sub-functions.
# (Distinct first letters: the pattern tree splits text where patterns differ.)
LITERALS = [f"{c}x" for c in "cdefghijkmno"]
PATH_SEGMENTS = ["a", "b", "ab", "1", "12", "a1", "", "ax", "abc", "cx", "q-cx", "q-cx1", "ox"]
METHODS = [None, ["GET"], ["POST"], ["HEAD"], ["GET", "POST"]]
HOSTS = [None, None, ["x.com"], ["*.x.com"]]


def expand(pieces: tuple[Piece, ...]) -> list[tuple[str, str]]:
    """The pattern as a sequence of tree steps: literal text one character per step."""
    out: list[tuple[str, str]] = []
    for piece in pieces:
        if isinstance(piece, Literal):
            out.extend(("L", ch) for ch in piece.text)
        else:
            out.append(piece.key)
    return out


def walk(pieces: tuple[Piece, ...], path: str) -> list[str] | None:
    """Match one route on its own; return its param values."""
    pos, values = 0, []
    for piece in pieces:
        if isinstance(piece, Literal):
            if not path.startswith(piece.text, pos):
                return None
            pos += len(piece.text)
        elif isinstance(piece, RegexPiece):
            m = re.compile(piece.source).match(path[pos:])
            if m is None or m.end() == 0:
                return None
            values.append(m.group())
            pos += m.end()
        elif isinstance(piece, Named):
            end = path.find("/", pos)
            end = len(path) if end < 0 else end
            if end == pos:
                return None
            values.append(path[pos:end])
            pos = end
        else:
            assert isinstance(piece, Wildcard)
            values.append(path[pos:])
            pos = len(path)
    return values if pos == len(path) else None


def reference(
    routes: list[tuple[str, object, list[str] | None, list[str] | None]],
    method: str,
    path: str,
    host: str | None,
) -> tuple[object, list[tuple[str, str]]] | None:
    steps = [expand(parse(p)) for p, _, _, _ in routes]

    def first_registered(prefix: list[tuple[str, str]]) -> int:
        return min(i for i, s in enumerate(steps) if s[: len(prefix)] == prefix)

    def rank(i: int) -> tuple:  # type: ignore[type-arg]
        key = []
        for depth, step in enumerate(steps[i]):
            kind = {"L": 0, "R": 1, "N": 2, "W": 3}[step[0]]
            key.append((kind, first_registered(steps[i][: depth + 1]) if kind in (1, 2) else 0))
        key.append((-1, 0))
        methods = routes[i][2]
        explicit = methods is None or method in methods
        return (key, 0 if explicit else 1)

    def admits(methods: list[str] | None) -> bool:
        return methods is None or method in methods or (method == "HEAD" and "GET" in methods)

    groups: list[object] = []
    if host is not None:
        name = request_host(host)
        groups.append(name)
        wild = sorted(
            {h for _, _, _, hs in routes for h in hs or () if h.startswith("*.")},
            key=lambda h: -len(h),
        )
        # "*.x.com" wants a non-empty label before ".x.com"
        groups.extend(
            h
            for h in wild
            if name.endswith(h[1:]) and len(name) > len(h) - 1 and name[-len(h)] != "."
        )
    groups.append(None)
    for group in groups:
        hits = []
        for i, (pattern, target, methods, hosts) in enumerate(routes):
            if (hosts is None) != (group is None) or (hosts and group not in hosts):
                continue
            if not admits(methods):
                continue
            values = walk(parse(pattern), path)
            if values is not None:
                hits.append((rank(i), target, pattern, values))
        if hits:
            _, target, pattern, values = min(hits, key=lambda h: h[0])
            names = [p.name for p in parse(pattern) if not isinstance(p, Literal)]
            return target, list(zip(names, values, strict=True))
    return None


METHODS_WEIGHTED = [None, None, ["GET"], ["GET"], *METHODS]
HOSTS_WEIGHTED = [None, None, None, *HOSTS]


@st.composite
def route_specs(draw: st.DrawFn) -> list[tuple[str, list[str] | None, list[str] | None]]:
    """Routes drawn from a small per-example alphabet, so that they share prefixes; half the
    time beside a wide fan-out of literal siblings."""
    alphabet = draw(st.lists(st.sampled_from(SEGMENTS), min_size=2, max_size=4, unique=True))
    specs: list[tuple[str, list[str] | None, list[str] | None]] = []
    if draw(st.booleans()):
        # A wide fan-out: 9-12 literal siblings (generated sub-functions), each followed by
        # pieces from the alphabet, so that a miss inside one must fall back to the others.
        wide = draw(st.lists(st.sampled_from(LITERALS), min_size=9, max_size=12, unique=True))
        tail = draw(st.lists(st.sampled_from(alphabet), min_size=1, max_size=2))
        # "/cx/..." (segment mode); after a regex piece (position mode) "-cx/..." and
        # "-cx:z" (literal siblings ending in "/", and of one length followed by a piece).
        mode = draw(st.sampled_from(["segments", "after-regex-slashed", "after-regex-plain"]))
        for lit in wide:
            if mode == "segments":
                specs.append(("/" + lit + "/" + "/".join(tail), None, None))
            elif mode == "after-regex-slashed":
                specs.append(("/(?P<g>[a-z]+)-" + lit + "/" + "/".join(tail), None, None))
            else:
                specs.append(("/(?P<g>[a-z]+)-" + lit + ":z", None, None))
        if mode != "segments":
            specs.append(("/(?P<g>[a-z]+)-:z", None, None))
        alphabet += wide
    for _ in range(draw(st.integers(1, 12))):
        segs = draw(st.lists(st.sampled_from(alphabet), max_size=draw(st.sampled_from([3, 3, 8]))))
        wild = draw(st.sampled_from([0, 0, 0, 1, 2, 3]))
        end = {0: "", 1: "/*:rest", 2: "*", 3: "/"}[wild]  # "/" : a trailing slash
        pattern = "/" + "/".join(segs) + end
        pattern = pattern.replace("//", "/")
        if pattern.endswith((":x*", ":y*", ":z*")):
            pattern = pattern[:-1]
        methods = draw(st.sampled_from(METHODS_WEIGHTED))
        specs.append((pattern, methods, draw(st.sampled_from(HOSTS_WEIGHTED))))
    return specs


# Values each piece can take, so that paths built from the routes hit several candidates.
FILLERS = {
    "R": ["1", "12", "a", "ab", "a/b", "", "bb", "c", "ab-cx", "q"],
    "N": ["1", "ab", "a1", "x", "cx"],
    "W": ["", "1", "a/b"],
}


@st.composite
def paths_for(draw: st.DrawFn, specs: list[tuple[str, object, object]]) -> str:
    """A path instantiated from one of the routes (or a random one)."""
    if not specs or draw(st.integers(0, 3)) == 0:
        segs = draw(st.lists(st.sampled_from(PATH_SEGMENTS), max_size=4))
        return "/" + "/".join(segs)
    pattern = draw(st.sampled_from([p for p, _, _ in specs]))
    out = []
    for piece in parse(pattern):
        if isinstance(piece, Literal):
            out.append(piece.text)
        else:
            out.append(draw(st.sampled_from(FILLERS[piece.key[0]])))
    return "".join(out)


@settings(max_examples=600, deadline=None)
@given(
    st.data(),
    route_specs(),
    st.sampled_from(["GET", "POST", "HEAD", "DELETE"]),
    st.sampled_from([None, "x.com", "a.x.com:80", "y.com", ".x.com"]),
)
def test_router_agrees_with_reference(
    data: st.DataObject,
    specs: list[tuple[str, list[str] | None, list[str] | None]],
    method: str,
    host: str | None,
) -> None:
    router = Router()
    accepted: list[tuple[str, object, list[str] | None, list[str] | None]] = []
    for i, (pattern, methods, hosts) in enumerate(specs):
        try:
            router.add(pattern, i, methods=methods, hosts=hosts)
        except DuplicateRouteError:
            continue
        accepted.append((pattern, i, methods, hosts))
    for path in data.draw(st.lists(paths_for(specs), min_size=1, max_size=6)):
        m = router.match(method, path, host)
        got = None if m is None else (m.target, list(m.params))
        assert got == reference(accepted, method, path, host), (path, accepted)
        # The compiled lookups frameworks may call directly agree with find() without a host,
        # and are withheld while any route has a host filter.
        finder = router.finders.get(method)
        if any(hosts for _, _, _, hosts in accepted):
            assert finder is None
        elif finder is not None:
            direct, found = finder(path), router.find(method, path)
            assert (direct is None) == (found is None)
            if direct is not None and found is not None:
                assert (direct[0].target, tuple(direct[1])) == (found[0].target, tuple(found[1]))
