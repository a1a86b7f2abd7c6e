"""examples/chat.py's page in headless Chromium, served by gunicorn on 127.0.0.1: the page,
wtf's JavaScript client and the Hub, end to end. A page that must lose its connection reaches
the server through a relay the test cuts (tests/browser/relay.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESULTS
from tests.browser.relay import Relay
from tests.serving.live import Server, free_port, serving

pytestmark = pytest.mark.timeout(90)

SECRET = {"WTF_CHAT_SECRET": "browser-tests", "WTF_CHAT_STAFF_PASSWORD": "open sesame"}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving("examples.chat:app", env=SECRET) as running:
        yield running


@pytest.fixture
def relay(server: Server) -> Iterator[Relay]:
    with Relay(server.port) as running:
        yield running


def open_chat(page: Any, port: int, name: str | None) -> Any:
    """The chat on ``port``, logged in as ``name`` (a guest for ``None``), online."""
    page.goto(f"http://127.0.0.1:{port}/")
    expect(page.locator("#status")).to_have_text("online")
    if name is not None:
        page.fill("#name", name)
        page.fill("#password", "correct horse")
        page.click("#login button")
        expect(page.locator("#me")).to_have_text(name)
        expect(page.locator("#status")).to_have_class("status open")
    return page


def join(page: Any, room: str, password: str = "") -> None:
    page.fill("#room", room)
    page.fill("#room-password", password)
    page.click("#join button")


def say(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.press("#text", "Enter")
    expect(page.locator("#text")).to_have_value("")  # the call answered {"sent": true}


def texts(page: Any) -> Any:
    return page.locator("#messages li .text")


def test_two_pages_talk_in_a_room_and_see_who_is_there(
    server: Server, new_page: Callable[[], Any]
) -> None:
    ann = open_chat(new_page(), server.port, "ann")
    bob = open_chat(new_page(), server.port, "bob")
    for page in (ann, bob):
        join(page, "garden")
        expect(page.locator("#title")).to_have_text("#garden")
    for page in (ann, bob):  # each page's list follows the other's join
        expect(page.locator("#people li")).to_have_text(["ann", "bob"])
    say(ann, "hello bob")
    say(bob, "hi ann")
    for page in (ann, bob):
        expect(texts(page)).to_have_text(["hello bob", "hi ann"])
    expect(ann.locator("#messages li.mine .text")).to_have_text(["hello bob"])
    expect(ann.locator("#messages li.mine .from")).to_have_text(["ann"])
    # What a newcomer sees, kept beside the test report (test-results/chat-page.png).
    RESULTS.mkdir(exist_ok=True)
    shot = ann.screenshot(path=str(RESULTS / "chat-page.png"))
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
    # Back in the lobby, garden's new message waits as an unread count.
    ann.click("#rooms li[data-room=lobby]")
    say(bob, "are you there?")
    expect(ann.locator("#rooms li[data-room=garden] .unread")).to_have_text("1")
    bob.close()
    ann.click("#rooms li[data-room=garden]")
    expect(ann.locator("#people li")).to_have_text(["ann"])  # bob's page closed


def test_a_refused_join_shows_why_and_the_password_opens_it(
    server: Server, new_page: Callable[[], Any]
) -> None:
    page = open_chat(new_page(), server.port, "eve")
    join(page, "staff-ops")
    expect(page.locator("#error")).to_have_text(
        "cannot join #staff-ops: not allowed to subscribe to message/staff-ops"
    )
    expect(page.locator("#rooms li[data-room=staff-ops]")).to_have_count(0)
    expect(page.locator("#title")).to_have_text("#lobby")
    join(page, "staff-ops", "open sesame")
    expect(page.locator("#title")).to_have_text("#staff-ops")
    expect(page.locator("#error")).to_be_hidden()


def test_a_guest_reads_but_posting_says_to_log_in(
    server: Server, new_page: Callable[[], Any]
) -> None:
    guest = open_chat(new_page(), server.port, None)
    ann = open_chat(new_page(), server.port, "ann")
    for page in (guest, ann):
        join(page, "porch")
        expect(page.locator("#title")).to_have_text("#porch")  # subscribed: the join resolved
    say(ann, "anyone?")
    expect(texts(guest)).to_have_text(["anyone?"])
    expect(guest.locator("#text")).to_be_disabled()
    expect(guest.locator("#people li")).to_have_text(["ann"])  # a guest is nobody in the list


def test_a_dropped_page_reconnects_and_shows_what_it_missed_once(
    server: Server, relay: Relay, new_page: Callable[[], Any]
) -> None:
    far = open_chat(new_page(), relay.port, "far")  # its connections go through the relay
    near = open_chat(new_page(), server.port, "near")
    for page in (far, near):
        join(page, "field")
    say(near, "before")
    expect(texts(far)).to_have_text(["before"])
    relay.refusing = True
    assert relay.cut() >= 1  # the network drops: the socket is gone, new ones refused
    expect(far.locator("#status")).to_have_text("reconnecting…")
    for text in ("missed 1", "missed 2", "missed 3"):
        say(near, text)
    relay.refusing = False  # the network is back: the client's next attempt gets through
    expect(far.locator("#status")).to_have_text("back online", timeout=20_000)
    say(near, "after")
    expected = ["before", "missed 1", "missed 2", "missed 3", "after"]
    expect(texts(far)).to_have_text(expected)
    offsets = far.eval_on_selector_all("#messages li", "items => items.map(i => i.dataset.offset)")
    assert offsets == [str(n) for n in range(1, 6)]  # in order, none twice


def test_a_call_without_a_reply_in_time_rejects_with_timeout(
    server: Server, relay: Relay, new_page: Callable[[], Any]
) -> None:
    page = new_page()
    page.goto(f"http://127.0.0.1:{relay.port}/")
    expect(page.locator("#status")).to_have_text("online")
    page.evaluate(
        """async () => {
          const { connect } = await import("/wtf-realtime.js");
          window.client = connect("/rt");
          await new Promise((open) => window.client.on("open", open));
        }"""
    )
    relay.stalled = True  # the connection stays open; nothing gets through
    outcome = page.evaluate(
        """async () => {
          const started = performance.now();
          try {
            await window.client.call("chat.here", { room: "lobby" }, { timeout: 300 });
            return { ok: true };
          } catch (error) {
            return { code: error.code, message: error.message, ms: performance.now() - started };
          }
        }"""
    )
    relay.stalled = False
    assert outcome["code"] == -1014, outcome
    assert outcome["message"] == "no reply to chat.here in 300 ms"
    assert 290 <= outcome["ms"] < 5000
    # The reply that comes once the network flows again is dropped: the call was answered.
    assert page.evaluate("window.client.call('chat.here', { room: 'lobby' })") == []


def test_a_server_restart_is_survived(new_page: Callable[[], Any]) -> None:
    port = free_port()
    with serving("examples.chat:app", env=SECRET, port=port) as first:
        ann = open_chat(new_page(), port, "ann")  # the cookie stays valid: the secret is set
        bob = open_chat(new_page(), port, "bob")
        for page in (ann, bob):
            join(page, "cellar")
        say(ann, "before the restart")
        expect(texts(bob)).to_have_text(["before the restart"])
        first.stop()
    for page in (ann, bob):
        expect(page.locator("#status")).to_have_text("reconnecting…")
    with serving("examples.chat:app", env=SECRET, port=port):
        for page in (ann, bob):
            expect(page.locator("#status")).to_have_text("back online", timeout=30_000)
        say(bob, "after the restart")
        for page in (ann, bob):
            expect(texts(page)).to_have_text(["before the restart", "after the restart"])
            expect(page.locator("#people li")).to_have_text(["ann", "bob"])
        # The new server's history starts afresh: the page says so once.
        expect(ann.locator("#messages li.notice")).to_have_text(
            ["some older messages could not be recovered"]
        )
