"""The servers ``bench/cluster.py`` runs twice ("two machines") against one redis-server
(``WTF_BENCH_REDIS_URL``): wtf's Hub on a RedisBus, and python-socketio with its RedisManager
(threading mode, simple-websocket). Each relays a publisher's events to a channel / room."""

from __future__ import annotations

import os
from typing import Any

import wtf
from wtf.realtime import Hub, RedisBus

URL = os.environ.get("WTF_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")

hub_app = wtf.Server()
hub = Hub(bus=RedisBus(URL, prefix="bench"), ping_interval=None, max_queue=100_000)
hub.event("tick")
hub.event("kept", history=100)  # the same, kept in each channel's history (a Redis stream)
hub.event("storm", history=1000)  # bench/recovery.py: what clients recover after a crash


@hub.method("publish")
def publish(room: str, n: int, t: float, event: str = "tick") -> None:
    hub.emit(event, room, {"n": n, "t": t})


hub_app.websocket("/rt")(hub)


def _socketio_app() -> Any:
    import socketio

    sio = socketio.Server(async_mode="threading", client_manager=socketio.RedisManager(URL))

    @sio.event
    def join(sid: str, room: str) -> bool:
        sio.enter_room(sid, room)
        return True

    @sio.event
    def publish(sid: str, data: dict[str, Any]) -> None:
        sio.emit("tick", {"n": data["n"], "t": data["t"]}, room=data["room"])

    return socketio.WSGIApp(sio)


socketio_app = _socketio_app()
