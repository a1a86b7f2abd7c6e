"""Realtime chat: an echo WebSocket, and a Hub whose rooms are channels.

    wtf serve examples.chat:app --workers 1   # then open http://127.0.0.1:8000/ in two tabs
    websocat ws://127.0.0.1:8000/ws/echo      # the echo, with any WebSocket client

The Hub speaks mego's wire format (``{"m": method, "p": params, "i": id}`` in, ``{"i", "r"}``
/ ``{"i", "e"}`` / events ``{"v", "c", "r"}`` out). Joining a room is ``$subscribe`` to the
``message`` event on the room's channel; rooms named ``staff-...`` need the staff password.
Emits reach this worker's sockets (one worker here; many workers need the Redis bus).
"""

from __future__ import annotations

from typing import Any

import wtf
from wtf.realtime import Call, Hub, RateLimit, Session

app = wtf.Server()


@app.websocket("/ws/echo")
def echo(ws: wtf.WebSocket) -> None:
    """Send every message back."""
    for message in ws:
        ws.send(message)


hub = Hub()
hub.use(RateLimit(20, period=10))  # per session: enough to chat, not to flood
hub.event("message")
hub.event("notice")
STAFF_PASSWORD = "let-me-in"


@hub.on_subscribe
def may_join(session: Session, event: str, channel: str, data: Any) -> bool:
    """Anyone joins a room, but ``staff-*`` rooms need the password as the subscription's
    data."""
    return not channel.startswith("staff-") or data == STAFF_PASSWORD


@hub.method("chat.nick")
def nick(name: str, session: Session) -> dict[str, str]:
    """Choose the name shown with your messages; it is also the user the session is bound
    to (a real app binds the user its auth midware found, in ``@hub.on_connect``)."""
    session.set("nick", name[:32])
    session.bind(name[:32])
    return {"nick": name[:32]}


@hub.method("chat.send")
def send(room: str, text: str, call: Call, session: Session) -> dict[str, bool]:
    """Send ``text`` to everyone in ``room`` (you must have joined it)."""
    if ("message", room) not in session.subscriptions:
        return {"sent": False}
    message = {"from": session.get("nick", "anonymous"), "text": text[:2000]}
    call.emit_others("message", room, message)
    call.emit("message", message)  # your own copy (no channel: it is only for you)
    return {"sent": True}


app.websocket("/rt")(hub)


@app.arg_builder(scope="app")
def the_hub() -> Hub:
    """HTTP handlers get the Hub injected."""
    return hub


@app.post("/notify/:user")
def notify(user: str, text: wtf.Body[str], h: Hub) -> dict[str, bool]:
    """Send ``text`` to every session of ``user`` (the ``notice`` event)."""
    h.send_user(user, "notice", {"text": text})
    return {"online": h.is_connected(user)}


@app.post("/rooms/:room/announce")
def announce(room: str, text: wtf.Body[str]) -> dict[str, bool]:
    """HTTP handlers reach the sockets through the Hub too."""
    hub.emit("message", room, {"from": "announcer", "text": text})
    return {"announced": True}


PAGE = """<!doctype html><meta charset="utf-8"><title>wtf chat</title>
<input id="text" placeholder="say something" autofocus><pre id="log"></pre>
<script>
const ws = new WebSocket(`ws://${location.host}/rt`, ["wtf.json"]);
let id = 0;
const call = (m, p) => ws.send(JSON.stringify({m, p, i: ++id}));
ws.onopen = () => call("$subscribe", {event: "message", channel: "lobby"});
ws.onmessage = (e) => {
  const msg = JSON.parse(e.data);
  if (msg.v === "message") log.textContent += `${msg.r.from}: ${msg.r.text}\\n`;
};
text.onkeydown = (e) => {
  if (e.key === "Enter") { call("chat.send", {room: "lobby", text: text.value}); text.value = ""; }
};
</script>"""


# The handler sets its own Content-Type, so its route says so to the OpenAPI document.
HTML_PAGE = {
    "description": "The chat page",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


@app.get("/", responses={200: HTML_PAGE})
def page(resp: wtf.Response) -> str:
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return PAGE
