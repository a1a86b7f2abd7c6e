"""Framework benchmark: wtf against bare WSGI, Falcon, Bottle and Flask, side by side.

In one process, every app's WSGI callable is called directly with a fresh copy of a prepared
environ (and a fresh body stream for POST), after checking that every app answers correctly.
Frameworks are interleaved within every repeat (A B C A B C ...) so machine drift hits all
alike. Prints the median ns/request and the ratios to Falcon and to bare WSGI.
Run with ``make bench-frameworks``.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from werkzeug.test import EnvironBuilder

from .apps import ECHO_BODY, FRAMEWORKS, Wsgi, rest_requests

SCENARIOS = {
    1: "GET /hello (text)",
    2: "GET /user/12345 (param)",
    3: "GET /json",
    4: "200 routes, 20 paths",
    5: "POST /echo 1 KiB JSON",
    6: "3 ArgBuilders + Gzip + CORS",
}


def environs(scenario: int) -> list[tuple[dict[str, Any], Callable[[bytes], bool]]]:
    """The environs of a scenario, each with a check of the response body."""

    def build(path: str, method: str = "GET", **kw: Any) -> dict[str, Any]:
        return EnvironBuilder(path=path, method=method, **kw).get_environ()

    if scenario == 1:
        return [(build("/hello"), lambda b: b == b"Hello, World!")]
    if scenario == 2:
        return [(build("/user/12345"), lambda b: b == b"12345")]
    if scenario == 3:
        return [(build("/json"), lambda b: json.loads(b) == {"message": "Hello, World!"})]
    if scenario == 4:
        return [
            (build(path), lambda b, t=template: b == t.encode())
            for path, template in rest_requests()
        ]
    if scenario == 5:
        env = build("/echo", "POST", data=ECHO_BODY, content_type="application/json")
        return [(env, lambda b: json.loads(b) == json.loads(ECHO_BODY))]
    headers = {"Origin": "https://app.example.com", "Accept-Encoding": "gzip"}
    return [(build("/hello", headers=headers), lambda b: b == b"Hello, World!")]


def call(app: Wsgi, environ: dict[str, Any]) -> tuple[str, bytes]:
    """One request; returns the status and the body (and closes the iterable)."""
    env = environ.copy()
    body = environ.get("_body")
    if body is not None:
        env["wsgi.input"] = io.BytesIO(body)
    status: list[str] = []
    result = app(env, lambda s, h, e=None: status.append(s))
    try:
        data = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return status[0], data


def print_variants(
    title: str,
    apps: dict[str, Wsgi],
    environ: dict[str, Any],
    baseline: str,
    repeats: int,
    loops: int,
) -> None:
    """Time ``apps`` interleaved on one environ; print a table with ratios to ``baseline``."""
    samples: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(repeats):
        for name, app in apps.items():
            samples[name].append(timed(app, [environ], loops))
    base = statistics.median(samples[baseline])
    print(f"# {title}, Python {platform.python_version()}, {platform.machine()}")
    print(f"# median of {repeats} repeats of best-of-3 x {loops} requests")
    print(f"| handler | ns/request | vs {baseline} |")
    print("|---|---|---|")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"| {name} | {median:,.0f} | {median / base:.2f}x |")


def timed(app: Wsgi, envs: list[dict[str, Any]], loops: int) -> float:
    """Best-of-3 ns per request over ``loops`` requests cycling through ``envs``."""

    def start(status: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        return None

    bodies = [env.get("_body") for env in envs]
    plan = [(envs[i % len(envs)], bodies[i % len(envs)]) for i in range(loops)]
    best = float("inf")
    BytesIO = io.BytesIO
    for _ in range(3):
        begin = time.perf_counter_ns()
        for env, body in plan:
            copy = env.copy()
            if body is not None:
                copy["wsgi.input"] = BytesIO(body)
            result = app(copy, start)
            for _chunk in result:
                pass
            close = getattr(result, "close", None)
            if close is not None:
                close()
        best = min(best, (time.perf_counter_ns() - begin) / loops)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loops", type=int, default=10000)
    parser.add_argument("--scenarios", type=int, nargs="*", default=list(SCENARIOS))
    args = parser.parse_args(argv)
    built = {name: make() for name, make in FRAMEWORKS.items()}
    results: dict[tuple[int, str], float] = {}
    for scenario in args.scenarios:
        cases = environs(scenario)
        for env, _ in cases:
            if env["REQUEST_METHOD"] == "POST":
                env["_body"] = env["wsgi.input"].read()
        apps = {name: fw[scenario] for name, fw in built.items() if scenario in fw}
        for name, app in apps.items():  # every app must answer right before it is timed
            for env, check in cases:
                status, body = call(app, env)
                if not status.startswith("200") or not check(body):
                    raise SystemExit(f"{name} scenario {scenario}: {status} {body[:80]!r}")
        samples: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(args.repeats):
            for name, app in apps.items():
                samples[name].append(timed(app, [env for env, _ in cases], args.loops))
        for name, values in samples.items():
            results[(scenario, name)] = statistics.median(values)
    report(results, args)
    return 0


def report(results: dict[tuple[int, str], float], args: argparse.Namespace) -> None:
    names = list(FRAMEWORKS)
    print(f"# frameworks, Python {platform.python_version()}, {platform.machine()}")
    print(f"# median of {args.repeats} repeats of best-of-3 x {args.loops} requests; ns/request")
    print(f"| scenario | {' | '.join(names)} | wtf / falcon | wtf / bare |")
    print("|" + "---|" * (len(names) + 3))
    for scenario in args.scenarios:
        cells = [results.get((scenario, name)) for name in names]
        text = " | ".join("-" if c is None else f"{c:,.0f}" for c in cells)
        wtf_ns = results[(scenario, "wtf")]
        falcon = results.get((scenario, "falcon"))
        bare = results.get((scenario, "bare"))
        vs_falcon = f"{wtf_ns / falcon:.2f}x" if falcon else "-"
        vs_bare = f"{wtf_ns / bare:.2f}x" if bare else "-"
        print(f"| {scenario}. {SCENARIOS[scenario]} | {text} | {vs_falcon} | {vs_bare} |")
    if 6 in args.scenarios and 1 in args.scenarios:
        ratio = results[(6, "wtf")] / results[(1, "wtf")]
        print(f"\nscenario 6 / wtf scenario 1 = {ratio:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
