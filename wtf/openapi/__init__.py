"""OpenAPI 3.1 documents of wtf apps, built from the typed handlers at registration.

``app.openapi(title=..., version=...)`` returns the document; ``app.openapi_route()`` serves it
with a docs page; ``wtf openapi MODULE:APP`` prints it. See :func:`build_document`.
"""

from __future__ import annotations

from .document import build_document as build_document
from .schemas import Schemas as Schemas

__all__ = ["Schemas", "build_document"]
