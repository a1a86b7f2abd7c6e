"""go_wtf's README tour, translated."""

from __future__ import annotations

import pytest

from examples.tour import app
from wtf.testing import Client


@pytest.mark.parametrize(
    ("method", "path", "headers", "status", "text"),
    [
        pytest.param("GET", "/hello", {}, 200, "Hello, World!", id="hello"),
        pytest.param("GET", "/user/ann/book/dune", {}, 200, "ann reads dune", id="rest"),
        pytest.param("GET", "/id/0", {}, 200, "exact", id="exact"),
        pytest.param("GET", "/id/42", {}, 200, "regex 42", id="regex"),
        pytest.param("GET", "/id/x1", {}, 200, "named x1", id="named"),
        pytest.param("GET", "/id/a/b", {}, 200, "wildcard a/b", id="wildcard"),
        pytest.param("POST", "/method", {}, 200, "POST", id="method"),
        pytest.param("PUT", "/method", {}, 405, None, id="method-405"),
        pytest.param("DELETE", "/any", {}, 200, "any DELETE", id="all"),
        pytest.param("GET", "/site", {"Host": "example.com"}, 200, "example.com", id="vhost"),
        pytest.param(
            "GET",
            "/site",
            {"Host": "www.example.com:8080"},
            200,
            "subdomain www.example.com",
            id="wild-vhost",
        ),
        pytest.param("GET", "/site", {"Host": "other.org"}, 200, "default", id="default-host"),
        pytest.param("GET", "/whoami", {"X-Visitor": "bob"}, 200, "you are bob", id="arg-builder"),
        pytest.param("GET", "/club/room", {}, 403, "members only", id="midware-stops"),
        pytest.param(
            "GET", "/club/room", {"X-Member": "yes"}, 200, "welcome, member", id="midware-passes"
        ),
    ],
)
def test_tour(
    method: str, path: str, headers: dict[str, str], status: int, text: str | None
) -> None:
    response = Client(app, validate=True).open(path, method=method, headers=headers)
    assert response.status_code == status
    assert response.headers["X-Powered-By"] == "wtf"
    if text is not None:
        assert response.text == text
