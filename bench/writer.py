"""The response writer against a return value: one header and a 20-byte text body.

``GET /hello/ann``: the handler sets ``X-Greeting: hi`` and answers ``Hello, ann, welcome`` as
text, written through ``wtf.Response`` (the go_wtf style), returned as a value, with Falcon's
``resp.set_header`` + ``resp.text``, and by a bare WSGI callable; then the writer again behind
a midware that does nothing, and behind a Gzip that does not compress (a client without gzip;
a body under ``min_size``), and :func:`floor_app`, the writer style stripped to its least (a
lower bound for any pure-Python framework of this style). Interleaved in the harness of
``bench.frameworks``, ratios to the writer, then the ratios the writer is held to.
``make bench-writer``.

``--served``: ``examples.hello`` (whose ``/hello/:who`` writes through ``wtf.Response``) and
:func:`served_bare`, a bare WSGI callable answering the same route with the same bytes, both on
granian (1 worker, 1 thread) under ``wrk -t2 -c32``, runs interleaved; requests/s and the ratio.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.test import EnvironBuilder

import wtf
from wtf.midware import Gzip
from wtf.router import Router

from .apps import Wsgi
from .frameworks import call, timed

BODY = "Hello, ann, welcome!"  # 20 bytes
WRITER = "wtf, writing through Response"
RETURN = "wtf, returning the value (and the header)"
PASSING = "wtf, writing, behind a midware that does nothing"
GZIP_NO = "wtf, writing, behind Gzip (client without gzip)"
GZIP_SMALL = "wtf, writing, behind Gzip (gzip accepted, body too small)"
FALCON = "Falcon (set_header + text)"
FLOOR = "floor: the writer style stripped to its least, in pure Python"


def writer_app(midware: Any = None) -> wtf.Server:
    app = wtf.Server()
    if midware is not None:
        app.add_midware(midware)

    @app.get("/hello/:who")
    def hello(who: str, resp: wtf.Response) -> None:
        resp.headers["X-Greeting"] = "hi"
        resp.write_string(f"Hello, {who}, welcome!")

    app.compile()
    return app


def passing(ctx: wtf.Context) -> wtf.Context:
    """A midware that does nothing: what any midware costs."""
    return ctx


def return_app() -> wtf.Server:
    app = wtf.Server()

    @app.get("/hello/:who")
    def hello(who: str) -> tuple[str, int, dict[str, str]]:
        return f"Hello, {who}, welcome!", 200, {"X-Greeting": "hi"}

    app.compile()
    return app


def string_app() -> wtf.Server:
    app = wtf.Server()

    @app.get("/hello/:who")
    def hello(who: str) -> str:
        return f"Hello, {who}, welcome!"

    app.compile()
    return app


def falcon_app() -> Any:
    import falcon

    class Hello:
        def on_get(self, req: Any, resp: Any, who: str) -> None:
            resp.set_header("X-Greeting", "hi")
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = f"Hello, {who}, welcome!"

    app = falcon.App()
    app.add_route("/hello/{who}", Hello())
    return app


class FloorResponse:
    """The least a writer-style response can be: a header list (values checked) and chunks."""

    __slots__ = ("chunks", "headers")

    def __init__(self) -> None:
        self.headers: list[tuple[str, str]] = []
        self.chunks: list[bytes] = []

    def set_header(self, name: str, value: str) -> None:
        if not value.isprintable():  # the one check no framework may skip (CR/LF)
            raise ValueError(name)
        self.headers.append((name, value))

    def write_string(self, text: str) -> None:
        self.chunks.append(text.encode())


def floor_app() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A stripped writer-style framework, a lower bound in pure Python (nothing to ship): wtf's
    compiled router, one response object, the handler, the body's length, ``start_response``.
    No Context, no midware, no werkzeug ``Headers``, no HEAD, no errors."""
    router = Router()

    def hello(who: str, resp: FloorResponse) -> None:
        resp.set_header("X-Greeting", "hi")
        resp.write_string(f"Hello, {who}, welcome!")

    router.add("/hello/:who", hello, "GET")
    router.compile()
    find = router.finders["GET"]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        found = find(environ["PATH_INFO"])
        if found is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return []
        route, values = found
        resp = FloorResponse()
        route.target(*values, resp)
        body = b"".join(resp.chunks)
        headers = resp.headers
        headers.append(("Content-Type", "text/plain; charset=utf-8"))
        headers.append(("Content-Length", str(len(body))))
        start_response("200 OK", headers)
        return [body]

    return app


def bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    who = environ["PATH_INFO"].rsplit("/", 1)[-1]
    body = f"Hello, {who}, welcome!".encode()
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("X-Greeting", "hi"),
        ],
    )
    return [body]


def served_bare(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """What ``examples.hello`` answers to ``GET /hello/<who>``, as a bare WSGI callable."""
    path = environ["PATH_INFO"]
    if not path.startswith("/hello/"):
        start_response("404 Not Found", [("Content-Length", "0")])
        return []
    body = f"Hello, {path[7:]}\n".encode()
    start_response(
        "200 OK",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def served(seconds: int, rounds: int) -> None:
    """The served comparison on granian (see the module's docstring)."""
    from tests.serving.live import request, serving

    from .servers import wrk

    args = ("--server", "granian", "--workers", "1", "--threads", "1")
    samples: dict[str, list[float]] = {"wtf": [], "bare": []}
    ratios = []
    with (
        serving("examples.hello:app", *args) as wtf_server,
        serving("bench.writer:served_bare", *args) as bare_server,
    ):
        ports = {"wtf": wtf_server.port, "bare": bare_server.port}
        for port in ports.values():
            status, _, body = request(port, "GET", "/hello/ann")
            if status != 200 or body != b"Hello, ann\n":
                raise SystemExit(f"port {port} answered {status} {body[:80]!r}")
            wrk(port, "/hello/ann", 1)  # warm-up
        for round_ in range(rounds):
            order = list(ports.items()) if round_ % 2 == 0 else list(ports.items())[::-1]
            pair = {name: wrk(port, "/hello/ann", seconds)[0] for name, port in order}
            for name, rps in pair.items():
                samples[name].append(rps)
            ratios.append(pair["wtf"] / pair["bare"])
    wtf_rps = sorted(samples["wtf"])[rounds // 2]
    bare_rps = sorted(samples["bare"])[rounds // 2]
    ratio = sorted(ratios)[rounds // 2]
    print(f"# served on granian, 1 worker x 1 thread, wrk -t2 -c32, {rounds} x {seconds} s")
    print("| app | requests/s | vs bare |")
    print("|---|---|---|")
    print(f"| examples.hello, GET /hello/ann (writes through Response) | {wtf_rps:,.0f} | "
          f"{ratio:.2f}x |")  # fmt: skip
    print(f"| bare WSGI, the same bytes | {bare_rps:,.0f} | 1.00x |")
    print(f"# ratio: median of the {rounds} back-to-back pairs' ratios")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loops", type=int, default=10000)
    parser.add_argument("--served", action="store_true", help="the served comparison instead")
    parser.add_argument("--seconds", type=int, default=3, help="per wrk run (--served)")
    parser.add_argument("--rounds", type=int, default=5, help="wrk pairs (--served)")
    args = parser.parse_args(argv)
    if args.served:
        served(args.seconds, args.rounds)
        return 0
    environ = EnvironBuilder(path="/hello/ann").get_environ()
    gzipping = EnvironBuilder(path="/hello/ann", headers={"Accept-Encoding": "gzip"}).get_environ()
    cases: dict[str, tuple[Wsgi, dict[str, Any]]] = {
        WRITER: (writer_app(), environ),
        RETURN: (return_app(), environ),
        "wtf, returning the string (no header)": (string_app(), environ),
        PASSING: (writer_app(passing), environ),
        GZIP_NO: (writer_app(Gzip()), environ),
        GZIP_SMALL: (writer_app(Gzip()), gzipping),
        FALCON: (falcon_app(), environ),
        FLOOR: (floor_app(), environ),
        "bare WSGI": (bare_app, environ),
    }
    for name, (app, env) in cases.items():
        status, body = call(app, env)
        if status != "200 OK" or body != BODY.encode():
            raise SystemExit(f"{name} answered {status} {body[:80]!r}")
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.repeats):  # interleaved: drift hits every case alike
        for name, (app, env) in cases.items():
            samples[name].append(timed(app, [env], args.loops))
    median = {name: statistics.median(values) for name, values in samples.items()}
    base = median[WRITER]
    print(f"# one header and a 20-byte text body, Python {platform.python_version()}, "
          f"{platform.machine()}")  # fmt: skip
    print(f"# median of {args.repeats} repeats of best-of-3 x {args.loops} requests")
    print(f"| handler | ns/request | vs {WRITER} |")
    print("|---|---|---|")
    for name, value in median.items():
        print(f"| {name} | {value:,.0f} | {value / base:.2f}x |")
    gzip_cost = max(median[GZIP_SMALL], median[GZIP_NO]) - median[PASSING]
    print(f"# writing / returning: {base / median[RETURN]:.2f}x; writing / Falcon: "
          f"{base / median[FALCON]:.2f}x; the floor / Falcon: "
          f"{median[FLOOR] / median[FALCON]:.2f}x")  # fmt: skip
    print(f"# Gzip not compressing adds {gzip_cost:,.0f} ns to a midware that does nothing "
          "(the worse of its two rows)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
