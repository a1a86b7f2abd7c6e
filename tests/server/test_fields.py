"""Response fields RFC 9110 forbids are refused by wtf itself, and nothing leaks when they are."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

import wtf
from wtf.midware import CORS, ConcurrencyLimit

from ..strict import call

BAD_VALUES = ["\x01", "\x7f", "\x00", "a\rb", "a\nb", "caf\u20ac", "\x1f", "a\tb"]


class Conn:
    """Stands in for a pooled resource a builder hands out."""


def limited_app() -> tuple[wtf.Server, ConcurrencyLimit, list[str]]:
    app = wtf.Server()
    limit = ConcurrencyLimit(2)
    app.add_midware(limit)
    events: list[str] = []

    @app.arg_builder
    def conn() -> Iterator[Conn]:
        events.append("built")
        yield Conn()
        events.append("torn down")

    @app.get("/echo")
    def echo(req: wtf.Request, c: Conn) -> tuple[str, int, dict[str, str]]:
        return "ok", 200, {"X-Echo": req.args.get("v", "")}

    @app.get("/stream")
    def stream(req: wtf.Request, c: Conn, resp: wtf.Response) -> Iterator[str]:
        resp.headers["X-Echo"] = req.args.get("v", "")
        yield "a"
        yield "b"

    return app, limit, events


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("path", ["/echo", "/stream"])
def test_a_control_character_in_a_header_is_a_500_that_releases_everything(
    value: str, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    app, limit, events = limited_app()
    for _ in range(5):  # more than the limit: a leaked slot would turn these into 503s
        with caplog.at_level(logging.ERROR, "wtf"):
            seen = call(app, path, query_string={"v": value})
        assert seen.crashed is None and seen.refused == []
        assert seen.status == 500
        assert seen.header("Content-Type") == "application/problem+json"
        assert seen.header("X-Echo") is None
        assert "Traceback" not in seen.body.decode()
        assert limit.in_use == 0
    assert events == ["built", "torn down"] * 5
    assert "'X-Echo'" in caplog.text and "InvalidHeader" in caplog.text
    assert call(app, path, query_string={"v": "fine"}).status == 200


def test_a_bad_header_keeps_what_midware_set() -> None:
    app = wtf.Server()
    app.add_midware(CORS(["https://a.example"]))

    @app.get("/echo")
    def echo(ctx: wtf.Context) -> str:
        ctx.base_writer.set_header("X-Bad", "\x00")  # checked when the response goes out
        return "ok"

    seen = call(app, "/echo", headers={"Origin": "https://a.example"})
    assert seen.status == 500 and seen.header("Access-Control-Allow-Origin") == (
        "https://a.example"
    )


@pytest.mark.parametrize("name", ["X Bad", "X:Bad", "", "X\x00"])
def test_a_header_name_that_is_not_a_token_is_refused(name: str) -> None:
    app = wtf.Server()

    @app.get("/")
    def index(resp: wtf.Response) -> str:
        resp.headers.add(name, "v")
        return "ok"

    seen = call(app, "/")
    assert (seen.status, seen.crashed, seen.refused) == (500, None, [])


def test_latin1_and_spaces_in_values_go_out() -> None:
    app = wtf.Server()

    @app.get("/")
    def index() -> tuple[str, int, dict[str, str]]:
        return "ok", 200, {"X-Text": "caf\xe9 au lait ~!"}

    seen = call(app, "/")
    assert (seen.status, seen.header("X-Text")) == (200, "caf\xe9 au lait ~!")


@pytest.mark.parametrize("status", [42, 99, 100, 101, 199, 600, 1000, -200, True])
def test_a_returned_status_outside_100_to_599_is_a_logged_500(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    app = wtf.Server()

    @app.get("/")
    def index() -> tuple[str, int]:
        return "x", status

    with caplog.at_level(logging.ERROR, "wtf"):
        seen = call(app, "/")
    assert (seen.status, seen.crashed, seen.refused) == (500, None, [])
    assert json.loads(seen.body)["status"] == 500
    assert "a response status is an int from 200 to 599" in caplog.text


@pytest.mark.parametrize("path", ["/echo", "/stream"])  # a body sent whole, and a stream
def test_a_server_that_refuses_anyway_gets_no_second_start_response(path: str) -> None:
    """If start_response raises despite wtf's checks, teardowns and slots are released once
    and the exception reaches the server (which then answers itself)."""
    app, limit, events = limited_app()

    def refusing(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        calls.append(status)
        raise RuntimeError("the server refused")

    for _ in range(3):
        calls: list[str] = []
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "v=ok",
            "wsgi.input": None,
        }
        with pytest.raises(BaseException) as raised:
            app(environ, refusing)
        assert isinstance(raised.value.__cause__, RuntimeError)
        assert len(calls) == 1
        assert limit.in_use == 0
    assert events == ["built", "torn down"] * 3
