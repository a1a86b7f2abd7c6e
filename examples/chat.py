"""Realtime chat: an echo WebSocket, and a Hub whose rooms are channels, for logged-in users.

    wtf serve examples.chat:app               # then open http://127.0.0.1:8000/ in two tabs
    websocat ws://127.0.0.1:8000/ws/echo      # the echo, with any WebSocket client

Who is who comes from a verified credential only: ``POST /login`` checks a name and password
(a name is claimed by the first password it is used with) and answers with a signed,
``HttpOnly``, ``SameSite=Strict`` cookie; the Hub binds each connection to the user its cookie
names, once the signature checks out (``@hub.on_connect``). Without a valid cookie a connection
is a guest: it may read rooms, not post, and ``send_user`` never reaches it. Set
``WTF_CHAT_SECRET`` to keep logins valid across restarts and workers.

The Hub speaks mego's wire format (``{"m": method, "p": params, "i": id}`` in, ``{"i", "r"}``
/ ``{"i", "e"}`` / events ``{"v", "c", "r"}`` out). Joining a room is ``$subscribe`` to the
``message`` event on the room's channel; rooms named ``staff-...`` are for the users in
``WTF_CHAT_STAFF`` (comma-separated). Without ``WTF_REDIS_URL`` the Hub delivers within one
process (``wtf serve`` runs one worker); with it, any number of workers and machines.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import wtf
from wtf.realtime import Call, Code, Hub, RateLimit, RedisBus, RPCError, Session

app = wtf.Server()

SECRET = os.environ.get("WTF_CHAT_SECRET", "").encode() or secrets.token_bytes(32)
STAFF = {name for name in os.environ.get("WTF_CHAT_STAFF", "").split(",") if name}
COOKIE = "chat_user"
LOGIN_DAYS = 7
_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
_passwords: dict[str, tuple[bytes, bytes]] = {}  # name -> (salt, scrypt hash); a real app: a DB
_passwords_lock = threading.Lock()


@app.websocket("/ws/echo")
def echo(ws: wtf.WebSocket) -> None:
    """Send every message back."""
    for message in ws:
        ws.send(message)


# Logging in: a password checked, then a signed cookie that names the user.


@dataclass
class Login:
    """The body of ``POST /login``: a name (letters, digits, ``_``, ``-``) and its password."""

    name: str
    password: str


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


def sign(name: str, expires: int) -> str:
    """The cookie value naming ``name`` until ``expires`` (a Unix time), signed."""
    payload = f"{name}|{expires}"
    mac = hmac.new(SECRET, payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}|{mac}"


def verified_user(cookie: str | None) -> str | None:
    """The user a cookie names, if its signature is ours and it has not expired."""
    name, _, rest = (cookie or "").partition("|")
    expires = rest.partition("|")[0]
    if not _NAME.fullmatch(name) or not (expires.isdigit() and len(expires) <= 12):
        return None
    if not hmac.compare_digest(sign(name, int(expires)), cookie or ""):
        return None
    return name if int(expires) > time.time() else None


@app.post("/login", responses={401: "Wrong name or password"})
def login(credentials: Login, resp: wtf.Response) -> dict[str, str]:
    """Log in (the first login with a name claims it): sets the signed cookie."""
    if not _NAME.fullmatch(credentials.name) or not 8 <= len(credentials.password) <= 200:
        raise wtf.HTTPError(422, "a name is 1-32 letters, digits, _ or -; a password 8-200 chars")
    with _passwords_lock:
        known = _passwords.get(credentials.name)
        if known is None:
            salt = secrets.token_bytes(16)
            known = _passwords[credentials.name] = (salt, _hash(credentials.password, salt))
    if not hmac.compare_digest(_hash(credentials.password, known[0]), known[1]):
        raise wtf.HTTPError(401, "wrong name or password")
    expires = int(time.time()) + LOGIN_DAYS * 86400
    resp.set_cookie(
        COOKIE,
        sign(credentials.name, expires),
        max_age=LOGIN_DAYS * 86400,
        httponly=True,  # page scripts cannot read it
        samesite="Strict",  # other sites' pages do not send it
        secure=os.environ.get("WTF_CHAT_HTTPS") == "1",  # behind HTTPS: never sent in clear
    )
    return {"name": credentials.name}


@dataclass(frozen=True)
class User:
    """The logged-in user of an HTTP request (401 without a valid login cookie)."""

    name: str


@app.arg_builder
def current_user(req: wtf.Request) -> User:
    """The user the request's login cookie names."""
    name = verified_user(req.cookies.get(COOKIE))
    if name is None:
        raise wtf.HTTPError(401, "log in first (POST /login)")
    return User(name)


# The Hub: connections bound to the user their cookie names.

# One worker delivers within itself (wtf serve runs one); with WTF_REDIS_URL set, every worker of
# every machine on that Redis is one hub (wtf serve examples.chat:app --workers 4).
REDIS_URL = os.environ.get("WTF_REDIS_URL")
hub = Hub(bus=RedisBus(REDIS_URL, prefix="chat") if REDIS_URL else None)
hub.use(RateLimit(20, period=10))  # per session: enough to chat, not to flood
hub.event("message")
hub.event("notice")


@hub.on_connect
def connected(session: Session) -> None:
    """Bind the session to the user of the upgrade request's login cookie, if valid."""
    assert session.context is not None
    name = verified_user(session.context.request.cookies.get(COOKIE))
    if name is not None:
        session.bind(name)


@hub.on_subscribe
def may_join(session: Session, event: str, channel: str, data: Any) -> bool:
    """Anyone joins a room; ``staff-*`` rooms are for the staff."""
    return not channel.startswith("staff-") or session.user_id in STAFF


@hub.method("chat.send")
def send(room: str, text: str, call: Call, session: Session) -> dict[str, bool]:
    """Send ``text`` to everyone in ``room`` (you must be logged in and have joined it)."""
    if session.user_id is None:
        raise RPCError(Code.NOT_AUTHORIZED, "log in to post (POST /login)")
    if ("message", room) not in session.subscriptions:
        return {"sent": False}
    message = {"from": session.user_id, "text": text[:2000]}
    call.emit_others("message", room, message)
    call.emit("message", message)  # your own copy (no channel: it is only for you)
    return {"sent": True}


app.websocket("/rt")(hub)


@app.arg_builder(scope="app")
def the_hub() -> Hub:
    """HTTP handlers get the Hub injected."""
    return hub


@app.post("/notify/:user", responses={401: "Not logged in"})
def notify(user: str, text: wtf.Body[str], me: User, h: Hub) -> dict[str, bool]:
    """Send ``text`` to every session of ``user`` (the ``notice`` event), from you."""
    h.send_user(user, "notice", {"from": me.name, "text": text[:2000]})
    return {"online": h.is_connected(user)}


@app.post("/rooms/:room/announce", responses={401: "Not logged in"})
def announce(room: str, text: wtf.Body[str], me: User) -> dict[str, bool]:
    """HTTP handlers reach the sockets through the Hub too."""
    hub.emit("message", room, {"from": me.name, "text": text[:2000]})
    return {"announced": True}


PAGE = """<!doctype html><meta charset="utf-8"><title>wtf chat</title>
<form id="who"><input id="name" placeholder="name" required>
<input id="password" type="password" placeholder="password (8+)" required>
<button>log in</button> <span id="status"></span></form>
<input id="text" placeholder="say something" disabled><pre id="log"></pre>
<script>
let ws, id = 0;
const call = (m, p) => ws.send(JSON.stringify({m, p, i: ++id}));
function connect() {
  ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/rt`,
                     ["wtf.json"]);  // the login cookie goes with the upgrade
  ws.onopen = () => call("$subscribe", {event: "message", channel: "lobby"});
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.v === "message") log.textContent += `${msg.r.from}: ${msg.r.text}\n`;
    if (msg.e) status.textContent = msg.e.m;
  };
}
who.onsubmit = async (e) => {
  e.preventDefault();
  const answer = await fetch("/login", {method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({name: name.value, password: password.value})});
  const body = await answer.json();
  status.textContent = answer.ok ? `logged in as ${body.name}` : body.detail;
  if (answer.ok) { text.disabled = false; text.focus(); if (ws) ws.close(); connect(); }
};
text.onkeydown = (e) => {
  if (e.key === "Enter") { call("chat.send", {room: "lobby", text: text.value}); text.value = ""; }
};
connect();  // a guest reads the lobby until logged in
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
