"""How low can scenario 1 go in pure Python? wtf against a stripped router-and-call floor.

The "floor" app does only what any framework must to answer ``GET /hello`` from a handler
function: read the path and method, look the route up in wtf's compiled router, call the
handler, encode its ``str`` result and build the status and header list. It has none of wtf's
checks (UTF-8 path, URL length, midware, parameters, result types other than ``str``), so it
is a lower bound for a pure-Python framework, not something to ship. Printed side by side with
bare WSGI and wtf, interleaved, in the harness of ``bench.frameworks``. Run with
``make bench-floor``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from typing import Any

from .apps import bare_apps, wtf_apps
from .frameworks import call, environs, print_variants

TEXT = "text/plain; charset=utf-8"


class Floor:
    """The stripped app over the router of wtf's scenario-1 app.

    Called as an object (``Floor()(environ, start)``), as a WSGI server calls every framework's
    app object, it costs more than its bound ``__call__`` method called as a function: CPython
    goes through the type's ``tp_call`` slot and re-packs the arguments.
    """

    def __init__(self) -> None:
        self.router = wtf_apps()[1].router  # type: ignore[attr-defined]
        self.finders = self.router.finders

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        method = environ["REQUEST_METHOD"]
        finder = self.finders.get(method)
        found = finder(path) if finder is not None else self.router.find(method, path)
        if found is None:
            start_response("404 Not Found", [])
            return []
        route, _values = found
        result = route.target.fn()
        body = result.encode()
        start_response("200 OK", [("Content-Type", TEXT), ("Content-Length", str(len(body)))])
        return [body]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--loops", type=int, default=10000)
    args = parser.parse_args(argv)
    (environ, check), *_ = environs(1)
    apps = {
        "bare": bare_apps()[1],
        "floor, as a function": Floor().__call__,
        "floor, as an object": Floor(),
        "wtf": wtf_apps()[1],
    }
    for name, app in apps.items():
        status, body = call(app, environ)  # type: ignore[arg-type]
        if not check(body):
            raise SystemExit(f"{name} answered {status} {body[:80]!r}")
    print_variants("scenario 1 floor", apps, environ, "bare", args.repeats, args.loops)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
