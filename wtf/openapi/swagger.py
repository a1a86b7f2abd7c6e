"""The interactive docs page: Swagger UI ("Try it out") from the files the ``swagger-ui-py``
package ships (the ``swagger`` extra), served by the app itself: no CDN, works offline, and no
inline script (the page's one script of its own is a file too, so a strict content security
policy allows it).
"""

from __future__ import annotations

import importlib.util
import os
from html import escape
from typing import TYPE_CHECKING

from ..errors import HTTPError
from ..response import Response

if TYPE_CHECKING:
    from ..server import Server

__all__ = ["ASSETS", "serve_swagger", "swagger_directory"]

#: The files of Swagger UI the page loads, under ``{docs}/assets/``.
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")

_INIT = b"""// Starts Swagger UI on the document named by the page's #swagger-ui element.
window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
"""


def swagger_directory() -> str | None:
    """Where the installed ``swagger-ui-py`` keeps Swagger UI's files, or ``None`` (not
    installed). Found without importing the package."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = os.path.join(next(iter(spec.submodule_search_locations)), "static")
    if not all(os.path.isfile(os.path.join(found, name)) for name in ASSETS):
        return None
    return found


def serve_swagger(app: Server, docs: str, document: str, title: str, directory: str) -> None:
    """Register ``GET docs`` (the page) and ``GET docs/assets/:name`` (Swagger UI's files and
    the page's script) on ``app``, out of the document."""
    base = docs.rstrip("/")
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="{escape(base)}/assets/favicon-32x32.png">'
        f'<link rel="stylesheet" href="{escape(base)}/assets/swagger-ui.css"></head><body>'
        f'<div id="swagger-ui" data-url="{escape(document)}"></div>'
        f'<script src="{escape(base)}/assets/swagger-ui-bundle.js"></script>'
        f'<script src="{escape(base)}/assets/wtf-swagger.js"></script>'
        "</body></html>"
    ).encode()

    def swagger_page(resp: Response) -> bytes:
        resp.headers["Content-Type"] = "text/html; charset=utf-8"
        return page

    def swagger_asset(name: str, resp: Response) -> bytes | None:
        if name == "wtf-swagger.js":
            resp.headers["Content-Type"] = "text/javascript; charset=utf-8"
            resp.headers["Cache-Control"] = "no-cache"
            return _INIT
        if name not in ASSETS:
            raise HTTPError(404, "no such file")
        resp.send_from_directory(directory, name, max_age=86400)
        return None

    app.handle(swagger_page, docs, "GET", name="openapi:docs", include_in_schema=False)
    app.handle(
        swagger_asset,
        f"{base}/assets/:name",
        "GET",
        name="openapi:docs-assets",
        include_in_schema=False,
    )
