"""Binding the request body to dataclasses, TypedDicts and pydantic models."""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import msgpack
import pytest

import wtf
from wtf.testing import Client

from .models import Account, Attachment, HasOpaque, Holder, Item, Order, Positive, Profile, Tree


def make_app(**kwargs: Any) -> wtf.Server:
    app = wtf.Server(**kwargs)

    @app.post("/items")
    def create_item(item: Item) -> dict[str, Any]:
        return {"name": item.name, "qty": item.qty, "tags": item.tags, "type": type(item).__name__}

    @app.post("/form-items")
    def create_item_from_a_form(item: wtf.Form[Item]) -> dict[str, Any]:
        return {**dataclasses.asdict(item), "type": type(item).__name__}

    @app.post("/form-accounts")
    def create_account_from_a_form(account: wtf.Form[Account]) -> Account:
        return account

    @app.post("/orders")
    def create_order(order: Order) -> Order:
        return order

    @app.post("/profiles")
    def create_profile(profile: Profile) -> dict[str, Any]:
        return {"profile": profile, "type": type(profile).__name__}

    @app.post("/accounts")
    def create_account(account: Account) -> Account:
        return account

    @app.post("/holders")
    def create_holder(holder: Holder) -> dict[str, Any]:
        return {"balance": holder.account.balance}

    @app.post("/positive")
    def positive(p: Positive) -> str:
        return str(p.n)

    @app.post("/trees")
    def trees(tree: Tree) -> dict[str, Any]:
        def count(t: Tree) -> int:
            return 1 + sum(count(c) for c in t.children)

        return {"nodes": count(tree)}

    @app.post("/many")
    def many(items: wtf.Body[list[Item]]) -> dict[str, Any]:
        return {"names": [i.name for i in items]}

    return app


@pytest.fixture()
def client() -> Client:
    return Client(make_app(), validate=True)


def errors_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json
    assert problem["status"] == 422 and problem["title"] == "Unprocessable Entity"
    return problem["errors"]  # type: ignore[no-any-return]


VALID_ORDER = {
    "customer": "ann",
    "lines": [{"sku": "a1", "qty": 2}],
    "priority": 3,
    "express": True,
    "note": None,
    "color": "blue",
    "size": "l",
    "ref": "12345678-1234-5678-1234-567812345678",
    "due": "2026-12-24",
    "weights": {"a1": 1.5, "b": 2},
}


def test_valid_order_binds_every_field_type(client: Client) -> None:
    response = client.post("/orders", json=VALID_ORDER)
    assert response.status_code == 200, response.text
    # The handler returned the bound dataclass: it serializes back to the same JSON.
    assert response.json == {**VALID_ORDER, "weights": {"a1": 1.5, "b": 2.0}}


@pytest.mark.parametrize(
    ("change", "loc", "kind"),
    [
        pytest.param({"customer": 7}, ["body", "customer"], "string_type", id="wrong-str"),
        pytest.param({"priority": "3"}, ["body", "priority"], "int_type", id="str-for-int"),
        pytest.param({"priority": True}, ["body", "priority"], "int_type", id="bool-for-int"),
        pytest.param({"priority": 1.5}, ["body", "priority"], "int_type", id="fraction"),
        pytest.param({"express": 1}, ["body", "express"], "bool_type", id="int-for-bool"),
        pytest.param({"lines": {}}, ["body", "lines"], "list_type", id="object-for-list"),
        pytest.param(
            {"lines": [{"sku": "a", "qty": "x"}]},
            ["body", "lines", 0, "qty"],
            "int_type",
            id="nested-in-list",
        ),
        pytest.param(
            {"lines": [{"sku": "a"}]}, ["body", "lines", 0, "qty"], "missing", id="nested-missing"
        ),
        pytest.param({"color": "green"}, ["body", "color"], "enum", id="enum"),
        pytest.param({"size": "xl"}, ["body", "size"], "literal_error", id="literal"),
        pytest.param({"ref": "nope"}, ["body", "ref"], "uuid_parsing", id="uuid"),
        pytest.param({"due": "24/12/2026"}, ["body", "due"], "date_parsing", id="date"),
        pytest.param(
            {"weights": {"a": "heavy"}}, ["body", "weights", "a"], "float_type", id="dict-value"
        ),
        pytest.param({"surprise": 1}, ["body", "surprise"], "extra_forbidden", id="extra"),
    ],
)
def test_invalid_field_is_named(
    client: Client, change: dict[str, Any], loc: list[Any], kind: str
) -> None:
    errors = errors_of(client.post("/orders", json={**VALID_ORDER, **change}))
    assert [(e["loc"], e["type"]) for e in errors] == [(loc, kind)]
    assert errors[0]["msg"]


def test_every_bad_field_is_listed_once(client: Client) -> None:
    errors = errors_of(client.post("/orders", json={"priority": "x", "extra": 1}))
    assert sorted(tuple(map(str, e["loc"])) for e in errors) == [
        ("body", "customer"),
        ("body", "extra"),
        ("body", "lines"),
        ("body", "priority"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "status", "detail"),
    [
        pytest.param(
            {"data": "{nope", "content_type": "application/json"},
            400,
            "not valid JSON",
            id="malformed-json",
        ),
        pytest.param(
            {"data": b"\xff\xfe", "content_type": "application/json"},
            400,
            "not valid JSON",
            id="not-utf8",
        ),
        pytest.param(
            {"data": "a,b", "content_type": "text/csv"}, 415, "text/csv", id="unsupported-type"
        ),
        pytest.param({"data": "name=x"}, 415, "without Content-Type", id="no-content-type"),
        pytest.param(
            {"data": b"\xc1", "content_type": "application/msgpack"},
            400,
            "not valid MessagePack",
            id="malformed-msgpack",
        ),
    ],
)
def test_malformed_bodies(client: Client, kwargs: dict[str, Any], status: int, detail: str) -> None:
    response = client.post("/items", **kwargs)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert detail in response.json["detail"]  # type: ignore[index]
    assert "errors" not in response.json  # type: ignore[operator]


def test_empty_body_reports_the_required_fields(client: Client) -> None:
    errors = errors_of(client.post("/items"))
    assert [(e["loc"], e["type"]) for e in errors] == [(["body", "name"], "missing")]


@pytest.mark.parametrize(
    "body",
    [pytest.param([], id="list"), pytest.param("x", id="string"), pytest.param(None, id="null")],
)
def test_body_that_is_not_an_object(client: Client, body: Any) -> None:
    errors = errors_of(
        client.post("/items", data=json.dumps(body), content_type="application/json")
    )
    assert [(e["loc"], e["type"]) for e in errors] == [(["body"], "dict_type")]


def test_urlencoded_form_converts_strings(client: Client) -> None:
    response = client.post("/form-items", data={"name": "pen", "qty": "3", "tags": ["a", "b"]})
    assert response.json == {"name": "pen", "qty": 3, "tags": ["a", "b"], "type": "Item"}


def test_multipart_form(client: Client) -> None:
    data = {"name": "pen", "qty": "2", "file": (io.BytesIO(b"x"), "x.txt")}
    errors = errors_of(client.post("/form-items", data=data))  # the file is an unknown field
    assert [(e["loc"], e["type"]) for e in errors] == [(["body", "file"], "extra_forbidden")]
    del data["file"]
    response = client.post("/form-items", data=data, content_type="multipart/form-data")
    assert response.json["qty"] == 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        pytest.param(b"garbage", "multipart/form-data; boundary=b", "malformed", id="no-parts"),
        pytest.param(b"--b\r\n0.0--b--\r\n", "multipart/form-data; boundary=b", "malformed",
                     id="part-without-headers"),
        pytest.param(b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\npen',
                     "multipart/form-data; boundary=b", "malformed", id="cut-short"),
        pytest.param(b"x", "multipart/form-data", "has no boundary", id="no-boundary"),
    ],
)  # fmt: skip
def test_a_malformed_multipart_body_is_a_400_not_an_empty_form(
    client: Client, body: bytes, content_type: str, detail: str
) -> None:
    """werkzeug parses these as an empty form by default; found by schemathesis, which sent
    a part with no headers to a route whose fields are all optional and got a 200."""
    response = client.post("/form-items", data=body, content_type=content_type)
    assert response.status_code == 400
    assert detail in response.json["detail"]  # type: ignore[index]


@pytest.mark.parametrize(
    "form", [{"name": "pen"}, {"name": "pen", "file": (io.BytesIO(b"x"), "x")}]
)
def test_a_json_route_refuses_forms_with_415_naming_the_fix(
    client: Client, form: dict[str, Any]
) -> None:
    # Any site's HTML form can post these without a CORS preflight: a JSON API must not act.
    response = client.post("/items", data=form)
    assert response.status_code == 415
    kind = "multipart/form-data" if "file" in form else "application/x-www-form-urlencoded"
    assert response.json["detail"] == (  # type: ignore[index]
        f"this route takes a JSON body, not {kind}; to take an HTML form, annotate the "
        "parameter 'item' wtf.Form[...]"
    )
    assert client.post("/items", json={"name": "pen"}).status_code == 200


def test_a_form_route_refuses_json_with_415(client: Client) -> None:
    response = client.post("/form-items", json={"name": "pen"})
    assert response.status_code == 415
    assert response.json["detail"] == (  # type: ignore[index]
        "expected a form (application/x-www-form-urlencoded or multipart/form-data), not "
        "application/json"
    )


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 200),  # no browser
        ({"Sec-Fetch-Site": "same-origin"}, 200),
        ({"Sec-Fetch-Site": "none"}, 200),  # typed or bookmarked
        ({"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, 403),
        ({"Sec-Fetch-Site": "same-site"}, 403),  # a sibling subdomain is another origin
        ({"Origin": "http://localhost"}, 200),  # the test client's own host
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "null"}, 403),  # a sandboxed or file: page
    ],
)
def test_another_sites_form_is_refused_with_403(
    client: Client, headers: dict[str, str], status: int
) -> None:
    response = client.post("/form-items", data={"name": "pen"}, headers=headers)
    assert response.status_code == status
    if status == 403:
        assert "another site" in response.json["detail"]  # type: ignore[index]


def test_form_takes_a_model_and_one_body_param_per_handler() -> None:
    app = wtf.Server()
    with pytest.raises(wtf.HandlerError, match=r"wtf.Form\[T\] binds the fields of a dataclass"):

        @app.post("/n")
        def n(count: wtf.Form[int]) -> int:
            return count

    with pytest.raises(
        wtf.HandlerError,
        match=r"its field 'file' is a file, which only a multipart form carries; annotate it "
        r"wtf.Form\[Attachment\]",
    ):

        @app.post("/attach")
        def attach(a: Attachment) -> None:
            return None

    with pytest.raises(wtf.HandlerError, match="only one parameter can bind the request body"):

        @app.post("/both")
        def both(item: Item, form: wtf.Form[Account]) -> None:
            return None


def test_form_value_that_does_not_convert(client: Client) -> None:
    errors = errors_of(client.post("/form-items", data={"name": "pen", "qty": "two"}))
    assert [(e["loc"], e["type"]) for e in errors] == [(["body", "qty"], "int_parsing")]


def test_msgpack_body(client: Client) -> None:
    body = msgpack.packb({"name": "pen", "qty": 5})
    response = client.post("/items", data=body, content_type="application/msgpack")
    assert response.json["qty"] == 5  # type: ignore[index]


def test_typeddict(client: Client) -> None:
    response = client.post("/profiles", json={"name": "ann", "age": 30})
    assert response.json == {"profile": {"name": "ann", "age": 30}, "type": "dict"}
    errors = errors_of(client.post("/profiles", json={"name": "ann", "email": 5, "x": 0}))
    assert sorted((tuple(map(str, e["loc"])), e["type"]) for e in errors) == [
        (("body", "age"), "missing"),
        (("body", "email"), "string_type"),
        (("body", "x"), "extra_forbidden"),
    ]


def test_pydantic_model(client: Client) -> None:
    response = client.post("/accounts", json={"name": "ann", "balance": 2})
    assert response.json == {"name": "ann", "balance": 2.0, "tags": []}
    errors = errors_of(client.post("/accounts", json={"balance": "lots"}))
    assert sorted((tuple(e["loc"]), e["type"]) for e in errors) == [
        (("body", "balance"), "float_parsing"),
        (("body", "name"), "missing"),
    ]
    form = client.post("/form-accounts", data={"name": "bob", "tags": ["a", "b"]})
    assert form.json == {"name": "bob", "balance": 0.0, "tags": ["a", "b"]}


def test_pydantic_model_nested_in_a_dataclass(client: Client) -> None:
    assert client.post("/holders", json={"account": {"name": "a", "balance": 3}}).json == {
        "balance": 3.0
    }
    errors = errors_of(client.post("/holders", json={"account": {"balance": 1}}))
    assert [(e["loc"], e["type"]) for e in errors] == [(["body", "account", "name"], "missing")]


def test_post_init_value_error_is_a_422(client: Client) -> None:
    errors = errors_of(client.post("/positive", json={"n": -1}))
    assert errors == [{"loc": ["body"], "msg": "n must be positive", "type": "value_error"}]
    assert client.post("/positive", json={"n": 2}).status_code == 200


def test_recursive_dataclass(client: Client) -> None:
    tree = {"label": "a", "children": [{"label": "b", "children": [{"label": "c"}]}]}
    assert client.post("/trees", json=tree).json == {"nodes": 3}
    bad = {"label": "a", "children": [{"label": "b", "children": [{"label": 1}]}]}
    errors = errors_of(client.post("/trees", json=bad))
    assert errors[0]["loc"] == ["body", "children", 0, "children", 0, "label"]


def test_body_of_a_list_type(client: Client) -> None:
    assert client.post("/many", json=[{"name": "a"}, {"name": "b"}]).json == {"names": ["a", "b"]}
    errors = errors_of(client.post("/many", json=[{"name": "a"}, {}]))
    assert [e["loc"] for e in errors] == [["body", 1, "name"]]
    assert errors_of(client.post("/many"))[0] == {
        "loc": ["body"],
        "msg": "a request body is required",
        "type": "missing",
    }
    assert client.post("/many", data={"name": "a"}).status_code == 415  # lists come as JSON


def test_extra_fields_can_be_ignored() -> None:
    client = Client(make_app(extra_fields="ignore"), validate=True)
    response = client.post("/items", json={"name": "pen", "colour": "red"})
    assert response.json["name"] == "pen"  # type: ignore[index]


def test_text_clients_get_one_line_per_field(client: Client) -> None:
    response = client.post("/items", json={"qty": "x"}, headers={"Accept": "text/plain"})
    assert response.status_code == 422
    lines = response.text.splitlines()
    assert lines[0].startswith("422 Unprocessable Entity: ")
    assert sorted(lines[1:]) == ["- body.name: field required", "- body.qty: expected an integer"]


def test_the_route_body_limit_applies_before_binding() -> None:
    app = wtf.Server()

    @app.post("/small", max_body_size=100)
    def small(item: Item) -> str:
        return item.name

    client = Client(app, validate=True)
    assert client.post("/small", json={"name": "x" * 50}).text == "x" * 50
    response = client.post("/small", json={"name": "x" * 200})
    assert response.status_code == 413
    assert "over 100 bytes" in response.json["detail"]  # type: ignore[index]


def test_an_arg_builder_for_the_type_wins_over_binding() -> None:
    app = wtf.Server()

    @app.arg_builder
    def build_item() -> Item:
        return Item(name="built")

    @app.post("/x")
    def x(item: Item) -> str:
        return item.name

    assert Client(app, validate=True).post("/x", json={"name": "sent"}).text == "built"


@pytest.mark.parametrize(
    ("handler_source", "message"),
    [
        pytest.param(
            "def h(a: Item, b: Profile) -> None: ...",
            "only one parameter can bind the request body",
            id="two-bodies",
        ),
        pytest.param(
            "def h(x: HasOpaque) -> None: ...",
            "field 'thing' of HasOpaque: Opaque is not a type wtf can bind",
            id="unsupported-field",
        ),
        pytest.param(
            "def h(item: wtf.Query[Item], uid: wtf.Query[int]) -> None: ...",
            "also a route parameter",
            id="query-and-route-param",
        ),
    ],
)
def test_registration_errors(handler_source: str, message: str) -> None:
    namespace: dict[str, Any] = {}
    scope = {"wtf": wtf, "Item": Item, "Profile": Profile, "HasOpaque": HasOpaque}
    exec(handler_source, {**scope, "__name__": __name__}, namespace)
    app = wtf.Server()
    with pytest.raises(wtf.HandlerError, match=message) as caught:
        app.handle(namespace["h"], "/u/:uid")
    assert "parameter" in str(caught.value) and ".h" in str(caught.value)


def test_a_huge_invalid_body_gets_a_bounded_422() -> None:
    """1 MiB of `[0,0,...]` for a list of models: the first 50 errors and a count, not 40 MB."""
    app = wtf.Server(max_body_size=2 << 20)

    @app.post("/items")
    def create(items: wtf.Body[list[Item]]) -> int:
        return len(items)

    count = (1 << 20) // 2
    body = json.dumps([0] * count).encode()
    response = Client(app, validate=True).post("/items", data=body, content_type="application/json")
    problem = response.json
    assert response.status_code == 422 and len(response.data) < 20_000
    assert len(problem["errors"]) == 50 and problem["omitted"] == count - 50
    assert problem["errors"][49]["loc"] == ["body", 49]
    assert problem["detail"] == f"body.0: expected an object (and {count - 1} more)"


def test_error_lists_inside_unions_are_bounded_too() -> None:
    app = wtf.Server()

    @app.post("/items")
    def create(items: wtf.Body[list[int] | None]) -> int:
        return len(items or [])

    response = Client(app).post("/items", json=["x"] * 200)
    assert len(response.json["errors"]) == 50 and response.json["omitted"] == 150


def test_a_lone_surrogate_in_a_field_is_a_422_naming_it(client: Client) -> None:
    escaped = client.post(
        "/items", data=b'{"name": "pen\\ud800", "qty": 1}', content_type="application/json"
    )
    assert [(e["loc"], e["type"]) for e in errors_of(escaped)] == [
        (["body", "name"], "string_unicode")
    ]
    raw = client.post(
        "/items", data=b'{"name": "\xed\xa0\x80", "qty": 1}', content_type="application/json"
    )
    assert raw.status_code == 400 and "not valid JSON" in raw.json["detail"]


def test_msgpack_bodies_obey_max_json_depth() -> None:
    app = make_app(limits=wtf.Limits(max_json_depth=5))
    client = Client(app, validate=True)
    nested: Any = {"name": "pen", "qty": 1}
    for _ in range(5):
        nested = {"x": nested}
    deep = client.post("/items", data=msgpack.packb(nested), content_type="application/msgpack")
    assert (deep.status_code, deep.json["detail"]) == (
        400,
        "the MessagePack body is nested deeper than 5 levels",
    )
    bad_utf8 = client.post(
        "/items", data=b"\x81\xa4name\xa1\xff", content_type="application/msgpack"
    )
    assert bad_utf8.status_code == 400
