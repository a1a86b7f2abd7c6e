"""``wtf.realtime.Session``: one connection to a Hub, bound to a user or a guest.

A session may be touched from its connection's thread, other connections' threads and HTTP
handlers at once: its state is guarded by one lock, and the storage hook is called outside it.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..typed_values import TypedGetters
from .codes import Code, RPCError
from .files import Uploads
from .handshake import offered_token

if TYPE_CHECKING:
    from ..context import Context
    from .hub import Hub
    from .websocket import WebSocket
    from .wire import Wire

__all__ = ["Filter", "Session"]

log = logging.getLogger("wtf.realtime")


class Session(TypedGetters):
    """One connection to a Hub.

    Attributes:
        id: Random and unguessable (``secrets.token_urlsafe(16)``).
        ip: The peer's address (the first ``X-Forwarded-For`` hop behind a trusted proxy).
        subscriptions: The ``(event, channel)`` pairs it is subscribed to.
    """

    def __init__(
        self,
        ws: WebSocket,
        wire: Wire,
        ip: str,
        hub: Hub | None = None,
        context: Context | None = None,
    ) -> None:
        self.id = secrets.token_urlsafe(16)
        #: The upgrade request's context: what midware learned (``context.get("user")``).
        self.context = context
        self.ip = ip
        self.subscriptions: set[tuple[str, str]] = set()
        self.ws = ws
        self.wire = wire
        self.hub = hub
        self.uploads: Uploads = Uploads(0, 0)  # the Hub sets its limits
        #: What the Hub's ``user=`` builder built from the upgrade request (else ``None``).
        self.user: Any = None
        self._user_id: str | None = None
        self._settings: dict[str, str] = {}
        self._values: dict[str, Any] = {}
        self._lock = threading.RLock()

    # Who.

    @property
    def user_id(self) -> str | None:
        """The user the session is bound to, ``None`` for a guest."""
        return self._user_id

    @property
    def token(self) -> str | None:
        """The credential the client offered with its upgrade as a ``wtf.token.<base64url>``
        subprotocol (the JavaScript client's ``token`` option), or ``None``. Not verified:
        check it in ``on_connect`` before binding a user from it."""
        if self.context is None:
            return None
        return offered_token(self.context.environ)

    @property
    def is_guest(self) -> bool:
        """Whether no user is bound."""
        return self._user_id is None

    @property
    def closed(self) -> bool:
        """Whether the connection is closed."""
        return self.ws.closed

    def bind(self, user_id: str) -> None:
        """Bind the session to ``user_id``: the user's stored settings are loaded and merged
        (the session's own keys win), then the session is stored.

        Raises:
            RPCError: ``ERROR`` when the storage failed (logged; the session stays as it was).
        """
        if not isinstance(user_id, str) or not user_id:
            raise ValueError("a user id is a non-empty string")
        storage = self._storage()
        stored = self._storage_call("query", lambda: storage.query(user_id)) if storage else None
        with self._lock:
            previous = self._user_id
            self._user_id = user_id
            if stored:
                self._settings = {**stored, **self._settings}
        if storage is not None:
            try:
                self._storage_call("store", lambda: storage.store(self))
            except RPCError:
                with self._lock:
                    self._user_id = previous
                raise
        if self.hub is not None:
            self.hub.local.bound(self, previous)

    def unbind(self) -> None:
        """Make the session a guest again (the user's stored settings stay stored)."""
        with self._lock:
            previous, self._user_id = self._user_id, None
        if previous is not None and self.hub is not None:
            storage = self._storage()
            if storage is not None:
                self._storage_call("delete", lambda: storage.delete(self))
            self.hub.local.bound(self, previous)

    # Settings (sent to the client with push(); stored when bound).

    @property
    def settings(self) -> dict[str, str]:
        """A copy of the settings."""
        with self._lock:
            return dict(self._settings)

    def set_setting(self, key: str, value: str) -> None:
        """Set a setting (stored at once when bound).

        Raises:
            RPCError: ``ERROR`` when the storage failed.
        """
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError("settings are str keys with str values")
        with self._lock:
            self._settings[key] = value
        self._store()

    def remove_setting(self, key: str) -> None:
        """Remove a setting (stored at once when bound)."""
        with self._lock:
            if self._settings.pop(key, None) is None:
                return
        self._store()

    def push(self) -> bool:
        """Send the settings to the client: the ``$settings`` event, ``r`` the settings."""
        return self.send("$settings", self.settings)

    def _store(self) -> None:
        storage = self._storage()
        if storage is not None and self._user_id is not None:
            self._storage_call("store", lambda: storage.store(self))

    def _storage(self) -> Any:
        return self.hub.storage if self.hub is not None else None

    def _storage_call(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as exc:
            log.error("session storage %s failed (session %s)", what, self.id, exc_info=exc)
            raise RPCError(Code.ERROR, "the session storage failed") from None

    # Server-local values (never sent).

    def get(self, key: str, default: Any = None) -> Any:
        """A server-local value (never sent to the client)."""
        with self._lock:
            return self._values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        """Keep a server-local value."""
        with self._lock:
            self._values[key] = value

    # Talking.

    def send(self, event: str, data: Any) -> bool:
        """Send ``event`` with ``data`` to this session only (``c`` is null); ``False`` when the
        connection is gone or an ``on_send`` hook dropped it."""
        message: dict[str, Any] | None = {"v": event, "c": None, "r": data}
        if self.hub is not None and message is not None:
            self.hub.validate_event(event, data)
            message = self.hub.local.outgoing(self, message)
        if message is None:  # the on_send hook dropped it
            return False
        return self.send_frame(self.wire.encode(message))

    def send_frame(self, frame: bytes) -> bool:
        """Send a message encoded by :attr:`wire`, without waiting for the peer to read it;
        ``False`` when the connection is gone (or was just closed as a slow consumer: its
        outgoing queue was full)."""
        return self.ws.queue_prepared(frame)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (without waiting: the connection's own thread sees the
        peer's answer)."""
        self.ws.close(code, reason, wait=False)

    def __repr__(self) -> str:
        who = self._user_id if self._user_id is not None else "guest"
        return f"<wtf.realtime.Session {self.id[:8]}… {who}>"


#: ``fn(session) -> bool``: a filter registered by name (``@hub.filter(name)``).
Filter = Callable[[Session], bool]
