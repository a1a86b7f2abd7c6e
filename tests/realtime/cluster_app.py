"""A Hub on a RedisBus (``WTF_TEST_REDIS_URL``), for the tests that run it on several servers."""

from __future__ import annotations

import os

import wtf
from wtf.realtime import Call, Hub, RedisBus, Session

app = wtf.Server()
bus = RedisBus(os.environ["WTF_TEST_REDIS_URL"], presence_ttl=1.0)
hub = Hub(bus=bus)
hub.event("message")
hub.event("notice")


@hub.on_connect
def connected(session: Session) -> None:
    assert session.context is not None
    user = session.context.request.args.get("user")  # a test app: real apps verify a token
    if user:
        session.bind(user)


@hub.method("me")
def me(session: Session) -> str:
    return session.id


@hub.method("pid")
def pid() -> int:
    return os.getpid()


@hub.method("say")
def say(room: str, text: str, call: Call) -> bool:
    call.emit_others("message", room, {"text": text})
    return True


app.websocket("/rt")(hub)


@app.post("/emit/:room")
def emit(room: str, text: wtf.Body[str]) -> dict[str, bool]:
    hub.emit("message", room, {"text": text})
    return {"ok": True}


@app.post("/to/:session")
def to_session(session: str, text: wtf.Body[str]) -> dict[str, bool]:
    hub.emit_to("notice", None, {"text": text}, [session])
    return {"ok": True}


@app.post("/user/:user")
def to_user(user: str, text: wtf.Body[str]) -> dict[str, bool]:
    hub.send_user(user, "notice", {"text": text})
    return {"ok": True}


@app.post("/everyone")
def everyone(text: wtf.Body[str]) -> dict[str, bool]:
    hub.broadcast("notice", {"text": text})
    return {"ok": True}


@app.post("/kick/:target")
def kick(target: str) -> dict[str, bool]:
    hub.kick(target)
    return {"ok": True}


@app.get("/online/:user")
def online(user: str) -> dict[str, bool]:
    return {"online": hub.is_connected(user)}


@app.get("/dropped")
def dropped() -> dict[str, int]:
    return {"dropped": bus.dropped}


@app.get("/presence/:room")
def presence(room: str) -> list[str]:
    return sorted(hub.presence(room))
