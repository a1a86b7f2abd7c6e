"""wtf, the Web Tiny Framework: plain typed handler functions on WSGI.

Handlers are plain functions whose parameters are injected by type (:class:`Context`,
:class:`Request`, :class:`Response`, :class:`Rest`, route parameters by name, and any type
with an ArgBuilder). Routing is :mod:`wtf.router`, usable on its own.

The names below are loaded on first use (PEP 562), so ``import wtf.router`` loads nothing of
the server: the router stays reusable by other frameworks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .binding import Body as Body
    from .binding import Cookie as Cookie
    from .binding import Form as Form
    from .binding import Header as Header
    from .binding import Query as Query
    from .constraints import Pattern as Pattern
    from .context import Context as Context
    from .deadline import Deadline as Deadline
    from .errors import FieldError as FieldError
    from .errors import HandlerError as HandlerError
    from .errors import HTTPError as HTTPError
    from .errors import RegistrationError as RegistrationError
    from .errors import ValidationError as ValidationError
    from .errors import WtfError as WtfError
    from .fields import InvalidHeader as InvalidHeader
    from .realtime.websocket import WebSocket as WebSocket
    from .realtime.websocket import WebSocketClosed as WebSocketClosed
    from .redirects import local_url as local_url
    from .request import Request as Request
    from .request_limits import Limits as Limits
    from .response import Response as Response
    from .router import Rest as Rest
    from .router import RouteError as RouteError
    from .server import Server as Server
    from .uploads import ChunkAction as ChunkAction
    from .uploads import ChunkedUpload as ChunkedUpload
    from .uploads import Upload as Upload
    from .writer import Writer as Writer

_EXPORTS = {
    "Body": "binding",
    "Cookie": "binding",
    "Header": "binding",
    "ChunkAction": "uploads",
    "ChunkedUpload": "uploads",
    "Upload": "uploads",
    "Context": "context",
    "Form": "binding",
    "Deadline": "deadline",
    "FieldError": "errors",
    "HTTPError": "errors",
    "HandlerError": "errors",
    "InvalidHeader": "fields",
    "Limits": "request_limits",
    "Pattern": "constraints",
    "local_url": "redirects",
    "RegistrationError": "errors",
    "Request": "request",
    "Response": "response",
    "Rest": "router",
    "RouteError": "router",
    "Query": "binding",
    "Server": "server",
    "ValidationError": "errors",
    "WebSocket": "realtime.websocket",
    "WebSocketClosed": "realtime.websocket",
    "WtfError": "errors",
    "Writer": "writer",
}

__all__ = sorted(_EXPORTS)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wtf-web")  # the distribution's name (the import name is wtf)
    except PackageNotFoundError:  # run from a checkout that was not installed
        return "0+unknown"


#: The installed version of the ``wtf-web`` distribution.
__version__ = _version()


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wtf' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
