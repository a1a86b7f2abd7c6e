"""Sessions bound to users (API.md §6.3) through the in-process Hub client: bind and
settings restored from SQLite storage, push, send_user/send_batch/broadcast, is_connected,
kick, the hooks (each once, whatever ends the socket), storage failures, a threaded stress."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import wtf
from wtf import WebSocketClosed
from wtf.realtime import Code, Hub, MemoryStorage, RPCError, Session, shutdown
from wtf.testing import Client, HubClient, WebSocketRefused

from .session_app import EVENTS, app, hub, pinging

pytestmark = pytest.mark.timeout(60)


def connect(token: str = "", msgpack: bool = False, route: str = "/rt") -> HubClient:
    path = f"{route}?token={token}" if token else route
    client = Client(app).hub(path, msgpack=msgpack)
    client.call("me")  # answered after on_connect ran: the session is bound by now
    return client


def disconnects(session_id: str) -> list[str]:
    return [e for e in EVENTS if e.startswith("disconnect") and e.endswith(session_id)]


def wait_for(predicate: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    EVENTS.clear()
    yield


def test_a_token_binds_the_user_and_settings_come_back_on_a_new_connection() -> None:
    with connect("user:ann") as first:
        me = first.call("me")
        assert (me["user"], me["guest"]) == ("ann", False)
        assert first.call("set", key="theme", value="dark") == {"theme": "dark"}
        assert first.call("set", key="lang", value="en") == {"theme": "dark", "lang": "en"}
    with connect() as second:  # a guest, then bound: stored settings merged, its own win
        assert second.call("me")["guest"] is True
        assert second.call("set", key="lang", value="fr") == {"lang": "fr"}
        assert second.call("bind", user="ann") == "ann"
        assert second.call("push") is True
        assert second.events() == [("$settings", None, {"lang": "fr", "theme": "dark"})]


def test_send_user_reaches_every_socket_of_that_user_and_no_other() -> None:
    http = Client(app)
    with (
        connect("user:bo") as one,
        connect("user:bo", msgpack=True) as two,
        connect("user:cy") as other,
        connect() as guest,
    ):
        assert http.post("/notify/bo", json="hi bo").get_json() == {"online": True}
        assert one.events() == two.events() == [("news", None, {"text": "hi bo"})]
        assert other.events(0.1) == guest.events(0.1) == []
        http.post("/broadcast", json="all")
        for client in (one, two, other, guest):
            assert client.events() == [("news", None, {"text": "all"})]
        ids = [one.call("me")["id"], guest.call("me")["id"]]
        hub.send_batch([*ids, "nobody"], "news", {"batch": True})
        assert one.events() == guest.events() == [("news", None, {"batch": True})]
        assert two.events(0.1) == other.events(0.1) == []
    assert http.post("/notify/bo", json="gone").get_json() == {"online": False}


def test_is_connected_follows_bind_unbind_and_close() -> None:
    assert hub.is_connected("dee") is False
    with connect("user:dee") as client:
        assert hub.is_connected("dee") is True
        client.call("unbind")
        assert hub.is_connected("dee") is False
        client.call("bind", user="dee")
        assert hub.is_connected("dee") is True
    assert hub.is_connected("dee") is False


@pytest.mark.parametrize("by", ["user", "session"])
def test_kick_closes_with_1008(by: str) -> None:
    with connect("user:eve") as eve, connect("user:eve") as eve2, connect("user:fay") as fay:
        session = eve.call("me")["id"]
        Client(app).post(f"/kick/{'eve' if by == 'user' else session}")
        with pytest.raises(WebSocketClosed) as closed:
            eve.ws.receive(timeout=5)
        assert closed.value.code == 1008
        if by == "user":
            with pytest.raises(WebSocketClosed):
                eve2.ws.receive(timeout=5)
        else:
            assert eve2.call("me")["user"] == "eve"
        assert fay.call("me")["user"] == "fay"
    wait_for(lambda: len(disconnects(session)) == 1)


def ended_by_client_close(client: HubClient) -> None:
    client.close()


def ended_by_ping_timeout(client: HubClient) -> None:
    time.sleep(1.3)  # pings every 0.3 s, 0.5 s to answer: the client does not read
    with pytest.raises(WebSocketClosed):
        client.ws.receive(timeout=5)


def ended_by_kick(client: HubClient) -> None:
    hub.kick(client.call("me")["id"])


def ended_by_slow_consumer(client: HubClient) -> None:
    client.notify("flood", count=5000)  # 20 MiB it never reads: over max_queue_bytes, 1008


def ended_by_server_shutdown(client: HubClient) -> None:
    assert shutdown.close_all(wait=0.5) >= 1


def ended_after_a_method_raised(client: HubClient) -> None:
    with pytest.raises(RPCError):
        client.call("crash")
    client.close()


@pytest.mark.parametrize(
    "end",
    [
        ended_by_client_close,
        ended_by_ping_timeout,
        ended_by_kick,
        ended_by_slow_consumer,
        ended_by_server_shutdown,
        ended_after_a_method_raised,
    ],
)
def test_connect_and_disconnect_run_once_whatever_ends_the_socket(end: Any) -> None:
    pings = end is ended_by_ping_timeout
    client = connect("user:gil", route="/rt-pings" if pings else "/rt")
    session = client.call("me")["id"]
    end(client)
    wait_for(lambda: session not in {s.id for s in (pinging if pings else hub).sessions})
    client.close()
    assert EVENTS.count("connect gil") == 1
    assert disconnects(session) == [f"disconnect gil {session}"]


def test_a_refusing_on_connect_closes_with_its_message() -> None:
    with Client(app).hub("/rt?token=refuse") as refused, pytest.raises(WebSocketClosed) as closed:
        refused.ws.receive(timeout=5)
    assert (closed.value.code, closed.value.reason) == (1008, "not today")
    assert not [e for e in EVENTS if e.startswith("disconnect")]
    with pytest.raises(WebSocketRefused) as unauthorized:  # a midware answering 401
        connect("bad")
    assert unauthorized.value.status == 401


def test_on_message_answers_and_survives_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    with connect() as client, caplog.at_level(logging.ERROR, logger="wtf.realtime"):
        assert client.call("intercepted") == {"answered_by": "on_message"}
        with pytest.raises(RPCError) as crashed:
            client.call("hook.crash")
        assert crashed.value.code == Code.ERROR
        assert client.call("me")["guest"] is True
    assert any("on_message failed" in r.getMessage() for r in caplog.records)


def test_on_send_drops_changes_and_survives_a_crash() -> None:
    with connect("user:hal") as client:
        hub.send_user("hal", "news", {"drop": True})
        hub.send_user("hal", "news", {"stamp": True})
        hub.send_user("hal", "news", {"crash": True})
        assert client.events() == [
            ("news", None, {"stamp": True, "stamped": "hal"}),
            ("news", None, {"crash": True}),  # the hook failed: sent unchanged
        ]
        (session,) = [s for s in hub.sessions if s.user_id == "hal"]
        assert session.send("news", {"drop": True}) is False  # the hook dropped it: not sent
        assert session.send("news", {"kept": True}) is True
        assert client.events() == [("news", None, {"kept": True})]


class FailingStorage(MemoryStorage):
    def store(self, session: Any) -> None:
        raise OSError("the disk is gone")


def test_a_storage_error_fails_the_call_and_keeps_the_socket(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub, "storage", FailingStorage())
    with connect() as client, caplog.at_level(logging.ERROR, logger="wtf.realtime"):
        with pytest.raises(RPCError) as failed:
            client.call("bind", user="ivy")
        assert failed.value.code == Code.ERROR
        assert client.call("me")["guest"] is True  # the bind did not happen, the socket lives
    assert any("session storage store failed" in r.getMessage() for r in caplog.records)


def test_many_threads_binding_sending_and_closing_lose_no_disconnect() -> None:
    clients = [connect(f"user:u{i % 5}") for i in range(20)]
    ids = [c.call("me")["id"] for c in clients]
    barrier = threading.Barrier(len(clients) + 5)
    failures: list[BaseException] = []

    def close(client: HubClient) -> None:
        try:
            barrier.wait()
            client.call("bind", user="shared")
            client.close()
        except BaseException as exc:
            failures.append(exc)

    def send(n: int) -> None:
        barrier.wait()
        for _ in range(50):
            hub.send_user("shared", "news", {"n": n})
            hub.broadcast("news", {"all": n})

    threads = [threading.Thread(target=close, args=(c,)) for c in clients]
    threads += [threading.Thread(target=send, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    wait_for(lambda: not set(ids) & {s.id for s in hub.sessions})
    for session in ids:
        assert len(disconnects(session)) == 1
    assert hub.is_connected("shared") is False


class RecordingStorage(MemoryStorage):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def store(self, session: Any) -> None:
        self.calls.append(f"store {session.user_id} {sorted(session.settings.items())}")
        super().store(session)

    def delete(self, session: Any) -> None:
        self.calls.append(f"delete {session.user_id}")
        super().delete(session)

    def heartbeat(self, session: Any) -> None:
        self.calls.append("heartbeat")


def test_storage_calls_heartbeats_proxies_and_a_failing_disconnect_hook(
    caplog: pytest.LogCaptureFixture,
) -> None:
    storage = RecordingStorage()
    other = wtf.Server()
    behind_proxy = Hub(storage=storage, trusted_proxy=True, heartbeat_interval=0.2)

    @behind_proxy.method("run")
    def run(session: Session) -> dict[str, Any]:
        session.bind("kim")
        session.set_setting("a", "1")
        session.remove_setting("a")
        session.remove_setting("never-set")  # nothing to store
        return {"ip": session.ip, "settings": session.settings}

    @behind_proxy.on_disconnect
    def broken(session: Session) -> None:
        raise RuntimeError("on_disconnect broke")

    other.websocket("/rt")(behind_proxy)
    headers = {"X-Forwarded-For": "203.0.113.7, 10.0.0.1"}
    with caplog.at_level(logging.ERROR, logger="wtf.realtime"):
        with Client(other).hub("/rt", headers=headers) as client:
            assert client.call("run") == {"ip": "203.0.113.7", "settings": {}}
            time.sleep(0.5)
            client.call("run")  # activity after the interval: a heartbeat is due
        wait_for(lambda: storage.calls and storage.calls[-1] == "delete kim")
    assert storage.calls[:3] == ["store kim []", "store kim [('a', '1')]", "store kim []"]
    assert "heartbeat" in storage.calls
    assert any("on_disconnect failed" in r.getMessage() for r in caplog.records)


def test_presence_lists_the_users_listening_to_a_channel_in_this_worker() -> None:
    presence_app = wtf.Server()
    rooms = Hub()
    rooms.event("message")
    rooms.event("typing")

    @rooms.on_connect
    def connected(session: Session) -> None:
        assert session.context is not None
        user = session.context.request.args.get("user")
        if user:
            session.bind(user)

    presence_app.websocket("/rt")(rooms)
    client = Client(presence_app)
    with (
        client.hub("/rt?user=ann") as ann,
        client.hub("/rt?user=bob") as bob,
        client.hub("/rt") as guest,
    ):
        assert rooms.presence("lobby") == set()
        ann.subscribe("message", "lobby")
        ann.subscribe("typing", "lobby")  # two events of one channel: one user
        bob.subscribe("message", "kitchen")
        guest.subscribe("message", "lobby")  # guests are nobody
        assert rooms.presence("lobby") == {"ann"}
        assert rooms.presence("kitchen") == {"bob"}
        ann.unsubscribe("message", "lobby")
        assert rooms.presence("lobby") == {"ann"}  # still hears "typing" there
        ann.unsubscribe("typing", "lobby")
        assert rooms.presence("lobby") == set()
    assert rooms.presence("kitchen") == set()  # closed sessions leave
