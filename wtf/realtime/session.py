"""``wtf.realtime.Session``: one connection to a Hub (the gate's session).

Sessions bound to users, settings and the storage hook build on this (API.md §6.3).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .files import Uploads
from .websocket import WebSocketClosed

if TYPE_CHECKING:
    from .websocket import WebSocket
    from .wire import Wire

__all__ = ["Session"]


class Session:
    """One connection to a Hub.

    Attributes:
        id: Random and unguessable (``secrets.token_urlsafe``).
        ip: The peer's address.
        user_id: The user the session is bound to, ``None`` for a guest.
        subscriptions: The ``(event, channel)`` pairs it is subscribed to.
    """

    def __init__(self, ws: WebSocket, wire: Wire, ip: str) -> None:
        self.id = secrets.token_urlsafe(16)
        self.ip = ip
        self.user_id: str | None = None
        self.subscriptions: set[tuple[str, str]] = set()
        self.ws = ws
        self.wire = wire
        self._values: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.uploads: Uploads = Uploads(0, 0)  # the Hub sets its limits

    @property
    def is_guest(self) -> bool:
        """Whether no user is bound."""
        return self.user_id is None

    @property
    def closed(self) -> bool:
        """Whether the connection is closed."""
        return self.ws.closed

    def get(self, key: str, default: Any = None) -> Any:
        """A server-local value (never sent to the client)."""
        with self._lock:
            return self._values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        """Keep a server-local value."""
        with self._lock:
            self._values[key] = value

    def send(self, event: str, data: Any) -> bool:
        """Send ``event`` with ``data`` to this session only (``c`` is null); ``False`` when the
        connection is gone."""
        return self.send_frame(self.wire.encode({"v": event, "c": None, "r": data}))

    def send_frame(self, frame: bytes) -> bool:
        """Send a message encoded by :attr:`wire`; ``False`` when the connection is gone."""
        try:
            self.ws.send_prepared(frame)
        except WebSocketClosed:
            return False
        return True

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection."""
        self.ws.close(code, reason)

    def __repr__(self) -> str:
        who = self.user_id if self.user_id is not None else "guest"
        return f"<wtf.realtime.Session {self.id[:8]}… {who}>"


#: ``fn(session) -> bool``: a filter registered by name (``@hub.filter(name)``).
Filter = Callable[[Session], bool]
