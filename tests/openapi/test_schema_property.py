"""Property: whatever values a handler's types allow, the server accepts them as bodies and
what it sends back validates against the schema the document gives for that type."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import uuid
from typing import Any, Literal

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wtf
from wtf.testing import Client


class Size(enum.Enum):
    S = "s"
    M = "m"


@dataclasses.dataclass
class Part:
    code: uuid.UUID
    size: Size
    kind: Literal["a", "b"]


@dataclasses.dataclass
class Order:
    id: int
    price: float
    paid: bool
    note: str | None
    when: datetime.date
    parts: list[Part]
    labels: dict[str, int]
    tags: set[str] = dataclasses.field(default_factory=set)
    parent: Order | None = None


app = wtf.Server()


@app.post("/orders")
def echo(order: Order) -> Order:
    return order


DOCUMENT = app.openapi()
CLIENT = Client(app)
ORDER_SCHEMA = {"$ref": "#/components/schemas/Order", "components": DOCUMENT["components"]}
VALIDATOR = jsonschema.Draft202012Validator(
    ORDER_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
parts = st.builds(Part, code=st.uuids(), size=st.sampled_from(Size), kind=st.sampled_from("ab"))


def orders(depth: int = 1) -> st.SearchStrategy[Order]:
    return st.builds(
        Order,
        id=st.integers(-(2**53), 2**53),
        price=st.floats(allow_nan=False, allow_infinity=False),
        paid=st.booleans(),
        note=st.none() | text,
        when=st.dates(),
        parts=st.lists(parts, max_size=3),
        labels=st.dictionaries(text, st.integers(-1000, 1000), max_size=3),
        tags=st.sets(text, max_size=3),
        parent=st.none() | orders(depth - 1) if depth > 0 else st.none(),
    )


def as_json(order: Order) -> Any:
    return json.loads(json.dumps(dataclasses.asdict(order), default=_plain))


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | datetime.date):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders())
def test_values_of_the_types_are_accepted_and_answered_as_documented(order: Order) -> None:
    sent = as_json(order)
    VALIDATOR.validate(sent)  # what a client built from the document would send
    response = CLIENT.post("/orders", json=sent)
    assert response.status_code == 200, response.data
    answered = json.loads(response.data)
    VALIDATOR.validate(answered)
    assert answered["id"] == order.id and answered["parts"] == sent["parts"]


def test_the_validator_refuses_what_the_server_refuses() -> None:
    """The schema is not vacuous: a value the server answers 422 for fails it too."""
    bad = as_json(Order(1, 1.0, True, None, datetime.date(2026, 1, 1), [], {}))
    bad["parts"] = [{"code": "not-a-uuid", "size": "xl", "kind": "c"}]
    assert CLIENT.post("/orders", json=bad).status_code == 422
    errors = {e.validator for e in VALIDATOR.iter_errors(bad)}
    assert {"format", "enum"} <= errors
    bad_extra = {**bad, "parts": [], "surprise": 1}
    assert CLIENT.post("/orders", json=bad_extra).status_code == 422
    assert any(e.validator == "additionalProperties" for e in VALIDATOR.iter_errors(bad_extra))
