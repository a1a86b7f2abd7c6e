"""examples/chat.py: the echo, a room shared by its sockets, and an HTTP announcement."""

from __future__ import annotations

import pytest

from examples.chat import app
from wtf.testing import Client

pytestmark = pytest.mark.timeout(30)


def test_echo() -> None:
    with Client(app).websocket("/ws/echo") as ws:
        ws.send("hi")
        assert ws.receive() == "hi"


def test_a_room_delivers_to_everyone_in_it_and_no_one_else() -> None:
    client = Client(app)
    with client.websocket("/ws/rooms/a") as one, client.websocket("/ws/rooms/a") as two:
        assert one.receive_json() == {"event": "joined", "room": "a"}  # its own join
        assert one.receive_json() == two.receive_json() == {"event": "joined", "room": "a"}
        with client.websocket("/ws/rooms/b") as other:
            assert other.receive_json() == {"event": "joined", "room": "b"}
            one.send("hello a")
            assert (
                one.receive_json() == two.receive_json() == {"event": "message", "text": "hello a"}
            )
            response = client.post("/rooms/a/announce", json="news")
            assert response.get_json() == {"delivered": 2}
            assert two.receive_json() == {"event": "announcement", "text": "news"}
            with pytest.raises(TimeoutError):
                other.receive(timeout=0.2)  # room b heard none of it
    # everyone left: nobody to deliver to
    assert client.post("/rooms/a/announce", json="late").get_json() == {"delivered": 0}


def test_the_page_connects_to_the_lobby() -> None:
    response = Client(app).get("/")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "/ws/rooms/lobby" in response.text
