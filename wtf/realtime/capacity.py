"""How many WebSockets one worker process may hold open: on a threaded server each open
socket holds a thread for its whole life, so sockets may take all the threads but a reserve,
and HTTP requests are still answered when sockets are at their limit.

``wtf serve`` sets the limit in each gthread worker (its threads less :func:`reserve`); under
another server no limit applies here (a route's ``max_connections`` still does).
"""

from __future__ import annotations

import threading

__all__ = ["SocketCapacity", "process_capacity", "reserve"]

#: The most threads kept for HTTP requests (fewer on small thread pools).
MAX_RESERVE = 32


def reserve(threads: int) -> int:
    """The threads sockets may not take out of ``threads``: a quarter, at least 1, at most
    :data:`MAX_RESERVE`."""
    return max(1, min(MAX_RESERVE, threads // 4))


class SocketCapacity:
    """A count of open WebSockets against a limit (``None``: no limit)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.open = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Count one more open socket, unless the limit is reached."""
        with self._lock:
            if self.limit is not None and self.open >= self.limit:
                return False
            self.open += 1
            return True

    def give(self) -> None:
        """One socket fewer."""
        with self._lock:
            self.open -= 1


#: This process's: every WebSocket route counts against it.
process_capacity = SocketCapacity()
