"""wtf's router in a bare WSGI application, no framework at all.

Run: ``gunicorn examples.router_bare_wsgi:app``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from wtf.router import Rest, Router

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

Handler = Callable[[Rest], dict[str, str]]
router = Router()
router.add("/v(?P<version>\\d+)/items/:id", lambda rest: rest.as_dict(), methods=["GET"])
router.add("/health", lambda rest: {"status": "ok"}, methods=["GET"])


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Route with wtf.router, answer JSON."""
    path = environ.get("PATH_INFO", "")
    match = router.match(environ["REQUEST_METHOD"], path, environ.get("HTTP_HOST"))
    if match is None:
        allowed = router.allowed(path, environ.get("HTTP_HOST"))
        status = "405 Method Not Allowed" if allowed else "404 Not Found"
        headers = [("Content-Type", "text/plain"), ("Allow", ", ".join(sorted(allowed)))]
        start_response(status, headers if allowed else headers[:1])
        return [status.encode()]
    handler: Handler = match.target
    body = json.dumps(handler(match.params)).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
