"""The sessions of one process, indexed by id, user and channel, and the delivery of what the
bus carries to them.

This is the Hub's delivery half: registration and dispatch live in :mod:`.hub`, moving
deliveries between processes in the bus (:mod:`.bus`, :mod:`.redis_bus`), and writing to a
socket without waiting on its peer in :mod:`.websocket` and :mod:`.backlog`. Every method is
safe from any thread; the bus is told of each change in what this process needs (a channel's
first and last subscriber here, a session opened, bound or closed) so that it carries only
that.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from .bus import Bus, Delivery
from .session import Filter, Session

__all__ = ["LocalSessions", "SendHook"]

log = logging.getLogger("wtf.realtime")

#: ``fn(session, message) -> message | None``: the ``on_send`` hook.
SendHook = Callable[[Session, dict[str, Any]], Any]


class LocalSessions:
    """This process's sessions and the channels they listen to.

    Args:
        bus: Told what this process needs carried to it.

    Attributes:
        filters: The filters registered by name (``@hub.filter``), for ``emit_filter``.
        on_send: The ``on_send`` hook, or ``None``.
    """

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self.filters: dict[str, Filter] = {}
        self.on_send: SendHook | None = None
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._users: dict[str, dict[str, Session]] = {}
        self._channels: dict[tuple[str, str], dict[str, Session]] = {}
        # Sessions catching up on a channel's history: its live events wait here meanwhile.
        self._held: dict[tuple[str, str, str], list[Delivery]] = {}
        # The last offset sent to a session on a channel whose history it caught up on: an
        # event read from the history and still in flight from the bus is not sent twice.
        self._sent: dict[tuple[str, str, str], int] = {}
        # Per channel listened to here: wait until the bus carries it to this process.
        self._ready: dict[tuple[str, str], Callable[[], None]] = {}

    # Sessions coming and going.

    def add(self, session: Session) -> None:
        """A connection opened."""
        with self._lock:
            self._sessions[session.id] = session
        self.bus.opened(session.id)

    def remove(self, session: Session) -> None:
        """A connection ended: it is forgotten everywhere (its channels, its user).
        ``session.subscriptions`` keeps what it was subscribed to, for ``on_disconnect``."""
        with self._lock:
            self._sessions.pop(session.id, None)
            if session.user_id is not None:
                self._unindex(session.user_id, session.id)
            for key in session.subscriptions:
                members = self._channels.get(key)
                if members is not None:
                    members.pop(session.id, None)
                    if not members:
                        del self._channels[key]
                        self._ready.pop(key, None)
                        self.bus.left(*key)
                self._sent.pop((session.id, *key), None)
        self.bus.closed(session.id, session.user_id)

    def bound(self, session: Session, previous: str | None) -> None:
        """``session`` was bound to its ``user_id`` (or unbound from ``previous``)."""
        with self._lock:
            if previous is not None:
                self._unindex(previous, session.id)
            user = session.user_id
            if user is not None and session.id in self._sessions:
                self._users.setdefault(user, {})[session.id] = session
        self.bus.bound(session.id, session.user_id, previous)

    def _unindex(self, user: str, session_id: str) -> None:  # holds self._lock
        members = self._users.get(user)
        if members is not None:
            members.pop(session_id, None)
            if not members:
                del self._users[user]

    # Channels.

    def subscribe(self, session: Session, event: str, channel: str) -> bool:
        """Add ``session`` to the subscribers of ``event`` on ``channel``; once this returns,
        emits from any process reach it. ``False`` when the session has ended meanwhile."""
        with self._lock:
            if session.id not in self._sessions:
                return False
            members = self._channels.get((event, channel))
            if members is None:  # the first here: the bus starts carrying it to this process
                members = self._channels[(event, channel)] = {}
                self._ready[(event, channel)] = self.bus.joined(event, channel)
            # Every subscriber waits until the bus carries the channel here, not the first
            # only: one that came meanwhile would miss what is published before that.
            ready = self._ready.get((event, channel))
            members[session.id] = session
            first_here = not any(name == channel for _, name in session.subscriptions)
            session.subscriptions.add((event, channel))
        if ready is not None:
            ready()
        if first_here:
            self.bus.listening(session.id, channel, True)
        return True

    def unsubscribe(self, session: Session, event: str, channel: str) -> bool:
        """Remove ``session`` from those subscribers; ``False`` when it was not one."""
        key = (event, channel)
        with self._lock:
            members = self._channels.get(key)
            was = members is not None and members.pop(session.id, None) is not None
            if members is not None and not members:
                del self._channels[key]
                self._ready.pop(key, None)
                self.bus.left(event, channel)
            session.subscriptions.discard(key)
            self._sent.pop((session.id, event, channel), None)
            last_here = was and not any(n == channel for _, n in session.subscriptions)
        if last_here:
            self.bus.listening(session.id, channel, False)
        return was

    # Delivering.

    def targets(self, delivery: Delivery) -> list[Session]:
        """The sessions of this process that ``delivery`` is for."""
        with self._lock:
            if delivery.kick is not None:
                kicked = self._users.get(delivery.kick, {}).copy()
                alone = self._sessions.get(delivery.kick)
                if alone is not None:
                    kicked[alone.id] = alone
                targets = list(kicked.values())
            elif delivery.sessions is not None:
                found = (self._sessions.get(sid) for sid in delivery.sessions)
                targets = [s for s in found if s is not None]
            elif delivery.user is not None:
                targets = list(self._users.get(delivery.user, {}).values())
            elif delivery.everyone:
                targets = list(self._sessions.values())
            else:
                members = self._channels.get((delivery.event, delivery.channel or ""))
                targets = list(members.values()) if members else []
        if delivery.exclude is not None:
            targets = [s for s in targets if s.id != delivery.exclude]
        if delivery.filter is not None:
            admits = self.filters.get(delivery.filter)
            targets = [s for s in targets if admits is not None and admits(s)]
        return targets

    def deliver(self, delivery: Delivery) -> None:
        """Send ``delivery`` to the sessions of this process it is for (the bus calls this).
        Never waits on a peer: what a socket cannot take now waits in its backlog."""
        targets = self.targets(delivery)
        offset = delivery.offset
        if offset is not None and (self._held or self._sent):  # PERF: no history, no lookup
            channel = delivery.channel or ""
            with self._lock:  # one catching up gets it after what it missed, and once
                passing = []
                for session in targets:
                    key = (session.id, delivery.event, channel)
                    held = self._held.get(key)
                    if held is not None:
                        held.append(delivery)
                    elif self._sent.get(key, 0) < offset:
                        if key in self._sent:
                            self._sent[key] = offset
                        passing.append(session)
                targets = passing
        if delivery.kick is not None:
            for session in targets:
                session.close(1008, "kicked")
            return
        if not targets:
            return
        message = {"v": delivery.event, "c": delivery.channel, "r": delivery.data}
        if delivery.offset is not None:
            message["o"], message["ep"] = delivery.offset, delivery.epoch
        if self.on_send is not None:  # the hook sees (and may change) each session's copy
            for session in targets:
                mine = self.outgoing(session, dict(message))
                if mine is not None:
                    session.send_frame(session.wire.encode(mine))
            return
        frames: dict[bool, bytes] = {}  # encoded once per format, whatever the fan-out
        for session in targets:
            msgpack = session.wire.msgpack
            frame = frames.get(msgpack)
            if frame is None:
                frame = frames[msgpack] = session.wire.encode(message)
            session.send_frame(frame)

    # Catching up on a channel's history.

    def hold(self, session: Session, event: str, channel: str) -> None:
        """Keep ``session``'s live events of ``event`` on ``channel`` aside (it is being sent
        what it missed)."""
        with self._lock:
            self._held[(session.id, event, channel)] = []

    def release(
        self,
        session: Session,
        event: str,
        channel: str,
        replay: list[tuple[int, Any]],
        epoch: str,
        after: int,
    ) -> None:
        """Send ``session`` the ``(offset, data)`` it missed, then the live events held meanwhile
        past them (none twice), then let live events through: in offset order, as the
        deliveries of that channel wait for this."""
        key = (session.id, event, channel)
        with self._lock:
            held = self._held.pop(key, [])
            for offset, data in replay:
                self._send_one(session, event, channel, data, offset, epoch)
            for delivery in held:
                if delivery.offset is not None and delivery.offset > after:
                    self._send_one(
                        session, event, channel, delivery.data, delivery.offset, delivery.epoch
                    )
                    after = delivery.offset
            if session.id in self._sessions and (event, channel) in session.subscriptions:
                self._sent[key] = after

    def _send_one(
        self,
        session: Session,
        event: str,
        channel: str,
        data: Any,
        offset: int,
        epoch: str | None,
    ) -> None:
        """One event with its offset, to ``session`` only."""
        message = self.outgoing(
            session, {"v": event, "c": channel, "r": data, "o": offset, "ep": epoch}
        )
        if message is not None:
            session.send_frame(session.wire.encode(message))

    def outgoing(self, session: Session, message: dict[str, Any]) -> dict[str, Any] | None:
        """What the ``on_send`` hook makes of ``message`` for ``session`` (``None``: drop)."""
        hook = self.on_send
        if hook is None:
            return message
        try:
            changed: dict[str, Any] | None = hook(session, message)
        except Exception as exc:
            log.error("on_send failed (session %s)", session.id, exc_info=exc)
            return message
        return changed

    # Looking.

    def sessions(self) -> list[Session]:
        """The sessions open in this process."""
        with self._lock:
            return list(self._sessions.values())

    def has_user(self, user_id: str) -> bool:
        """Whether ``user_id`` has a session open in this process."""
        with self._lock:
            return bool(self._users.get(user_id))

    def users_on(self, channel: str) -> set[str]:
        """The users with a session of this process subscribed to ``channel``."""
        with self._lock:
            return {
                session.user_id
                for (_, name), members in self._channels.items()
                if name == channel
                for session in members.values()
                if session.user_id is not None
            }

    def subscribers(self, event: str, channel: str) -> list[Session]:
        """The sessions of this process subscribed to ``event`` on ``channel``."""
        with self._lock:
            return list(self._channels.get((event, channel), {}).values())
