"""wtf, the Web Tiny Framework: plain typed handler functions on WSGI.

Handlers are plain functions whose parameters are injected by type (:class:`Context`,
:class:`Request`, :class:`Response`, :class:`Rest`, route parameters by name, and any type
with an ArgBuilder). Routing is :mod:`wtf.router`, usable on its own.
"""

from .context import Context as Context
from .errors import HandlerError as HandlerError
from .errors import HTTPError as HTTPError
from .errors import RegistrationError as RegistrationError
from .errors import WtfError as WtfError
from .request import Request as Request
from .response import Response as Response
from .router import Rest as Rest
from .router import RouteError as RouteError
from .server import Server as Server
from .writer import Writer as Writer

__all__ = [
    "Context",
    "HTTPError",
    "HandlerError",
    "RegistrationError",
    "Request",
    "Response",
    "Rest",
    "RouteError",
    "Server",
    "Writer",
    "WtfError",
]
