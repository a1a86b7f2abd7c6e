"""The same handlers under wtf and FastAPI: the documents agree on what a client must send and
what it gets back (FastAPI's document is the one most tools are tried against)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pydantic
import pytest
from fastapi import FastAPI

import wtf


@dataclasses.dataclass
class Item:
    """An item for sale."""

    name: str
    price: float
    tags: list[str] = dataclasses.field(default_factory=list)


class Order(pydantic.BaseModel):
    item: str
    quantity: int = 1


def read_item(item_id: int, q: str | None = None) -> Item:
    return Item("x", 1.0)


def create_item(item: Item) -> Item:
    return item


def place_order(order: Order) -> list[Order]:
    return [order]


def both() -> tuple[dict[str, Any], dict[str, Any]]:
    app = wtf.Server()
    app.handle(read_item, "/items/:item_id", "GET")
    app.handle(create_item, "/items", "POST")
    app.handle(place_order, "/orders", "POST")
    api = FastAPI()
    api.get("/items/{item_id}")(read_item)
    api.post("/items")(create_item)
    api.post("/orders")(place_order)
    return app.openapi(), api.openapi()


def plain(value: Any) -> Any:
    """Without what only one of them writes: titles (FastAPI's), descriptions and
    ``additionalProperties: false`` (wtf's, which refuses unknown fields), defaults."""
    if isinstance(value, dict):
        return {
            k: plain(v)
            for k, v in value.items()
            if k not in ("title", "description", "additionalProperties", "default")
        }
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.mark.parametrize(
    ("path", "method"),
    [("/items/{item_id}", "get"), ("/items", "post"), ("/orders", "post")],
)
def test_parameters_bodies_and_results_agree(path: str, method: str) -> None:
    ours, theirs = (doc["paths"][path][method] for doc in both())
    assert plain(ours.get("parameters")) == plain(theirs.get("parameters"))
    if "requestBody" in theirs:
        body, their_body = ours["requestBody"], theirs["requestBody"]
        assert body["required"] == their_body["required"]
        assert plain(body["content"]) == plain(their_body["content"])  # JSON only, both
    else:
        assert "requestBody" not in ours
    assert plain(ours["responses"]["200"]["content"]) == plain(
        theirs["responses"]["200"]["content"]
    )


@pytest.mark.parametrize("name", ["Item", "Order"])
def test_the_shared_schemas_agree(name: str) -> None:
    ours, theirs = (doc["components"]["schemas"][name] for doc in both())
    assert plain(ours) == plain(theirs)


def test_where_they_differ_errors() -> None:
    """FastAPI lists a 422 in its own JSON shape; wtf lists every error it can answer for the
    route, as problem+json (RFC 9457)."""
    ours, theirs = (doc["paths"]["/items/{item_id}"]["get"]["responses"] for doc in both())
    assert set(theirs) == {"200", "422"}
    assert set(ours) == {"200", "400", "404", "414", "422"}
    assert ours["404"] == {"$ref": "#/components/responses/NotFound"}
