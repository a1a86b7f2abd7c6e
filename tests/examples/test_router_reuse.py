"""The router reused outside wtf: inside Flask, and in bare WSGI."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from examples import router_bare_wsgi, router_in_flask


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        pytest.param("/users/42", 200, {"user": 42}, id="regex-first"),
        pytest.param("/users/ann", 200, {"name": "ann"}, id="named"),
        pytest.param("/files/a/b.txt", 200, "file a/b.txt", id="wildcard"),
        pytest.param("/nothing", 404, None, id="miss"),
    ],
)
def test_router_in_flask(path: str, status: int, body: object) -> None:
    response = router_in_flask.app.test_client().get(path)
    assert response.status_code == status
    if isinstance(body, dict):
        assert response.json == body
    elif body is not None:
        assert response.text == body


def test_router_in_flask_405() -> None:
    response = router_in_flask.app.test_client().post("/users/1")
    assert (response.status_code, response.headers["Allow"]) == (405, "GET, HEAD")


def test_router_in_bare_wsgi() -> None:
    client = Client(router_bare_wsgi.app)
    assert client.get("/v2/items/abc").json == {"version": "2", "id": "abc"}
    assert client.get("/health").json == {"status": "ok"}
    assert client.get("/v2/items/abc/x").status_code == 404
    response = client.delete("/health")
    assert (response.status_code, response.headers["Allow"]) == (405, "GET, HEAD")
