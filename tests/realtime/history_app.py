"""A Hub whose "message" event keeps history: on a RedisBus when ``WTF_TEST_REDIS_URL`` is set
(several servers and workers), else in one process."""

from __future__ import annotations

import os

import wtf
from wtf.realtime import Hub, RedisBus

_REDIS = os.environ.get("WTF_TEST_REDIS_URL")
hub = Hub(bus=RedisBus(_REDIS, prefix="history", presence_ttl=1.0) if _REDIS else None)
hub.event("message", history=50)
hub.event("brief", history=5, ttl=0.5)
hub.event("plain")

app = wtf.Server()
app.websocket("/rt")(hub)


@app.post("/emit/:event/:room")
def emit(
    event: str, room: str, count: wtf.Query[int] = 1, tag: wtf.Query[str] = ""
) -> dict[str, int]:
    """``count`` emits of ``{"tag": tag, "n": i}`` to ``room``."""
    for n in range(count):
        hub.emit(event, room, {"tag": tag, "n": n})
    return {"pid": os.getpid()}
