"""The generated happy path of body validation agrees with the full check, value for value."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, NotRequired, TypedDict

import pytest
from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen, MultipleOf
from hypothesis import given, settings
from hypothesis import strategies as st

import wtf
from wtf.errors import FieldError
from wtf.testing import Client
from wtf.validation import INVALID, compile_type


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Inner:
    n: int
    tag: Literal["a", "b"] | None = None
    level: Literal[1, 2] = 1


@dataclass
class Outer:
    name: str
    ratio: float
    flag: bool
    inner: Inner
    items: list[Inner]
    scores: dict[str, int]
    color: Color
    maybe: int | None = None
    tags: set[str] = field(default_factory=set)


@dataclass
class Positive:
    n: int

    def __post_init__(self) -> None:
        if self.n <= 0:
            raise ValueError("n must be positive")


@dataclass
class Tree:
    label: str
    children: list[Tree] = field(default_factory=list)


@dataclass
class Bounded:
    n: Annotated[int, Ge(0), Lt(3)]
    ratio: Annotated[float, Gt(-1), MultipleOf(0.5)]
    name: Annotated[str, MinLen(1), MaxLen(3), wtf.Pattern("^[a-x]")]
    items: Annotated[list[Annotated[int, Le(1)]], MaxLen(2)]
    maybe: Annotated[int, Ge(1)] | None = None


class Doc(TypedDict):
    a: int
    b: NotRequired[list[str]]
    c: NotRequired[Positive | None]


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([1.0, 2.5, -0.0])
    | st.sampled_from(["", "a", "b", "red", "blue", "x"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["n", "tag", "a", "b", "c", "zz"]), inner, max_size=3)
    ),
    max_leaves=6,
)


def near(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Objects with mostly the right keys and mostly right values (and any JSON value)."""
    return st.fixed_dictionaries({}, optional={**keys, "zz": JSON}) | JSON


INNER = near(
    {
        "n": st.sampled_from([1, 0, True, 1.0, 1.5, "1"]),
        "tag": st.sampled_from(["a", "b", None, "c", 1]),
        "level": st.sampled_from([1, 2, 3, True, 1.0, "1"]),
    }
)
OUTER = near(
    {
        "name": st.sampled_from(["", "x", 1, None]),
        "ratio": st.sampled_from([0, 1.5, -2, True, "1", None]),
        "flag": st.sampled_from([True, False, 1, 0, "true", None]),
        "inner": INNER,
        "items": st.lists(INNER, max_size=2),
        "scores": st.dictionaries(
            st.sampled_from(["a", "b"]), st.sampled_from([1, 1.0, True, "1"])
        ),
        "color": st.sampled_from(["red", "blue", "green", 1]),
        "maybe": st.sampled_from([None, 1, 2.0, False, ""]),
        "tags": st.lists(st.sampled_from(["t", "u", 1]), max_size=2),
    }
)
POSITIVE = near({"n": st.sampled_from([1, 0, -1, 2.0, True, "3"])})
TREE = st.recursive(
    near({"label": st.sampled_from(["x", 1])}),
    lambda inner: near(
        {"label": st.sampled_from(["x", 1]), "children": st.lists(inner, max_size=2)}
    ),
    max_leaves=4,
)
DOC = near(
    {
        "a": st.sampled_from([1, 1.0, True, "1"]),
        "b": st.lists(st.sampled_from(["s", 1]), max_size=2) | JSON,
        "c": POSITIVE | st.none(),
    }
)
BOUNDED = near(
    {
        "n": st.sampled_from([-1, 0, 2, 3, 1.0, True]),
        "ratio": st.sampled_from([-1, -0.5, 0, 1.5, 0.25, 2]),
        "name": st.sampled_from(["", "a", "abc", "abcd", "z", "xy"]),
        "items": st.lists(st.sampled_from([0, 1, 2, -5]), max_size=3),
        "maybe": st.sampled_from([None, 0, 1, 5]),
    }
)
CASES: list[tuple[Any, st.SearchStrategy[Any]]] = [
    (Bounded, BOUNDED),
    (Annotated[list[Bounded], MinLen(1)], st.lists(BOUNDED, max_size=2) | JSON),
    (Outer, OUTER),
    (Inner, INNER),
    (Positive, POSITIVE),
    (Tree, TREE),
    (Doc, DOC),
    (list[Inner], st.lists(INNER, max_size=3) | JSON),
    (dict[str, float], st.dictionaries(st.text(max_size=1), st.sampled_from([1, 1.5, True, "x"]))),
    (int | str, st.sampled_from([1, "1", 1.0, 1.5, True, None])),
]


@pytest.mark.parametrize("forbid_extra", [True, False], ids=["forbid", "ignore"])
@pytest.mark.parametrize(("tp", "values"), CASES, ids=[repr(tp) for tp, _ in CASES])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_fast_path_agrees_with_the_full_check(
    tp: Any, values: st.SearchStrategy[Any], forbid_extra: bool, data: st.DataObject
) -> None:
    value = data.draw(values)
    with_fast = compile_type(tp, strings=False, forbid_extra=forbid_extra)
    full_only = compile_type(tp, strings=False, forbid_extra=forbid_extra, fast=False)
    fast_errors: list[FieldError] = []
    full_errors: list[FieldError] = []
    got = with_fast(value, ("body",), fast_errors)
    expected = full_only(value, ("body",), full_errors)
    assert (got is INVALID) == (expected is INVALID), (value, fast_errors, full_errors)
    assert fast_errors == full_errors
    if got is not INVALID:
        assert shape(got) == shape(expected)


def shape(value: Any) -> Any:
    """A comparable picture of a bound value that tells 1, 1.0 and True apart (key order of
    dicts aside: a TypedDict comes out in declaration order)."""
    if dataclasses.is_dataclass(value):
        fields = {f.name: shape(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return (type(value).__name__, sorted(fields.items()))
    if isinstance(value, dict):
        return ("dict", sorted((repr(k), shape(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, [shape(v) for v in value])
    if isinstance(value, set | frozenset):
        return (type(value).__name__, sorted(repr(shape(v)) for v in value))
    return (type(value).__name__, value)


def test_valid_values_bind_whole() -> None:
    check = compile_type(Outer, strings=False)
    value = {
        "name": "n",
        "ratio": 2,
        "flag": True,
        "inner": {"n": 1.0},
        "items": [{"n": 2, "tag": "a"}],
        "scores": {"x": 3},
        "color": "red",
        "tags": ["t", "t"],
    }
    errors: list[FieldError] = []
    got = check(value, ("body",), errors)
    assert errors == []
    assert got == Outer("n", 2.0, True, Inner(1), [Inner(2, "a")], {"x": 3}, Color.RED, None, {"t"})
    assert type(got.ratio) is float and type(got.inner.n) is int


class Ordered(TypedDict, total=False):
    first: str
    second: int


def test_a_bound_typeddict_keeps_the_declared_order_from_body_query_and_form() -> None:
    app = wtf.Server()

    @app.post("/body")
    def body(data: Ordered) -> list[str]:
        return list(data)

    @app.get("/query")
    def query(data: wtf.Query[Ordered]) -> list[str]:
        return list(data)

    @app.post("/form")
    def form(data: wtf.Form[Ordered]) -> list[str]:
        return list(data)

    client = Client(app)
    assert client.post("/body", json={"second": 2, "first": "a"}).json == ["first", "second"]
    assert client.post("/form", data={"second": "2", "first": "a"}).json == ["first", "second"]
    assert client.get("/query?second=2&first=a").json == ["first", "second"]
