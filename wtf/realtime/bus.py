"""How a Hub's emits reach the sockets: a bus every worker of the app listens on.

``hub.emit`` and its kin publish a :class:`Delivery`; the bus hands it to every Hub that shares
it, each of which delivers to its own sockets. :class:`LocalBus` (the default) is one process;
a Redis bus (many workers and machines) implements the same two methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Bus", "Delivery", "LocalBus"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One emit, as it travels between workers (plain data, so that it can be serialized).

    Attributes:
        event: The event's name.
        channel: The channel (``None`` for events sent to sessions directly).
        data: The event's data.
        sessions: Deliver to these session ids only (``emit_to``, ``call.emit``), or ``None``
            for the channel's subscribers.
        exclude: A session id left out (``call.emit_others``).
        filter: The name of a filter the subscribers must pass (``emit_filter``).
        user: Deliver to every session bound to this user (``send_user``).
        everyone: Deliver to every session (``broadcast``).
        kick: Close the sessions with this id, or bound to this user id (``kick``).
    """

    event: str
    channel: str | None
    data: Any
    sessions: tuple[str, ...] | None = None
    exclude: str | None = None
    filter: str | None = None
    user: str | None = None
    everyone: bool = False
    kick: str | None = None


class Bus(Protocol):
    """Carries deliveries to every Hub listening."""

    def publish(self, delivery: Delivery) -> None:
        """Send ``delivery`` to every listener (this process's included)."""
        ...

    def listen(self, deliver: Callable[[Delivery], None]) -> None:
        """Call ``deliver`` with every delivery published from now on."""
        ...

    def is_connected(self, user_id: str) -> bool | None:
        """Whether ``user_id`` has a session in any worker; ``None`` when this bus cannot
        tell (then only this worker's sessions count)."""
        ...


class LocalBus:
    """The in-process bus: a delivery goes to this process's listeners, synchronously."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[Delivery], None]] = []

    def publish(self, delivery: Delivery) -> None:
        """Deliver now, in the caller's thread."""
        for deliver in self._listeners:
            deliver(delivery)

    def listen(self, deliver: Callable[[Delivery], None]) -> None:
        """Add a listener."""
        self._listeners.append(deliver)

    def is_connected(self, user_id: str) -> bool | None:
        """One process: the Hub knows its own sessions."""
        return None
