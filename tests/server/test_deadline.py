"""Request deadlines: Server(timeout=), route timeout=, the Request-Timeout header."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

import pytest

import wtf
from wtf.testing import Client


def make_app(**kwargs: Any) -> wtf.Server:
    app = wtf.Server(**kwargs)

    @app.get("/left")
    def left(deadline: wtf.Deadline) -> dict[str, Any]:
        remaining = deadline.remaining()
        return {"bounded": deadline.bounded, "left": None if math.isinf(remaining) else remaining}

    @app.get("/short", timeout=0.25)
    def short(deadline: wtf.Deadline) -> dict[str, Any]:
        return {"left": deadline.remaining()}

    @app.get("/late", timeout=0.05)
    def late(deadline: wtf.Deadline) -> str:
        time.sleep(0.1)
        deadline.check()
        return "never"

    @app.get("/stream")
    def stream(deadline: wtf.Deadline) -> Iterator[str]:
        yield f"bounded={deadline.bounded}"

    @app.get("/stream-timed", timeout=30)
    def stream_timed(deadline: wtf.Deadline) -> Iterator[str]:
        yield f"bounded={deadline.bounded}"

    return app


def left(response: Any) -> float:
    assert response.status_code == 200, response.text
    return float(response.json["left"])


def test_no_timeout_means_no_deadline() -> None:
    response = Client(make_app(), validate=True).get("/left")
    assert response.json == {"bounded": False, "left": None}


@pytest.mark.parametrize(
    ("server", "path", "header", "ceiling"),
    [
        pytest.param(5.0, "/left", None, 5.0, id="server"),
        pytest.param(5.0, "/short", None, 0.25, id="route-lower"),
        pytest.param(0.1, "/short", None, 0.1, id="server-lower"),
        pytest.param(5.0, "/left", "0.5", 0.5, id="header-lowers"),
        pytest.param(5.0, "/left", "60", 5.0, id="header-cannot-raise"),
        pytest.param(None, "/left", "2", 2.0, id="header-alone"),
        pytest.param(None, "/short", "9", 0.25, id="route-with-header"),
    ],
)
def test_lowest_budget_wins(
    server: float | None, path: str, header: str | None, ceiling: float
) -> None:
    client = Client(make_app(timeout=server), validate=True)
    headers = {"Request-Timeout": header} if header else {}
    remaining = left(client.get(path, headers=headers))
    assert 0 < remaining <= ceiling


def test_check_after_the_deadline_is_a_504() -> None:
    response = Client(make_app(), validate=True).get("/late")
    assert response.status_code == 504
    assert response.json["detail"] == "the request's deadline passed before it was answered"  # type: ignore[index]


def test_zero_header_expires_before_the_handler() -> None:
    response = Client(make_app(), validate=True).get("/left", headers={"Request-Timeout": "0"})
    assert response.status_code == 504


@pytest.mark.parametrize(
    "bad", ["soon", "-1", "nan", "inf", "1e999", "", "1_0", "+1", " 1", "1 ", "1e1", "\u0661"]
)
def test_malformed_header_is_a_400(bad: str) -> None:
    response = Client(make_app(), validate=True).get("/left", headers={"Request-Timeout": bad})
    assert response.status_code == 400
    assert "invalid Request-Timeout" in response.json["detail"]  # type: ignore[index]


def test_streams_are_exempt_unless_their_route_says_otherwise() -> None:
    client = Client(make_app(timeout=0.01), validate=True)
    assert client.get("/stream", headers={"Request-Timeout": "0"}).text == "bounded=False"
    assert client.get("/stream-timed").text == "bounded=True"


def test_midware_time_counts_and_the_handler_is_not_called_after_it() -> None:
    app = wtf.Server(timeout=0.05)
    called: list[str] = []

    def slow_midware(ctx: wtf.Context) -> wtf.Context:
        time.sleep(0.1)
        return ctx

    @app.get("/x")
    def x() -> str:
        called.append("x")
        return "x"

    app.add_midware(slow_midware)
    response = Client(app, validate=True).get("/x")
    assert response.status_code == 504
    assert called == []


def test_midware_can_read_the_deadline_before_routing() -> None:
    app = wtf.Server(timeout=3)
    seen: list[float] = []

    def remember(ctx: wtf.Context) -> wtf.Context:
        seen.append(ctx.deadline.remaining())
        return ctx

    app.add_midware(remember)

    @app.get("/x", timeout=1)
    def x(ctx: wtf.Context) -> str:
        return f"{ctx.deadline.remaining() <= 1}"

    assert Client(app, validate=True).get("/x").text == "True"  # the route's own applies
    assert 0 < seen[0] <= 3


@pytest.mark.parametrize("bad", [0, -1, "5", True, math.inf, math.nan])
def test_bad_timeouts_are_registration_errors(bad: Any) -> None:
    with pytest.raises(wtf.RegistrationError, match="positive number of seconds"):
        wtf.Server(timeout=bad)
    app = wtf.Server()
    with pytest.raises(wtf.RegistrationError, match=r"timeout of /x must be a positive number"):
        app.get("/x", timeout=bad)(lambda: "x")
