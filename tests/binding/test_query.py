"""Binding the query string: wtf.Query[T] and scalar parameters with defaults."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import pytest

import wtf
from wtf.testing import Client

from .models import Color, Item, Search


def make_app() -> wtf.Server:
    app = wtf.Server()

    @app.get("/search")
    def search(s: wtf.Query[Search], limit: int = 10) -> dict[str, Any]:
        return {"s": s, "limit": limit}

    @app.get("/scalars")
    def scalars(
        page: int = 1,
        ratio: float = 0.5,
        exact: bool = False,
        who: str | None = None,
        ref: uuid.UUID | None = None,
        order: Literal["asc", "desc"] = "asc",
        color: Color = Color.RED,
        ids: list[int] | None = None,
    ) -> dict[str, Any]:
        return {
            "page": page,
            "ratio": ratio,
            "exact": exact,
            "who": who,
            "ref": ref,
            "order": order,
            "color": color,
            "ids": ids,
        }

    @app.get("/need")
    def need(token: wtf.Query[str], n: wtf.Query[int] = 3) -> str:
        return f"{token}:{n}"

    @app.get("/users/:uid")
    def user(uid: int, verbose: bool = False) -> str:
        return f"{uid}:{verbose}"

    @app.post("/both")
    def both(item: Item, dry_run: bool = False) -> dict[str, Any]:
        return {"name": item.name, "dry_run": dry_run}

    return app


@pytest.fixture()
def client() -> Client:
    return Client(make_app(), validate=True)


DEFAULTS = {
    "page": 1,
    "ratio": 0.5,
    "exact": False,
    "who": None,
    "ref": None,
    "order": "asc",
    "color": "red",
    "ids": None,
}


@pytest.mark.parametrize(
    ("query", "changed"),
    [
        pytest.param("", {}, id="defaults"),
        pytest.param("page=3&ratio=2.5", {"page": 3, "ratio": 2.5}, id="numbers"),
        pytest.param("page=-2", {"page": -2}, id="negative"),
        pytest.param("exact=YES", {"exact": True}, id="bool-any-case"),
        pytest.param("exact=off", {"exact": False}, id="bool-off"),
        pytest.param("who=ann&who=bob", {"who": "ann"}, id="first-value"),
        pytest.param("who=", {"who": None}, id="empty-optional-is-none"),
        pytest.param(
            "ref=12345678-1234-5678-1234-567812345678",
            {"ref": "12345678-1234-5678-1234-567812345678"},
            id="uuid",
        ),
        pytest.param("order=desc&color=blue", {"order": "desc", "color": "blue"}, id="choices"),
        pytest.param("ids=1&ids=2&ids=3", {"ids": [1, 2, 3]}, id="list"),
        pytest.param("utm_source=x&_=123", {}, id="unknown-ignored"),
    ],
)
def test_scalars(client: Client, query: str, changed: dict[str, Any]) -> None:
    response = client.get(f"/scalars?{query}")
    assert response.status_code == 200, response.text
    assert response.json == {**DEFAULTS, **changed}


@pytest.mark.parametrize(
    ("query", "loc", "kind"),
    [
        pytest.param("page=x", ["query", "page"], "int_parsing", id="int"),
        pytest.param("page=1.5", ["query", "page"], "int_parsing", id="int-fraction"),
        pytest.param("page=", ["query", "page"], "int_parsing", id="int-empty"),
        pytest.param("ratio=abc", ["query", "ratio"], "float_parsing", id="float"),
        pytest.param("ratio=nan", ["query", "ratio"], "float_parsing", id="nan"),
        pytest.param("exact=maybe", ["query", "exact"], "bool_parsing", id="bool"),
        pytest.param("ref=1", ["query", "ref"], "uuid_parsing", id="uuid"),
        pytest.param("order=up", ["query", "order"], "literal_error", id="literal"),
        pytest.param("color=green", ["query", "color"], "enum", id="enum"),
        pytest.param("ids=1&ids=x", ["query", "ids", 1], "int_parsing", id="list-item"),
    ],
)
def test_bad_scalars(client: Client, query: str, loc: list[Any], kind: str) -> None:
    response = client.get(f"/scalars?{query}")
    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json["errors"]] == [(loc, kind)]  # type: ignore[index]


def test_query_model(client: Client) -> None:
    response = client.get("/search?q=pen&page=2&tags=a&tags=b&limit=5&other=1")
    assert response.json == {"s": {"q": "pen", "page": 2, "tags": ["a", "b"]}, "limit": 5}
    bad = client.get("/search?page=two&limit=ten")
    assert sorted(tuple(e["loc"]) for e in bad.json["errors"]) == [  # type: ignore[index]
        ("query", "limit"),
        ("query", "page"),
    ]


def test_required_query_scalar(client: Client) -> None:
    assert client.get("/need?token=abc").text == "abc:3"
    assert client.get("/need?token=abc&n=7").text == "abc:7"
    missing = client.get("/need")
    assert missing.json["errors"] == [  # type: ignore[index]
        {"loc": ["query", "token"], "msg": "field required", "type": "missing"}
    ]


def test_route_param_and_query_scalar(client: Client) -> None:
    assert client.get("/users/7?verbose=true").text == "7:True"
    assert client.get("/users/x?verbose=true").status_code == 404  # the route param decides


def test_body_and_query_errors_come_together(client: Client) -> None:
    assert client.post("/both?dry_run=1", json={"name": "a"}).json == {"name": "a", "dry_run": True}
    response = client.post("/both?dry_run=perhaps", json={})
    assert sorted(tuple(e["loc"]) for e in response.json["errors"]) == [  # type: ignore[index]
        ("body", "name"),
        ("query", "dry_run"),
    ]


def test_scalar_without_default_is_still_a_registration_error() -> None:
    app = wtf.Server()

    def page_of(page: int) -> str:
        return str(page)

    with pytest.raises(wtf.HandlerError, match=r"give it a default .* wtf\.Query\[int\]"):
        app.handle(page_of, "/p")
