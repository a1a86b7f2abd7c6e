"""``RedisBus``: every worker of every machine pointing at one Redis forms one hub.

Each process is a *node* with a random id. What a node publishes is delivered to its own
sessions at once (as :class:`~wtf.realtime.bus.LocalBus` does) and sent through Redis pub/sub
only where other nodes need it:

==============================  =============================================================
``{prefix}:c:{len}:{event}:{channel}``  pub/sub: a channel's emits; a node subscribes while
                                it has a session subscribed to that channel
``{prefix}:all``                pub/sub: broadcasts (every node)
``{prefix}:n:{node}``           pub/sub: deliveries to sessions or users of that node, and kicks
``{prefix}:sessions``           hash: session id -> node
``{prefix}:u:{user}``           hash: session id -> node, the sessions bound to that user
``{prefix}:su``                 hash: session id -> user, for the bound sessions
``{prefix}:room:{channel}``     set: the session ids listening to that channel (``presence``)
``{prefix}:alive:{node}``       key with a TTL (``presence_ttl``) its node refreshes: a killed
                                node's sessions stop counting within one TTL
``{prefix}:nodes``              set: the nodes; any live one sweeps the entries of dead ones
``{prefix}:ns:{node}``          set: that node's session ids (what to sweep when it dies)
==============================  =============================================================

One thread per process (a greenlet under gevent) reads pub/sub and hands what arrives to the
Hub (delivering never waits on a client: a socket's writes are queued, see
:mod:`.backlog`); it also applies subscription changes (a ``$subscribe`` answers once Redis
confirmed the subscription), refreshes the node's liveness, and every third of the TTL removes
the entries of nodes that died without closing (killed): their sessions, users and set. With
Redis unreachable, local delivery goes on, deliveries that had to cross are counted in
:attr:`RedisBus.dropped` with one log line per outage, and the thread reconnects with backoff
and subscribes again.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from ..redis_client import bounded_client
from ..rendering import encode_json
from .bus import Delivery
from .history import Recovery, new_epoch, recover

__all__ = ["RedisBus"]

log = logging.getLogger("wtf.realtime")

_POLL = 0.05  # seconds the reader waits for a message before looking at its queue again
_CONFIRM = 5.0  # the longest a subscription (or a bind) waits for Redis to confirm it
_BATCH = 500  # changes and deliveries the writer sends in one pipeline at most
#: What may wait for the writer (Redis slow or gone); past it, deliveries are dropped (counted).
MAX_OUTBOX = 100_000
_META_TTL_MS = 30 * 24 * 3600 * 1000  # a channel history's offset and epoch outlive it so long

# Keep one event in a channel's history and publish it, atomically: the offset is the channel's
# next, the stream entry's id is that offset, and every node hears the events in offset order.
# A channel whose offset and epoch were lost (never kept, expired, Redis restarted) begins a
# new epoch, and its stale stream is dropped.
# KEYS: stream, meta, pub/sub channel. ARGV: size, ttl ms (0: none), new epoch, node, delivery.
_APPEND = """
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[3]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch, 'o', 0)
end
local offset = redis.call('HINCRBY', KEYS[2], 'o', 1)
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], offset .. '-0', 't', ms, 'd', ARGV[5])
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PEXPIRE', KEYS[1], ARGV[6]) end
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('PUBLISH', KEYS[3],
  '{"o":"' .. ARGV[4] .. '","n":' .. offset .. ',"e":"' .. epoch .. '","d":' .. ARGV[5] .. '}')
return offset
"""

# A channel's offset, epoch (begun if none), Redis's clock (ms), and the entries after ARGV[1]
# (none when ARGV[1] is -1). KEYS: stream, meta. ARGV: since, new epoch, meta ttl ms.
_READ = """
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[2]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch, 'o', 0)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
local top = redis.call('HGET', KEYS[2], 'o')
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local entries = {}
local since = tonumber(ARGV[1])
if since >= 0 and since < tonumber(top) then
  entries = redis.call('XRANGE', KEYS[1], (since + 1) .. '-0', '+')
end
return {epoch, top, ms, entries}
"""


class RedisBus:
    """A bus through Redis (redis-py): deliveries reach the sessions of every worker and
    machine whose Hub uses a ``RedisBus`` on the same Redis and prefix.

    Args:
        url: ``redis://host:port/db``.
        prefix: Prefix of every key and channel.
        presence_ttl: Seconds a node's sessions count as connected after it stops
            refreshing (a killed worker's users stop counting within this).
        encoder: ``fn(obj) -> bytes`` for what crosses (default: wtf's JSON encoder).

    Raises:
        ValueError: A URL redis-py cannot read.
    """

    spans_processes = True

    def __init__(
        self,
        url: str,
        prefix: str = "wtf",
        presence_ttl: float = 30.0,
        encoder: Callable[[Any], bytes] = encode_json,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.presence_ttl = presence_ttl
        self.encoder = encoder
        bounded_client(url)  # a malformed URL fails here, at once
        #: Deliveries that had to cross to other nodes and could not (Redis unreachable).
        self.dropped = 0
        self._listeners: list[Callable[[Delivery], None]] = []
        self._lock = threading.Lock()
        self._pid = 0  # the process the node below belongs to (set up again after a fork)
        self._node = ""
        self._client: Any = None
        self._threads: tuple[threading.Thread, ...] = ()
        self._append_script: Any = None
        self._read_script: Any = None
        self._wanted: set[str] = set()  # channel keys this node's sessions need
        self._local: dict[str, str | None] = {}  # this node's sessions and their users
        self._rooms: dict[str, set[str]] = {}  # this node's sessions: the channels they hear
        self._changes: list[tuple[str, str, threading.Event | None]] = []
        self._waiting: dict[str, list[threading.Event]] = {}
        self._outage = False
        self._stop = threading.Event()
        self._wake = threading.Event()  # something waits for the writer
        self._outbox: deque[tuple[Any, Any]] = deque()

    # The Bus protocol.

    def listen(self, deliver: Callable[[Delivery], None]) -> None:
        """Add a listener (the Hub): it gets every delivery published, here or elsewhere."""
        self._listeners.append(deliver)

    def publish(self, delivery: Delivery) -> None:
        """Hand the delivery to the writer (for the other nodes), and deliver it to this
        process's sessions now. One kept in history goes through Redis even to this process
        (its offset is given there, and every node hears offsets in order)."""
        self._start()
        self._enqueue(delivery)
        if delivery.keep:
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
        """From the channel's Redis stream (one script: offset, epoch and entries agree)."""
        self._start()
        keys = [self._stream_key(event, channel), self._meta_key(event, channel)]
        found_epoch, top, now_ms, entries = self._read_script(
            keys=keys, args=[-1 if since is None else since, new_epoch(), _META_TTL_MS]
        )
        kept = [
            (
                int(entry_id.split(b"-")[0]),
                int(fields[fields.index(b"t") + 1]) / 1000,
                json.loads(fields[fields.index(b"d") + 1])["data"],
            )
            for entry_id, fields in entries
        ]
        current = found_epoch.decode() if isinstance(found_epoch, bytes) else str(found_epoch)
        return recover(kept, int(top), current, since, epoch, ttl, now_ms / 1000)

    def is_connected(self, user_id: str) -> bool | None:
        """Whether ``user_id`` has a session on a live node."""
        self._start()
        try:
            return bool(self._live(self._user_key(user_id)))
        except Exception as exc:
            self._failed("presence", exc)
            return None

    # What the Hub tells the bus.

    def joined(self, event: str, channel: str) -> Callable[[], None]:
        """A session of this process is the first here to subscribe to ``channel``: listen to
        it. The waiter returned returns once Redis confirmed (at most a few seconds when it
        is unreachable)."""
        self._start()
        done = threading.Event()
        with self._lock:
            self._changes.append(("subscribe", self._channel_key(event, channel), done))

        def ready() -> None:
            done.wait(_CONFIRM)

        return ready

    def left(self, event: str, channel: str) -> None:
        """The last session of this process subscribed to ``channel`` left it."""
        self._start()
        with self._lock:
            self._changes.append(("unsubscribe", self._channel_key(event, channel), None))

    def opened(self, session_id: str) -> None:
        """A session of this process opened."""
        self._start()
        with self._lock:
            self._local[session_id] = None

        def record(pipe: Any) -> None:
            pipe.hset(self._sessions_key, session_id, self._node)
            pipe.sadd(self._node_sessions_key(self._node), session_id)

        self._enqueue(record)

    def closed(self, session_id: str, user_id: str | None) -> None:
        """A session of this process closed."""
        with self._lock:
            self._local.pop(session_id, None)
            rooms = self._rooms.pop(session_id, set())

        def forget(pipe: Any) -> None:
            pipe.hdel(self._sessions_key, session_id)
            pipe.srem(self._node_sessions_key(self._node), session_id)
            pipe.hdel(self._users_key, session_id)
            if user_id is not None:
                pipe.hdel(self._user_key(user_id), session_id)
            for channel in rooms:
                pipe.srem(self._room_key(channel), session_id)

        self._enqueue(forget)

    def bound(self, session_id: str, user_id: str | None, previous: str | None) -> None:
        """A session of this process was bound to ``user_id`` (``None``: unbound)."""
        with self._lock:
            if session_id in self._local:
                self._local[session_id] = user_id

        def rebind(pipe: Any) -> None:
            if previous is not None:
                pipe.hdel(self._user_key(previous), session_id)
                pipe.hdel(self._users_key, session_id)
            if user_id is not None:
                pipe.hset(self._user_key(user_id), session_id, self._node)
                pipe.hset(self._users_key, session_id, user_id)

        done = threading.Event()  # once bind returns, sends from any node find the session
        self._enqueue(rebind, done)
        done.wait(_CONFIRM)

    def listening(self, session_id: str, channel: str, on: bool) -> None:
        """A session of this process started or stopped listening to ``channel``."""
        with self._lock:
            rooms = self._rooms.setdefault(session_id, set())
            if on:
                rooms.add(channel)
            else:
                rooms.discard(channel)
        key = self._room_key(channel)
        done = threading.Event() if on else None  # once $subscribe answers, presence shows it
        self._enqueue(lambda pipe: (pipe.sadd if on else pipe.srem)(key, session_id), done)
        if done is not None:
            done.wait(_CONFIRM)

    def presence(self, channel: str) -> set[str] | None:
        """The users with a session listening to ``channel`` on a live node."""
        self._start()
        try:
            sessions = [sid.decode() for sid in self._client.smembers(self._room_key(channel))]
            if not sessions:
                return set()
            nodes = self._client.hmget(self._sessions_key, sessions)
            users = self._client.hmget(self._users_key, sessions)
            alive = self._alive_nodes({node.decode() for node in nodes if node})
            gone = [sid for sid, node in zip(sessions, nodes, strict=True) if not node]
            gone += [
                sid
                for sid, node in zip(sessions, nodes, strict=True)
                if node and node.decode() not in alive
            ]
            if gone:  # sessions of killed nodes, dropped when seen
                self._client.srem(self._room_key(channel), *gone)
        except Exception as exc:
            self._failed("presence", exc)
            return None
        return {
            user.decode()
            for node, user in zip(nodes, users, strict=True)
            if node and user and node.decode() in alive
        }

    def close(self) -> None:
        """Stop this process's node: what waits for the writer is written (for at most a few
        seconds), its sessions stop counting, its threads end and its connections close."""
        if self._pid == os.getpid():
            done = threading.Event()
            self._enqueue(lambda pipe: None, done)
            done.wait(_CONFIRM)
        self._stop.set()
        self._wake.set()
        client = self._client
        if client is not None and self._pid == os.getpid():
            try:
                pipe = client.pipeline(transaction=False)
                pipe.delete(self._alive_key(self._node), self._node_sessions_key(self._node))
                pipe.srem(self._nodes_key, self._node)
                pipe.execute()
            except Exception as exc:
                self._failed("close", exc)
            for thread in self._threads:  # the reader polls: it ends within _POLL
                if thread is not threading.current_thread():
                    thread.join(_CONFIRM)
            client.close()  # and every connection of its pool

    # Keys.

    @property
    def _sessions_key(self) -> str:
        return f"{self.prefix}:sessions"

    @property
    def _users_key(self) -> str:
        return f"{self.prefix}:su"

    def _room_key(self, channel: str) -> str:
        return f"{self.prefix}:room:{channel}"

    def _user_key(self, user_id: str) -> str:
        return f"{self.prefix}:u:{user_id}"

    def _channel_key(self, event: str, channel: str) -> str:
        return f"{self.prefix}:c:{len(event)}:{event}:{channel}"

    @property
    def _nodes_key(self) -> str:
        return f"{self.prefix}:nodes"

    def _node_sessions_key(self, node: str) -> str:
        return f"{self.prefix}:ns:{node}"

    def _stream_key(self, event: str, channel: str) -> str:
        return f"{self.prefix}:h:{len(event)}:{event}:{channel}"

    def _meta_key(self, event: str, channel: str) -> str:
        return f"{self.prefix}:hm:{len(event)}:{event}:{channel}"

    def _node_key(self, node: str) -> str:
        return f"{self.prefix}:n:{node}"

    def _alive_key(self, node: str) -> str:
        return f"{self.prefix}:alive:{node}"

    # Routing.

    def _targets(self, delivery: Delivery) -> list[str]:
        """The pub/sub channels ``delivery`` must go to for the other nodes."""
        if delivery.everyone:
            return [f"{self.prefix}:all"]
        nodes: set[str] = set()
        if delivery.sessions is not None:
            nodes |= self._nodes_of_sessions(delivery.sessions)
        elif delivery.user is not None:
            nodes |= set(self._live(self._user_key(delivery.user)).values())
        elif delivery.kick is not None:
            nodes |= set(self._live(self._user_key(delivery.kick)).values())
            nodes |= self._nodes_of_sessions((delivery.kick,))
        else:
            return [self._channel_key(delivery.event, delivery.channel or "")]
        nodes.discard(self._node)
        return [self._node_key(node) for node in sorted(nodes)]

    def _nodes_of_sessions(self, session_ids: Iterable[str]) -> set[str]:
        with self._lock:  # PERF: this node's own (call.emit: the caller) need no lookup
            ids = [sid for sid in session_ids if sid not in self._local]
        if not ids:
            return set()
        found = {node.decode() for node in self._client.hmget(self._sessions_key, ids) if node}
        return self._alive_nodes(found)

    def _alive_nodes(self, nodes: set[str]) -> set[str]:
        if not nodes:
            return set()
        ordered = sorted(nodes)
        alive = self._client.mget([self._alive_key(node) for node in ordered])
        return {node for node, mark in zip(ordered, alive, strict=True) if mark is not None}

    def _live(self, user_key: str) -> dict[str, str]:
        """``{session id: node}`` of a user's sessions on live nodes; entries of dead nodes
        are dropped."""
        entries = {
            sid.decode(): node.decode() for sid, node in self._client.hgetall(user_key).items()
        }
        alive = self._alive_nodes(set(entries.values()))
        dead = [sid for sid, node in entries.items() if node not in alive]
        if dead:
            self._client.hdel(user_key, *dead)
        return {sid: node for sid, node in entries.items() if node in alive}

    # Crossing.

    def _encode(self, delivery: Delivery) -> bytes:
        return self.encoder({"o": self._node, "d": _fields(delivery)})

    def _received(self, payload: bytes) -> None:
        try:
            message = json.loads(payload)
            kept = "n" in message  # kept in history: every node, this one too, hears it here
            if message["o"] == self._node and not kept:
                return  # this node's own, delivered when published
            fields = message["d"]
            if fields.get("sessions") is not None:
                fields["sessions"] = tuple(fields["sessions"])
            if kept:
                fields["offset"], fields["epoch"] = int(message["n"]), str(message["e"])
            delivery = Delivery(**fields)
        except (ValueError, KeyError, TypeError) as exc:
            log.error("RedisBus: a message that is no delivery was ignored: %s", exc)
            return
        for deliver in self._listeners:
            try:
                deliver(delivery)
            except Exception as exc:
                log.error("RedisBus: delivering failed", exc_info=exc)

    # The node: set up in each process on first use (never in a master before it forks).

    def _start(self) -> None:
        if self._pid == os.getpid():
            return

        with self._lock:
            if self._pid == os.getpid():
                return
            self._node = secrets.token_hex(8)
            self._client = bounded_client(self.url)
            self._append_script = self._client.register_script(_APPEND)
            self._read_script = self._client.register_script(_READ)
            self._wanted = set()
            self._local = {}
            self._rooms = {}
            self._changes = []
            self._waiting = {}
            self._stop = threading.Event()
            self._wake = threading.Event()
            self._outbox = deque()
            self._pid = os.getpid()
            reader = threading.Thread(target=self._read, name="wtf-redis-bus", daemon=True)
            writer = threading.Thread(target=self._write_all, name="wtf-redis-writer", daemon=True)
            self._threads = (reader, writer)
        # Outside the lock (starting a thread may switch greenlets). The reader marks the node
        # alive once connected.
        reader.start()
        writer.start()

    # The writer: what the other nodes must learn, in order, a pipeline at a time.

    def _enqueue(self, item: Delivery | Callable[[Any], None], done: Any = None) -> None:
        """Queue a delivery (for the other nodes) or a change to the shared state (a function
        of a pipeline); ``done`` (an event) is set once it was written or failed."""
        with self._lock:
            if len(self._outbox) >= MAX_OUTBOX:  # Redis slow or gone for long: shed
                if isinstance(item, Delivery):
                    self.dropped += 1
                if done is not None:
                    done.set()
                self._failed("writer", RuntimeError(f"{MAX_OUTBOX} writes waiting"))
                return
            self._outbox.append((item, done))
        self._wake.set()

    def _write_all(self) -> None:
        """The writer thread: send what was queued, a pipeline of up to ``_BATCH`` at a time;
        a batch that fails is counted (its deliveries in :attr:`dropped`), not retried."""
        while not self._stop.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            while True:
                with self._lock:
                    batch = [self._outbox.popleft() for _ in range(min(_BATCH, len(self._outbox)))]
                if not batch:
                    break
                self._send(batch)

    def _send(self, batch: list[tuple[Any, Any]]) -> None:
        try:
            pipe = self._client.pipeline(transaction=False)
            for item, _ in batch:
                if isinstance(item, Delivery) and item.keep:
                    self._append_script(
                        keys=[
                            self._stream_key(item.event, item.channel or ""),
                            self._meta_key(item.event, item.channel or ""),
                            self._channel_key(item.event, item.channel or ""),
                        ],
                        args=[
                            item.keep,
                            0 if item.ttl is None else max(1, round(item.ttl * 1000)),
                            new_epoch(),
                            self._node,
                            self.encoder(_fields(item)),
                            max(_META_TTL_MS, 0 if item.ttl is None else round(item.ttl * 1000)),
                        ],
                        client=pipe,
                    )
                elif isinstance(item, Delivery):
                    payload = self._encode(item)
                    for target in self._targets(item):
                        pipe.publish(target, payload)
                else:
                    item(pipe)
            pipe.execute()
        except Exception as exc:  # redis-py raises its own kinds
            self._failed("writer", exc)
            lost = sum(isinstance(item, Delivery) for item, _ in batch)
            with self._lock:
                self.dropped += lost
        else:
            self._recovered()
        finally:
            for _, done in batch:
                if done is not None:
                    done.set()

    def _register_all(self) -> None:
        """Write this node's sessions and users again (Redis may have lost them: restarted,
        or unreachable when they opened), and forget those that closed meanwhile."""
        with self._lock:
            local = dict(self._local)
            rooms = {sid: set(channels) for sid, channels in self._rooms.items()}
        mine = self._node_sessions_key(self._node)
        self._forget_sessions(
            [sid.decode() for sid in self._client.smembers(mine) if sid.decode() not in local],
            mine,
        )
        pipe = self._client.pipeline(transaction=False)
        pipe.sadd(self._nodes_key, self._node)
        if not local:
            pipe.execute()
            return
        pipe.hset(self._sessions_key, mapping=dict.fromkeys(local, self._node))
        pipe.sadd(self._node_sessions_key(self._node), *local)
        for session_id, user_id in local.items():
            if user_id is not None:
                pipe.hset(self._user_key(user_id), session_id, self._node)
                pipe.hset(self._users_key, session_id, user_id)
        for session_id, channels in rooms.items():
            for channel in channels:
                pipe.sadd(self._room_key(channel), session_id)
        pipe.execute()

    def _refresh(self) -> bool:
        """Keep the node alive; ``False`` when it had expired (it may have been swept)."""
        key = self._alive_key(self._node)
        return bool(self._client.set(key, "1", px=int(self.presence_ttl * 1000), get=True))

    def _sweep(self) -> None:
        """Remove what killed nodes left behind (their sessions and users): any node does it,
        once a third of the TTL, for the nodes whose alive key expired."""
        nodes = {node.decode() for node in self._client.smembers(self._nodes_key)}
        nodes.discard(self._node)
        for node in nodes - self._alive_nodes(nodes):
            key = self._node_sessions_key(node)
            self._forget_sessions([sid.decode() for sid in self._client.smembers(key)], key)
            pipe = self._client.pipeline(transaction=False)
            pipe.delete(key)
            pipe.srem(self._nodes_key, node)
            pipe.execute()

    def _forget_sessions(self, sessions: list[str], node_sessions: str) -> None:
        """Remove these sessions (and their users' entries) from the shared state."""
        if not sessions:
            return
        users = self._client.hmget(self._users_key, sessions)
        pipe = self._client.pipeline(transaction=False)
        pipe.hdel(self._sessions_key, *sessions)
        pipe.hdel(self._users_key, *sessions)
        pipe.srem(node_sessions, *sessions)
        for session_id, user in zip(sessions, users, strict=True):
            if user:
                pipe.hdel(self._user_key(user.decode()), session_id)
        pipe.execute()

    def _read(self) -> None:
        """The reader: subscribe, read, apply subscription changes, keep the node alive."""
        backoff = 0.1
        while not self._stop.is_set():
            pubsub = self._client.pubsub()
            try:
                pubsub.subscribe(self._node_key(self._node), f"{self.prefix}:all")
                if self._wanted:
                    pubsub.subscribe(*sorted(self._wanted))
                self._refresh()
                self._register_all()
                self._recovered()
                backoff = 0.1
                self._serve(pubsub)
            except Exception as exc:
                self._failed("subscriber", exc)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                pubsub.close()

    def _serve(self, pubsub: Any) -> None:
        next_refresh = time.monotonic() + self.presence_ttl / 3
        while not self._stop.is_set():
            with self._lock:
                changes, self._changes = self._changes, []
            for action, key, done in changes:
                if action == "subscribe":
                    self._wanted.add(key)
                    if done is not None:
                        self._waiting.setdefault(key, []).append(done)
                    pubsub.subscribe(key)
                else:
                    self._wanted.discard(key)
                    pubsub.unsubscribe(key)
            message = pubsub.get_message(timeout=_POLL)
            if message is not None:
                if message["type"] == "message":
                    self._received(message["data"])
                elif message["type"] == "subscribe":
                    for done in self._waiting.pop(message["channel"].decode(), []):
                        done.set()
            if time.monotonic() >= next_refresh:
                if not self._refresh():  # expired (a stall longer than the TTL): swept maybe
                    self._register_all()
                self._sweep()
                next_refresh = time.monotonic() + self.presence_ttl / 3

    # Outages: one line each, not one per message.

    def _failed(self, what: str, exc: BaseException) -> None:
        if not self._outage:
            self._outage = True
            log.error("RedisBus: Redis at %s is unreachable (%s: %s)", self.url, what, exc)

    def _recovered(self) -> None:
        if self._outage:
            self._outage = False
            log.warning("RedisBus: Redis at %s is reachable again", self.url)


def _fields(delivery: Delivery) -> dict[str, Any]:
    """What crosses of a delivery (and is kept in a history stream): its event, channel and
    data, and only those of the other fields that are not their defaults."""
    return {
        name: value
        for name, value in asdict(delivery).items()
        if name in _ALWAYS or value not in (None, False, 0)
    }


_ALWAYS = frozenset(("event", "channel", "data"))
