"""Where scenario 6's time goes: wtf's scenario 1 with one feature at a time.

The same ``GET /hello`` (with ``Origin`` and ``Accept-Encoding: gzip``, as in scenario 6) against
apps that add a no-op midware, three ArgBuilder arguments, CORS, Gzip, both, and everything
(scenario 6 itself); interleaved in the harness of ``bench.frameworks``, ratios to the plain
app. Run with ``make bench-features``.
"""

from __future__ import annotations

import argparse
import sys

import wtf
from wtf.midware import CORS, Gzip

from .apps import A, B, C, _builder
from .frameworks import call, environs, print_variants


def make_app(
    *, noop: bool = False, builders: bool = False, cors: bool = False, gzip: bool = False
) -> wtf.Server:
    """Scenario 1's app with the chosen features."""
    app = wtf.Server()
    if noop:
        app.add_midware(lambda ctx: ctx, priority=50)
    if cors:
        app.add_midware(CORS("*"))
    if gzip:
        app.add_midware(Gzip())
    if builders:
        for kind in (A, B, C):
            app.arg_builder(_builder(kind))

        @app.get("/hello")
        def features(a: A, b: B, c: C) -> str:
            return "Hello, World!"
    else:

        @app.get("/hello")
        def hello() -> str:
            return "Hello, World!"

    app.compile()
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loops", type=int, default=10000)
    args = parser.parse_args(argv)
    (environ, check), *_ = environs(6)
    apps = {
        "plain": make_app(),
        "a no-op midware": make_app(noop=True),
        "3 builders": make_app(builders=True),
        "CORS": make_app(cors=True),
        "Gzip": make_app(gzip=True),
        "CORS + Gzip": make_app(cors=True, gzip=True),
        "all (scenario 6)": make_app(builders=True, cors=True, gzip=True),
    }
    for name, app in apps.items():
        status, body = call(app, environ)  # type: ignore[arg-type]
        if not check(body):
            raise SystemExit(f"{name} answered {status} {body[:80]!r}")
    print_variants(
        "scenario 6, feature by feature", apps, environ, "plain", args.repeats, args.loops
    )  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
