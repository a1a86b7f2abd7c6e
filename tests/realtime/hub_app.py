"""Hubs for the Hub tests (in-process and live)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypedDict

import pydantic

import wtf
from wtf.realtime import AccessLog, Call, File, Hub, RateLimit, RequestLimit, RPCError, Session

LOG: list[str] = []
_log_lock = threading.Lock()


def record(line: str) -> None:
    with _log_lock:
        LOG.append(line)


@dataclass
class Point:
    x: int
    y: int = 0


class Query(TypedDict):
    text: str
    limit: int


class User(pydantic.BaseModel):
    name: str
    age: int


class Meter:
    """Built per call by a generator ArgBuilder; its teardown runs after the call."""

    def __init__(self, n: int) -> None:
        self.n = n


app = wtf.Server()
_meters = iter(range(1_000_000))


@app.arg_builder
def meter() -> Iterator[Meter]:
    made = Meter(next(_meters))
    record(f"meter {made.n} built")
    yield made
    record(f"meter {made.n} torn down")


hub = Hub()
hub.event("message")
hub.event("notice")


@hub.method("add")
def add(a: int, b: int = 2) -> int:
    return a + b


@hub.method("shapes")
def shapes(point: Point, query: Query, user: User) -> dict[str, Any]:
    return {"point": [point.x, point.y], "query": query, "user": user.name}


@hub.method("who")
def who(session: Session, call: Call, h: Hub, ctx: wtf.Context, m: Meter) -> dict[str, Any]:
    return {
        "session": session.id,
        "call": call.id,
        "same_hub": h is hub,
        "path": ctx.path,
        "meter": m.n,
    }


@hub.method("chat.send")
def chat_send(room: str, text: str, call: Call, session: Session) -> dict[str, bool]:
    call.emit_others("message", room, {"from": session.id, "text": text})
    return {"sent": True}


@hub.method("echo.me")
def echo_me(text: str, call: Call) -> None:
    call.emit("notice", {"text": text})


@hub.method("fail")
def fail(code: int) -> None:
    if code:
        raise RPCError(code, "refused on purpose", {"why": "testing"})
    raise RuntimeError("a secret detail")


@hub.method("note")
def note(text: str) -> None:
    record(f"note {text}")


@hub.method("mark")
def mark(even: bool, session: Session) -> None:
    session.set("even", even)


@hub.method("unserializable")
def unserializable() -> object:
    return object()


@hub.method("undeclared")
def undeclared(h: Hub) -> None:
    h.emit("nobody-declared-this", "x", None)


@hub.on_subscribe
def may_subscribe(session: Session, event: str, channel: str, data: Any) -> bool:
    return channel != "secret" or data == "password"


@hub.filter("even")
def even(session: Session) -> bool:
    return bool(session.get("even"))


@hub.no_method
def fallback(call: Call, params: dict[str, Any] | None) -> Any:
    if call.method.startswith("legacy."):
        return {"legacy": call.method, "params": params}
    raise RPCError(-1004, f"no method {call.method!r}")


app.websocket("/rt")(hub)


@app.post("/emit/:channel")
def emit_from_http(channel: str, text: wtf.Body[str]) -> dict[str, bool]:
    hub.emit("message", channel, {"text": text, "from": "http"})
    return {"emitted": True}


@app.post("/emit-filter/:channel")
def emit_filtered(channel: str, text: wtf.Body[str]) -> dict[str, bool]:
    hub.emit_filter("message", channel, {"text": text}, "even")
    return {"emitted": True}


@app.post("/emit-to")
def emit_to(ids: wtf.Body[list[str]]) -> dict[str, bool]:
    hub.emit_to("notice", None, {"direct": True}, ids)
    return {"emitted": True}


limited = Hub()
limited.use(RateLimit(3, period=60))
limited.use(RequestLimit(1))


@limited.method("ping")
def ping() -> str:
    return "pong"


@limited.method("boom")
def boom() -> str:
    raise RuntimeError("failed inside its slot")


@limited.method("slow")
def slow(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


app.websocket("/rt-limited")(limited)

# One count per team (a query parameter here: a real app would key on a verified user).
per_team = Hub()
per_team.use(
    RateLimit(
        2,
        period=0.6,
        key=lambda call: call.session.context.request.args["team"] if call.session.context else "",
    )
)


@per_team.method("ping")
def team_ping() -> str:
    return "pong"


app.websocket("/rt-team")(per_team)


concurrent = Hub(concurrency=4)


@concurrent.method("sleep")
def sleep(seconds: float, tag: str) -> str:
    time.sleep(seconds)
    return tag


@concurrent.method("boom")
def concurrent_boom() -> str:
    raise RuntimeError("failed inside its concurrency slot")


app.websocket("/rt-concurrent")(concurrent)

ordered = Hub()
ordered.method("sleep")(sleep)
app.websocket("/rt-ordered")(ordered)

late = Hub(handshake_timeout=0.3)
late.method("ping")(ping)
app.websocket("/rt-handshake")(late)

single = Hub(max_sessions=1)
single.method("ping")(ping)
app.websocket("/rt-one")(single)


@app.get("/hello")
def hello() -> str:
    return "Hello"


uploads = Hub(max_chunk_size=1024, max_file_size=4096)
SEEN_PATHS: list[str] = []


@uploads.method("save")
def save(doc: File, title: str = "") -> dict[str, Any]:
    SEEN_PATHS.append(doc.path)
    data = doc.read_bytes()
    return {"title": title, "name": doc.name, "size": doc.size, "sum": sum(data) % 65521}


@uploads.method("many")
def many(parts: list[File]) -> list[list[Any]]:
    SEEN_PATHS.extend(p.path for p in parts)
    return [[p.name, p.size] for p in parts]


app.websocket("/rt-files")(uploads)


logged = Hub(max_message_size=256)
logged.use(AccessLog())
logged.method("ping")(ping)
logged.method("fail")(fail)
app.websocket("/rt-logged")(logged)


# Uploads under caps and midware (the worker's temporary files are counted by the tests).
guarded = Hub(
    max_chunk_size=1 << 20,
    max_file_size=4 << 20,
    max_uploads=4,
    max_upload_bytes=3 << 20,
    max_worker_upload_bytes=5 << 20,
)
guarded.use(RateLimit(12, 60))
guarded.method("save")(save)
guarded.method("ping")(ping)
app.websocket("/rt-guarded")(guarded)
