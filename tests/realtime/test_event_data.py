"""``hub.event(name, data=T)``: the payload's type, described in the OpenAPI document and
checked on every kind of emit when the app runs in debug mode (``wtf dev``), never otherwise."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

import pytest

import wtf
from wtf.errors import RegistrationError
from wtf.realtime import EventDataMismatch, Hub, Session
from wtf.testing import Client

pytestmark = pytest.mark.timeout(30)


class Message(TypedDict):
    sender: str
    text: str


@dataclass
class Point:
    x: int
    y: int


def make(debug: bool) -> tuple[wtf.Server, Hub, list[Session]]:
    app = wtf.Server(debug=debug)
    hub = Hub()
    hub.event("message", data=Message)
    hub.event("point", data=Point)
    hub.event("free")
    hub.filter("all")(lambda session: True)
    sessions: list[Session] = []
    hub.on_connect(sessions.append)
    app.websocket("/rt")(hub)
    return app, hub, sessions


GOOD = {"sender": "ann", "text": "hi"}
BAD: list[tuple[Any, str]] = [
    ({"sender": "ann"}, "text: "),
    ({"sender": 1, "text": "hi"}, "sender: "),
    ({"sender": "ann", "text": "hi", "extra": 1}, "extra: "),
    (["ann", "hi"], "data: "),
    ({"sender": "ann", "text": object()}, "cannot be encoded"),
]

EMITS: dict[str, Callable[[Hub, Session, Any], Any]] = {
    "emit": lambda hub, s, data: hub.emit("message", "room", data),
    "emit_to": lambda hub, s, data: hub.emit_to("message", "room", data, [s]),
    "emit_filter": lambda hub, s, data: hub.emit_filter("message", "room", data, "all"),
    "send_user": lambda hub, s, data: hub.send_user("ann", "message", data),
    "send_batch": lambda hub, s, data: hub.send_batch([s.id], "message", data),
    "broadcast": lambda hub, s, data: hub.broadcast("message", data),
    "session.send": lambda hub, s, data: s.send("message", data),
}


@pytest.mark.parametrize("how", list(EMITS))
def test_in_debug_mode_every_emit_is_checked_against_the_declared_type(how: str) -> None:
    app, hub, sessions = make(debug=True)
    with Client(app).hub("/rt") as client:
        client.subscribe("message", "room")
        sessions[0].bind("ann")
        EMITS[how](hub, sessions[0], GOOD)
        assert [data for _, _, data in client.events()] == [GOOD]
        for data, where in BAD:
            with pytest.raises(EventDataMismatch) as mismatch:
                EMITS[how](hub, sessions[0], data)
            assert mismatch.value.event == "message"
            assert str(mismatch.value).startswith(
                "the data emitted as 'message' does not fit its type: " + where
            ), str(mismatch.value)
        assert client.events(0.1) == []  # nothing of the refused data went out


def test_a_dataclass_payload_is_checked_as_the_client_receives_it() -> None:
    _, hub, _ = make(debug=True)
    hub.emit("point", "p", Point(1, 2))
    hub.emit("point", "p", {"x": 1, "y": 2})
    with pytest.raises(EventDataMismatch, match="y: "):
        hub.emit("point", "p", {"x": 1})
    hub.emit("free", "p", {"anything": [1, "goes"]})  # no type declared: no check


def test_without_debug_nothing_is_checked() -> None:
    app, hub, _ = make(debug=False)
    with Client(app).hub("/rt") as client:
        client.subscribe("message", "room")
        hub.emit("message", "room", {"sender": 1})
        assert client.events() == [("message", "room", {"sender": 1})]


def test_a_type_that_cannot_describe_a_payload_is_refused_at_declaration() -> None:
    with pytest.raises(RegistrationError) as refused:
        Hub().event("x", data=socket.socket)
    assert str(refused.value).startswith(
        "hub.event('x', data=...): socket is not a type wtf can bind (use str, int,"
    )


def test_declaring_again_without_data_drops_the_type() -> None:
    _, hub, _ = make(debug=True)
    assert hub.data_type("message") is Message
    hub.event("message")
    assert hub.data_type("message") is None
    hub.emit("message", "room", {"no": "check"})


def test_the_openapi_document_gives_each_typed_events_schema() -> None:
    app, _, _ = make(debug=False)
    hub = app.openapi()["x-wtf-realtime"]["hubs"][0]
    assert hub["events"] == ["free", "message", "point"]
    assert hub["eventData"] == {
        "message": {"$ref": "#/components/schemas/Message"},
        "point": {"$ref": "#/components/schemas/Point"},
    }
    schemas = app.openapi()["components"]["schemas"]
    assert schemas["Message"]["required"] == ["sender", "text"]


def test_on_disconnect_sees_what_the_session_was_subscribed_to() -> None:
    app, hub, _ = make(debug=False)
    seen: list[set[tuple[str, str]]] = []
    hub.on_disconnect(lambda session: seen.append(set(session.subscriptions)))
    with Client(app).hub("/rt") as client:
        client.subscribe("message", "a")
        client.subscribe("point", "b")
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == [{("message", "a"), ("point", "b")}]
    assert hub.subscribers("message", "a") == []


@pytest.mark.parametrize(
    ("offered", "token"),
    [
        ("wtf.json, wtf.token.c2VjcsOpdCt0b2tlbg", "secrét+token"),  # base64url, no padding
        ("wtf.token.c2VjcsOpdCt0b2tlbg==, wtf.json", "secrét+token"),
        ("wtf.json", None),
        ("wtf.json, wtf.token.%%%", None),
        ("wtf.json, wtf.token.dG9r!!!!ZW4", None),  # not base64url (a lax decoder: "token")
        ("wtf.json, wtf.token.__8", None),  # decodes, but not UTF-8
    ],
)
def test_a_token_offered_as_a_subprotocol_is_the_sessions_token(
    offered: str, token: str | None
) -> None:
    app, _, sessions = make(debug=False)
    with Client(app).hub("/rt", headers={"Sec-WebSocket-Protocol": offered}) as client:
        client.call("$unsubscribe", event="message", channel="x")  # the session is open
        assert sessions[0].token == token
        assert client.ws.subprotocol == "wtf.json"  # never the token
