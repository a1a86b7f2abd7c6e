"""An app that does what careless apps do with input (reflects it into headers, cookies,
statuses, redirects; binds big and odd bodies), under a ConcurrencyLimit and with a generator
ArgBuilder, so fuzz tests can check that every request releases what it took."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import wtf
from wtf.midware import ConcurrencyLimit, Gzip

app = wtf.Server(msgpack=True)
limit = ConcurrencyLimit(1000)
app.add_midware(limit)
app.add_midware(Gzip(min_size=64))
_lock = threading.Lock()
#: Builders built and not torn down yet.
open_resources = 0


class Resource:
    """A pooled resource (a connection, say)."""


@app.arg_builder
def resource() -> Iterator[Resource]:
    global open_resources
    with _lock:
        open_resources += 1
    try:
        yield Resource()
    finally:
        with _lock:
            open_resources -= 1


@dataclass
class Item:
    name: str
    qty: int
    tags: list[str]


@app.get("/header")
def header(req: wtf.Request, r: Resource) -> tuple[str, int, dict[str, str]]:
    return "ok", 200, {"X-Echo": req.args.get("v", "")}


@app.get("/cookie")
def cookie(req: wtf.Request, resp: wtf.Response, r: Resource) -> str:
    resp.set_cookie("c", req.args.get("v", ""))
    return "ok"


@app.get("/status")
def status(r: Resource, code: int = 200) -> tuple[str, int]:
    return "x", code


@app.get("/redirect")
def redirect(req: wtf.Request, resp: wtf.Response, r: Resource) -> None:
    resp.redirect(req.args.get("to", "/"))


@app.get("/local")
def local(req: wtf.Request, resp: wtf.Response, r: Resource) -> None:
    resp.redirect(wtf.local_url(req.args.get("to")))


@app.post("/items")
def items(batch: wtf.Body[list[Item]], r: Resource) -> list[Item]:
    return batch


@app.post("/item")
def item(one: Item, r: Resource) -> Item:
    return one


@app.post("/json")
def json_echo(req: wtf.Request, r: Resource) -> Any:
    return {"got": req.json}


@app.post("/upload")
def upload(req: wtf.Request, r: Resource) -> dict[str, int]:
    return {name: len(f.read()) for name, f in req.files.items()}


@app.get("/stream")
def stream(req: wtf.Request, r: Resource, resp: wtf.Response) -> Iterator[str]:
    resp.headers["X-Stream"] = req.args.get("v", "")
    yield "a" * 100
    yield "b"
