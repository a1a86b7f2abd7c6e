"""``wtf.Request``: the body, JSON, and handing the body on to werkzeug's parsers."""

from __future__ import annotations

import io
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

import wtf
from wtf.testing import Client


@pytest.fixture
def echo_client(app: wtf.Server) -> Client:
    @app.post("/json")
    def as_json(req: wtf.Request) -> dict[str, Any]:
        return {"json": req.json, "again": req.get_json()}

    @app.post("/silent")
    def silent(req: wtf.Request) -> dict[str, Any]:
        return {"json": req.get_json(silent=True)}

    @app.post("/data-then-form")
    def data_then_form(req: wtf.Request) -> dict[str, Any]:
        return {"data": req.get_data(as_text=True), "form": req.form.to_dict()}

    @app.post("/form-then-data")
    def form_then_data(req: wtf.Request) -> dict[str, Any]:
        return {"form": req.form.to_dict(), "data": req.get_data(as_text=True)}

    return Client(app, validate=True)


@pytest.mark.parametrize(
    ("data", "ctype", "status", "expected"),
    [
        pytest.param(b'{"a": [1, 2]}', "application/json", 200, {"a": [1, 2]}, id="json"),
        pytest.param(b'{"a": 1}', "application/json; charset=utf-8", 200, {"a": 1}, id="params"),
        pytest.param(b'{"a": 1}', "application/problem+json", 200, {"a": 1}, id="plus-json"),
        pytest.param(b"[1,", "application/json", 400, None, id="malformed"),
        pytest.param(b"", "application/json", 400, None, id="empty"),
        pytest.param(b'{"a": 1}', "text/plain", 415, None, id="not-json"),
        pytest.param(b"[" * 100_000, "application/json", 400, None, id="nested-too-deeply"),
        *(
            pytest.param(
                '{"a": "é€"}'.encode(codec), "application/json", 200, {"a": "é€"}, id=codec
            )
            for codec in ("utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be")
        ),
        pytest.param(b'{"a": "\xff"}', "application/json", 400, None, id="invalid-utf-8"),
        pytest.param(b'"\xed\xa0\x80"', "application/json", 400, None, id="raw-surrogate"),
        pytest.param(b'{"a": ["\\ud800"]}', "application/json", 422, None, id="lone-surrogate"),
        pytest.param(b'{"\\uDFFF": 1}', "application/json", 422, None, id="surrogate-key"),
        pytest.param(
            '"\ud800"'.encode("utf-16", "surrogatepass"),
            "application/json",
            422,
            None,
            id="utf-16-surrogate",
        ),
        pytest.param(b'"\\ud83d\\ude00"', "application/json", 200, "\U0001f600", id="pair"),
        pytest.param(b'\xef\xbb\xbf"x"', "application/json", 200, "x", id="utf-8-bom"),
    ],
)
def test_json_body(
    echo_client: Client, data: bytes, ctype: str, status: int, expected: object
) -> None:
    response = echo_client.post("/json", data=data, content_type=ctype)
    assert response.status_code == status
    if status == 200:
        assert response.json == {"json": expected, "again": expected}
    else:
        assert response.headers["Content-Type"] == "application/problem+json"
    silent = echo_client.post("/silent", data=data, content_type=ctype)
    assert silent.json == {"json": expected}


def test_body_then_form_and_form_then_body(echo_client: Client) -> None:
    form = {"a": "1", "b": "two"}
    first = echo_client.post("/data-then-form", data=form)
    assert first.json == {"data": "a=1&b=two", "form": form}
    second = echo_client.post("/form-then-data", data=form)
    assert second.json["form"] == form  # type: ignore[index]


def call(app: wtf.Server, environ: dict[str, Any]) -> tuple[str, bytes]:
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))  # type: ignore[arg-type,func-returns-value]
    return status[0], body


@pytest.mark.parametrize(
    ("length", "body", "status", "fragment"),
    [
        pytest.param("12", b"short", "400", b"ended before", id="truncated"),
        pytest.param("abc", b"x", "400", b"invalid Content-Length", id="bad-length"),
        pytest.param("-1", b"x", "400", b"invalid Content-Length", id="negative-length"),
    ],
)
def test_bad_lengths(length: str, body: bytes, status: str, fragment: bytes) -> None:
    app = wtf.Server()

    @app.post("/")
    def read(req: wtf.Request) -> bytes:
        return req.get_data()  # type: ignore[return-value]

    environ = EnvironBuilder("/", method="POST", data=b"").get_environ()
    environ.update(CONTENT_LENGTH=length, CONTENT_TYPE="text/plain")
    environ["wsgi.input"] = io.BytesIO(body)
    got_status, got_body = call(app, environ)
    assert got_status.startswith(status) and fragment in got_body


def test_chunked_body_read_to_the_end() -> None:
    app = wtf.Server()

    @app.post("/")
    def read(req: wtf.Request) -> bytes:
        return req.get_data()  # type: ignore[return-value]

    environ = EnvironBuilder("/", method="POST").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(b"streamed body")
    environ["wsgi.input_terminated"] = True
    assert call(app, environ) == ("200 OK", b"streamed body")
