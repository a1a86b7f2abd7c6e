"""A standalone HTTP router with go_wtf's matching order, compiled to Python code for speed.

Usable from any framework: it imports nothing of ``wtf`` outside this package, and nothing but
the standard library.

Pattern syntax: literal text, ``:name`` (one segment), ``(regex)`` (Python ``re``, named by its
first named group), and a final ``*`` or ``*:name`` (the rest of the path). At every branch point
exact text is tried first, then regex pieces, then named pieces, then the wildcard.

Examples:
    >>> from wtf.router import Router
    >>> r = Router()
    >>> _ = r.add("/user/(?P<uid>\\\\d+)", "by-id")
    >>> _ = r.add("/user/:name", "by-name")
    >>> r.match("GET", "/user/42").target, r.match("GET", "/user/ann").target
    ('by-id', 'by-name')
"""

from .build import build_path as build_path
from .compiler import Finder as Finder
from .errors import DuplicateRouteError as DuplicateRouteError
from .errors import PatternError as PatternError
from .errors import RouteError as RouteError
from .methods import STANDARD_METHODS as STANDARD_METHODS
from .rest import Rest as Rest
from .route import Match as Match
from .route import Route as Route
from .route import param_names as param_names
from .router import Router as Router

__all__ = [
    "STANDARD_METHODS",
    "DuplicateRouteError",
    "Finder",
    "Match",
    "PatternError",
    "Rest",
    "Route",
    "RouteError",
    "Router",
    "build_path",
    "param_names",
]
