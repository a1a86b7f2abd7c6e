"""Channel history in one process (LocalBus, in-process clients): offsets, recovery since an
offset, and when it cannot recover."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wtf.errors import RegistrationError
from wtf.realtime import Code, Hub, RPCError
from wtf.realtime.history import recover
from wtf.testing import Client

from .history_app import app, hub

pytestmark = pytest.mark.timeout(30)


def frames(client: Any, count: int) -> list[dict[str, Any]]:
    """The next ``count`` event messages (with those the client kept while awaiting a reply)."""
    got = client.event_messages(0)
    while len(got) < count:
        got += client.event_messages(0.05)
    assert len(got) == count, got
    return list(got)


def test_events_carry_increasing_offsets_and_the_epoch() -> None:
    with Client(app).hub("/rt") as a:
        where = a.call("$subscribe", event="message", channel="o")
        assert set(where) == {"offset", "epoch"} and where["offset"] == 0
        for n in range(3):
            hub.emit("message", "o", n)
        got = frames(a, 3)
        assert [m["o"] for m in got] == [1, 2, 3]
        assert {m["ep"] for m in got} == {where["epoch"]}
        assert a.call("$subscribe", event="plain", channel="o") is True  # no history: as ever
        hub.emit("plain", "o", "x")
        assert "o" not in frames(a, 1)[0]


def test_resubscribing_since_an_offset_replays_what_was_missed_before_the_reply() -> None:
    with Client(app).hub("/rt") as a:
        epoch = a.call("$subscribe", event="message", channel="r")["epoch"]
        for n in range(5):
            hub.emit("message", "r", n)
        seen = frames(a, 5)[1]["o"]  # it handled two, then went away
    for n in range(5, 8):
        hub.emit("message", "r", n)  # missed
    with Client(app).hub("/rt") as b:
        b.send_message(
            {"m": "$subscribe", "p": {"event": "message", "channel": "r", "since": seen,
                                       "epoch": epoch}, "i": 9}
        )  # fmt: skip
        got = [b.ws.receive_json() for _ in range(7)]  # the frames, as they came
        assert [m["o"] for m in got[:6]] == [3, 4, 5, 6, 7, 8]  # in order, none twice
        assert [m["r"] for m in got[:6]] == [2, 3, 4, 5, 6, 7]
        assert got[6] == {"i": 9, "r": {"offset": 8, "epoch": epoch, "recovered": True}}
        hub.emit("message", "r", 8)  # then live, continuing
        assert frames(b, 1)[0]["o"] == 9
        assert b.positions[("message", "r")] == (9, epoch)


def test_what_cannot_be_recovered_says_so() -> None:
    with Client(app).hub("/rt") as a:
        epoch = a.call("$subscribe", event="message", channel="gone")["epoch"]
        for n in range(60):  # history=50: offsets 1..10 are pushed out
            hub.emit("message", "gone", n)
        frames(a, 60)

        def resubscribe(**params: Any) -> dict[str, Any]:
            return dict(a.call("$subscribe", event="message", channel="gone", **params))

        assert resubscribe(since=5, epoch=epoch)["recovered"] is False  # too old
        assert resubscribe(since=10, epoch=epoch)["recovered"] is True  # 11.. are all kept
        frames(a, 50)
        assert resubscribe(since=60, epoch=epoch) == {
            "offset": 60, "epoch": epoch, "recovered": True,
        }  # fmt: skip
        assert resubscribe(since=59, epoch="another")["recovered"] is False  # history was lost
        assert resubscribe(since=61, epoch=epoch)["recovered"] is False  # not a real offset


def test_history_older_than_its_ttl_is_not_replayed() -> None:
    with Client(app).hub("/rt") as a:
        epoch = a.call("$subscribe", event="brief", channel="t")["epoch"]
        hub.emit("brief", "t", 1)
        hub.emit("brief", "t", 2)
        frames(a, 2)
        assert a.call("$subscribe", event="brief", channel="t", since=0, epoch=epoch)[
            "recovered"
        ] is True  # fmt: skip
        frames(a, 2)
        time.sleep(0.6)  # ttl=0.5
        assert a.call("$subscribe", event="brief", channel="t", since=0, epoch=epoch)[
            "recovered"
        ] is False  # fmt: skip


def test_concurrent_emitters_give_every_subscriber_consecutive_offsets() -> None:
    with Client(app).hub("/rt") as a, Client(app).hub("/rt") as b:
        for client in (a, b):
            client.call("$subscribe", event="message", channel="c")
        threads = [
            threading.Thread(target=lambda: [hub.emit("message", "c", n) for n in range(40)])
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for client in (a, b):
            assert [m["o"] for m in frames(client, 160)] == list(range(1, 161))


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"event": "message", "channel": "x", "since": -1}, Code.INVALID),
        ({"event": "message", "channel": "x", "since": "3"}, Code.INVALID),
        ({"event": "message", "channel": "x", "since": True}, Code.INVALID),
        ({"event": "message", "channel": "x", "since": 1, "epoch": 5}, Code.INVALID),
        ({"event": "plain", "channel": "x", "since": 0}, Code.INVALID),
    ],
)
def test_bad_since_and_epoch_are_invalid(params: dict[str, Any], code: int) -> None:
    with Client(app).hub("/rt") as a, pytest.raises(RPCError) as refused:
        a.call("$subscribe", **params)
    assert refused.value.code == code


def test_registration_mistakes_are_named() -> None:
    fresh = Hub()
    for bad in ({"history": -1}, {"history": 1.5}, {"history": 5, "ttl": 0}, {"ttl": 10}):
        with pytest.raises(RegistrationError, match=r"hub\.event"):
            fresh.event("e", **bad)  # type: ignore[arg-type]
    fresh.event("e", history=3, ttl=60)
    assert fresh.history_of("e") == (3, 60) and fresh.history_of("other") is None


@settings(max_examples=200, deadline=None)
@given(
    top=st.integers(0, 30),
    size=st.integers(1, 10),
    since=st.integers(0, 40),
)
@example(top=0, size=1, since=0)  # nothing emitted, nothing missed
@example(top=10, size=5, since=5)  # exactly at the oldest kept
@example(top=10, size=5, since=4)  # one before it
def test_recovery_is_exactly_what_was_missed_or_nothing(top: int, size: int, since: int) -> None:
    entries = [(o, 0.0, f"e{o}") for o in range(max(1, top - size + 1), top + 1)]
    found = recover(entries, top, "ep", since, "ep", None, 0.0)
    if since > top or since < top - size:
        assert found.recovered is (since == top) and found.events == []
    else:
        assert found.recovered
        assert found.events == [(o, f"e{o}") for o in range(since + 1, top + 1)]
