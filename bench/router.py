"""Router benchmark: wtf's router against werkzeug, Falcon, Bottle and Routes, side by side.

Every router gets the same tables of 10, 100 and 1000 routes (a quarter each static, one-param,
two-param and regex-constrained) and the same lookups. Routers are interleaved within each
repeat so machine drift hits all alike; the figure is the median over repeats of the best
ns/lookup. Run with ``make bench-router`` (or ``python -m bench.router``).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

SIZES = (10, 100, 1000)


def table(n: int) -> list[tuple[str, int]]:
    """Route kinds 0..3 (static, one param, two params, regex) for ``n`` routes."""
    return [(kind, i) for i in range(n // 4) for kind in range(4)]


def lookups(n: int) -> dict[str, tuple[str, str]]:
    """Lookup name -> (path, expected kind marker)."""
    last = n // 4 - 1
    return {
        "static-first": ("/s0/list", "s0"),
        "static-last": (f"/s{last}/list", f"s{last}"),
        "param-last": (f"/p{last}/12345", f"p{last}"),
        "two-param-last": (f"/q{last}/ab/sub/cd", f"q{last}"),
        "regex-last": (f"/r{last}/42", f"r{last}"),
        "miss": ("/nothing/here", "miss"),
    }


def _wtf_router(n: int) -> Any:
    from wtf.router import Router

    r = Router()
    spec = ["/s{i}/list", "/p{i}/:id", "/q{i}/:a/sub/:b", "/r{i}/(?P<id>\\d+)"]
    marks = ["s", "p", "q", "r"]
    for kind, i in table(n):
        r.add(spec[kind].format(i=i), f"{marks[kind]}{i}", methods=["GET"])
    r.compile()
    return r


def build_wtf(n: int) -> Callable[[str], Any]:
    """wtf's low-level lookup, the one the Server uses."""
    find_ = _wtf_router(n).find

    def find(path: str) -> Any:
        # (route, values): the captured values, named by route.names.
        hit = find_("GET", path)
        return "miss" if hit is None else hit[0].target

    return find


def build_wtf_match(n: int) -> Callable[[str], Any]:
    """wtf's convenience API: a Match, whose Rest view is built only when asked for."""
    match = _wtf_router(n).match

    def find(path: str) -> Any:
        m = match("GET", path)
        return "miss" if m is None else m.target

    return find


def build_wtf_match_dict(n: int) -> Callable[[str], Any]:
    """What another framework reusing wtf's router does: the target and the params as a dict
    (as Falcon's and Bottle's lookups give theirs)."""
    match = _wtf_router(n).match

    def find(path: str) -> Any:
        m = match("GET", path)
        if m is None:
            return "miss"
        m.params_dict  # noqa: B018 - built, as a framework would pass it on
        return m.target

    return find


def build_wtf_match_dict_api(n: int) -> Callable[[str], Any]:
    """The same through ``Router.match_dict``: generated code builds the dict itself."""
    match_dict = _wtf_router(n).match_dict

    def find(path: str) -> Any:
        hit = match_dict("GET", path)
        return "miss" if hit is None else hit[0]

    return find


def build_werkzeug(n: int) -> Callable[[str], Any]:
    from werkzeug.exceptions import NotFound
    from werkzeug.routing import Map, Rule

    spec = ["/s{i}/list", "/p{i}/<id>", "/q{i}/<a>/sub/<b>", "/r{i}/<int:id>"]
    marks = ["s", "p", "q", "r"]
    rules = [
        Rule(spec[kind].format(i=i), endpoint=f"{marks[kind]}{i}", methods=["GET"])
        for kind, i in table(n)
    ]
    adapter = Map(rules).bind("localhost")
    match = adapter.match

    def find(path: str) -> Any:
        try:
            return match(path, "GET")[0]
        except NotFound:
            return "miss"

    return find


def build_falcon(n: int) -> Callable[[str], Any]:
    from falcon.routing import CompiledRouter

    class Resource:
        def __init__(self, name: str) -> None:
            self.name = name

        def on_get(self, req: Any, resp: Any, **params: Any) -> None:
            """Falcon needs a responder."""

    spec = ["/s{i}/list", "/p{i}/{{id}}", "/q{i}/{{a}}/sub/{{b}}", "/r{i}/{{id:int}}"]
    marks = ["s", "p", "q", "r"]
    router = CompiledRouter()
    for kind, i in table(n):
        router.add_route(spec[kind].format(i=i), Resource(f"{marks[kind]}{i}"))
    router.find("/warm-up")
    find_ = router.find

    def find(path: str) -> Any:
        hit = find_(path)
        return "miss" if hit is None else hit[0].name

    return find


def build_bottle(n: int) -> Callable[[str], Any]:
    import bottle

    spec = ["/s{i}/list", "/p{i}/<id>", "/q{i}/<a>/sub/<b>", "/r{i}/<id:int>"]
    marks = ["s", "p", "q", "r"]
    router = bottle.Router()
    for kind, i in table(n):
        router.add(spec[kind].format(i=i), "GET", f"{marks[kind]}{i}")
    match = router.match

    def find(path: str) -> Any:
        try:
            return match({"PATH_INFO": path, "REQUEST_METHOD": "GET"})[0]
        except bottle.HTTPError:
            return "miss"

    return find


def build_routes(n: int) -> Callable[[str], Any]:
    from routes import Mapper

    spec = ["/s{i}/list", "/p{i}/{{id}}", "/q{i}/{{a}}/sub/{{b}}", "/r{i}/{{id}}"]
    marks = ["s", "p", "q", "r"]
    mapper = Mapper()
    mapper.minimization = False
    for kind, i in table(n):
        extra = {"requirements": {"id": r"\d+"}} if kind == 3 else {}
        mapper.connect(None, spec[kind].format(i=i), target=f"{marks[kind]}{i}", **extra)
    mapper.create_regs([])
    match = mapper.match

    def find(path: str) -> Any:
        hit = match(path)
        return "miss" if hit is None else hit["target"]

    return find


ROUTERS: dict[str, Callable[[int], Callable[[str], Any]]] = {
    "wtf": build_wtf,
    "wtf.match": build_wtf_match,
    "wtf.match+dict": build_wtf_match_dict,
    "wtf.match_dict": build_wtf_match_dict_api,
    "werkzeug": build_werkzeug,
    "falcon": build_falcon,
    "bottle": build_bottle,
    "routes": build_routes,
}


def time_one(find: Callable[[str], Any], path: str, loops: int) -> float:
    """Best-of-3 ns per call of ``find(path)`` over ``loops`` calls."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter_ns()
        for _ in range(loops):
            find(path)
        best = min(best, (time.perf_counter_ns() - start) / loops)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loops", type=int, default=20000)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args(argv)
    print(f"# router benchmark, Python {platform.python_version()}, {platform.machine()}")
    print(f"# median of {args.repeats} repeats of best-of-3 x {args.loops} lookups; ns/lookup")
    results: dict[tuple[int, str, str], float] = {}
    for size in args.sizes:
        finders = {name: build(size) for name, build in ROUTERS.items()}
        cases = lookups(size)
        for name, find in finders.items():  # every router must answer right before timing
            for case, (path, expected) in cases.items():
                got = find(path)
                if got != expected:
                    raise SystemExit(f"{name} answered {got!r} for {case} {path}, not {expected!r}")
        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.repeats):
            for case, (path, _) in cases.items():
                for name, find in finders.items():
                    ns = time_one(find, path, args.loops)
                    samples.setdefault((name, case), []).append(ns)
        for (name, case), values in samples.items():
            results[(size, name, case)] = statistics.median(values)
    report(results, args.sizes)
    return 0


OURS = ("wtf", "wtf.match", "wtf.match+dict", "wtf.match_dict")  # not anchors


def report(results: dict[tuple[int, str, str], float], sizes: list[int]) -> None:
    names = list(ROUTERS)
    cases = list(lookups(10))
    header = (
        f"| routes | lookup | {' | '.join(names)} | wtf / fastest anchor "
        "| match+dict / fastest anchor | match_dict / fastest anchor |"
    )
    print(header)
    print("|" + "---|" * (len(names) + 5))
    for size in sizes:
        for case in cases:
            row = [results[(size, name, case)] for name in names]
            fastest = min(row[len(OURS) :])
            cells = " | ".join(f"{ns:,.0f}" for ns in row)
            reuse = row[OURS.index("wtf.match+dict")] / fastest
            direct = row[OURS.index("wtf.match_dict")] / fastest
            print(
                f"| {size} | {case} | {cells} | {row[0] / fastest:.2f}x | {reuse:.2f}x "
                f"| {direct:.2f}x |"
            )
    print()
    if len(sizes) > 1:
        lo, hi = min(sizes), max(sizes)
        for case in cases:
            growth = results[(hi, "wtf", case)] / results[(lo, "wtf", case)]
            print(f"wtf {case}: {hi} routes / {lo} routes = {growth:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
