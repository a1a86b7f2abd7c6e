"""Request limits: 413 before reading, 414, too many query parameters, form parts."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

import wtf
from wtf.testing import Client


def small_app(**kwargs: Any) -> wtf.Server:
    app = wtf.Server(**kwargs)

    @app.post("/body")
    def body(req: wtf.Request) -> str:
        return str(len(req.get_data()))

    @app.post("/form")
    def form(req: wtf.Request) -> str:
        return str(len(req.form))

    @app.get("/q")
    def q(req: wtf.Request) -> str:
        return str(len(req.args))

    @app.get("/*")
    def anything() -> str:
        return "ok"

    return app


class Unreadable(io.RawIOBase):
    """A body stream that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body was read")


def call(app: wtf.Server, environ: dict[str, Any]) -> tuple[str, bytes]:
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))  # type: ignore[arg-type,func-returns-value]
    return status[0], body


def test_body_over_limit_is_refused_before_reading() -> None:
    environ = EnvironBuilder("/body", method="POST").get_environ()
    environ["CONTENT_LENGTH"] = str(2 << 20)
    environ["wsgi.input"] = Unreadable()
    status, body = call(small_app(), environ)
    assert status == "413 Request Entity Too Large"
    assert b"over 1048576 bytes" in body


@pytest.mark.parametrize(("size", "status"), [(1000, 200), (1001, 413)])
def test_max_body_size_shortcut(size: int, status: int) -> None:
    client = Client(small_app(max_body_size=1000), validate=True)
    assert client.post("/body", data=b"x" * size).status_code == status


def test_chunked_body_over_limit() -> None:
    environ = EnvironBuilder("/body", method="POST").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(b"x" * 2000)
    environ["wsgi.input_terminated"] = True
    status, _ = call(small_app(limits=wtf.Limits(max_body_size=1000)), environ)
    assert status.startswith("413")


def multipart(fields: int) -> dict[str, Any]:
    data: dict[str, Any] = {str(i): "v" for i in range(fields)}
    data["file"] = (io.BytesIO(b"content"), "f.txt")  # a file makes it multipart
    return data


def test_multipart_over_form_parts() -> None:
    client = Client(small_app(limits=wtf.Limits(max_form_parts=5)), validate=True)
    assert client.post("/form", data=multipart(4)).text == "4"  # 4 fields + 1 file
    assert client.post("/form", data=multipart(5)).status_code == 413


@pytest.mark.parametrize(("extra", "status"), [(0, 200), (1, 414)])
def test_url_length(extra: int, status: int) -> None:
    app = small_app(limits=wtf.Limits(max_url_length=100))
    path = "/" + "a" * 90  # 91 characters + QUERY_STRING "x=1234567" (9) = 100
    response = Client(app, validate=True).get(path + "?x=1234567" + "8" * extra)
    assert response.status_code == status
    if status == 414:
        assert "over 100 characters" in response.json["detail"]  # type: ignore[index]


@pytest.mark.parametrize(("count", "status"), [(10, 200), (11, 400)])
def test_query_params(count: int, status: int) -> None:
    app = small_app(limits=wtf.Limits(max_query_params=10))
    query = "&".join(f"p{i}=v" for i in range(count))
    response = Client(app, validate=True).get(f"/q?{query}")
    assert response.status_code == status
    if status == 200:
        assert response.text == str(count)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_limits_must_be_positive_ints(bad: object) -> None:
    with pytest.raises(ValueError, match="max_body_size is a positive int"):
        wtf.Limits(max_body_size=bad)  # type: ignore[arg-type]


class Held:
    """What a generator ArgBuilder hands out: the request then ends at the WSGI close()."""


@pytest.mark.parametrize("answer", ["returned", "written", "teardown"])
def test_uploaded_files_are_closed_after_the_response(answer: str) -> None:
    app = wtf.Server()
    kept: list[Any] = []
    torn: list[bool] = []

    @app.arg_builder
    def held() -> Iterator[Held]:
        yield Held()
        torn.append(kept[0].stream.closed)  # the teardown runs first, the files close after

    @app.post("/returned")
    def returned(req: wtf.Request) -> str:
        kept.append(req.files["file"])
        return req.files["file"].read().decode()

    @app.post("/written")
    def written(req: wtf.Request, resp: wtf.Response) -> None:
        kept.append(req.files["file"])
        resp.write_string(req.files["file"].read().decode())

    @app.post("/teardown")
    def teardown(req: wtf.Request, h: Held, resp: wtf.Response) -> None:
        written(req, resp)

    response = Client(app, validate=True).post(f"/{answer}", data=multipart(1))
    assert response.text == "content"
    assert kept[0].stream.closed
    assert torn == ([False] if answer == "teardown" else [])


@pytest.mark.parametrize(("depth", "status"), [(5, 200), (6, 400)])
def test_json_depth(depth: int, status: int) -> None:
    app = wtf.Server(limits=wtf.Limits(max_json_depth=5))

    @app.post("/j")
    def j(req: wtf.Request) -> dict[str, Any]:
        return {"ok": req.json is not None}

    body = "[" * depth + "]" * depth
    response = Client(app, validate=True).post("/j", data=body, content_type="application/json")
    assert response.status_code == status
    if status == 400:
        assert "deeper than 5 levels" in response.json["detail"]  # type: ignore[index]


def test_wide_but_shallow_json_is_fine() -> None:
    app = wtf.Server(limits=wtf.Limits(max_json_depth=3))

    @app.post("/j")
    def j(req: wtf.Request) -> str:
        return str(len(req.json))

    body = "[" + ",".join(["[1]"] * 500) + "]"  # 501 brackets, depth 2: walked, accepted
    client = Client(app, validate=True)
    response = client.post("/j", data=body, content_type="application/json")
    assert (response.status_code, response.text) == (200, "500")
