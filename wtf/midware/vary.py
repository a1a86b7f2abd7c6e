"""Adding a token to ``Vary`` without repeating it (RFC 9110 §12.5.5)."""

from __future__ import annotations

from ..writer import BufferWriter

__all__ = ["add_vary"]


def add_vary(base: BufferWriter, token: str) -> None:
    """Add ``token`` to the response's ``Vary`` unless it (or ``*``) is already there."""
    current = base.header("Vary") or ""
    tokens = {t.strip().lower() for t in current.split(",") if t.strip()}
    if token.lower() in tokens or "*" in tokens:
        return
    base.set_header("Vary", f"{current}, {token}" if current else token)
