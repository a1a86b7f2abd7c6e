"""HTTP method names for route filters (RFC 9110 §9)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import RouteError

__all__ = ["STANDARD_METHODS", "normalize_methods"]

STANDARD_METHODS: frozenset[str] = frozenset(
    ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
)
"""The nine methods RFC 9110 §9.3 defines, plus PATCH (RFC 5789); what an all-methods route
allows."""

# RFC 9110 §5.6.2 token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def normalize_methods(methods: str | Iterable[str] | None) -> frozenset[str] | None:
    """Validate and upper-case route methods.

    Args:
        methods: ``None`` or ``"all"`` (any case) for every method, one method name, or an
            iterable of method names (any RFC 9110 token, any case).

    Returns:
        The upper-cased method names, or ``None`` for "every method".

    Raises:
        RouteError: An empty list, or a name that is not an RFC 9110 token.
    """
    if methods is None:
        return None
    if isinstance(methods, str):
        methods = [methods]
    out: set[str] = set()
    for method in methods:
        if not isinstance(method, str) or not _TOKEN.fullmatch(method):
            raise RouteError(f"invalid HTTP method {method!r}: a method is an RFC 9110 token")
        if method.lower() == "all":
            return None
        out.add(method.upper())
    if not out:
        raise RouteError("methods=[] admits no request; pass None or 'all' for every method")
    return frozenset(out)
