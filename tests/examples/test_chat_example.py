"""examples/chat.py: the echo, rooms as Hub channels, join authorization, an HTTP
announcement."""

from __future__ import annotations

import pytest

from examples.chat import STAFF_PASSWORD, app
from wtf.realtime import Code, RPCError
from wtf.testing import Client

pytestmark = pytest.mark.timeout(30)


def test_echo() -> None:
    with Client(app).websocket("/ws/echo") as ws:
        ws.send("hi")
        assert ws.receive() == "hi"


def test_a_room_delivers_to_everyone_in_it_and_no_one_else() -> None:
    client = Client(app)
    with client.hub("/rt") as ann, client.hub("/rt", msgpack=True) as bob, client.hub("/rt") as eve:
        ann.call("chat.nick", name="ann")
        assert ann.subscribe("message", "a") is True
        assert bob.subscribe("message", "a") is True
        assert eve.subscribe("message", "b") is True
        assert ann.call("chat.send", room="a", text="hello a") == {"sent": True}
        expected = {"from": "ann", "text": "hello a"}
        assert ann.events() == [("message", None, expected)]  # own copy
        assert bob.events() == [("message", "a", expected)]
        assert eve.events(0.1) == []
        assert eve.call("chat.send", room="a", text="not joined") == {"sent": False}
        assert client.post("/rooms/a/announce", json="news").get_json() == {"announced": True}
        assert bob.events() == [("message", "a", {"from": "announcer", "text": "news"})]


def test_staff_rooms_need_the_password() -> None:
    with Client(app).hub("/rt") as rt:
        with pytest.raises(RPCError) as refused:
            rt.subscribe("message", "staff-ops")
        assert refused.value.code == Code.NO_PERMISSION
        assert rt.subscribe("message", "staff-ops", data=STAFF_PASSWORD) is True


def test_the_page_joins_the_lobby() -> None:
    response = Client(app).get("/")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '"$subscribe"' in response.text and "lobby" in response.text


def test_notify_reaches_every_session_of_a_user() -> None:
    client = Client(app)
    with client.hub("/rt") as one, client.hub("/rt") as two, client.hub("/rt") as other:
        one.call("chat.nick", name="zoe")
        two.call("chat.nick", name="zoe")
        other.call("chat.nick", name="max")
        assert client.post("/notify/zoe", json="ping").get_json() == {"online": True}
        assert one.events() == two.events() == [("notice", None, {"text": "ping"})]
        assert other.events(0.1) == []
    assert client.post("/notify/zoe", json="late").get_json() == {"online": False}
