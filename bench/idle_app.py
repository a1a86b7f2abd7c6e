"""The app ``bench/idle.py`` serves on gevent workers joined by a RedisBus
(``WTF_BENCH_REDIS_URL``): a Hub every client subscribes to, heartbeats on (the default ping
interval), and two HTTP routes: a cheap one to time, and one that emits to every subscriber."""

from __future__ import annotations

import os
import time

import wtf
from wtf.realtime import Hub, RedisBus

app = wtf.Server()
hub = Hub(bus=RedisBus(os.environ.get("WTF_BENCH_REDIS_URL", ""), prefix="idle"))
hub.event("tick")
app.websocket("/rt")(hub)


@app.get("/ping")
def ping() -> str:
    return "pong"


@app.post("/emit")
def emit() -> dict[str, float]:
    sent = time.monotonic()
    hub.emit("tick", "all", {"t": sent})
    return {"t": sent}


@app.get("/rss")
def rss() -> dict[str, int]:
    """This worker's pid and resident memory (KiB)."""
    with open(f"/proc/{os.getpid()}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return {"pid": os.getpid(), "kib": int(line.split()[1])}
