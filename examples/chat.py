"""WebSockets: an echo and a chat room where every message goes to everyone in the room.

    wtf serve examples.chat:app          # then open http://127.0.0.1:8000/ in two tabs
    websocat ws://127.0.0.1:8000/ws/echo # or any WebSocket client

Each open socket holds one gunicorn gthread thread (``--threads`` sets how many a worker
holds); rooms live in the worker's memory, so this example shares a room between the sockets
of one worker (``--workers 1``). The Hub (next in ``wtf.realtime``) spans workers.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import wtf

app = wtf.Server()


@app.websocket("/ws/echo")
def echo(ws: wtf.WebSocket) -> None:
    """Send every message back."""
    for message in ws:
        ws.send(message)


class Rooms:
    """The sockets in each room of this worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._members: defaultdict[str, set[wtf.WebSocket]] = defaultdict(set)

    def join(self, room: str, ws: wtf.WebSocket) -> None:
        with self._lock:
            self._members[room].add(ws)

    def leave(self, room: str, ws: wtf.WebSocket) -> None:
        with self._lock:
            self._members[room].discard(ws)

    def broadcast(self, room: str, data: dict[str, str]) -> int:
        """Send ``data`` to everyone in ``room``; return how many got it."""
        with self._lock:
            members = list(self._members[room])
        sent = 0
        for member in members:
            try:
                member.send_json(data)
                sent += 1
            except wtf.WebSocketClosed:
                self.leave(room, member)
        return sent


rooms = Rooms()


@app.websocket("/ws/rooms/:room", max_message_size=4096)
def chat(ws: wtf.WebSocket, room: str) -> None:
    """Join ``room``; each text message goes to everyone in it (the sender too)."""
    rooms.join(room, ws)
    try:
        rooms.broadcast(room, {"event": "joined", "room": room})
        for message in ws:
            if isinstance(message, str):
                rooms.broadcast(room, {"event": "message", "text": message})
    finally:
        rooms.leave(room, ws)


@app.post("/rooms/:room/announce")
def announce(room: str, text: wtf.Body[str]) -> dict[str, int]:
    """HTTP handlers can reach the sockets too (in this worker)."""
    return {"delivered": rooms.broadcast(room, {"event": "announcement", "text": text})}


PAGE = """<!doctype html><meta charset="utf-8"><title>wtf chat</title>
<input id="text" placeholder="say something" autofocus><pre id="log"></pre>
<script>
const ws = new WebSocket(`ws://${location.host}/ws/rooms/lobby`);
ws.onmessage = (e) => { log.textContent += e.data + "\\n"; };
text.onkeydown = (e) => { if (e.key === "Enter") { ws.send(text.value); text.value = ""; } };
</script>"""


@app.get("/")
def page(resp: wtf.Response) -> str:
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return PAGE
