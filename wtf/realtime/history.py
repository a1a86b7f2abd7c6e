"""Channel history: the last events of a channel kept with increasing offsets, so that a client
that reconnects receives exactly what it missed (or learns that it cannot).

An event declared with ``hub.event(name, history=N, ttl=S)`` keeps, per channel, its last
``N`` emits younger than ``S`` seconds. Each gets the channel's next *offset* (1, 2, 3...) and
carries the channel's *epoch*, which changes when the history is lost (a restart of the one
process that kept it in memory, Redis losing its data, or a channel idle past its TTL). A
client that saw offset ``o`` of epoch ``e`` resubscribes with ``since=o, epoch=e``: it is sent
the events after ``o``, in order, or told ``recovered: false`` when they are no longer all
there.

:class:`MemoryHistory` keeps it in the process (``LocalBus``); ``RedisBus`` keeps it in a Redis
stream per channel. Both decide what to replay with :func:`recover`.
"""

from __future__ import annotations

import secrets
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from time import monotonic
from typing import Any

__all__ = ["ChannelLog", "MemoryHistory", "Recovery", "new_epoch", "recover"]


def new_epoch() -> str:
    """A fresh epoch: short, random, URL-safe."""
    return secrets.token_hex(4)


@dataclass(frozen=True)
class Recovery:
    """What a resubscribing client is sent.

    Attributes:
        events: ``(offset, data)`` of the events after ``since``, in order (empty unless
            recovered).
        offset: The channel's latest offset when it was read.
        epoch: The channel's epoch.
        recovered: Whether every event after ``since`` was still kept (and the epoch agreed).
    """

    events: list[tuple[int, Any]]
    offset: int
    epoch: str
    recovered: bool


def recover(
    entries: Iterable[tuple[int, float, Any]],
    top: int,
    epoch: str,
    since: int | None,
    client_epoch: str | None,
    ttl: float | None,
    now: float,
) -> Recovery:
    """Decide what to replay from the kept ``(offset, time, data)`` entries (oldest first,
    consecutive offsets up to ``top``): the events after ``since`` when all of them are kept
    and younger than ``ttl``, else nothing and ``recovered=False``."""
    if since is None:
        return Recovery([], top, epoch, False)
    if (client_epoch is not None and client_epoch != epoch) or since > top:
        return Recovery([], top, epoch, False)
    if since == top:
        return Recovery([], top, epoch, True)
    missed = [
        (offset, data)
        for offset, when, data in entries
        if offset > since and (ttl is None or now - when <= ttl)
    ]
    if not missed or missed[0][0] != since + 1 or missed[-1][0] != top:
        return Recovery([], top, epoch, False)  # the history no longer reaches back
    return Recovery(missed, top, epoch, True)


@dataclass
class ChannelLog:
    """One channel's history in memory. ``lock`` orders its emits: an offset is given and
    the event delivered under it, so that every subscriber sees offsets in order."""

    size: int
    epoch: str
    top: int = 0
    entries: deque[tuple[int, float, Any]] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def append(self, data: Any, ttl: float | None) -> int:
        """Keep ``data`` as the next offset (call with ``lock`` held); return the offset."""
        self.top += 1
        now = monotonic()
        self.entries.append((self.top, now, data))
        while len(self.entries) > self.size or (
            ttl is not None and self.entries and now - self.entries[0][1] > ttl
        ):
            self.entries.popleft()
        return self.top


class MemoryHistory:
    """Every channel's history, in this process (``LocalBus``). Its epoch is the process's:
    the history is lost exactly when the process ends. A channel's log is begun by its first
    emit (never by a subscriber), and keeps at most its last ``size`` events."""

    def __init__(self) -> None:
        self.epoch = new_epoch()
        self._lock = threading.Lock()
        self._logs: dict[tuple[str, str], ChannelLog] = {}

    def log(self, event: str, channel: str, size: int) -> ChannelLog:
        """The history of ``event`` on ``channel`` (begun if there is none)."""
        key = (event, channel)
        with self._lock:
            found = self._logs.get(key)
            if found is None:
                found = self._logs[key] = ChannelLog(size, self.epoch)
            return found

    def recover(
        self,
        event: str,
        channel: str,
        size: int,
        ttl: float | None,
        since: int | None,
        epoch: str | None,
    ) -> Recovery:
        """What a client that saw ``since`` (of ``epoch``) missed."""
        with self._lock:
            log = self._logs.get((event, channel))
        if log is None:  # nothing emitted there yet
            return recover((), 0, self.epoch, since, epoch, ttl, monotonic())
        with log.lock:
            entries = list(log.entries)
            top, current = log.top, log.epoch
        return recover(entries, top, current, since, epoch, ttl, monotonic())
