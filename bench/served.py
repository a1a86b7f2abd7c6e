"""Scenarios 1-3 of :mod:`bench.apps` as one WSGI app per framework, for gunicorn.

``gunicorn bench.served:wtf`` (or ``falcon``, ``bottle``, ``flask``, ``bare``).
"""

from __future__ import annotations

from typing import Any

from .apps import FRAMEWORKS, Wsgi

PATHS = {1: "/hello", 2: "/user/12345", 3: "/json"}


def _combined(name: str) -> Wsgi:
    apps = FRAMEWORKS[name]()
    by_path = {1: apps[1], 2: apps[2], 3: apps[3]}

    def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        scenario = 1 if path == "/hello" else 3 if path == "/json" else 2
        return by_path[scenario](environ, start_response)

    return dispatch


# Each framework's own app object where it can hold all three routes; the dispatcher (a dict
# lookup and a call, the same for every framework) otherwise.
wtf = _combined("wtf")
falcon = _combined("falcon")
bottle = _combined("bottle")
flask = _combined("flask")
bare = _combined("bare")
