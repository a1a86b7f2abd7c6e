"""The same app answers the same with and without midware and afterware.

wtf has a fast path for requests without midware; everything a user can observe must be the
same on both. Each case runs against the app as is, with a no-op midware, with a no-op
afterware, and with both.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import wtf
from wtf.testing import Client


class Slow:
    """A resource whose builder takes longer than the server's budget."""


class Budget:
    """Built from the Deadline and the Server (framework types are injectable in builders)."""

    def __init__(self, bounded: bool, debug: bool) -> None:
        self.bounded = bounded
        self.debug = debug


@dataclass
class Item:
    name: str
    qty: int


def build(variant: str) -> wtf.Server:
    app = wtf.Server(timeout=0.2)

    @app.arg_builder
    def slow() -> Slow:
        time.sleep(0.3)
        return Slow()

    @app.arg_builder
    def budget(deadline: wtf.Deadline, server: wtf.Server) -> Budget:
        return Budget(deadline.bounded, server.debug)

    @app.get("/hello/:who")
    def hello(who: str) -> str:
        return f"hi {who}"

    @app.get("/slow")
    def slow_handler(s: Slow, deadline: wtf.Deadline) -> str:
        deadline.check()
        return "in time"

    @app.get("/budget")
    def budget_handler(b: Budget) -> dict[str, bool]:
        return {"bounded": b.bounded, "debug": b.debug}

    @app.get("/tuple")
    def tuple_handler(ctx: wtf.Context) -> tuple[str, int, dict[str, str]]:
        return "made", 201, {"X-Made": "1"}

    @app.get("/status-only")
    def status_only() -> tuple[None, int]:
        return None, 201

    @app.get("/empty")
    def empty() -> tuple[str, int]:
        return "", 204

    @app.get("/stream")
    def stream() -> Iterator[str]:
        yield "a"
        yield "b"

    @app.get("/fail")
    def fail() -> str:
        raise RuntimeError("boom")

    @app.post("/items")
    def items(item: Item) -> Item:
        return item

    if variant in ("midware", "both"):
        app.add_midware(lambda ctx: ctx)
    if variant in ("afterware", "both"):

        def after(ctx: wtf.Context) -> None:
            return None

        app.add_afterware(after)
    return app


CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/hello/ann", {}),
    ("HEAD", "/hello/ann", {}),
    ("DELETE", "/hello/ann", {}),
    ("OPTIONS", "/hello/ann", {}),
    ("GET", "/nope", {}),
    ("GET", "/hello/ann", {"headers": {"Request-Timeout": "0"}}),
    ("GET", "/hello/ann", {"headers": {"Request-Timeout": "soon"}}),
    ("GET", "/slow", {}),
    ("GET", "/budget", {}),
    ("GET", "/tuple", {}),
    ("GET", "/status-only", {}),
    ("GET", "/empty", {}),
    ("GET", "/stream", {}),
    ("GET", "/fail", {}),
    ("POST", "/items", {"json": {"name": "pen", "qty": 2}}),
    ("POST", "/items", {"json": {"name": 1}}),
    ("POST", "/items", {"data": b"{", "content_type": "application/json"}),
]
VARIANTS = ["plain", "midware", "afterware", "both"]
APPS = {variant: Client(build(variant), validate=True) for variant in VARIANTS}


def answer(variant: str, method: str, path: str, options: dict[str, Any]) -> tuple[Any, ...]:
    response = APPS[variant].open(path, method=method, **options)
    return response.status_code, sorted(response.headers.items()), response.data


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("method", "path", "options"), CASES, ids=[f"{m}{p}" for m, p, _ in CASES])
def test_every_path_answers_the_same(method: str, path: str, options: dict[str, Any]) -> None:
    plain = answer("plain", method, path, options)
    for variant in VARIANTS[1:]:
        assert answer(variant, method, path, options) == plain, variant


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_deadline_counts_from_arrival(variant: str) -> None:
    """A builder that takes longer than the budget: 504 on every path (the clock started when
    the request arrived, not when the deadline was first asked for)."""
    assert APPS[variant].get("/slow").status_code == 504
    assert APPS[variant].get("/hello/a", headers={"Request-Timeout": "0"}).status_code == 504


def test_builders_take_the_deadline_and_the_server() -> None:
    assert APPS["plain"].get("/budget").json == {"bounded": True, "debug": False}
