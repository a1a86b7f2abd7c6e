"""The apps ``bench/servers.py`` serves: scenarios 1-3 of :mod:`bench.served` plus a 1 MiB
file (``/file``), for wtf and Falcon. ``gunicorn bench.server_apps:wtf`` (or ``falcon``)."""

from __future__ import annotations

import os
import tempfile
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
