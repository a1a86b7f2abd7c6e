"""Serving the document: ``GET /openapi.json``, the interactive docs page (Swagger UI, with
the ``swagger`` extra) and the static one, built once.

The document is built on the first request for it (every route is registered by then) and
kept; a route added later makes the next request build it again. Nothing here runs for other
routes.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..response import Response
from .docs_page import render_docs
from .document import build_document
from .swagger import serve_swagger, swagger_directory

if TYPE_CHECKING:
    from ..server import Server

__all__ = ["DocumentInfo", "serve_document"]


@dataclass(frozen=True)
class DocumentInfo:
    """What :meth:`wtf.Server.openapi_route` was told: the document's ``info`` and where it
    is served (``wtf openapi`` prints the same document)."""

    title: str
    version: str
    description: str | None = None
    servers: list[dict[str, Any]] = field(default_factory=list)
    path: str = "/openapi.json"
    docs: str | None = "/docs"
    static_docs: str | None = "/docs/static"

    def build(self, app: Server) -> dict[str, Any]:
        """The document of ``app`` with this ``info``."""
        return build_document(
            app,
            title=self.title,
            version=self.version,
            description=self.description,
            servers=self.servers or None,
        )


class _Cached:
    """The document's JSON and docs page, rebuilt when the routes changed."""

    def __init__(self, app: Server, info: DocumentInfo) -> None:
        self.app = app
        self.info = info
        self.lock = threading.Lock()
        self.routes = -1
        self.json = b""
        self.html = b""

    def get(self) -> tuple[bytes, bytes]:
        with self.lock:
            count = len(self.app.router.routes)
            if count != self.routes:
                document = self.info.build(self.app)
                self.json = json.dumps(document, ensure_ascii=False).encode()
                self.html = render_docs(document, self.info.path).encode()
                self.routes = count
            return self.json, self.html


def serve_document(app: Server, info: DocumentInfo) -> None:
    """Register ``GET info.path`` (the JSON document) and ``GET info.docs`` (the page), both
    left out of the document itself."""
    cached = _Cached(app, info)

    def openapi_document(resp: Response) -> bytes:
        resp.headers["Content-Type"] = "application/json"
        return cached.get()[0]

    app.handle(openapi_document, info.path, "GET", include_in_schema=False)

    def openapi_docs(resp: Response) -> bytes:
        resp.headers["Content-Type"] = "text/html; charset=utf-8"
        return cached.get()[1]

    swagger = swagger_directory() if info.docs is not None else None
    if info.docs is not None and swagger is not None:
        serve_swagger(app, info.docs, info.path, info.title, swagger)
    elif info.docs is not None:  # without the swagger extra: the static page
        app.handle(openapi_docs, info.docs, "GET", include_in_schema=False)
    if info.static_docs is not None and info.static_docs != info.docs:
        app.handle(openapi_docs, info.static_docs, "GET", include_in_schema=False)
