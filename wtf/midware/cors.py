"""``CORS``: cross-origin resource sharing (Fetch standard, "CORS protocol").

Configuration is validated and the static preflight headers are rendered once, at
construction (as Starlette does); per request only the origin-dependent headers are added.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..midware_protocol import clamp
from ..vary import require_vary

if TYPE_CHECKING:
    from ..context import Context
    from ..router import Router
    from ..server import Server

__all__ = ["CORS"]

_DEFAULT_METHODS = ("GET", "HEAD", "POST")  # without an app to ask (CORS used on its own)
_SAFELISTED = frozenset(("accept", "accept-language", "content-language", "content-type"))


def _origin_key(origin: str) -> str:
    """Scheme and host compare case-insensitively; otherwise an origin is compared as sent
    (``https://a.example/`` or ``https://a.example:443`` is not ``https://a.example``)."""
    return origin.lower()


class CORS:
    """CORS midware.

    Args:
        allow_origins: ``"*"`` (or ``["*"]``) for any origin, or exact origins such as
            ``"https://app.example.com"``. Default: none (refuse every cross-origin request).
        allow_methods: Methods a preflight may ask for. Default: the methods the app's routes
            accept for the path asked about (so PUT and DELETE routes work cross-origin
            without listing them); a list fixes them for every path.
        allow_headers: Request headers a preflight may ask for (the CORS-safelisted ones are
            always allowed).
        allow_credentials: Send ``Access-Control-Allow-Credentials: true`` (not with ``"*"``).
        expose_headers: Response headers scripts may read.
        max_age: Seconds a browser may cache a preflight answer.
        allow_origin_regex: Origins matching this regex (anchored at both ends) are allowed too.
        priority: Midware priority (default 10: early, so errors carry CORS headers too).

    Raises:
        ValueError: The wildcard with credentials, or a malformed argument.

    A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is answered here: allowed
    gets 204 with the allow headers; refused (origin, method or a header) gets 403 and no
    ``Access-Control-Allow-*`` header. Listed origins are echoed with ``Vary: Origin`` on every
    response, since the answer depends on the origin.
    """

    def __init__(
        self,
        allow_origins: str | Iterable[str] = (),
        allow_methods: Iterable[str] | None = None,
        allow_headers: Iterable[str] = (),
        allow_credentials: bool = False,
        expose_headers: Iterable[str] = (),
        max_age: int = 600,
        allow_origin_regex: str | None = None,
        priority: int = 10,
    ) -> None:
        origins = [allow_origins] if isinstance(allow_origins, str) else list(allow_origins)
        self.any_origin = "*" in origins
        if self.any_origin and allow_credentials:
            raise ValueError(
                "CORS: allow_origins='*' cannot be combined with allow_credentials=True "
                "(browsers refuse it); list the origins instead"
            )
        for origin in origins:
            if origin != "*" and not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s]+", origin):
                raise ValueError(
                    f"CORS: {origin!r} is not an origin (scheme://host[:port], no path)"
                )
        self.origins = frozenset(_origin_key(o) for o in origins if o != "*")
        self.origin_regex = re.compile(allow_origin_regex) if allow_origin_regex else None
        self.methods: frozenset[str] | None = (
            None if allow_methods is None else frozenset(m.upper() for m in allow_methods)
        )
        self._router: Router | None = None
        self.headers = frozenset(h.lower() for h in allow_headers)
        if not isinstance(max_age, int) or max_age < 0:
            raise ValueError(f"CORS: max_age is a non-negative int, not {max_age!r}")
        self.credentials = allow_credentials
        self.priority = clamp(priority)
        # Rendered once.
        self._allow_methods = ", ".join(sorted(self.methods or ()))
        self._expose = ", ".join(expose_headers)
        self._max_age = str(max_age)

    def __repr__(self) -> str:
        origins = "*" if self.any_origin else sorted(self.origins)
        return f"CORS(allow_origins={origins!r}, priority={self.priority})"

    def setup(self, app: Server) -> None:
        """Remember ``app``'s router, for the default ``allow_methods`` (``add_midware``
        calls this)."""
        self._router = app.router

    def allows(self, origin: str) -> bool:
        """Whether ``origin`` may read responses (never one with a control character)."""
        if self.any_origin:
            return True
        if not origin.isprintable():
            return False
        if _origin_key(origin) in self.origins:
            return True
        return self.origin_regex is not None and self.origin_regex.fullmatch(origin) is not None

    def proc(self, ctx: Context) -> Context | None:
        """Add CORS headers; answer preflights; stop refused preflights."""
        environ = ctx.environ
        base = ctx.base_writer
        if not self.any_origin:
            require_vary(base, "Origin")
        origin = environ.get("HTTP_ORIGIN")
        if origin is None:
            return ctx
        allowed = self.any_origin or self.allows(origin)
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
            if requested is not None:
                self._preflight(ctx, origin, allowed, requested)
                return None  # preflights never reach a handler
        if allowed:
            base.set_header("Access-Control-Allow-Origin", "*" if self.any_origin else origin)
            if self.credentials:
                base.set_header("Access-Control-Allow-Credentials", "true")
            if self._expose:
                base.set_header("Access-Control-Expose-Headers", self._expose)
        return ctx

    def _preflight(self, ctx: Context, origin: str, allowed: bool, method: str) -> None:
        asked = ctx.environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
        wanted = {h.strip().lower() for h in asked.split(",") if h.strip()}
        methods = self.methods
        if methods is None:  # what the routes of this path accept
            router = self._router
            methods = (
                frozenset(_DEFAULT_METHODS)
                if router is None
                else router.allowed(ctx.path, ctx.environ.get("HTTP_HOST"))
            )
        refused = (
            "origin"
            if not allowed
            else "method"
            if method not in methods
            else "headers"
            if "*" not in self.headers and wanted - self.headers - _SAFELISTED
            else ""
        )
        writer = ctx.writer
        headers = writer.headers
        if refused:
            headers["Content-Type"] = "text/plain; charset=utf-8"
            writer.write_header(403)
            writer.write(f"CORS preflight refused: {refused} not allowed\n".encode())
            return None
        headers["Access-Control-Allow-Origin"] = "*" if self.any_origin else origin
        headers["Access-Control-Allow-Methods"] = (
            self._allow_methods if self.methods is not None else ", ".join(sorted(methods))
        )
        if wanted:  # each one is allowed (else refused above): the answer names them all
            headers["Access-Control-Allow-Headers"] = ", ".join(sorted(wanted))
        headers["Access-Control-Max-Age"] = self._max_age
        if self.credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
        writer.write_header(204)
        return None
