"""``CrossOrigin``: refuse unsafe requests that another site's page made (CSRF), as Go 1.25's
``http.CrossOriginProtection`` does: by the browser's ``Sec-Fetch-Site``, or, from browsers
that do not send it, by ``Origin`` against ``Host``. No tokens to thread through forms.

For apps whose browsers authenticate with cookies: a cookie goes with every request to its
site, whichever page made it, so without this another site's page can post a form, or
``fetch`` with ``mode: "no-cors"``, that acts as the logged-in user.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import HTTPError
from ..midware_protocol import clamp
from ..same_site import from_same_site, shown_origin

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["CrossOrigin"]

#: Methods that must not act (RFC 9110 §9.2.1): never refused.
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


class CrossOrigin:
    """Refuse (403) unsafe cross-origin browser requests.

    A ``POST``, ``PUT``, ``PATCH``, ``DELETE``... passes when ``Sec-Fetch-Site`` is
    ``same-origin`` or ``none`` (typed or bookmarked), or, without that header, when ``Origin``
    is absent (not a browser) or names the request's own host; when its ``Origin`` is one of
    ``trusted_origins``; or when its path is one of ``bypass``. Everything else is refused
    before routing. ``GET``, ``HEAD`` and ``OPTIONS`` always pass: keep them free of effects.

    Args:
        trusted_origins: Origins allowed to make such requests (``"https://app.example.com"``:
            scheme, host and port if not the default; no path).
        bypass: Paths never checked (``"/webhooks/stripe"``), or prefixes ending in ``*``
            (``"/hooks/*"``): for endpoints that other sites' servers call and that check
            their own credentials.
        priority: Midware priority (default 5: before anything acts).

    Raises:
        ValueError: A trusted origin that is not an origin.
    """

    def __init__(
        self,
        trusted_origins: Iterable[str] = (),
        bypass: Iterable[str] = (),
        priority: int = 5,
    ) -> None:
        if isinstance(trusted_origins, str) or isinstance(bypass, str):
            raise ValueError("CrossOrigin takes lists: trusted_origins=[...], bypass=[...]")
        self.trusted = frozenset(_origin(o) for o in trusted_origins)
        paths = tuple(bypass)
        self.bypass_exact = frozenset(p for p in paths if not p.endswith("*"))
        self.bypass_prefixes = tuple(p[:-1] for p in paths if p.endswith("*"))
        self.priority = clamp(priority)

    def __repr__(self) -> str:
        return f"CrossOrigin(trusted_origins={sorted(self.trusted)}, priority={self.priority})"

    def proc(self, ctx: Context) -> Context | None:
        """Let the request through, or refuse it with 403."""
        environ = ctx.environ
        if environ.get("REQUEST_METHOD", "GET") in SAFE_METHODS or from_same_site(environ):
            return ctx
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and origin.strip().lower().rstrip("/") in self.trusted:
            return ctx
        path = ctx.path
        if path in self.bypass_exact or path.startswith(self.bypass_prefixes or ("\0",)):
            return ctx
        shown = f" from {shown_origin(origin)}" if origin else ""
        raise HTTPError(
            403,
            f"a cross-origin request{shown} is refused (cross-site request forgery); make it "
            "from a page of this site",
        )


def _origin(text: str) -> str:
    if not isinstance(text, str) or "://" not in text or text.rstrip("/").count("/") > 2:
        raise ValueError(f"{text!r} is not an origin (scheme://host[:port], no path)")
    return text.strip().lower().rstrip("/")
