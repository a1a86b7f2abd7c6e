"""Error responses: RFC 9457 problem details, or short text for clients that prefer it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import HTTP_STATUS_CODES, parse_accept_header

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["reason", "render_problem", "status_line"]

_PROBLEM = "application/problem+json"
_OFFERS = [_PROBLEM, "application/json", "text/plain", "text/html"]
#: Rendered status lines by code, filled by :func:`status_line`.
STATUS_LINES: dict[int, str] = {}


def reason(code: int) -> str:
    """The reason phrase of ``code`` (``"Unknown"`` for unregistered codes)."""
    return HTTP_STATUS_CODES.get(code, "Unknown")


def status_line(code: int) -> str:
    """``"404 Not Found"`` for 404 (cached)."""
    line = STATUS_LINES.get(code)
    if line is None:
        line = STATUS_LINES[code] = f"{code} {reason(code)}"
    return line


def render_problem(
    environ: WSGIEnvironment,
    code: int,
    detail: str,
    extensions: Mapping[str, Any] | None = None,
    html: bool = False,
) -> tuple[str, bytes]:
    """Render an error body for the request's ``Accept`` header.

    JSON problem details (RFC 9457 §3: ``type``, ``title``, ``status``, ``detail``) unless the
    client prefers ``text/html`` or ``text/plain`` over JSON; no ``Accept`` or ``*/*`` means
    JSON. ``extensions`` become extra members of the problem (RFC 9457 §3.2); in text, an
    ``errors`` list is one line per field. With ``html`` (debug mode), a browser gets an HTML
    page with ``detail`` (the traceback) preformatted.

    Returns:
        ``(content_type, body)``.
    """
    accept = environ.get("HTTP_ACCEPT")
    if accept:
        best = parse_accept_header(accept, MIMEAccept).best_match(_OFFERS, default=_PROBLEM)
        if html and best == "text/html":
            return "text/html; charset=utf-8", _html_page(code, detail)
        if best.startswith("text/"):
            text = f"{code} {reason(code)}: {detail}\n" if detail else f"{code} {reason(code)}\n"
            for error in (extensions or {}).get("errors", ()):
                loc = ".".join(str(part) for part in error.get("loc", ()))
                text += f"- {loc}: {error.get('msg', '')}\n"
            return "text/plain; charset=utf-8", text.encode()
    problem: dict[str, Any] = {
        "type": "about:blank",
        "title": reason(code),
        "status": code,
        "detail": detail,
    }
    if extensions:
        problem.update(extensions)
    # A lone surrogate (echoed from input) becomes its JSON escape, which round-trips.
    return _PROBLEM, json.dumps(problem, ensure_ascii=False).encode("utf-8", "backslashreplace")


def _html_page(code: int, detail: str) -> bytes:
    """A readable error page for a browser in debug mode: the status and the traceback."""
    title = escape(f"{code} {reason(code)}")
    lines = detail.rstrip().splitlines()
    last = escape(lines[-1]) if lines else ""
    return (
        "<!doctype html>\n<html><head><meta charset=utf-8><title>"
        f"{title}</title><style>body{{font:15px system-ui,sans-serif;margin:2em;color:#222}}"
        "h1{font-size:1.3em;color:#a00}pre{background:#f6f6f6;padding:1em;overflow:auto;"
        "font:13px ui-monospace,monospace}</style></head><body>"
        f"<h1>{title}</h1><p><strong>{last}</strong></p><pre>{escape(detail)}</pre>"
        "<p>Shown because the app runs in debug mode (<code>wtf dev</code> or "
        "<code>wtf.Server(debug=True)</code>); never in production.</p></body></html>\n"
    ).encode("utf-8", "backslashreplace")
