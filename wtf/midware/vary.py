"""Adding a token to ``Vary`` without repeating it (RFC 9110 §12.5.5)."""

from __future__ import annotations

from werkzeug.datastructures import Headers

__all__ = ["add_vary"]


def add_vary(headers: Headers, token: str) -> None:
    """Add ``token`` to the ``Vary`` header unless it (or ``*``) is already there."""
    current = headers.get("Vary", "")
    tokens = {t.strip().lower() for t in current.split(",") if t.strip()}
    if token.lower() in tokens or "*" in tokens:
        return
    headers["Vary"] = f"{current}, {token}" if current else token
