"""A Hub with sessions bound to users, for the session tests (in-process and live).

Auth pattern: a midware reads the token of the upgrade request (``?token=user:NAME``) and
puts the user on the context; ``on_connect`` binds it. ``?token=refuse`` is refused.
"""

from __future__ import annotations

import os
import tempfile
import threading
from typing import Any

import wtf
from wtf.realtime import Hub, RedisBus, RPCError, Session, SQLiteStorage

EVENTS: list[str] = []
_lock = threading.Lock()


def record(event: str) -> None:
    with _lock:
        EVENTS.append(event)


DB = os.environ.get("WTF_TEST_SESSIONS_DB") or os.path.join(
    tempfile.mkdtemp(prefix="wtf-sessions-"), "sessions.db"
)

app = wtf.Server()


def authenticate(ctx: wtf.Context) -> wtf.Context | None:
    token = ctx.request.args.get("token", "")
    if token.startswith("user:"):
        ctx.set("user", token[len("user:") :])
    elif token == "bad":
        ctx.writer.write_header(401)
        return None
    return ctx


app.add_midware(authenticate)

# Served by several workers, the Hub needs a bus across them (wtf serve refuses otherwise).
_REDIS = os.environ.get("WTF_TEST_REDIS_URL")
hub = Hub(
    storage=SQLiteStorage(DB),
    ping_timeout=1.0,
    bus=RedisBus(_REDIS, prefix="sessions") if _REDIS else None,
)
hub.event("news")


@hub.on_connect
def connected(session: Session) -> None:
    assert session.context is not None
    if session.context.request.args.get("token") == "refuse":
        raise RPCError(-1005, "not today")
    user = session.context.get("user")
    if user is not None:
        session.bind(user)
    record(f"connect {session.user_id}")


@hub.on_disconnect
def disconnected(session: Session) -> None:
    record(f"disconnect {session.user_id} {session.id}")


@hub.on_message
def screen(session: Session, message: dict[str, Any]) -> Any:
    if message["m"] == "intercepted":
        return {"answered_by": "on_message"}
    if message["m"] == "hook.crash":
        raise RuntimeError("on_message broke")
    return None


@hub.on_send
def outgoing(session: Session, message: dict[str, Any]) -> dict[str, Any] | None:
    data = message.get("r")
    if isinstance(data, dict) and data.get("drop"):
        return None
    if isinstance(data, dict) and data.get("stamp"):
        return {**message, "r": {**data, "stamped": session.user_id}}
    if isinstance(data, dict) and data.get("crash"):
        raise RuntimeError("on_send broke")
    return message


@hub.method("me")
def me(session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "user": session.user_id,
        "guest": session.is_guest,
        "pid": os.getpid(),
        "settings": session.settings,
    }


@hub.method("set")
def set_setting(key: str, value: str, session: Session) -> dict[str, str]:
    session.set_setting(key, value)
    return session.settings


@hub.method("push")
def push(session: Session) -> bool:
    return session.push()


@hub.method("bind")
def bind(user: str, session: Session) -> str | None:
    session.bind(user)
    return session.user_id


@hub.method("unbind")
def unbind(session: Session) -> None:
    session.unbind()


@hub.method("crash")
def crash() -> None:
    raise RuntimeError("method broke")


@hub.method("flood")
def flood(count: int, session: Session) -> None:
    for i in range(count):
        if not session.send("news", {"n": i, "pad": "x" * 4096}):
            return


app.websocket("/rt")(hub)

# The same hooks on a Hub that pings every 0.3 s and gives 0.5 s to answer.
pinging = Hub(
    storage=hub.storage,
    ping_interval=0.3,
    ping_timeout=0.5,
    bus=RedisBus(_REDIS, prefix="sessions-pings") if _REDIS else None,
)
pinging.on_connect(connected)
pinging.on_disconnect(disconnected)
pinging.method("me")(me)
app.websocket("/rt-pings")(pinging)


@app.arg_builder(scope="app")
def the_hub() -> Hub:
    return hub


@app.post("/notify/:user")
def notify(user: str, text: wtf.Body[str], h: Hub) -> dict[str, bool]:
    h.send_user(user, "news", {"text": text})
    return {"online": h.is_connected(user)}


@app.post("/broadcast")
def broadcast(text: wtf.Body[str], h: Hub) -> dict[str, bool]:
    h.broadcast("news", {"text": text})
    return {"sent": True}


@app.post("/kick/:target")
def kick(target: str, h: Hub) -> dict[str, bool]:
    h.kick(target)
    return {"kicked": True}
