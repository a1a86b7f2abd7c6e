"""Adding a token to ``Vary`` without repeating it (RFC 9110 §12.5.5)."""

from __future__ import annotations

from .writer import BufferWriter

__all__ = ["add_vary", "merge_vary", "require_vary"]


def add_vary(base: BufferWriter, token: str) -> None:
    """Add ``token`` to the response's ``Vary`` unless it (or ``*``) is already there."""
    current = base.header("Vary") or ""
    tokens = {t.strip().lower() for t in current.split(",") if t.strip()}
    if token.lower() in tokens or "*" in tokens:
        return
    base.set_header("Vary", f"{current}, {token}" if current else token)


def require_vary(base: BufferWriter, token: str) -> None:
    """Add ``token`` to ``Vary`` now and again when the response is sent, so that a handler
    setting ``Vary`` itself (``resp.headers["Vary"] = "Accept-Encoding"``) does not drop it."""
    add_vary(base, token)
    if base.vary is None:
        base.vary = [token]
    elif token not in base.vary:
        base.vary.append(token)


def merge_vary(base: BufferWriter) -> None:
    """Put back the tokens :func:`require_vary` asked for (called as the response is sent)."""
    if base.vary is not None:
        for token in base.vary:
            add_vary(base, token)
