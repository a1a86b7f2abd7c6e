"""Rate limits counted in Redis (``WTF_TEST_REDIS_URL``), for the test that serves them with
several workers: HTTP under /limited, Hub calls per user."""

from __future__ import annotations

import os

import wtf
from wtf.midware import RateLimit
from wtf.realtime import Call, Hub, RedisBus, RedisStore, Session
from wtf.realtime import RateLimit as CallLimit

URL = os.environ["WTF_TEST_REDIS_URL"]
store = RedisStore(URL, prefix="limits")

app = wtf.Server()


def tag(ctx: wtf.Context) -> wtf.Context:
    """Name the worker on every answer, refusals included (it runs before the limit)."""
    ctx.writer.headers["X-Worker"] = str(os.getpid())
    return ctx


app.add_midware(tag, priority=1)
app.add_midware(RateLimit(10, 60, store=store), path="/limited/")
hub = Hub(bus=RedisBus(URL, prefix="limits"))
hub.event("hello")
hub.use(CallLimit(5, 60, key=lambda call: call.session.user_id or call.session.id, store=store))


@hub.on_connect
def connected(session: Session) -> None:
    assert session.context is not None
    user = session.context.request.args.get("user")  # a test app: real apps verify a token
    if user:
        session.bind(user)
    session.send("hello", {"pid": os.getpid()})  # which worker (an event: not a call)


@hub.method("ping")
def ping(call: Call) -> int:
    return os.getpid()


app.websocket("/rt")(hub)


@app.get("/limited/pid")
def pid() -> dict[str, int]:
    return {"pid": os.getpid()}
