"""A Hub with small outgoing queues, for the slow-consumer tests (one worker, LocalBus)."""

from __future__ import annotations

import os

import wtf
from wtf.realtime import Hub

app = wtf.Server()
# ping_timeout is longer than the tests' timeout: a publisher waiting on a stuck reader (the
# bug these tests guard against) would hang the test instead of passing it late.
hub = Hub(max_queue=64, max_queue_bytes=256 << 10, ping_timeout=120)
hub.event("tick")
app.websocket("/rt")(hub)


@app.post("/emit/:room")
def emit(
    room: str, count: wtf.Query[int], size: wtf.Query[int], first: wtf.Query[int] = 0
) -> dict[str, int]:
    """Emit ``count`` events of ``size`` bytes of padding, numbered from ``first``."""
    pad = "x" * size
    for n in range(first, first + count):
        hub.emit("tick", room, {"n": n, "pad": pad})
    return {"sent": count}


@app.get("/rss")
def rss() -> dict[str, int]:
    """This worker's resident memory, in KiB."""
    with open(f"/proc/{os.getpid()}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return {"kib": int(line.split()[1])}
