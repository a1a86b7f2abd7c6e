"""Handler return values and the ``wtf.Response`` writer API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import werkzeug

import wtf
from wtf.testing import Client


def serve(handler: Callable[..., Any], method: str = "GET") -> werkzeug.test.TestResponse:
    app = wtf.Server()
    app.handle(handler, "/", "GET", "HEAD", "POST")
    return Client(app, validate=True).open("/", method=method)


def serve_query(handler: Callable[..., Any], query: dict[str, str]) -> werkzeug.test.TestResponse:
    app = wtf.Server()
    app.handle(handler, "/", "GET")
    return Client(app, validate=True).get("/", query_string=query)


def gen() -> Iterator[str]:
    yield "a"
    yield "b"


@pytest.mark.parametrize(
    ("returned", "status", "ctype", "body"),
    [
        pytest.param(None, 200, "text/plain; charset=utf-8", b"", id="none"),
        pytest.param("héllo", 200, "text/plain; charset=utf-8", "héllo".encode(), id="str"),
        pytest.param(b"\x00\x01", 200, "application/octet-stream", b"\x00\x01", id="bytes"),
        pytest.param({"a": [1, "é"]}, 200, "application/json", '{"a":[1,"é"]}'.encode(), id="dict"),
        pytest.param([1, 2], 200, "application/json", b"[1,2]", id="list"),
        pytest.param(("made", 201), 201, "text/plain; charset=utf-8", b"made", id="tuple-status"),
        pytest.param(
            ({"e": 1}, 422, {"X-A": "1"}), 422, "application/json", b'{"e":1}', id="tuple-headers"
        ),
        pytest.param(
            ("t", 202, [("Content-Type", "text/csv")]), 202, "text/csv", b"t", id="tuple-pairs"
        ),
        pytest.param(iter([b"x", b"y"]), 200, "application/octet-stream", b"xy", id="iterator"),
        pytest.param(gen(), 200, "text/plain; charset=utf-8", b"ab", id="generator"),
        pytest.param(
            werkzeug.Response("wz", status=203, mimetype="text/html"),
            203,
            "text/html; charset=utf-8",
            b"wz",
            id="werkzeug-response",
        ),
    ],
)
def test_return_values(returned: Any, status: int, ctype: str, body: bytes) -> None:
    response = serve(lambda: returned)
    assert (response.status_code, response.headers["Content-Type"], response.data) == (
        status,
        ctype,
        body,
    )


def test_tuple_headers_are_sent() -> None:
    response = serve(lambda: ("x", 200, {"X-Custom": "yes"}))
    assert response.headers["X-Custom"] == "yes"


def test_response_headers_kept_with_returned_body() -> None:
    def handler(resp: wtf.Response) -> dict[str, int]:
        resp.headers["X-Trace"] = "abc"
        resp.write_header(201)
        return {"ok": 1}

    response = serve(handler)
    assert (response.status_code, response.headers["X-Trace"], response.json) == (
        201,
        "abc",
        {"ok": 1},
    )


@pytest.mark.parametrize("code", [201, 202, 204, 404, 418])
def test_status_without_body_is_sent(code: int) -> None:
    def handler(resp: wtf.Response) -> None:
        resp.write_header(code)

    response = serve(handler)
    assert (response.status_code, response.data) == (code, b"")


def test_last_write_header_before_body_wins() -> None:
    def handler(resp: wtf.Response) -> None:
        resp.write_header(500)
        resp.write_header(202)
        assert resp.write("body") == 4
        resp.write_header(404)  # ignored: the body started
        assert resp.status == 202

    response = serve(handler)
    assert (response.status_code, response.data) == (202, b"body")


def test_write_string_and_json() -> None:
    def handler(resp: wtf.Response) -> None:
        resp.write_json({"k": "v"})

    assert serve(handler).headers["Content-Type"] == "application/json"

    def text(resp: wtf.Response) -> None:
        resp.write_string("a")
        resp.write_string("b")

    response = serve(text)
    assert (response.data, response.headers["Content-Length"]) == (b"ab", "2")


def test_write_stream() -> None:
    def handler(resp: wtf.Response) -> None:
        resp.headers["Content-Type"] = "text/event-stream"
        resp.write_stream(f"data: {i}\n\n" for i in range(3))

    response = serve(handler)
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.text == "data: 0\n\ndata: 1\n\ndata: 2\n\n"
    assert "Content-Length" not in response.headers


def test_redirect() -> None:
    def handler(resp: wtf.Response) -> None:
        resp.redirect("/ünïcode?x=1", 303)

    response = serve(handler)
    assert response.status_code == 303
    assert response.headers["Location"] == "/%C3%BCn%C3%AFcode?x=1"


@pytest.mark.parametrize("target", ["/\t/evil.com", "/\x00", "/a\nb", "/a\rb", "/ /x", "\x7f"])
def test_redirect_refuses_control_characters_instead_of_rewriting(
    target: str, caplog: pytest.LogCaptureFixture
) -> None:
    def handler(req: wtf.Request, resp: wtf.Response) -> None:
        resp.redirect(req.args["to"])

    response = serve_query(handler, {"to": target})
    assert response.status_code == 500 and "Location" not in response.headers
    assert "control characters" in caplog.text


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/notes/1?x=2#y", True),
        ("/", True),
        ("/%2F%2Fevil.com", True),  # still a path on this site
        ("//evil.com", False),
        ("/\\evil.com", False),
        ("/a\\b", False),
        ("https://evil.com/", False),
        ("javascript:alert(1)", False),
        ("evil.com", False),
        ("", False),
        ("/\t/evil.com", False),
        (None, False),
    ],
)
def test_local_url_keeps_only_paths_on_this_site(target: str | None, kept: bool) -> None:
    assert wtf.local_url(target, "/home") == (target if kept else "/home")


def test_redirect_rejects_non_redirect_status() -> None:
    def handler(resp: wtf.Response) -> None:
        resp.redirect("/x", 200)

    assert serve(handler).status_code == 500


def test_cookies() -> None:
    def handler(resp: wtf.Response) -> None:
        resp.set_cookie("sid", "a b;c", httponly=True, samesite="Lax")
        resp.delete_cookie("old")

    cookies = serve(handler).headers.getlist("Set-Cookie")
    assert cookies[0].startswith('sid="a b\\073c"') and "HttpOnly" in cookies[0]
    assert cookies[1].startswith("old=;") and "Max-Age=0" in cookies[1]


def test_header_with_newline_is_refused() -> None:
    def handler(resp: wtf.Response) -> str:
        resp.headers["X-Bad"] = "a\r\nSet-Cookie: evil=1"
        return "x"

    response = serve(handler)
    assert response.status_code == 500
    assert "evil" not in response.headers.get("Set-Cookie", "")


def test_unsupported_return_type_is_500() -> None:
    assert serve(lambda: 3.5).status_code == 500


def test_head_sends_headers_without_body() -> None:
    get = serve(lambda: "twelve bytes", "GET")
    head = serve(lambda: "twelve bytes", "HEAD")
    assert head.data == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"] == "12"
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_head_of_a_stream_sends_no_body() -> None:
    assert serve(lambda: iter([b"abc"]), "HEAD").data == b""


def test_context_values(app: wtf.Server, client: Client) -> None:
    @app.get("/")
    def handler(ctx: wtf.Context) -> dict[str, Any]:
        ctx.set("n", "12")
        ctx.set("flag", "On")
        ctx.set("f", 2)
        clone = ctx.clone()
        return {
            "int": clone.get_int("n"),
            "bad": ctx.get_int("flag", -1),
            "bool": ctx.get_bool("flag"),
            "float": ctx.get_float("f"),
            "str": ctx.get_str("f"),
            "missing": ctx.get("nope", "dflt"),
        }

    assert client.get("/").json == {
        "int": 12,
        "bad": -1,
        "bool": True,
        "float": 2.0,
        "str": "2",
        "missing": "dflt",
    }


@pytest.mark.parametrize(
    ("status", "length"),
    [(201, "0"), (202, "0"), (404, "0"), (204, None), (304, None)],
)
@pytest.mark.parametrize("how", ["tuple", "write_header"])
def test_an_empty_body_with_a_status_says_content_length_0(
    status: int, length: str | None, how: str
) -> None:
    def handler(resp: wtf.Response) -> tuple[None, int] | None:
        if how == "tuple":
            return None, status
        resp.write_header(status)
        return None

    response = serve(handler)
    assert response.status_code == status and response.data == b""
    assert response.headers.get("Content-Length") == length
    if length is None:
        assert "Content-Type" not in response.headers


@pytest.mark.parametrize("value", ["\x1f", "a\x00b", "\x7f", "é€", "a b;c", "\t"])
def test_cookie_values_round_trip_whatever_they_hold(value: str) -> None:
    from werkzeug.http import parse_cookie

    def handler(req: wtf.Request, resp: wtf.Response) -> str:
        resp.set_cookie("c", req.args["v"])
        return "ok"

    response = serve_query(handler, {"v": value})
    assert response.status_code == 200
    assert parse_cookie(response.headers["Set-Cookie"].split("; Path")[0])["c"] == value
