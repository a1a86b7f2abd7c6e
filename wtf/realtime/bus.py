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
    """

    event: str
    channel: str | None
    data: Any
    sessions: tuple[str, ...] | None = None
    exclude: str | None = None
    filter: str | None = None


class Bus(Protocol):
    """Carries deliveries to every Hub listening."""

    def publish(self, delivery: Delivery) -> None:
        """Send ``delivery`` to every listener (this process's included)."""
        ...

    def listen(self, deliver: Callable[[Delivery], None]) -> None:
        """Call ``deliver`` with every delivery published from now on."""
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
