"""Value constraints (``Annotated[int, Ge(1)]``...): a constrained value binds exactly when it is
within its bounds, wherever it binds (path, query, body field, list item, Hub param), with one
422 entry in pydantic's terms; the OpenAPI document states the same bounds; a constraint that
cannot apply raises at registration naming the parameter."""

import re
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

import annotated_types as at
import pytest
from annotated_types import Ge, Gt, Le, Len, Lt, MaxLen, MinLen, MultipleOf
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import Field, StringConstraints

import wtf
from wtf.errors import HandlerError
from wtf.realtime import Hub, RPCError
from wtf.testing import Client
from wtf.validation import INVALID, FieldErrors, compile_type

LOW, HIGH = -1000, 1000


def numeric_app(bounds: list[Any]) -> tuple[wtf.Server, Hub]:
    Bounded = Annotated[int, *bounds]

    @dataclass
    class Box:
        n: Bounded  # type: ignore[valid-type]
        many: list[Bounded]  # type: ignore[valid-type]

    app = wtf.Server()

    @app.get("/path/:n")
    def by_path(n: Bounded) -> dict[str, int]:  # type: ignore[valid-type]
        return {"n": n}

    @app.get("/query")
    def by_query(n: Bounded = 0) -> dict[str, int]:  # type: ignore[valid-type]
        return {"n": n}

    @app.post("/body")
    def by_body(box: Box) -> dict[str, int]:
        return {"n": box.n}

    hub = Hub()

    @hub.method("take")
    def take(n: Bounded) -> int:  # type: ignore[valid-type]
        return n

    app.websocket("/rt")(hub)
    return app, hub


def inside(value: int, ge: int | None, lt: int | None, step: int | None) -> bool:
    return (
        (ge is None or value >= ge)
        and (lt is None or value < lt)
        and (step is None or value % step == 0)
    )


@settings(max_examples=40, deadline=None)
@given(
    ge=st.none() | st.integers(LOW, HIGH),
    lt=st.none() | st.integers(LOW, HIGH),
    step=st.none() | st.integers(1, 7),
    values=st.lists(st.integers(LOW - 5, HIGH + 5), min_size=1, max_size=6),
)
@example(ge=1, lt=None, step=None, values=[0, 1, 2])  # one below, at, one above
@example(ge=None, lt=10, step=None, values=[9, 10, 11])
@example(ge=0, lt=1, step=None, values=[-1, 0, 1])  # exactly one value allowed
@example(ge=None, lt=None, step=5, values=[-5, 0, 4, 5])
def test_an_int_binds_exactly_within_its_bounds_everywhere(
    ge: int | None, lt: int | None, step: int | None, values: list[int]
) -> None:
    bounds: list[Any] = []
    if ge is not None:
        bounds.append(Ge(ge))
    if lt is not None:
        bounds.append(Lt(lt))
    if step is not None:
        bounds.append(MultipleOf(step))
    if not bounds:
        bounds.append(at.Interval())  # no limit at all: everything passes
    app, _ = numeric_app(bounds)
    client = Client(app)
    for value in values:
        ok = inside(value, ge, lt, step)
        for answer, loc in (
            (client.get(f"/path/{value}"), ["path", "n"]),
            (client.get(f"/query?n={value}"), ["query", "n"]),
            (client.post("/body", json={"n": value, "many": [value]}), ["body", "n"]),
        ):
            if ok:
                assert (answer.status_code, answer.json) == (200, {"n": value}), loc
            else:
                assert answer.status_code == 422, (loc, value)
                first = answer.json["errors"][0]
                assert first["loc"] == loc and first["type"] in (
                    "greater_than_equal",
                    "less_than",
                    "multiple_of",
                )
                limit = {"greater_than_equal": "ge", "less_than": "lt"}.get(first["type"])
                assert first["ctx"] == {
                    limit or "multiple_of": {"ge": ge, "lt": lt}.get(limit, step)
                }
        with client.hub("/rt") as hub_client:
            if ok:
                assert hub_client.call("take", n=value) == value
            else:
                with pytest.raises(RPCError) as refused:
                    hub_client.call("take", n=value)
                assert refused.value.code == -1003
                assert refused.value.data["errors"][0]["loc"] == ["p", "n"]
    # The document says the same bounds.
    doc = app.openapi()
    expected = {
        key: value
        for key, value in (("minimum", ge), ("exclusiveMaximum", lt), ("multipleOf", step))
        if value is not None
    }
    path_schema = doc["paths"]["/path/{n}"]["get"]["parameters"][0]["schema"]
    query_schema = doc["paths"]["/query"]["get"]["parameters"][0]["schema"]
    box = doc["components"]["schemas"]["Box"]["properties"]
    hub_params = doc["x-wtf-realtime"]["hubs"][0]["methods"]["take"]["params"]["properties"]
    for schema in (path_schema, query_schema, box["n"], box["many"]["items"], hub_params["n"]):
        assert {k: v for k, v in schema.items() if k not in ("type", "default")} == expected


@settings(max_examples=40, deadline=None)
@given(
    low=st.none() | st.integers(0, 6),
    high=st.none() | st.integers(0, 6),
    texts=st.lists(st.text(alphabet="ab1", max_size=8), min_size=1, max_size=5),
)
@example(low=2, high=3, texts=["a", "ab", "abc", "abcd"])
@example(low=None, high=0, texts=["", "a"])
def test_a_strings_and_a_lists_length_bind_exactly_within_their_bounds(
    low: int | None, high: int | None, texts: list[str]
) -> None:
    length = Len(low or 0, high)

    class Form(TypedDict):
        text: Annotated[str, length]
        items: Annotated[list[int], length]

    check = compile_type(Form, strings=False)
    full = compile_type(Form, strings=False, fast=False)
    for text in texts:
        items = list(range(len(text)))
        ok = (low is None or len(text) >= low) and (high is None or len(text) <= high)
        for compiled in (check, full):  # the generated fast path agrees with the full check
            errors = FieldErrors()
            result = compiled({"text": text, "items": items}, ("body",), errors)
            if ok:
                assert result == {"text": text, "items": items} and not errors
            else:
                assert result is INVALID
                kinds = {(e["loc"][-1], e["type"]) for e in errors}
                too = "short" if low is not None and len(text) < low else "long"
                assert kinds == {("text", f"string_too_{too}"), ("items", f"too_{too}")}
    app = wtf.Server()

    @app.post("/form")
    def form(f: Form) -> str:
        return ""

    props = app.openapi()["components"]["schemas"]["Form"]["properties"]
    want_text = ({"minLength": low} if low else {}) | (
        {"maxLength": high} if high is not None else {}
    )
    want_items = ({"minItems": low} if low else {}) | (
        {"maxItems": high} if high is not None else {}
    )
    assert {k: v for k, v in props["text"].items() if k != "type"} == want_text
    assert {k: v for k, v in props["items"].items() if k not in ("type", "items")} == want_items


def test_a_pattern_is_searched_as_json_schema_does() -> None:
    app = wtf.Server()

    @app.get("/codes/:code")
    def code(code: Annotated[str, wtf.Pattern(r"^[A-Z]{3}$")]) -> dict[str, str]:
        return {"code": code}

    @app.get("/find")
    def find(q: Annotated[str, wtf.Pattern("b")] = "b") -> dict[str, str]:
        return {"q": q}

    client = Client(app)
    assert client.get("/codes/ABC").json == {"code": "ABC"}
    refused = client.get("/codes/ABCD")
    assert refused.status_code == 422
    assert refused.json["errors"] == [
        {
            "loc": ["path", "code"],
            "msg": "String should match pattern '^[A-Z]{3}$'",
            "type": "string_pattern_mismatch",
            "ctx": {"pattern": "^[A-Z]{3}$"},
        }
    ]
    assert client.get("/find?q=abc").status_code == 200  # searched, not matched whole
    assert client.get("/find?q=ac").status_code == 422
    schema = app.openapi()["paths"]["/codes/{code}"]["get"]["parameters"][0]["schema"]
    assert schema == {
        "type": "string",
        "pattern": "^[^/]+$",  # one segment
        "minLength": 1,
        "allOf": [{"pattern": "^[A-Z]{3}$"}],  # and the parameter's own
    }


def test_pydantics_field_and_string_constraints_are_read() -> None:
    app = wtf.Server()

    @dataclass
    class Signup:
        name: Annotated[str, StringConstraints(min_length=2, max_length=4, pattern="^[a-z]+$")]
        age: Annotated[int, Field(gt=0, le=150)]

    @app.post("/signup")
    def signup(s: Signup) -> dict[str, str]:
        return {"name": s.name}

    client = Client(app)
    assert client.post("/signup", json={"name": "ann", "age": 30}).status_code == 200
    errors = client.post("/signup", json={"name": "A", "age": 0}).json["errors"]
    assert [(e["loc"], e["type"], e["ctx"]) for e in errors] == [
        (["body", "name"], "string_too_short", {"min_length": 2}),
        (["body", "age"], "greater_than", {"gt": 0}),
    ]
    props = app.openapi()["components"]["schemas"]["Signup"]["properties"]
    assert props["name"] == {
        "type": "string",
        "minLength": 2,
        "maxLength": 4,
        "pattern": "^[a-z]+$",
    }
    assert props["age"] == {"type": "integer", "exclusiveMinimum": 0, "maximum": 150}


def test_floats_and_optional_values() -> None:
    app = wtf.Server()

    @dataclass
    class Reading:
        ratio: Annotated[float, Gt(0), Le(1), MultipleOf(0.25)]
        note: Annotated[str | None, MaxLen(3)] = None

    @app.post("/readings")
    def add(r: Reading) -> dict[str, Any]:
        return {"ratio": r.ratio, "note": r.note}

    client = Client(app)
    assert client.post("/readings", json={"ratio": 0.75}).json == {"ratio": 0.75, "note": None}
    assert client.post("/readings", json={"ratio": 1, "note": None}).status_code == 200
    for bad, kind in (
        ({"ratio": 0}, "greater_than"),
        ({"ratio": 1.25}, "less_than_equal"),
        ({"ratio": 0.3}, "multiple_of"),
        ({"ratio": 0.5, "note": "long"}, "string_too_long"),
    ):
        answer = client.post("/readings", json=bad)
        assert answer.status_code == 422 and answer.json["errors"][0]["type"] == kind, bad
    note = app.openapi()["components"]["schemas"]["Reading"]["properties"]["note"]
    assert note["anyOf"] == [{"type": "string", "maxLength": 3}, {"type": "null"}]


LENGTH_ON = "a length bound (MinLen, MaxLen, Len) cannot apply to"
NUMBER_ON = "a numeric bound (Gt, Ge, Lt, Le, MultipleOf) cannot apply to"
MISUSES: list[tuple[str, Any, str]] = [
    ("a length bound on an int", Annotated[int, MinLen(1)], f"{LENGTH_ON} int"),
    ("a numeric bound on a str", Annotated[str, Ge(1)], f"{NUMBER_ON} str"),
    ("a pattern on an int", Annotated[int, wtf.Pattern("1")], "Pattern cannot apply to int"),
    (
        "a pattern that does not compile",
        Annotated[str, wtf.Pattern("(")],
        "the pattern '(' does not compile",
    ),
    ("a predicate", Annotated[str, at.Predicate(str.isdigit)], "a constraint wtf cannot check"),
    (
        "a transform",
        Annotated[str, StringConstraints(strip_whitespace=True)],
        "StringConstraints(strip_whitespace=...) is a transform",
    ),
    ("a numeric bound on a bool", Annotated[bool, Ge(0)], "cannot apply to bool"),
]


@pytest.mark.parametrize(("what", "annotation", "said"), MISUSES, ids=[m[0] for m in MISUSES])
def test_a_constraint_that_cannot_apply_raises_at_registration_naming_the_parameter(
    what: str, annotation: Any, said: str
) -> None:
    app = wtf.Server()

    def by_query(page: annotation = None) -> str:  # type: ignore[valid-type]
        return ""

    with pytest.raises(HandlerError) as query:
        app.handle(by_query, "/q", "GET")
    assert "parameter 'page' of handler" in str(query.value) and said in str(query.value)

    def by_path(code: annotation) -> str:  # type: ignore[valid-type]
        return ""

    with pytest.raises(HandlerError) as path:
        app.handle(by_path, "/p/:code", "GET")
    assert "parameter 'code' of handler" in str(path.value) and said in str(path.value)

    @dataclass
    class Body:
        field: annotation  # type: ignore[valid-type]

    def by_body(b: Body) -> str:
        return ""

    with pytest.raises(HandlerError) as body:
        app.handle(by_body, "/b", "POST")
    assert re.search(r"field 'field' of \S*Body: ", str(body.value)) and said in str(body.value)

    hub = Hub()

    @hub.method("m")
    def method(value: annotation) -> None:  # type: ignore[valid-type]
        return None

    with pytest.raises(HandlerError) as in_hub:
        app.websocket("/rt")(hub)
    assert "Hub method 'm'" in str(in_hub.value) and said in str(in_hub.value)
    assert re.search(r"\bvalue\b", str(in_hub.value))


def test_headers_and_cookies_bind_with_their_constraints() -> None:
    app = wtf.Server()

    @app.get("/h")
    def headers(
        x_request_id: wtf.Header[Annotated[str, MaxLen(8)]],
        retries: wtf.Header[Annotated[int, Ge(0), Le(5)]] = 0,
        session: wtf.Cookie[Annotated[str, MinLen(4)]] = "none",
    ) -> dict[str, Any]:
        return {"id": x_request_id, "retries": retries, "session": session}

    client = Client(app)
    ok = client.get("/h", headers={"x-REQUEST-id": "abc", "Retries": "5"})
    assert ok.json == {"id": "abc", "retries": 5, "session": "none"}
    bad = client.get("/h", headers={"X-Request-Id": "abcdefghi", "Retries": "6"}).json["errors"]
    assert [(e["loc"], e["type"]) for e in bad] == [
        (["header", "x-request-id"], "string_too_long"),
        (["header", "retries"], "less_than_equal"),
    ]
    missing = client.get("/h").json["errors"]
    assert missing == [
        {"loc": ["header", "x-request-id"], "msg": "field required", "type": "missing"}
    ]
    client.set_cookie("session", "abc")
    short = client.get("/h", headers={"X-Request-Id": "a"}).json["errors"]
    assert [(e["loc"], e["type"]) for e in short] == [(["cookie", "session"], "string_too_short")]
    client.set_cookie("session", "abcd")
    assert client.get("/h", headers={"X-Request-Id": "a"}).json["session"] == "abcd"
    params = app.openapi()["paths"]["/h"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in params] == [
        ("x-request-id", "header", True),
        ("retries", "header", False),
        ("session", "cookie", False),
    ]
    assert params[1]["schema"] == {"type": "integer", "minimum": 0, "maximum": 5, "default": 0}


def test_a_header_or_cookie_binds_one_value_not_a_model() -> None:
    @dataclass
    class Point:
        x: int

    app = wtf.Server()

    def handler(p: wtf.Header[Point]) -> str:
        return ""

    with pytest.raises(HandlerError, match=r"wtf.Header\[T\] binds one value"):
        app.handle(handler, "/p", "GET")
