"""Realtime chat: a page, a Hub whose rooms are channels, presence, and no message lost.

    wtf serve examples.chat:app               # then open http://127.0.0.1:8000/ in two tabs
    websocat ws://127.0.0.1:8000/ws/echo      # the echo, with any WebSocket client

The page (``examples/chat_page/``: HTML, CSS and a script, no CDN) uses wtf's JavaScript client,
served by ``hub.client_route``: it logs in, joins rooms, shows who is in each, and after a
dropped connection reconnects by itself and receives the messages it missed (each room keeps
its last 200 messages: ``hub.event("message", history=200)``), none twice.

Who is who comes from a verified credential only: ``POST /login`` checks a name and password
(a name is claimed by the first password it is used with) and answers with a signed,
``HttpOnly``, ``SameSite=Strict`` cookie; the Hub binds each connection to the user its cookie
names, once the signature checks out (``@hub.on_connect``). Without a valid cookie a connection
is a guest: it may read rooms, not post, and ``send_user`` never reaches it. Set
``WTF_CHAT_SECRET`` to keep logins valid across restarts and workers.

Joining a room is subscribing to its ``message`` and ``presence`` events (the built-in
``$subscribe`` method); rooms named ``staff-...`` are for the users in ``WTF_CHAT_STAFF``
(comma-separated) and for whoever subscribes with the room password ``WTF_CHAT_STAFF_PASSWORD``
(``subscribe(..., {data: {password}})``). Without ``WTF_REDIS_URL`` the Hub delivers within one
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
from pathlib import Path
from typing import Annotated, Any, TypedDict

from annotated_types import MaxLen, MinLen

import wtf
from wtf.midware import CrossOrigin
from wtf.realtime import Code, Hub, RateLimit, RedisBus, RPCError, Session

app = wtf.Server()
# Sessions are cookies: refuse what another site's page would make a browser send (CSRF).
app.add_midware(CrossOrigin())

SECRET = os.environ.get("WTF_CHAT_SECRET", "").encode() or secrets.token_bytes(32)
STAFF = {name for name in os.environ.get("WTF_CHAT_STAFF", "").split(",") if name}
STAFF_PASSWORD = os.environ.get("WTF_CHAT_STAFF_PASSWORD", "")
PAGE_DIR = Path(__file__).parent / "chat_page"
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

    name: Annotated[str, wtf.Pattern(r"^[A-Za-z0-9_-]{1,32}$")]
    password: Annotated[str, MinLen(8), MaxLen(200)]


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

# A message as every client receives it ("from" is a Python keyword: the functional syntax).
ChatMessage = TypedDict("ChatMessage", {"from": str, "text": str, "at": int})


class Presence(TypedDict):
    """Who is in a room now (sent to the room when someone joins or leaves)."""

    room: str
    users: list[str]


Notice = TypedDict("Notice", {"from": str, "text": str})

# Each room keeps its last 200 messages for an hour: a page that reconnects gets what it missed.
hub.event("message", history=200, ttl=3600, data=ChatMessage)
hub.event("presence", data=Presence)
hub.event("notice", data=Notice)


def message(sender: str, text: str) -> ChatMessage:
    """A message from ``sender`` now (``at``: Unix milliseconds)."""
    return {"from": sender, "text": text[:2000], "at": int(time.time() * 1000)}


@hub.on_connect
def connected(session: Session) -> None:
    """Bind the session to the user of the upgrade request's login cookie, if valid."""
    assert session.context is not None
    name = verified_user(session.context.request.cookies.get(COOKIE))
    if name is not None:
        session.bind(name)


@hub.on_subscribe
def may_join(session: Session, event: str, channel: str, data: Any) -> bool:
    """Anyone joins a room; ``staff-*`` rooms are for the staff, or with the room password."""
    if not channel.startswith("staff-") or session.user_id in STAFF:
        return True
    given = data.get("password") if isinstance(data, dict) else None
    return (
        bool(STAFF_PASSWORD)
        and isinstance(given, str)
        and hmac.compare_digest(given.encode(), STAFF_PASSWORD.encode())
    )


@hub.method("chat.send")
def send(room: str, text: str, session: Session) -> dict[str, bool]:
    """Send ``text`` to everyone in ``room``, you included (you must be logged in and have
    joined it)."""
    if session.user_id is None:
        raise RPCError(Code.NOT_AUTHORIZED, "log in to post (POST /login)")
    if ("message", room) not in session.subscriptions:
        return {"sent": False}
    hub.emit("message", room, message(session.user_id, text))
    return {"sent": True}


@hub.method("chat.here")
def here(room: str, session: Session) -> list[str]:
    """Who is in ``room`` (logged-in users subscribed to it); tells the room too, so that
    everyone's list is current after a join or a leave."""
    users = sorted(hub.presence(room))
    hub.emit("presence", room, {"room": room, "users": users})
    return users


@hub.on_disconnect
def gone(session: Session) -> None:
    """Tell each room the user was in who is left."""
    for event, room in session.subscriptions:
        if event == "presence":
            hub.emit("presence", room, {"room": room, "users": sorted(hub.presence(room))})


app.websocket("/rt")(hub)
hub.client_route(app, "/wtf-realtime.js")  # the JavaScript client, for the page


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
    hub.emit("message", room, message(me.name, text))
    return {"announced": True}


@app.get("/me", responses={401: "Not logged in"})
def me(user: User) -> dict[str, str]:
    """Who the login cookie names (the page asks when it opens)."""
    return {"name": user.name}


# The page: static files (no CDN), its script imports the client from /wtf-realtime.js.
app.static("/static", PAGE_DIR)

# The handler sets its own Content-Type, so its route says so to the OpenAPI document.
HTML_PAGE = {
    "description": "The chat page",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


@app.get("/", responses={200: HTML_PAGE})
def page(resp: wtf.Response) -> bytes:
    """The chat page."""
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    resp.headers["Cache-Control"] = "no-cache"
    return (PAGE_DIR / "index.html").read_bytes()
