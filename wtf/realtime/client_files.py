"""The JavaScript client's files (``static/wtf-realtime.js`` and its ``.d.ts``), served by
``hub.client_route(app, path)``.

Read once, at registration; answered with a strong ETag (304 to a matching ``If-None-Match``)
and ``Cache-Control: no-cache``: a browser keeps its copy and revalidates it each time, so a new
version of wtf is picked up at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING

from ..errors import RegistrationError
from ..request import Request
from ..response import Response

if TYPE_CHECKING:
    from ..server import Server

__all__ = ["client_source", "serve_client"]

_TYPES = {".js": "text/javascript; charset=utf-8", ".d.ts": "application/typescript; charset=utf-8"}


def client_source(name: str = "wtf-realtime.js") -> bytes:
    """The bytes of a client file shipped with wtf (``wtf-realtime.js``, ``wtf-realtime.d.ts``)."""
    return resources.files(__package__).joinpath("static", name).read_bytes()


def serve_client(app: Server, path: str) -> None:
    """Register ``GET path`` (the module) and ``GET`` its ``.d.ts`` sibling on ``app``.

    Raises:
        RegistrationError: ``path`` does not end with ``.js`` or starts without ``/``.
    """
    if not isinstance(path, str) or not path.startswith("/") or not path.endswith(".js"):
        raise RegistrationError(
            f"hub.client_route(app, {path!r}): the path starts with '/' and ends with '.js' "
            "(the default: '/wtf-realtime.js')"
        )
    types_path = path[: -len(".js")] + ".d.ts"
    for route_path, name, suffix in (
        (path, "wtf-realtime.js", ".js"),
        (types_path, "wtf-realtime.d.ts", ".d.ts"),
    ):
        app.handle(
            _file_handler(client_source(name), _TYPES[suffix]),
            route_path,
            "GET",
            name=f"wtf-realtime:{route_path}",
            include_in_schema=False,
        )


def _file_handler(body: bytes, content_type: str) -> Callable[[Request, Response], bytes]:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'

    def client_file(req: Request, resp: Response) -> bytes:
        resp.headers["ETag"] = etag
        resp.headers["Cache-Control"] = "no-cache"
        asked = req.headers.get("If-None-Match", "")
        if etag in (tag.strip().removeprefix("W/") for tag in asked.split(",")) or asked == "*":
            resp.write_header(304)
            return b""
        resp.headers["Content-Type"] = content_type
        return body

    return client_file
