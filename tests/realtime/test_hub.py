"""The Hub through the in-process client: wire format, injection, errors, subscriptions,
every emit form, midware, limits and concurrency (JSON and MessagePack)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import wtf
from wtf.realtime import Code, Hub, RPCError
from wtf.realtime.wire import MAX_ID
from wtf.testing import Client, HubClient, WebSocketRefused

from .hub_app import LOG, app

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(params=[False, True], ids=["json", "msgpack"])
def rt(request: pytest.FixtureRequest) -> Iterator[HubClient]:
    with Client(app).hub("/rt", msgpack=request.param) as client:
        yield client


def hub_client(path: str = "/rt", msgpack: bool = False) -> HubClient:
    return Client(app).hub(path, msgpack=msgpack)


def test_replies_carry_the_call_id_and_result(rt: HubClient) -> None:
    assert rt.ws.subprotocol == ("wtf.msgpack" if rt.msgpack else "wtf.json")
    assert rt.call("add", a=1) == 3
    assert rt.call("add", a=1, b=5) == 6
    rt.send_message({"m": "add", "p": {"a": 2}, "i": 41})
    assert rt.reply(41) == {"i": 41, "r": 4}
    rt.send_message({"m": "note", "p": {"text": "x"}, "i": 42})
    assert rt.reply(42) == {"i": 42, "r": None}  # r is present, null


def test_params_bind_like_a_json_body(rt: HubClient) -> None:
    result = rt.call(
        "shapes",
        point={"x": 1},
        query={"text": "t", "limit": 5},
        user={"name": "ann", "age": 30},
    )
    assert result == {"point": [1, 0], "query": {"text": "t", "limit": 5}, "user": "ann"}
    with pytest.raises(RPCError) as invalid:
        rt.call("shapes", point={"x": "one"}, query={"text": "t"}, user={"name": "ann"})
    assert invalid.value.code == Code.INVALID
    locs = sorted(tuple(e["loc"]) for e in invalid.value.data["errors"])
    assert locs == [("p", "point", "x"), ("p", "query", "limit"), ("p", "user", "age")]
    assert all({"loc", "msg", "type"} <= set(e) for e in invalid.value.data["errors"])


def test_injection_and_per_call_builders_with_teardown() -> None:
    LOG.clear()
    with hub_client() as rt:
        first = rt.call("who")
        second = rt.call("who")
    assert first["session"] == second["session"] and len(first["session"]) >= 16
    assert (first["call"], second["call"], first["same_hub"], first["path"]) == (1, 2, True, "/rt")
    assert second["meter"] == first["meter"] + 1  # built per call, not per socket
    n = first["meter"]
    assert [
        f"meter {n} built",
        f"meter {n} torn down",
        f"meter {n + 1} built",
        f"meter {n + 1} torn down",
    ] == LOG


def test_errors_have_codes_and_no_traceback(
    rt: HubClient, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(RPCError) as refused:
        rt.call("fail", code=-1005)
    assert (refused.value.code, refused.value.message, refused.value.data) == (
        -1005,
        "refused on purpose",
        {"why": "testing"},
    )
    with caplog.at_level(logging.ERROR, logger="wtf.realtime"), pytest.raises(RPCError) as crashed:
        rt.call("fail", code=0)
    assert (crashed.value.code, crashed.value.message, crashed.value.data) == (
        Code.ERROR,
        "the method failed",
        None,
    )
    assert "secret" not in crashed.value.message
    assert any(r.exc_info and "a secret detail" in str(r.exc_info[1]) for r in caplog.records)
    with pytest.raises(RPCError) as unencodable:
        rt.call("unserializable")
    assert unencodable.value.code == Code.ERROR


def test_unknown_methods_go_to_no_method_or_not_found(rt: HubClient) -> None:
    assert rt.call("legacy.thing", x=1) == {"legacy": "legacy.thing", "params": {"x": 1}}
    with pytest.raises(RPCError) as missing:
        rt.call("nothing.here")
    assert missing.value.code == Code.NOT_FOUND


def test_notifications_are_never_answered() -> None:
    LOG.clear()
    with hub_client() as rt:
        rt.notify("note", text="quiet")
        rt.notify("fail", code=0)  # a failing notification: only logged
        rt.notify("nothing.here")
        assert rt.call("add", a=0) == 2  # the next reply is this call's
        assert rt._replies == {} and rt.events(0.1) == []
    assert LOG == ["note quiet"]


@pytest.mark.parametrize(
    ("frame", "reply"),
    [
        ("not json", None),
        ("[1, 2]", None),
        ('{"p": {}}', None),
        ('{"m": "add", "i": "seven"}', None),
        ('{"m": "add", "i": 1e30}', None),
        ('{"m": "add", "i": 123456789012345678901234567890}', None),
        ('{"i": 5}', 5),
        ('{"m": "", "i": 6}', 6),
        ('{"m": "add", "p": [1], "i": 7}', 7),
        ('{"m": "add", "p": {"a": "x"}, "i": 8}', 8),
        ('{"m": "add", "p": {"a": true}, "i": 9}', 9),
    ],
)
def test_malformed_messages(frame: str, reply: int | None) -> None:
    with hub_client() as rt:
        rt.ws.send(frame)
        if reply is not None:
            answer = rt.reply(reply)
            assert answer["e"]["c"] == Code.INVALID
        assert rt.call("add", a=1) == 3  # the connection survived
        assert rt._replies == {}


def test_a_binary_frame_on_a_json_connection_is_ignored() -> None:
    with hub_client() as rt:
        rt.ws.send(b"\x81\xa1m\xa3add")
        assert rt.call("add", a=1) == 3


def test_subscribe_with_authorization_and_unsubscribe() -> None:
    with hub_client() as one, hub_client(msgpack=True) as two:
        assert one.subscribe("message", "lobby") is True
        assert two.subscribe("message", "lobby") is True
        with pytest.raises(RPCError) as refused:
            one.subscribe("message", "secret")
        assert refused.value.code == Code.NO_PERMISSION
        assert one.subscribe("message", "secret", data="password") is True
        with pytest.raises(RPCError) as unknown:
            one.subscribe("no-such-event", "lobby")
        assert unknown.value.code == Code.NOT_FOUND
        with pytest.raises(RPCError) as bad:
            one.call("$subscribe", event=1, channel="x")
        assert bad.value.code == Code.INVALID
        two.call("chat.send", room="lobby", text="hi")
        assert one.events() == [("message", "lobby", {"from": two_id(two), "text": "hi"})]
        assert two.events(0.1) == []  # emit_others: not the caller
        assert one.unsubscribe("message", "lobby") is True
        assert one.unsubscribe("message", "lobby") is False
        two.call("chat.send", room="lobby", text="again")
        assert one.events(0.1) == []


def two_id(client: HubClient) -> str:
    return str(client.call("who")["session"])


def test_emit_from_http_reaches_exactly_the_channel() -> None:
    http = Client(app)
    with hub_client() as a, hub_client(msgpack=True) as b, hub_client() as c:
        a.subscribe("message", "room1")
        b.subscribe("message", "room1")
        c.subscribe("message", "room2")
        assert http.post("/emit/room1", json="hello").get_json() == {"emitted": True}
        expected = [("message", "room1", {"text": "hello", "from": "http"})]
        assert a.events() == expected
        assert b.events() == expected
        assert c.events(0.1) == []


def test_emit_filter_and_emit_to() -> None:
    http = Client(app)
    with hub_client() as a, hub_client() as b:
        a.subscribe("message", "r")
        b.subscribe("message", "r")
        a.call("mark", even=True)
        b.call("mark", even=False)
        http.post("/emit-filter/r", json="evens only")
        assert a.events() == [("message", "r", {"text": "evens only"})]
        assert b.events(0.1) == []
        b_id = b.call("who")["session"]
        http.post("/emit-to", json=[b_id, "not-a-session"])
        assert b.events() == [("notice", None, {"direct": True})]  # no subscription needed
        assert a.events(0.1) == []


def test_call_emit_goes_to_the_caller_only() -> None:
    with hub_client() as a, hub_client() as b:
        assert a.call("echo.me", text="me") is None
        assert a.events() == [("notice", None, {"text": "me"})]
        assert b.events(0.1) == []


def test_emitting_an_undeclared_event_raises() -> None:
    from wtf.realtime import UnknownEvent

    from .hub_app import hub

    with pytest.raises(UnknownEvent, match=r"hub\.event"):
        hub.emit("nobody-declared-this", "x", None)
    with hub_client() as rt, pytest.raises(RPCError) as failed:
        rt.call("undeclared")
    assert failed.value.code == Code.ERROR


def test_a_closed_connection_leaves_its_channels() -> None:
    from .hub_app import hub

    with hub_client() as a:
        a.subscribe("message", "gone")
        assert len(hub.subscribers("message", "gone")) == 1
    assert hub.subscribers("message", "gone") == []
    Client(app).post("/emit/gone", json="anyone?")  # no error with nobody there


def test_rate_limit_per_session() -> None:
    with hub_client("/rt-limited") as a, hub_client("/rt-limited") as b:
        assert [a.call("ping") for _ in range(3)] == ["pong"] * 3
        with pytest.raises(RPCError) as limited:
            a.call("ping")
        assert limited.value.code == Code.TOO_MANY_REQUESTS
        assert 0 < limited.value.data["retry_after"] <= 60
        assert b.call("ping") == "pong"  # another session has its own window


def test_rate_limit_per_key_spans_sessions_and_slides() -> None:
    with (
        hub_client("/rt-team?team=x") as a,
        hub_client("/rt-team?team=x") as b,
        hub_client("/rt-team?team=y") as other,
    ):
        began = time.monotonic()
        assert a.call("ping") == "pong"
        time.sleep(0.3)
        assert b.call("ping") == "pong"  # one count for team x: two calls in 0.6 s
        for client in (a, b):
            with pytest.raises(RPCError) as limited:
                client.call("ping")
            assert limited.value.code == Code.TOO_MANY_REQUESTS
        assert other.call("ping") == "pong"  # team y counts apart
        time.sleep(max(0.0, began + 0.65 - time.monotonic()))
        assert a.call("ping") == "pong"  # the first call slid out of the window
        with pytest.raises(RPCError):  # the second has not: two in the last 0.6 s again
            b.call("ping")


def test_request_limit_per_method() -> None:
    with hub_client("/rt-limited") as a, hub_client("/rt-limited") as b:
        a.send_message({"m": "slow", "p": {"seconds": 0.5}, "i": 1})
        time.sleep(0.1)
        with pytest.raises(RPCError) as busy:
            b.call("slow", seconds=0)
        assert busy.value.code == Code.BUSY
        assert a.reply(1)["r"] == "done"
        assert b.call("slow", seconds=0) == "done"


def test_failing_calls_give_their_concurrency_slots_back() -> None:
    with hub_client("/rt-concurrent") as rt:
        for n in range(6):  # concurrency=4: were slots kept, the fifth would never run
            rt.send_message({"m": "boom", "i": n + 1})
            assert rt.reply(n + 1, timeout=5)["e"]["c"] == Code.ERROR
        assert rt.call("sleep", seconds=0, tag="after") == "after"


def test_emit_to_no_sessions_reaches_no_one() -> None:
    from .hub_app import hub

    with hub_client() as rt:
        assert rt.subscribe("message", "nobody") is True
        hub.emit_to("message", "nobody", {"x": 1}, [])
        assert rt.events(0.2) == []


def test_a_failing_call_gives_its_request_slot_back() -> None:
    with hub_client("/rt-limited") as a:
        for _ in range(2):  # RequestLimit(1): were the slot kept, the second would be BUSY
            with pytest.raises(RPCError) as failed:
                a.call("boom")
            assert failed.value.code == Code.ERROR


def test_a_subscription_hook_that_returns_nothing_refuses() -> None:
    quiet = Hub()
    quiet.event("e")

    @quiet.on_subscribe
    def forgot_to_answer(session: Any, event: str, channel: str, data: Any) -> None:
        pass  # no return: None, which must not read as a yes

    server = wtf.Server()
    server.websocket("/q")(quiet)
    with Client(server).hub("/q") as rt, pytest.raises(RPCError) as refused:
        rt.subscribe("e", "room")
    assert refused.value.code == Code.NO_PERMISSION


def test_a_filter_this_worker_lacks_admits_no_one() -> None:
    from wtf.realtime import Delivery

    from .hub_app import hub

    with hub_client() as rt:
        assert rt.subscribe("message", "filtered") is True
        # As another worker would publish it, naming a filter this one never registered.
        hub.bus.publish(Delivery("message", "filtered", {"x": 1}, filter="not-here"))
        assert rt.events(0.2) == []


def test_concurrency_one_keeps_order_more_does_not() -> None:
    calls = [(0.4, "slow"), (0.0, "fast")]
    with hub_client("/rt-ordered") as ordered:
        for i, (seconds, tag) in enumerate(calls, 1):
            ordered.send_message({"m": "sleep", "p": {"seconds": seconds, "tag": tag}, "i": i})
        first = json.loads(ordered.ws.receive())
    assert first == {"i": 1, "r": "slow"}
    with hub_client("/rt-concurrent") as concurrent:
        for i, (seconds, tag) in enumerate(calls, 1):
            concurrent.send_message({"m": "sleep", "p": {"seconds": seconds, "tag": tag}, "i": i})
        first = json.loads(concurrent.ws.receive())
        assert first == {"i": 2, "r": "fast"}  # matched by id, out of order
        assert concurrent.reply(1)["r"] == "slow"


def test_handshake_timeout_closes_a_silent_connection_with_1008() -> None:
    from wtf import WebSocketClosed

    with hub_client("/rt-handshake") as quiet, pytest.raises(WebSocketClosed) as closed:
        quiet.ws.receive(timeout=2)
    assert closed.value.code == 1008
    with hub_client("/rt-handshake") as prompt:
        assert prompt.call("ping") == "pong"
        time.sleep(0.4)  # only the first message has a deadline
        assert prompt.call("ping") == "pong"


def test_max_sessions_refuses_the_upgrade_with_503() -> None:
    with hub_client("/rt-one") as one:
        assert one.call("ping") == "pong"
        with pytest.raises(WebSocketRefused) as refused:
            hub_client("/rt-one")
        assert refused.value.status == 503
        assert Client(app).get("/hello").text == "Hello"


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.binary(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.sampled_from(["m", "p", "i", "f", "x"]), inner, max_size=5)
            ),
            max_leaves=20,
        ).map(json.dumps),
    )
)
def test_the_decoder_never_raises_and_reads_only_safe_ids(frame: str | bytes) -> None:
    from wtf.realtime.wire import MAX_ID, Incoming, Malformed, decode

    for msgpack in (False, True):
        message = decode(frame, msgpack)
        assert isinstance(message, Incoming | Malformed)
        if message.id is not None:
            assert type(message.id) is int and abs(message.id) <= MAX_ID
        if isinstance(message, Incoming):
            assert isinstance(message.method, str) and message.method
            assert message.params is None or isinstance(message.params, dict)


def nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"k": value}
    return value


@pytest.mark.parametrize(
    ("message", "call_id", "well_formed"),
    [
        ({"m": "x", "i": 2**53 - 1}, 2**53 - 1, True),  # the ends of the id range
        ({"m": "x", "i": -(2**53 - 1)}, -(2**53 - 1), True),
        ({"m": "x", "i": 0}, 0, True),
        ({"m": "x", "i": -1}, -1, True),
        ({"m": "x", "i": 2**53}, None, False),  # one past: unreadable
        ({"m": "x", "i": True}, None, False),  # a boolean is no id (an int's subclass)
        ({"m": "x", "i": 1.0}, None, False),
        ({"m": "x"}, None, True),  # a notification
        ({"m": "x", "i": 3}, 3, True),  # no params: bound as none
        ({"m": "x", "p": None, "i": 3}, 3, True),
        ({"m": "x", "p": nested(64), "i": 4}, 4, True),  # nested to the limit
        ({"m": "x", "p": nested(65), "i": 5}, 5, False),  # one level more
        ({"m": "", "i": 6}, 6, False),
    ],
)
def test_the_decoder_at_the_ends_of_each_range(
    message: dict[str, Any], call_id: int | None, well_formed: bool
) -> None:
    from wtf.realtime.wire import Incoming, decode

    for frame, packed in ((json.dumps(message), False), (msgpack_frame(message), True)):
        decoded = decode(frame, packed)
        assert isinstance(decoded, Incoming) is well_formed, decoded
        assert decoded.id == call_id
        if well_formed:
            assert isinstance(decoded, Incoming) and decoded.params in (None, message.get("p"))


def msgpack_frame(message: dict[str, Any]) -> bytes:
    import msgpack

    packed: bytes = msgpack.packb(message, use_bin_type=True)
    return packed


def test_ids_at_the_ends_of_the_range_are_answered_with_themselves() -> None:
    with hub_client() as rt:
        for call_id in (2**53 - 1, -(2**53 - 1), 0, -1):
            rt.send_message({"m": "add", "p": {"a": 1}, "i": call_id})
            assert rt.reply(call_id) == {"i": call_id, "r": 3}
        rt.ws.send('{"m": "add", "p": {"a": 1}, "i": true}')  # no id: not answered
        assert rt.call("add", a=2) == 4 and rt._replies == {}


def test_the_access_log_has_a_line_per_call(caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.INFO, logger="wtf.realtime.access"),
        hub_client("/rt-logged") as rt,
    ):
        rt.call("ping")
        with pytest.raises(RPCError):
            rt.call("fail", code=-1006)
        rt.call("ping")
    lines = [r.getMessage() for r in caplog.records if r.name == "wtf.realtime.access"]
    assert len(lines) == 3
    assert lines[0].startswith("ping session=") and " id=1 code=0 " in lines[0]
    assert " id=2 code=-1006 " in lines[1] and lines[1].endswith("ms")


def test_a_message_over_the_hubs_limit_closes_with_1009() -> None:
    from wtf import WebSocketClosed

    with hub_client("/rt-logged") as rt:
        rt.send_message({"m": "ping", "p": {"pad": "x" * 300}, "i": 1})
        with pytest.raises(WebSocketClosed) as closed:
            rt.reply(1)
    assert closed.value.code == 1009


# The decoder, as a property: what a well-formed call says is what it decodes to, in both
# formats; a message breaking one rule is Malformed, with its id when the id is readable.

IDS = st.none() | st.integers(-MAX_ID, MAX_ID)
PARAMS = st.none() | st.dictionaries(
    st.text(max_size=5),
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10),
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(method=st.text(min_size=1, max_size=20), params=PARAMS, call_id=IDS)
@example(method="x", params=None, call_id=MAX_ID)  # the ends of the id range
@example(method="x", params=None, call_id=-MAX_ID)
@example(method="x", params={}, call_id=0)
@example(method="$subscribe", params={"event": "e", "channel": ""}, call_id=None)
def test_a_well_formed_call_decodes_to_what_it_says_in_both_formats(
    method: str, params: dict[str, Any] | None, call_id: int | None
) -> None:
    import msgpack

    from wtf.realtime.wire import Incoming, decode

    message: dict[str, Any] = {"m": method}
    if params is not None:
        message["p"] = params
    if call_id is not None:
        message["i"] = call_id
    for frame, packed in ((json.dumps(message), False), (msgpack.packb(message), True)):
        decoded = decode(frame, packed)
        assert decoded == Incoming(method, params, call_id), frame


BROKEN = [
    ({"m": "x", "i": MAX_ID + 1}, None),  # one past the range: no id to answer
    ({"m": "x", "i": -MAX_ID - 1}, None),
    ({"m": "x", "i": True}, None),  # a boolean is no id
    ({"m": "x", "i": 1.0}, None),  # nor a float
    ({"m": "x", "i": "1"}, None),  # nor a string
    ({"m": "", "i": 3}, 3),  # an empty method, the id still answered
    ({"m": 5, "i": 4}, 4),
    ({"i": 5}, 5),
    ({"m": "x", "p": [], "i": 6}, 6),  # params are an object
    ({"m": "x", "p": "s", "i": 7}, 7),
]


@pytest.mark.parametrize(("message", "answered"), BROKEN)
def test_a_message_breaking_one_rule_is_malformed_and_answered_when_its_id_reads(
    message: dict[str, Any], answered: int | None
) -> None:
    import msgpack

    from wtf.realtime.wire import Malformed, decode

    for frame, packed in ((json.dumps(message), False), (msgpack.packb(message), True)):
        decoded = decode(frame, packed)
        assert isinstance(decoded, Malformed) and decoded.id == answered, message
