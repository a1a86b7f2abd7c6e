"""HTTP semantics and errors: 404, 405, OPTIONS, HTTPError, 500, on_error, problem+json."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

import wtf
from wtf.testing import Client

from .helpers import Session, track_sessions


def make_app(debug: bool = False) -> wtf.Server:
    app = wtf.Server(debug=debug)

    @app.get("/items/:id")
    def show(id: int) -> dict[str, int]:
        return {"id": id}

    @app.post("/items/:id")
    def update(id: int) -> str:
        return "updated"

    @app.get("/teapot")
    def teapot() -> str:
        raise wtf.HTTPError(418, "short and stout", {"X-Pot": "1"})

    @app.get("/boom")
    def boom() -> str:
        secret = "s3cr3t-in-local"
        raise RuntimeError(f"exploded with {secret}")

    return app


@pytest.fixture
def c() -> Client:
    return Client(make_app(), validate=True)


def test_404_problem_json(c: Client) -> None:
    response = c.get("/nothing/here")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no route for /nothing/here",
    }


@pytest.mark.parametrize(
    ("accept", "ctype"),
    [
        pytest.param(None, "application/problem+json", id="no-accept"),
        pytest.param("*/*", "application/problem+json", id="any"),
        pytest.param("application/json", "application/problem+json", id="json"),
        pytest.param("text/plain", "text/plain; charset=utf-8", id="text"),
        pytest.param(
            "text/html,application/xhtml+xml,*/*;q=0.8", "text/plain; charset=utf-8", id="browser"
        ),
        pytest.param("application/json;q=0.5, text/plain", "text/plain; charset=utf-8", id="q"),
    ],
)
def test_error_format_follows_accept(c: Client, accept: str | None, ctype: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = c.get("/nothing", headers=headers)
    assert response.headers["Content-Type"] == ctype
    if ctype.startswith("text/"):
        assert response.text == "404 Not Found: no route for /nothing\n"


def test_405_with_allow(c: Client) -> None:
    response = c.delete("/items/1")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert response.json["detail"] == "DELETE is not allowed for /items/1"  # type: ignore[index]


def test_automatic_options(c: Client) -> None:
    response = c.options("/items/1")
    assert (response.status_code, response.headers["Allow"], response.data) == (
        204,
        "GET, HEAD, OPTIONS, POST",
        b"",
    )
    assert c.options("/nothing").status_code == 404


def test_explicit_options_route_wins(app: wtf.Server, client: Client) -> None:
    @app.options("/x")
    def opts() -> tuple[str, int]:
        return "custom", 200

    assert client.options("/x").text == "custom"


def test_head_runs_get_and_explicit_head_wins(app: wtf.Server, client: Client) -> None:
    calls: list[str] = []

    @app.get("/a")
    def get_a(resp: wtf.Response) -> str:
        calls.append("get")
        resp.headers["X-From"] = "get"
        return "body"

    @app.get("/b")
    def get_b() -> str:
        return "b"

    @app.head("/b")
    def head_b(resp: wtf.Response) -> None:
        calls.append("head")
        resp.headers["X-From"] = "head"

    assert client.head("/a").headers["X-From"] == "get"
    assert client.head("/b").headers["X-From"] == "head"
    assert calls == ["get", "head"]


def test_http_error(c: Client) -> None:
    response = c.get("/teapot")
    assert response.status_code == 418
    assert response.headers["X-Pot"] == "1"
    assert response.json["detail"] == "short and stout"  # type: ignore[index]


def test_500_leaks_nothing_and_is_logged(c: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="wtf"):
        response = c.get("/boom")
    assert response.status_code == 500
    assert "s3cr3t" not in response.text and "Traceback" not in response.text
    assert response.json["title"] == "Internal Server Error"  # type: ignore[index]
    record = caplog.records[-1]
    assert record.name == "wtf" and record.exc_info is not None
    assert "GET /boom" in record.getMessage()
    assert c.get("/items/3").json == {"id": 3}  # still serving


def test_debug_shows_the_traceback() -> None:
    response = Client(make_app(debug=True), validate=True).get("/boom")
    assert response.status_code == 500
    assert "Traceback" in response.json["detail"] and "s3cr3t" in response.json["detail"]  # type: ignore[index]


def test_error_written_after_partial_body_replaces_it(app: wtf.Server, client: Client) -> None:
    @app.get("/half")
    def half(resp: wtf.Response) -> None:
        resp.headers["Content-Type"] = "text/csv"
        resp.write("a,b\n")
        raise wtf.HTTPError(409, "conflict")

    response = client.get("/half")
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "a,b" not in response.text


class Oops(Exception):
    """A user exception with an error handler."""


class SubOops(Oops):
    """Handled by the base class's handler."""


def test_on_error(app: wtf.Server, client: Client) -> None:
    @app.on_error(Oops)
    def handle_oops(exc: Oops, req: wtf.Request) -> tuple[dict[str, str], int]:
        return {"error": str(exc), "path": req.path}, 409

    @app.get("/sub")
    def sub() -> str:
        raise SubOops("taken")

    response = client.get("/sub")
    assert (response.status_code, response.json) == (409, {"error": "taken", "path": "/sub"})


def test_on_error_handler_failing_is_500(app: wtf.Server, client: Client) -> None:
    @app.on_error(Oops)
    def handle_oops(exc: Oops) -> str:
        raise ValueError("handler broke")

    @app.get("/x")
    def x() -> str:
        raise Oops

    assert client.get("/x").status_code == 500


def test_invalid_utf8_path_is_400(app: wtf.Server) -> None:
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder("/").get_environ()
    environ["PATH_INFO"] = b"/\xff\xfe".decode("latin-1")
    captured: list[str] = []
    body = b"".join(app(environ, lambda status, headers, exc=None: captured.append(status)))  # type: ignore[arg-type,return-value,func-returns-value]
    assert captured == ["400 Bad Request"]
    assert b"not valid UTF-8" in body


def test_utf8_path_is_decoded(app: wtf.Server, client: Client) -> None:
    @app.get("/café/:x")
    def cafe(x: str) -> str:
        return x

    assert client.get("/caf%C3%A9/cr%C3%A8me").text == "crème"


@pytest.mark.parametrize(
    ("body", "ctype", "status"),
    [
        pytest.param(b"{not json", "application/json", 400, id="malformed-json"),
        pytest.param(b"a=1", "application/x-www-form-urlencoded", 415, id="not-json"),
    ],
)
def test_werkzeug_http_exceptions_keep_their_status(
    app: wtf.Server, client: Client, body: bytes, ctype: str, status: int
) -> None:
    @app.post("/j")
    def j(req: wtf.Request) -> dict[str, object]:
        return {"got": req.json}

    response = client.post("/j", data=body, content_type=ctype)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "Traceback" not in response.text


def test_stream_failing_midway_ends_the_body_logs_and_tears_down(
    app: wtf.Server, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = track_sessions(app)

    @app.get("/feed")
    def feed(s: Session) -> Iterator[str]:
        yield "first\n"
        raise RuntimeError("feed broke")

    with caplog.at_level(logging.ERROR, logger="wtf"):
        response = client.get("/feed")
    assert (response.status_code, response.data) == (200, b"first\n")  # headers were sent
    assert any("RuntimeError" in r.getMessage() for r in caplog.records)
    assert sessions[0].closed
    assert client.get("/nope").status_code == 404  # still serving


def test_debug_is_off_by_default_whatever_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("WTF_DEBUG", "FLASK_DEBUG", "DEBUG", "PYTHONDEVMODE"):
        monkeypatch.setenv(name, "1")
    app = make_app()
    assert app.debug is False
    response = Client(app, validate=True).get("/boom")
    assert "Traceback" not in response.text and "s3cr3t" not in response.text


class SubSubOops(SubOops):
    """Two levels below Oops."""


def test_the_most_specific_error_handler_wins_whatever_the_order(
    app: wtf.Server, client: Client
) -> None:
    @app.on_error(Exception)
    def anything(exc: Exception) -> tuple[str, int]:
        return "exception", 500

    @app.on_error(Oops)
    def base(exc: Oops) -> tuple[str, int]:
        return "oops", 409

    @app.on_error(SubOops)
    def sub(exc: SubOops) -> tuple[str, int]:
        return "sub", 410

    @app.get("/:which")
    def raiser(which: str) -> str:
        raise {"sub": SubOops, "subsub": SubSubOops, "base": Oops, "other": KeyError}[which]()

    assert client.get("/sub").text == "sub"  # registered after its base: still wins
    assert client.get("/subsub").text == "sub"  # the nearest class up its MRO
    assert client.get("/base").text == "oops"
    assert client.get("/other").text == "exception"


def test_error_handlers_for_http_errors_run_with_the_errors_status(
    app: wtf.Server, client: Client
) -> None:
    @app.on_error(wtf.HTTPError)
    def http_error(exc: wtf.HTTPError) -> dict[str, object]:
        return {"oops": exc.status, "why": exc.message}

    @app.on_error(wtf.ValidationError)
    def invalid(exc: wtf.ValidationError) -> dict[str, object]:
        return {"fields": [e["loc"] for e in exc.errors]}

    @app.on_error(Oops)
    def oops(exc: Oops) -> str:
        return "handled"  # a body only: the status stays the error's, 500

    @app.get("/n/:n")
    def number(n: int, page: int = 1) -> str:
        return str(n)

    @app.get("/teapot")
    def teapot() -> str:
        raise wtf.HTTPError(418, "short and stout", {"Retry-After": "5"})

    @app.get("/oops")
    def raise_oops() -> str:
        raise Oops

    missing = client.get("/nowhere")
    assert (missing.status_code, missing.json) == (
        404,
        {"oops": 404, "why": "no route for /nowhere"},
    )
    teapot_answer = client.get("/teapot")
    assert (teapot_answer.status_code, teapot_answer.headers["Retry-After"]) == (418, "5")
    bad = client.get("/n/1?page=x")
    assert (bad.status_code, bad.json) == (422, {"fields": [["query", "page"]]})
    not_int = client.get("/n/abc")
    assert not_int.json == {"oops": 404, "why": "no route for /n/abc: 'abc' is not an int"}
    assert (client.get("/oops").status_code, client.get("/oops").text) == (500, "handled")


def test_a_handler_for_exception_does_not_catch_http_errors(
    app: wtf.Server, client: Client
) -> None:
    @app.on_error(Exception)
    def anything(exc: Exception) -> tuple[str, int]:
        return "caught", 500

    assert client.get("/nowhere").status_code == 404
    assert client.get("/nowhere").json["detail"] == "no route for /nowhere"  # type: ignore[index]
