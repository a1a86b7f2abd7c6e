"""The WebSocket opening handshake (RFC 6455 §4.2), read from a WSGI environ.

Checks an upgrade request and builds the ``101 Switching Protocols`` answer; every refusal is
an :class:`wtf.HTTPError` with the status and headers RFC 6455 asks for.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wsproto.utilities import generate_accept_token

from ..errors import HTTPError
from ..same_site import origin_host, request_host, shown_origin

__all__ = [
    "TOKEN_PROTOCOL",
    "Handshake",
    "accept",
    "check_origin",
    "is_upgrade",
    "offered_token",
]


@dataclass(frozen=True, slots=True)
class Handshake:
    """An accepted opening handshake.

    Attributes:
        accept: The ``Sec-WebSocket-Accept`` value.
        subprotocol: The subprotocol chosen, or ``None``.
    """

    accept: str
    subprotocol: str | None

    def response(self, extra: Sequence[tuple[str, str]] = ()) -> bytes:
        """The ``101 Switching Protocols`` response, with ``extra`` headers (set by midware)."""
        lines = [
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Accept: {self.accept}",
        ]
        if self.subprotocol is not None:
            lines.append(f"Sec-WebSocket-Protocol: {self.subprotocol}")
        lines += [f"{name}: {value}" for name, value in extra]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _tokens(value: str | None) -> list[str]:
    return [token.strip().lower() for token in (value or "").split(",") if token.strip()]


def is_upgrade(environ: Mapping[str, Any]) -> bool:
    """Whether the request asks for a WebSocket (``Upgrade: websocket``)."""
    return "websocket" in _tokens(environ.get("HTTP_UPGRADE"))


def accept(environ: Mapping[str, Any], subprotocols: Sequence[str] = ()) -> Handshake:
    """Check the upgrade request in ``environ``; return the handshake to answer with.

    Raises:
        HTTPError: 426 (with ``Upgrade: websocket``) for a request that is no upgrade, 426
            (with ``Sec-WebSocket-Version: 13``) for another protocol version, 400 for a
            malformed handshake.
    """
    if not is_upgrade(environ):
        raise HTTPError(
            426,
            "this URL is a WebSocket: connect with 'Upgrade: websocket'",
            [("Upgrade", "websocket")],
        )
    if environ.get("REQUEST_METHOD") != "GET":
        raise HTTPError(400, "a WebSocket handshake is a GET request")
    if "upgrade" not in _tokens(environ.get("HTTP_CONNECTION")):
        raise HTTPError(400, "a WebSocket handshake needs 'Connection: Upgrade'")
    version = environ.get("HTTP_SEC_WEBSOCKET_VERSION")
    if version is None or version.strip() != "13":
        raise HTTPError(
            426,
            "this server speaks WebSocket version 13",
            [("Sec-WebSocket-Version", "13")],
        )
    key = (environ.get("HTTP_SEC_WEBSOCKET_KEY") or "").strip()
    try:
        nonce = base64.b64decode(key.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeError):
        nonce = b""
    if len(nonce) != 16:
        raise HTTPError(400, "Sec-WebSocket-Key must be 16 bytes in base64")
    offered = _tokens(environ.get("HTTP_SEC_WEBSOCKET_PROTOCOL"))
    chosen = next((p for p in offered if p in {s.lower() for s in subprotocols}), None)
    if chosen is not None:  # answer with the route's spelling of it
        chosen = next(s for s in subprotocols if s.lower() == chosen)
    return Handshake(generate_accept_token(key.encode("ascii")).decode("ascii"), chosen)


#: The subprotocol prefix a client sends its credential under (browsers cannot set headers on a
#: WebSocket; a query string would end up in access logs): ``wtf.token.<base64url of UTF-8>``.
TOKEN_PROTOCOL = "wtf.token."


def offered_token(environ: Mapping[str, Any]) -> str | None:
    """The credential the client offered as a ``wtf.token.<base64url>`` subprotocol (as the
    JavaScript client's ``token`` option sends it), or ``None`` (none, or not decodable)."""
    for item in str(environ.get("HTTP_SEC_WEBSOCKET_PROTOCOL") or "").split(","):
        item = item.strip()
        if item.startswith(TOKEN_PROTOCOL):
            raw = item[len(TOKEN_PROTOCOL) :]
            try:
                padded = (raw + "=" * (-len(raw) % 4)).encode("ascii")
                token = base64.b64decode(padded, altchars=b"-_", validate=True).decode("utf-8")
            except (binascii.Error, UnicodeError, ValueError):
                return None
            return token or None
    return None


def check_origin(environ: Mapping[str, Any], origins: Sequence[str] | str | None) -> None:
    """Refuse cross-site WebSocket hijacking: an ``Origin`` naming another host than ``Host``
    is refused unless listed in ``origins`` (or ``origins == "*"``). No ``Origin`` (a client
    that is no browser) passes.

    Raises:
        HTTPError: 403 naming the origin refused.
    """
    origin = environ.get("HTTP_ORIGIN")
    if origin is None or origins == "*":
        return
    host = origin_host(origin)
    if host is not None and host == request_host(environ):
        return
    if origins is not None and origin.strip().lower().rstrip("/") in {
        o.strip().lower().rstrip("/") for o in origins
    }:
        return
    raise HTTPError(
        403,
        f"a WebSocket from origin {shown_origin(origin)} is not allowed here (list it in "
        "app.websocket(..., origins=[...]))",
    )
