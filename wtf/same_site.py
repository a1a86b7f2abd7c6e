"""Whether a request comes from the site it is addressed to: ``Origin`` against ``Host``, and
the browser's ``Sec-Fetch-Site``. WebSocket handshakes and form bodies are refused from other
sites (cross-site WebSocket hijacking, CSRF)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .errors import HTTPError

__all__ = [
    "from_same_site",
    "origin_host",
    "refuse_cross_site",
    "request_host",
    "shown_origin",
]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def origin_host(origin: str) -> str | None:
    """``host[:port]`` of an origin, lower-case, default port dropped; ``None`` if opaque."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


def request_host(environ: Mapping[str, Any]) -> str:
    """The request's ``Host`` (else ``SERVER_NAME``), lower-case, default port dropped."""
    host = str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "").strip().lower()
    scheme = str(environ.get("wsgi.url_scheme") or "http")
    default = f":{_DEFAULT_PORTS.get(scheme, 80)}"
    return host[: -len(default)] if host.endswith(default) else host


def shown_origin(origin: str) -> str:
    """An origin as an error message may show it (short and printable)."""
    return origin if len(origin) <= 100 and origin.isprintable() else repr(origin[:100])


def from_same_site(environ: Mapping[str, Any]) -> bool:
    """Whether the request is not another site's page's: ``Sec-Fetch-Site`` is
    ``same-origin`` or ``none`` (typed, bookmarked), or, from browsers that do not send it,
    ``Origin`` names the same host as ``Host``, or is absent (not a browser)."""
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return bool(fetch_site.strip().lower() in ("same-origin", "none"))
    origin = environ.get("HTTP_ORIGIN")
    if origin is None:
        return True
    host = origin_host(origin)
    return host is not None and host == request_host(environ)


def refuse_cross_site(environ: Mapping[str, Any]) -> None:
    """Refuse a request another site's page made: ``Sec-Fetch-Site`` other than
    ``same-origin`` or ``none`` (typed, bookmarked), or, from browsers that do not send it,
    an ``Origin`` naming another host than ``Host``. A request with neither (no browser)
    passes.

    Raises:
        HTTPError: 403, saying why.
    """
    if from_same_site(environ):
        return
    raise HTTPError(
        403,
        "a form posted from another site is refused (cross-site request forgery); post it "
        "from a page of this site, or send JSON",
    )
