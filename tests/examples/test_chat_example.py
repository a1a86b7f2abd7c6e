"""examples/chat.py: the echo, a login whose signed cookie binds the Hub's sessions (nobody
can be somebody else), rooms as Hub channels, staff rooms, HTTP notices and announcements."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

import examples.chat as chat
from examples.chat import app
from wtf.realtime import Code, RPCError
from wtf.testing import Client, HubClient

pytestmark = pytest.mark.timeout(30)


def log_in(client: Client, name: str, password: str = "correct horse") -> str:
    """Log in (from a client of its own: ``client`` keeps no cookie); the ``Cookie`` header
    the browser would then send."""
    response = Client(client.application).post("/login", json={"name": name, "password": password})
    assert response.status_code == 200, response.get_json()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return cookie.split(";", 1)[0]


@pytest.fixture
def client() -> Iterator[Client]:
    yield Client(app)


def hub(client: Client, cookie: str | None = None) -> HubClient:
    return client.hub("/rt", headers={"Cookie": cookie} if cookie else {})


def test_echo() -> None:
    with Client(app).websocket("/ws/echo") as ws:
        ws.send("hi")
        assert ws.receive() == "hi"


def test_a_name_belongs_to_its_first_password(client: Client) -> None:
    log_in(client, "owner1", "first password")
    wrong = client.post("/login", json={"name": "owner1", "password": "another one"})
    assert (wrong.status_code, wrong.get_json()["detail"]) == (401, "wrong name or password")
    bad = client.post("/login", json={"name": "no spaces", "password": "x" * 8})
    assert bad.status_code == 422
    # JSON only: another site's HTML form cannot log anyone in.
    assert client.post("/login", data={"name": "owner1", "password": "x" * 8}).status_code == 415


def without_time(events: list[tuple[str, str | None, Any]]) -> list[tuple[str, str | None, Any]]:
    """The events, each message's ``at`` (Unix milliseconds, checked to be recent) left out."""
    now = time.time() * 1000
    out = []
    for event, channel, data in events:
        if event == "message":
            assert now - 5000 <= data.pop("at") <= now + 1
        out.append((event, channel, data))
    return out


def test_a_room_delivers_to_everyone_in_it_and_no_one_else(client: Client) -> None:
    with (
        hub(client, log_in(client, "ann")) as ann,
        client.hub("/rt", msgpack=True) as bob,
        hub(client) as eve,
    ):
        joined = ann.subscribe("message", "a")  # rooms keep history: the answer is a position
        assert joined["offset"] == 0 and isinstance(joined["epoch"], str)
        assert bob.subscribe("message", "a") == joined
        assert eve.subscribe("message", "b")["offset"] == 0
        assert ann.call("chat.send", room="a", text="hello a") == {"sent": True}
        expected = {"from": "ann", "text": "hello a"}
        assert without_time(ann.events()) == [("message", "a", expected)]  # own copy, kept
        assert without_time(bob.events()) == [("message", "a", expected)]
        assert eve.events(0.1) == []
        assert ann.positions[("message", "a")][0] == bob.positions[("message", "a")][0] == 1


def test_guests_and_forged_cookies_read_but_cannot_post(client: Client) -> None:
    real = log_in(client, "ann")
    _, expires, mac = real.split("=", 1)[1].split("|")
    forged = [
        f"chat_user=mallory|{expires}|{mac}",  # another name, ann's signature
        f"chat_user=ann|{int(expires) + 1}|{mac}",  # a later expiry
        f"chat_user=ann|{expires}|{'0' * 64}",  # no signature of ours
        "chat_user=ann",
        f"chat_user=ann|{'9' * 5000}|{mac}",  # absurd expiry
        None,
    ]
    for cookie in forged:
        with hub(client, cookie) as guest:
            assert guest.subscribe("message", "lobby")["offset"] >= 0
            with pytest.raises(RPCError) as refused:
                guest.call("chat.send", room="lobby", text="I am ann")
            assert refused.value.code == Code.NOT_AUTHORIZED
    expired = chat.sign("ann", int(time.time()) - 1)
    with hub(client, f"chat_user={expired}") as late, pytest.raises(RPCError):
        late.call("chat.send", room="lobby", text="too late")
    with pytest.raises(RPCError) as gone, hub(client) as guest:
        guest.call("chat.nick", name="ann")  # the old way to become anyone
    assert gone.value.code == Code.NOT_FOUND


def test_staff_rooms_are_for_the_staff(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chat, "STAFF", {"boss"})
    with hub(client, log_in(client, "boss")) as boss, hub(client, log_in(client, "ann")) as ann:
        assert boss.subscribe("message", "staff-ops")["offset"] == 0
        with pytest.raises(RPCError) as refused:
            ann.subscribe("message", "staff-ops")
        assert refused.value.code == Code.NO_PERMISSION


def test_the_page_and_its_files_come_from_the_app_not_a_cdn(client: Client) -> None:
    response = client.get("/")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    scripts = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert scripts == ["data:,", "/static/chat.css", "/static/chat.js"]
    page_script = client.get("/static/chat.js")
    assert page_script.status_code == 200
    assert 'from "/wtf-realtime.js"' in page_script.text and 'join("lobby")' in page_script.text
    assert client.get("/static/chat.css").status_code == 200
    module = client.get("/wtf-realtime.js")
    assert module.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "export function connect" in module.text
    assert not re.search(r"https?://", response.text + page_script.text)


def test_staff_rooms_open_with_the_room_password(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat, "STAFF_PASSWORD", "open sesame")
    with hub(client, log_in(client, "ann")) as ann:
        for wrong in (None, {"password": "open"}, {"password": 1}, "open sesame"):
            with pytest.raises(RPCError) as refused:
                ann.subscribe("message", "staff-ops", wrong)
            assert refused.value.code == Code.NO_PERMISSION
        assert ann.subscribe("message", "staff-ops", {"password": "open sesame"})["offset"] == 0
    monkeypatch.setattr(chat, "STAFF_PASSWORD", "")  # no password set: no way in but STAFF
    with hub(client, log_in(client, "ann")) as ann, pytest.raises(RPCError):
        ann.subscribe("message", "staff-ops", {"password": ""})


def test_presence_lists_the_logged_in_users_of_a_room_and_follows_them(client: Client) -> None:
    with hub(client, log_in(client, "ann")) as ann:
        assert ann.subscribe("presence", "p") is True  # no history: no position
        ann.subscribe("message", "p")
        assert ann.call("chat.here", room="p") == ["ann"]
        assert ann.events() == [("presence", "p", {"room": "p", "users": ["ann"]})]
        with hub(client, log_in(client, "bob")) as bob, hub(client) as guest:
            bob.subscribe("message", "p")
            guest.subscribe("message", "p")  # a guest reads, and is nobody in the list
            assert bob.call("chat.here", room="p") == ["ann", "bob"]
            assert ann.events() == [("presence", "p", {"room": "p", "users": ["ann", "bob"]})]
            bob.subscribe("presence", "p")
        deadline = time.monotonic() + 5
        seen: list[Any] = []
        alone = ("presence", "p", {"room": "p", "users": ["ann"]})
        while time.monotonic() < deadline and alone not in seen:
            seen += ann.events(0.2)
        assert alone in seen  # bob left: the room was told


def test_notices_and_announcements_need_a_login_and_reach_the_right_user(client: Client) -> None:
    assert client.post("/notify/zoe", json="anonymous").status_code == 401
    zoe_browser, max_browser = Client(app), Client(app)  # each keeps its login cookie
    for browser, name in ((zoe_browser, "zoe"), (max_browser, "max")):
        assert browser.post("/login", json={"name": name, "password": "correct horse"}).json
    zoe, max_ = log_in(client, "zoe"), log_in(client, "max")
    with (
        hub(client, zoe) as one,
        hub(client, zoe) as two,
        hub(client, max_) as other,
        hub(client, "chat_user=zoe|1|x") as forger,
    ):
        assert max_browser.post("/notify/zoe", json="ping").get_json() == {"online": True}
        assert one.events() == two.events() == [("notice", None, {"from": "max", "text": "ping"})]
        assert other.events(0.1) == forger.events(0.1) == []
        assert other.subscribe("message", "a")["offset"] >= 0
        announced = zoe_browser.post("/rooms/a/announce", json="news")
        assert announced.get_json() == {"announced": True}
        assert without_time(other.events()) == [("message", "a", {"from": "zoe", "text": "news"})]
    assert max_browser.post("/notify/zoe", json="late").get_json() == {"online": False}


def test_another_sites_page_cannot_post_as_the_logged_in_user(client: Client) -> None:
    browser = Client(app)
    assert browser.post("/login", json={"name": "vic", "password": "correct horse"}).json
    forged = browser.post(
        "/rooms/lobby/announce", json="free money", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert forged.status_code == 403  # CrossOrigin, before the cookie is looked at
    ours = browser.post(
        "/rooms/lobby/announce", json="hello", headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert ours.json == {"announced": True}
