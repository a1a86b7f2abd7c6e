"""How a Hub's emits reach the sockets: a bus every worker of the app listens on.

``hub.emit`` and its kin publish a :class:`Delivery`; the bus hands it to every Hub that shares
it, each of which delivers to its own sockets. :class:`LocalBus` (the default) is one process;
:class:`~wtf.realtime.redis_bus.RedisBus` joins many workers and machines. The Hub tells the
bus which channels its sessions listen to, and which sessions and users it holds, so that a bus
across processes sends each delivery only where it is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from .history import MemoryHistory, Recovery

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
        keep: Keep it in the channel's history, which holds this many events (0: none).
        ttl: Seconds an event stays in that history (``None``: until pushed out).
        offset: Its offset in the channel's history (given by the bus when kept).
        epoch: The channel history's epoch (given with the offset).
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
    keep: int = 0
    ttl: float | None = None
    offset: int | None = None
    epoch: str | None = None


class Bus(Protocol):
    """Carries deliveries to every Hub listening.

    Attributes:
        spans_processes: Whether deliveries reach other processes (workers, machines); when
            not, ``wtf serve`` runs the app in one worker.
    """

    spans_processes: bool

    def publish(self, delivery: Delivery) -> None:
        """Send ``delivery`` to every listener (this process's included). One with ``keep``
        is given the channel's next offset, kept, and delivered everywhere in offset order."""
        ...

    def history(
        self,
        event: str,
        channel: str,
        size: int,
        ttl: float | None,
        since: int | None,
        epoch: str | None,
    ) -> Recovery:
        """What a client that saw offset ``since`` of ``epoch`` missed on ``channel`` (and the
        channel's latest offset and epoch)."""
        ...

    def listen(self, deliver: Callable[[Delivery], None]) -> None:
        """Call ``deliver`` with every delivery published from now on."""
        ...

    def is_connected(self, user_id: str) -> bool | None:
        """Whether ``user_id`` has a session in any worker; ``None`` when this bus cannot
        tell (then only this worker's sessions count)."""
        ...

    def joined(self, event: str, channel: str) -> Callable[[], None]:
        """A session of this process is the first here to subscribe to ``channel`` (called
        under the Hub's lock: quick). Returns what the Hub calls, once it released its lock,
        to wait until emits from anywhere reach that channel here."""
        ...

    def left(self, event: str, channel: str) -> None:
        """The last session of this process subscribed to ``channel`` left it (called under
        the Hub's lock: quick)."""
        ...

    def opened(self, session_id: str) -> None:
        """A session of this process opened."""
        ...

    def closed(self, session_id: str, user_id: str | None) -> None:
        """A session of this process closed."""
        ...

    def bound(self, session_id: str, user_id: str | None, previous: str | None) -> None:
        """A session of this process was bound to ``user_id`` (``None``: unbound)."""
        ...

    def listening(self, session_id: str, channel: str, on: bool) -> None:
        """A session of this process started (``on``) or stopped listening to ``channel``
        (to any of its events)."""
        ...

    def presence(self, channel: str) -> set[str] | None:
        """The users with a session listening to ``channel`` in any worker; ``None`` when
        this bus cannot tell (then this worker's sessions count)."""
        ...


class LocalBus:
    """The in-process bus: a delivery goes to this process's listeners, synchronously."""

    spans_processes = False

    def __init__(self) -> None:
        self._listeners: list[Callable[[Delivery], None]] = []
        self._history = MemoryHistory()

    def publish(self, delivery: Delivery) -> None:
        """Deliver now, in the caller's thread (one kept in history under its channel's lock:
        in offset order)."""
        if delivery.keep:
            log = self._history.log(delivery.event, delivery.channel or "", delivery.keep)
            with log.lock:
                offset = log.append(delivery.data, delivery.ttl)
                stamped = replace(delivery, offset=offset, epoch=log.epoch)
                for deliver in self._listeners:
                    deliver(stamped)
            return
        for deliver in self._listeners:
            deliver(delivery)

    def history(
        self,
        event: str,
        channel: str,
        size: int,
        ttl: float | None,
        since: int | None,
        epoch: str | None,
    ) -> Recovery:
        """From this process's memory (lost with it: the epoch is the process's)."""
        return self._history.recover(event, channel, size, ttl, since, epoch)

    def listen(self, deliver: Callable[[Delivery], None]) -> None:
        """Add a listener."""
        self._listeners.append(deliver)

    def is_connected(self, user_id: str) -> bool | None:
        """One process: the Hub knows its own sessions."""
        return None

    def joined(self, event: str, channel: str) -> Callable[[], None]:
        """Nothing to wait for: every emit is delivered in this process."""
        return _nothing

    def left(self, event: str, channel: str) -> None:
        """Nothing to do."""

    def opened(self, session_id: str) -> None:
        """Nothing to do: the Hub knows its own sessions."""

    def closed(self, session_id: str, user_id: str | None) -> None:
        """Nothing to do."""

    def bound(self, session_id: str, user_id: str | None, previous: str | None) -> None:
        """Nothing to do."""

    def listening(self, session_id: str, channel: str, on: bool) -> None:
        """Nothing to do."""

    def presence(self, channel: str) -> set[str] | None:
        """One process: the Hub knows its own sessions."""
        return None


def _nothing() -> None:
    return None
