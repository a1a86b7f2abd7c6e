"""Per-request cost of injection: a handler with 0 arguments against ones with 3.

Calls each app's WSGI callable directly with a fresh copy of a prepared environ, interleaving
the variants within every repeat so drift hits all alike; prints the median ns/request and the
ratio to the 0-argument handler. Run with ``make bench-injection``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from werkzeug.test import EnvironBuilder

import wtf
from wtf.testing import Client

from .frameworks import print_variants


class A:
    """Built by an ArgBuilder."""


class B:
    """Built by an ArgBuilder."""


class C:
    """Built by an ArgBuilder."""


def make_apps() -> dict[str, wtf.Server]:
    names = (
        "0 args",
        "1 provided (Context)",
        "3 provided",
        "3 route params",
        "3 builders",
        "0 args, builds A B C itself",
    )
    apps = {name: wtf.Server() for name in names}

    @apps["0 args"].get("/hello/:a/:b/:c")
    def zero() -> str:
        return "Hello, World!"

    # The context alone: what every handler that reads the request pays (the other two
    # provided types are facades over it).
    @apps["1 provided (Context)"].get("/hello/:a/:b/:c")
    def context_only(ctx: wtf.Context) -> str:
        return "Hello, World!"

    @apps["3 provided"].get("/hello/:a/:b/:c")
    def provided(ctx: wtf.Context, req: wtf.Request, resp: wtf.Response) -> str:
        return "Hello, World!"

    @apps["3 route params"].get("/hello/:a/:b/:c")
    def params(a: str, b: int, c: str) -> str:
        return "Hello, World!"

    builders = apps["3 builders"]
    builders.arg_builder(lambda_builder(A))
    builders.arg_builder(lambda_builder(B))
    builders.arg_builder(lambda_builder(C))

    @builders.get("/hello/:a/:b/:c")
    def built(a: A, b: B, c: C) -> str:
        return "Hello, World!"

    # The builders' own work (three calls, three objects) without injection: the difference
    # to "3 builders" is what injecting them costs.
    make_a, make_b, make_c = lambda_builder(A), lambda_builder(B), lambda_builder(C)

    @apps["0 args, builds A B C itself"].get("/hello/:a/:b/:c")
    def by_hand() -> str:
        make_a(), make_b(), make_c()
        return "Hello, World!"

    return apps


def lambda_builder(kind: type) -> Callable[[], Any]:
    def build() -> Any:
        return kind()

    build.__annotations__ = {"return": kind}
    build.__qualname__ = f"build_{kind.__name__}"
    return build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--loops", type=int, default=20000)
    args = parser.parse_args(argv)
    environ = EnvironBuilder(path="/hello/x/12/z").get_environ()
    apps = make_apps()
    for name, app in apps.items():
        app.compile()
        response = Client(app).get("/hello/x/12/z")
        if (response.status_code, response.text) != (200, "Hello, World!"):
            raise SystemExit(f"{name} answered {response.status} {response.text!r}")
    print_variants(
        "injection overhead",
        apps,
        environ,
        "0 args",
        args.repeats,
        args.loops,  # type: ignore[arg-type]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
