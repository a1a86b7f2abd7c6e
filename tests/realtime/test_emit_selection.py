"""Which sessions each kind of emit reaches, as a property: for random sessions (bound to users
or not, subscribed to some channels, admitted by a filter or not) and a random emit, exactly
the sessions the emit's rule selects receive it. Through the Hub's own methods, on sessions
whose socket is a recorder (the selection is the Hub's; the socket adds nothing here)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from wtf.realtime import Hub, Session
from wtf.realtime.wire import Wire
from wtf.rendering import encode_json

CHANNELS = [("e", "a"), ("e", "b"), ("f", "a")]
USERS = [None, "u1", "u2"]


@dataclass
class RecordingSocket:
    """What a session sent (decoded), and how it was closed."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    closed: tuple[int, str] | None = None

    def queue_prepared(self, frame: bytes) -> bool:
        payload = frame[2:] if frame[1] < 126 else frame[4:]  # a server frame: no mask
        self.sent.append(json.loads(payload))
        return True

    def close(self, code: int = 1000, reason: str = "", wait: bool = True) -> None:
        self.closed = (code, reason)


@dataclass(frozen=True)
class Peer:
    user: str | None
    channels: frozenset[tuple[str, str]]
    vip: bool


PEERS = st.lists(
    st.builds(
        Peer,
        st.sampled_from(USERS),
        st.frozensets(st.sampled_from(CHANNELS)),
        st.booleans(),
    ),
    min_size=1,
    max_size=6,
)
EMITS = st.one_of(
    st.tuples(st.just("emit"), st.sampled_from(CHANNELS), st.none() | st.integers(0, 5)),
    st.tuples(st.just("emit_filter"), st.sampled_from(CHANNELS), st.none()),
    st.tuples(st.just("emit_to"), st.frozensets(st.integers(0, 6)), st.none()),
    st.tuples(st.just("send_user"), st.sampled_from(["u1", "u2", "u3"]), st.none()),
    st.tuples(st.just("send_batch"), st.frozensets(st.integers(0, 6)), st.none()),
    st.tuples(st.just("broadcast"), st.none(), st.none()),
    st.tuples(st.just("kick"), st.sampled_from(["u1", "u2", 0, 1]), st.none()),
)


def expected(peers: list[Peer], kind: str, target: Any, left_out: int | None) -> set[int]:
    """The rule each emit is documented to follow, by index of session."""
    every = set(range(len(peers)))
    if kind == "emit":
        chosen = {i for i in every if target in peers[i].channels}
        return chosen - {left_out}
    if kind == "emit_filter":
        return {i for i in every if target in peers[i].channels and peers[i].vip}
    if kind in ("emit_to", "send_batch"):  # subscribed or not; unknown ids reach no one
        return target & every
    if kind == "send_user":
        return {i for i in every if peers[i].user == target}
    if kind == "broadcast":
        return every
    # kick: every session of a user, or the one session of an id
    if isinstance(target, int):
        return {target} & every
    return {i for i in every if peers[i].user == target}


@settings(max_examples=150, deadline=None)
@given(peers=PEERS, emit=EMITS)
@example(peers=[Peer(None, frozenset({("e", "a")}), False)], emit=("emit", ("e", "a"), 0))
@example(  # excluded and unsubscribed: no one
    peers=[Peer("u1", frozenset(), True), Peer("u1", frozenset({("e", "a")}), False)],
    emit=("emit", ("e", "a"), 1),
)
@example(peers=[Peer(None, frozenset(), False)], emit=("emit_to", frozenset({0}), None))
@example(peers=[Peer("u1", frozenset(), True)], emit=("emit_to", frozenset(), None))
@example(peers=[Peer(None, frozenset({("f", "a")}), True)], emit=("emit", ("e", "a"), None))
@example(peers=[Peer("u1", frozenset(), False)], emit=("send_user", "u2", None))
def test_each_emit_reaches_exactly_the_sessions_its_rule_selects(
    peers: list[Peer], emit: tuple[str, Any, Any]
) -> None:
    hub = Hub()
    hub.event("e")
    hub.event("f")
    hub.filter("vip")(lambda session: session.get("vip", False))
    sockets = [RecordingSocket() for _ in peers]
    sessions = []
    for peer, sock in zip(peers, sockets, strict=True):
        session = Session(sock, Wire(False, encode_json), "127.0.0.1", hub)  # type: ignore[arg-type]
        hub.local.add(session)
        session.set("vip", peer.vip)
        if peer.user is not None:
            session.bind(peer.user)
        for event, channel in peer.channels:
            hub.local.subscribe(session, event, channel)
        sessions.append(session)
    ids = {i: s.id for i, s in enumerate(sessions)}
    kind, target, left_out = emit
    if kind == "emit":
        exclude = sessions[left_out] if left_out is not None and left_out < len(peers) else None
        hub.emit(target[0], target[1], {"n": 1}, exclude=exclude)
        left_out = left_out if exclude is not None else None
    elif kind == "emit_filter":
        hub.emit_filter(target[0], target[1], {"n": 1}, "vip")
    elif kind == "emit_to":
        hub.emit_to("e", "a", {"n": 1}, [ids.get(i, "no-such-session") for i in target])
    elif kind == "send_batch":
        hub.send_batch([ids.get(i, "no-such-session") for i in target], "e", {"n": 1})
    elif kind == "send_user":
        hub.send_user(target, "e", {"n": 1})
    elif kind == "broadcast":
        hub.broadcast("f", {"n": 1})
    else:
        hub.kick(ids.get(target, "nobody") if isinstance(target, int) else target)
    if kind == "kick":
        reached = {i for i, sock in enumerate(sockets) if sock.closed == (1008, "kicked")}
        assert all(sock.sent == [] for sock in sockets)
    else:
        reached = {i for i, sock in enumerate(sockets) if sock.sent}
        for sock in sockets:
            assert len(sock.sent) <= 1  # never twice
            for message in sock.sent:
                assert message["r"] == {"n": 1}
        if kind in ("emit", "emit_filter"):
            assert all(m["c"] == target[1] for s in sockets for m in s.sent)
        elif kind in ("send_user", "send_batch", "broadcast"):
            assert all(m["c"] is None for s in sockets for m in s.sent)
    assert reached == expected(peers, kind, target, left_out)
