"""StatusCode: bodies for status-only responses, the framework's 404/405 included."""

from __future__ import annotations

import wtf
from wtf.midware import Gzip, StatusCode
from wtf.testing import Client


def not_found(req: wtf.Request) -> str:
    return f"nothing at {req.path}"


def teapot() -> tuple[dict[str, str], int]:
    return {"error": "teapot"}, 200  # the status stays 418 regardless


CALLS: list[str] = []


def make() -> Client:
    app = wtf.Server()
    calls = CALLS
    calls.clear()
    app.add_midware(
        StatusCode().handle(404, not_found).handle(418, teapot).handle(405, lambda: "no")
    )  # type: ignore[arg-type]

    @app.get("/pot")
    def pot(resp: wtf.Response) -> None:
        calls.append("pot")
        resp.write_header(418)

    @app.get("/gone")
    def gone() -> str:
        raise wtf.HTTPError(404)

    @app.get("/body")
    def body(resp: wtf.Response) -> tuple[str, int]:
        return "has a body", 404

    return Client(app, validate=True)


def test_framework_404() -> None:
    response = make().get("/missing")
    assert (response.status_code, response.text) == (404, "nothing at /missing")


def test_handler_status_rendered_status_kept_handler_once() -> None:
    client = make()
    response = client.get("/pot")
    assert (response.status_code, response.json) == (418, {"error": "teapot"})
    assert CALLS == ["pot"]


def test_http_error_without_body() -> None:
    response = make().get("/gone")
    assert (response.status_code, response.text) == (404, "nothing at /gone")


def test_response_with_body_untouched() -> None:
    assert make().get("/body").text == "has a body"


def test_unannotated_renderer_is_a_registration_error() -> None:
    import pytest

    with pytest.raises(wtf.HandlerError, match="StatusCode\\(405\\) renderer"):
        wtf.Server().add_midware(StatusCode().handle(405, lambda x: x))  # type: ignore[arg-type,misc]


def test_with_gzip_the_rendered_body_is_compressed() -> None:
    import gzip

    app = wtf.Server()
    app.add_midware(Gzip(min_size=0))
    app.add_midware(StatusCode().handle(404, not_found))
    response = Client(app, validate=True).get("/x", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 404
    assert gzip.decompress(response.data) == b"nothing at /x"
