"""Error responses: RFC 9457 problem details, or short text for clients that prefer it."""

from __future__ import annotations

import json
from collections.abc import Mapping
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
) -> tuple[str, bytes]:
    """Render an error body for the request's ``Accept`` header.

    JSON problem details (RFC 9457 §3: ``type``, ``title``, ``status``, ``detail``) unless the
    client prefers ``text/html`` or ``text/plain`` over JSON; no ``Accept`` or ``*/*`` means
    JSON. ``extensions`` become extra members of the problem (RFC 9457 §3.2); in text, an
    ``errors`` list is one line per field.

    Returns:
        ``(content_type, body)``.
    """
    accept = environ.get("HTTP_ACCEPT")
    if accept:
        best = parse_accept_header(accept, MIMEAccept).best_match(_OFFERS, default=_PROBLEM)
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
