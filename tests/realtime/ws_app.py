"""A WebSocket app for the live and in-process tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import wtf


class Resource:
    """Built per socket by a generator ArgBuilder; its teardown is recorded."""

    def __init__(self) -> None:
        self.open = True


EVENTS: list[str] = []  # what the builders and handlers did (in-process tests read it)
_events_lock = threading.Lock()


def record(event: str) -> None:
    with _events_lock:
        EVENTS.append(event)


app = wtf.Server()


@app.arg_builder
def resource() -> Iterator[Resource]:
    made = Resource()
    record("built")
    yield made
    made.open = False
    record("torn down")


def token_check(ctx: wtf.Context) -> wtf.Context | None:
    """Midware: /ws/private needs ?token=good; it answers 401 itself otherwise."""
    if ctx.path.startswith("/ws/private") and ctx.request.args.get("token") != "good":
        ctx.writer.write_header(401)
        ctx.writer.write(b"no token")
        return None
    return ctx


app.add_midware(token_check)


@app.websocket("/ws/echo/:room")
def echo(ws: wtf.WebSocket, room: str) -> None:
    for message in ws:
        if message == "whoami":
            ws.send(f"room={room} subprotocol={ws.subprotocol}")
        else:
            ws.send(message)


@app.websocket("/ws/chat", subprotocols=["chat.v2", "chat.v1"], origins=["https://app.example"])
def chat(ws: wtf.WebSocket) -> None:
    ws.send_json({"subprotocol": ws.subprotocol})
    for message in ws:
        ws.send(message)


@app.websocket("/ws/resource")
def with_resource(ws: wtf.WebSocket, res: Resource) -> None:
    ws.send(f"open={res.open}")
    for _ in ws:
        pass
    record(f"peer closed {ws.close_code}")


@app.websocket("/ws/small", max_message_size=1024)
def small(ws: wtf.WebSocket) -> None:
    for message in ws:
        ws.send(message)


@app.websocket("/ws/plain", compression=None)
def plain(ws: wtf.WebSocket) -> None:
    for message in ws:
        ws.send(message)


@app.websocket("/ws/pings", ping_interval=0.3, ping_timeout=0.5)
def pings(ws: wtf.WebSocket) -> None:
    for message in ws:
        ws.send(message)


@app.websocket("/ws/one", max_connections=1)
def one(ws: wtf.WebSocket) -> None:
    for message in ws:
        ws.send(message)


@app.websocket("/ws/private")
def private(ws: wtf.WebSocket) -> None:
    ws.send("welcome")


@app.websocket("/ws/fails")
def fails(ws: wtf.WebSocket) -> None:
    ws.receive()
    raise RuntimeError("the handler broke")


@app.websocket("/ws/bye")
def bye(ws: wtf.WebSocket) -> None:
    ws.send("bye")
    ws.close(4000, "done")


@app.get("/hello")
def hello() -> str:
    return "Hello"


@app.websocket("/ws/large", max_message_size=8 << 20)
def large(ws: wtf.WebSocket) -> None:
    for message in ws:
        ws.send(message)


@app.websocket("/ws/fanout")
def fanout(ws: wtf.WebSocket) -> None:
    """On "go": 8 threads send 20 messages of 64 KiB each at once (sending is thread-safe)."""
    if ws.receive() != "go":
        return
    threads = [
        threading.Thread(target=lambda n=n: [ws.send(bytes([n]) * (64 << 10)) for _ in range(20)])
        for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ws.send("done")
    for _ in ws:
        pass


@app.websocket("/ws/ticker", ping_interval=0.3, ping_timeout=0.5)
def ticker(ws: wtf.WebSocket) -> None:
    """Only sends; still learns that the peer closed (or stopped answering pings)."""
    sent = 0
    try:
        while True:
            ws.send(f"tick {sent}")
            sent += 1
            time.sleep(0.02)
    except wtf.WebSocketClosed as closed:
        record(f"ticker ended {closed.code}")
