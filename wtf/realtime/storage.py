"""The storage hook of Hub sessions: where the settings of sessions bound to users are kept.

A user's settings outlive their connections: ``store`` is called on bind and on each settings
change, ``query`` on bind (to restore them), ``delete`` on disconnect (it forgets the session,
not the user), ``heartbeat`` now and then while the connection lives.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..redis_client import bounded_client

if TYPE_CHECKING:
    from .session import Session

__all__ = ["MemoryStorage", "RedisStorage", "SQLiteStorage", "Storage"]


@runtime_checkable
class Storage(Protocol):
    """Where bound sessions' settings are kept."""

    def store(self, session: Session) -> None:
        """Keep ``session.settings`` for ``session.user_id`` (and the session as live)."""
        ...

    def delete(self, session: Session) -> None:
        """Forget the session (its user's settings stay)."""
        ...

    def query(self, user_id: str) -> dict[str, str] | None:
        """The settings stored for ``user_id``, or ``None``."""
        ...

    def heartbeat(self, session: Session) -> None:
        """The session is still connected."""
        ...


class MemoryStorage:
    """In this process's memory (the default): settings survive reconnects to the same worker,
    not restarts."""

    def __init__(self) -> None:
        self._settings: dict[str, dict[str, str]] = {}
        self._sessions: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def store(self, session: Session) -> None:
        """Keep the session's settings for its user."""
        user = session.user_id
        if user is None:
            return
        with self._lock:
            self._settings[user] = session.settings
            self._sessions[session.id] = (user, time.time())

    def delete(self, session: Session) -> None:
        """Forget the session."""
        with self._lock:
            self._sessions.pop(session.id, None)

    def query(self, user_id: str) -> dict[str, str] | None:
        """The user's stored settings."""
        with self._lock:
            found = self._settings.get(user_id)
            return dict(found) if found is not None else None

    def heartbeat(self, session: Session) -> None:
        """Note that the session is alive."""
        with self._lock:
            if session.id in self._sessions:
                self._sessions[session.id] = (self._sessions[session.id][0], time.time())


class SQLiteStorage:
    """In an SQLite file (standard library), shared by the workers of one machine: WAL
    journal (readers never wait for the writer) and a busy timeout (writers queue instead of
    failing). One connection per thread, opened on first use (after gunicorn forked).

    Args:
        path: The database file (created with its tables if missing).
        busy_timeout: Seconds a writer waits for another worker's write.
    """

    def __init__(self, path: str, busy_timeout: float = 5.0) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        # Every connection with its thread: closed when the thread has ended (checked as new
        # ones open), by close(), or when the storage is collected; never left to the GC.
        self._connections: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _close_all, self._connections, self._lock)

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            # check_same_thread=False: only this thread uses it, but it may be closed by
            # another once this one has ended.
            db = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            with self._lock:
                ended = [pair for pair in self._connections if _ended(pair[0])]
                for pair in ended:
                    self._connections.remove(pair)
                    pair[1].close()
                self._connections.append((weakref.ref(threading.current_thread()), db))
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS wtf_settings "
                "(user_id TEXT PRIMARY KEY, settings TEXT NOT NULL, updated REAL NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS wtf_sessions "
                "(id TEXT PRIMARY KEY, user_id TEXT NOT NULL, ip TEXT, seen REAL NOT NULL)"
            )
            self._local.db = db
        return db

    def close(self) -> None:
        """Close every connection (a later call opens new ones)."""
        _close_all(self._connections, self._lock)
        self._local = threading.local()

    def store(self, session: Session) -> None:
        """Keep the session's settings for its user, and the session as live."""
        user = session.user_id
        if user is None:
            return
        now = time.time()
        db = self._db()
        with db:  # one transaction
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO wtf_settings (user_id, settings, updated) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings, "
                "updated = excluded.updated",
                (user, json.dumps(session.settings), now),
            )
            db.execute(
                "INSERT INTO wtf_sessions (id, user_id, ip, seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, seen = excluded.seen",
                (session.id, user, session.ip, now),
            )

    def delete(self, session: Session) -> None:
        """Forget the session."""
        self._db().execute("DELETE FROM wtf_sessions WHERE id = ?", (session.id,))

    def query(self, user_id: str) -> dict[str, str] | None:
        """The user's stored settings."""
        row = (
            self._db()
            .execute("SELECT settings FROM wtf_settings WHERE user_id = ?", (user_id,))
            .fetchone()
        )
        return None if row is None else dict(json.loads(row[0]))

    def heartbeat(self, session: Session) -> None:
        """Note that the session is alive."""
        self._db().execute(
            "UPDATE wtf_sessions SET seen = ? WHERE id = ?", (time.time(), session.id)
        )


def _ended(thread: weakref.ref[threading.Thread]) -> bool:
    alive = thread()
    return alive is None or not alive.is_alive()


def _close_all(
    connections: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]],
    lock: threading.Lock,
) -> None:
    with lock:
        closing = [db for _, db in connections]
        connections.clear()
    for db in closing:
        db.close()


class RedisStorage:
    """In Redis (redis-py): a user's settings are a hash (``wtf:settings:<user>``) whose TTL
    each heartbeat refreshes; a session is a key with a TTL too.

    Args:
        url: ``redis://host:port/db``.
        ttl: Seconds stored settings outlive the last heartbeat of their user's sessions.
        prefix: Key prefix.
    """

    def __init__(self, url: str, ttl: int = 7 * 24 * 3600, prefix: str = "wtf:") -> None:
        self.ttl = ttl
        self.prefix = prefix
        self._redis: Any = bounded_client(url, decode_responses=True)

    def close(self) -> None:
        """Close the connections to Redis (a later call opens new ones)."""
        self._redis.close()

    def _key(self, kind: str, name: str) -> str:
        return f"{self.prefix}{kind}:{name}"

    def store(self, session: Session) -> None:
        """Replace the user's settings hash, refresh its TTL, mark the session live."""
        user = session.user_id
        if user is None:
            return
        key = self._key("settings", user)
        settings = session.settings
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(key)
        if settings:
            pipe.hset(key, mapping=settings)
            pipe.expire(key, self.ttl)
        pipe.set(self._key("session", session.id), user, ex=self.ttl)
        pipe.execute()

    def delete(self, session: Session) -> None:
        """Forget the session."""
        self._redis.delete(self._key("session", session.id))

    def query(self, user_id: str) -> dict[str, str] | None:
        """The user's stored settings."""
        found = self._redis.hgetall(self._key("settings", user_id))
        return dict(found) if found else None

    def heartbeat(self, session: Session) -> None:
        """Refresh the TTLs of the session and its user's settings."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.expire(self._key("session", session.id), self.ttl)
        if session.user_id is not None:
            pipe.expire(self._key("settings", session.user_id), self.ttl)
        pipe.execute()
