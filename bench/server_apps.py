"""The apps ``bench/servers.py`` serves: scenarios 1-3 of :mod:`bench.served` plus a 1 MiB
file (``/file``), for wtf and Falcon. ``gunicorn bench.server_apps:wtf`` (or ``falcon``)."""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

import wtf as wtf_framework

from . import served

FILE = os.path.join(tempfile.gettempdir(), "wtf-bench-1mib.bin")
if not os.path.exists(FILE):
    with open(FILE + ".tmp", "wb") as handle:
        handle.write(bytes(range(256)) * 4096)
    os.replace(FILE + ".tmp", FILE)

_files = wtf_framework.Server()


@_files.get("/file")
def file(resp: wtf_framework.Response) -> None:
    resp.send_file(FILE, mimetype="application/octet-stream", conditional=False, etag=False)


_files.compile()


def _falcon_files() -> Any:
    import falcon

    class File:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = "application/octet-stream"
            resp.set_stream(open(FILE, "rb"), os.path.getsize(FILE))  # noqa: SIM115

    app = falcon.App()
    app.add_route("/file", File())
    return app


def _with_file(main: Any, files: Any) -> Any:
    def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
        target = files if environ.get("PATH_INFO") == "/file" else main
        return target(environ, start_response)

    return dispatch


wtf = _with_file(served.wtf, _files)
falcon = _with_file(served.falcon, _falcon_files())


class Timed:
    """An app timed from inside the server: the time each request spends in the app (its call
    and its body), which is what a framework adds to a server's own cost. ``GET /__app_time``
    answers this worker's mean in microseconds since the last read (and starts again).

    Served req/s on a 2-core machine that also runs the load generator move by ±10% from run
    to run whatever the app; this is the framework's share, measured where it is spent."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.total = 0.0
        self.count = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO")
        if path == "/__app_time":
            mean = self.total / self.count * 1e6 if self.count else 0.0
            answer = f"{mean:.3f} {self.count}".encode()
            self.total, self.count = 0.0, 0
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [answer]
        start = time.perf_counter()
        out = self.app(environ, start_response)
        body = b"".join(out)
        close = getattr(out, "close", None)
        if close is not None:
            close()
        self.total += time.perf_counter() - start  # racy under threads: a sample, not a count
        self.count += 1
        return [body]


timed_wtf = Timed(served.wtf)
timed_falcon = Timed(served.falcon)
