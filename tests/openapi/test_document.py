"""The OpenAPI document: what each kind of handler, parameter, body and result turns into."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Iterator
from typing import Any, Literal, NotRequired, TypedDict

import pydantic
import pytest
from openapi_spec_validator import validate
from werkzeug.datastructures import FileStorage

import wtf
from wtf.realtime import Hub


def document(app: wtf.Server) -> dict[str, Any]:
    doc = app.openapi(title="t", version="1")
    validate(doc)  # every document these tests build is valid OpenAPI 3.1
    return doc


def op(app: wtf.Server, path: str, method: str = "get") -> dict[str, Any]:
    return document(app)["paths"][path][method]  # type: ignore[no-any-return]


@dataclasses.dataclass
class Item:
    """An item for sale."""

    name: str
    price: float
    tags: list[str] = dataclasses.field(default_factory=list)
    count: int = 1


@dataclasses.dataclass
class Tree:
    value: int
    children: list[Tree] = dataclasses.field(default_factory=list)


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Patch(TypedDict):
    title: str
    body: NotRequired[str]


class Model(pydantic.BaseModel):
    id: int
    inner: Inner


class Inner(pydantic.BaseModel):
    x: float


Model.model_rebuild()


@dataclasses.dataclass
class Filters:
    q: str = ""
    page: int = 1


@dataclasses.dataclass
class Avatar:
    name: str
    picture: FileStorage


# Paths.


@pytest.mark.parametrize(
    ("pattern", "path", "schema"),
    [
        pytest.param("/users/:uid", "/users/{uid}", {"type": "string", "pattern": "^[^/]+$",
                     "minLength": 1}, id="named"),
        pytest.param("/v(?P<ver>\\d+)/x", "/v{ver}/x", {"type": "string",
                     "pattern": "^(\\d+)$"}, id="named-regex"),
        pytest.param("/n/(\\d+)", "/n/{param1}", {"type": "string", "pattern": "^(\\d+)$"},
                     id="unnamed-regex"),
        pytest.param("/files/*", "/files/{path}", {"type": "string"}, id="wildcard"),
        pytest.param("/files/*:rest", "/files/{rest}", {"type": "string"}, id="named-wildcard"),
        pytest.param("/img-:name", "/img-{name}", {"type": "string", "pattern": "^[^/]+$",
                     "minLength": 1}, id="mixed-segment"),
    ],
)  # fmt: skip
def test_patterns_become_templates_and_their_pieces_path_parameters(
    pattern: str, path: str, schema: dict[str, Any]
) -> None:
    app = wtf.Server()
    app.handle(lambda: "x", pattern, "GET")
    doc = document(app)
    assert list(doc["paths"]) == [path]
    (param,) = doc["paths"][path]["get"]["parameters"]
    assert param["in"] == "path" and param["required"] is True
    assert param["schema"] == schema


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        pytest.param(int, {"type": "integer"}, id="int"),
        pytest.param(float, {"type": "number"}, id="float"),
        pytest.param(bool, {"type": "boolean"}, id="bool"),
        pytest.param(uuid.UUID, {"type": "string", "format": "uuid"}, id="uuid"),
    ],
)
def test_typed_path_parameters_have_their_type_and_a_404(annotation: Any, schema: Any) -> None:
    app = wtf.Server()

    def show(key: Any) -> str:
        return "x"

    show.__annotations__["key"] = annotation
    app.handle(show, "/things/:key", "GET")
    operation = op(app, "/things/{key}")
    assert operation["parameters"][0]["schema"] == schema
    assert operation["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}


def test_a_str_path_parameter_gets_no_404_of_its_own() -> None:
    app = wtf.Server()

    @app.get("/users/:name")
    def user(name: str) -> str:
        return name

    assert set(op(app, "/users/{name}")["responses"]) == {"200", "414"}  # 414: a long URL


def test_a_route_without_methods_is_documented_under_every_openapi_method() -> None:
    app = wtf.Server()
    app.handle(lambda: "x", "/any")
    item = document(app)["paths"]["/any"]
    assert set(item) == {"get", "put", "post", "delete", "options", "patch", "trace"}
    assert len({operation["operationId"] for operation in item.values()}) == 7


def test_get_answers_head_so_head_is_not_a_second_operation() -> None:
    app = wtf.Server()
    app.handle(lambda: "x", "/x", "GET", "HEAD")
    assert set(document(app)["paths"]["/x"]) == {"get"}


# Query parameters.


def test_query_parameters_from_defaults_and_query_markers() -> None:
    app = wtf.Server()

    @app.get("/search")
    def search(
        q: wtf.Query[str],
        limit: int = 10,
        tags: wtf.Query[list[str]] = [],  # noqa: B006 (never mutated: the default is documented)
        exact: bool = False,
    ) -> list[str]:
        return []

    operation = op(app, "/search")
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["q"] == {"name": "q", "in": "query", "required": True,
                           "schema": {"type": "string"}}  # fmt: skip
    assert params["limit"]["schema"] == {"type": "integer", "default": 10}
    assert params["limit"]["required"] is False
    assert params["tags"]["schema"] == {"type": "array", "items": {"type": "string"},
                                        "default": []}  # fmt: skip
    assert params["tags"]["explode"] is True and params["tags"]["style"] == "form"
    assert params["exact"]["schema"] == {"type": "boolean", "default": False}
    assert {"400", "422"} <= set(operation["responses"])


def test_a_dataclass_bound_from_the_query_is_one_parameter_per_field() -> None:
    app = wtf.Server()

    @app.get("/items")
    def items(filters: wtf.Query[Filters]) -> list[str]:
        return []

    params = op(app, "/items")["parameters"]
    assert [(p["name"], p["required"], p["schema"]) for p in params] == [
        ("q", False, {"type": "string"}),
        ("page", False, {"type": "integer"}),
    ]


# Bodies.


def test_a_dataclass_body_is_a_shared_component_in_json_and_forms() -> None:
    app = wtf.Server()

    @app.post("/items")
    def create(item: Item) -> Item:
        return item

    @app.put("/items/:name")
    def replace(name: str, item: wtf.Form[Item]) -> Item:
        return item

    doc = document(app)
    body = doc["paths"]["/items"]["post"]["requestBody"]
    assert body["required"] is True
    assert list(body["content"]) == ["application/json"]  # a JSON route takes no form
    ref = {"$ref": "#/components/schemas/Item"}
    assert body["content"]["application/json"]["schema"] == ref
    form = doc["paths"]["/items/{name}"]["put"]
    assert list(form["requestBody"]["content"]) == [
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ]
    assert form["requestBody"]["content"]["multipart/form-data"]["schema"] == ref
    assert "403" in form["responses"]  # another site's form
    assert "403" not in doc["paths"]["/items"]["post"]["responses"]
    assert doc["components"]["schemas"]["Item"] == {
        "type": "object",
        "title": "Item",
        "description": "An item for sale.",
        "properties": {
            "name": {"type": "string"},
            "price": {"type": "number"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "count": {"type": "integer", "default": 1},
        },
        "required": ["name", "price"],
        "additionalProperties": False,
    }
    responses = doc["paths"]["/items"]["post"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == ref
    assert {"400", "413", "415", "422"} <= set(responses)


def test_extra_fields_ignored_means_additional_properties_allowed() -> None:
    app = wtf.Server(extra_fields="ignore")

    @app.post("/items")
    def create(item: Item) -> str:
        return ""

    assert "additionalProperties" not in document(app)["components"]["schemas"]["Item"]


def test_a_typeddict_body_keeps_required_and_not_required_keys() -> None:
    app = wtf.Server()

    @app.patch("/notes/:nid")
    def change(nid: int, data: Patch) -> str:
        return ""

    schema = document(app)["components"]["schemas"]["Patch"]
    assert schema["required"] == ["title"]
    assert set(schema["properties"]) == {"title", "body"}


def test_a_pydantic_body_uses_pydantics_schema_and_lifts_its_nested_models() -> None:
    app = wtf.Server()

    @app.post("/models")
    def create(model: Model) -> Model:
        return model

    schemas = document(app)["components"]["schemas"]
    assert schemas["Model"]["properties"]["inner"] == {"$ref": "#/components/schemas/Inner"}
    assert schemas["Inner"]["properties"]["x"]["type"] == "number"


def test_a_body_of_a_list_is_json_only() -> None:
    app = wtf.Server()

    @app.post("/numbers")
    def total(numbers: wtf.Body[list[int]]) -> int:
        return sum(numbers)

    operation = op(app, "/numbers", "post")
    assert operation["requestBody"]["content"] == {
        "application/json": {"schema": {"type": "array", "items": {"type": "integer"}}}
    }
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "integer"
    }


def test_a_body_with_a_file_is_multipart_only() -> None:
    app = wtf.Server()

    @app.post("/avatars")
    def upload(avatar: wtf.Form[Avatar]) -> str:
        return avatar.name

    content = op(app, "/avatars", "post")["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    picture = document(app)["components"]["schemas"]["Avatar"]["properties"]["picture"]
    assert picture == {"type": "string", "format": "binary"}


def test_msgpack_is_a_second_media_type_where_enabled() -> None:
    app = wtf.Server(msgpack=True)

    @app.post("/items")
    def create(item: Item) -> Item:
        return item

    operation = op(app, "/items", "post")
    assert "application/msgpack" in operation["requestBody"]["content"]
    assert list(operation["responses"]["200"]["content"]) == [
        "application/json",
        "application/msgpack",
    ]


def test_an_optional_body_is_not_required() -> None:
    app = wtf.Server()

    @app.post("/items")
    def create(item: wtf.Body[Item | None] = None) -> str:
        return ""

    body = op(app, "/items", "post")["requestBody"]
    assert body["required"] is False
    assert body["content"]["application/json"]["schema"] == {
        "anyOf": [{"$ref": "#/components/schemas/Item"}, {"type": "null"}]
    }


# Schemas.


def test_a_recursive_type_refers_to_itself() -> None:
    app = wtf.Server()

    @app.post("/trees")
    def plant(tree: Tree) -> Tree:
        return tree

    tree = document(app)["components"]["schemas"]["Tree"]
    assert tree["properties"]["children"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Tree"},
    }


def test_two_types_of_the_same_name_get_two_components() -> None:
    other = dataclasses.make_dataclass("Item", [("other", int)])
    other.__module__ = "shop.legacy"  # make_dataclass's own default differs by Python version
    app = wtf.Server()
    for path, model in (("/a", Item), ("/b", other)):

        def create(item: Any) -> str:
            return ""

        create.__annotations__["item"] = model
        app.handle(create, path, "POST")
    schemas = document(app)["components"]["schemas"]
    assert schemas["Item"]["properties"]["name"] == {"type": "string"}
    assert schemas["shop.legacy.Item"]["properties"] == {"other": {"type": "integer"}}
    assert document(app)["paths"]["/b"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/shop.legacy.Item"}


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        pytest.param(Color, {"$ref": "#/components/schemas/Color"}, id="enum"),
        pytest.param(Literal["a", "b"], {"enum": ["a", "b"], "type": "string"}, id="literal"),
        pytest.param(Literal[1], {"const": 1, "type": "integer"}, id="literal-one"),
        pytest.param(set[int], {"type": "array", "items": {"type": "integer"},
                                "uniqueItems": True}, id="set"),
        pytest.param(dict[str, float], {"type": "object",
                                        "additionalProperties": {"type": "number"}}, id="dict"),
        pytest.param(int | str, {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                     id="union"),
        pytest.param(Any, {}, id="any"),
    ],
)  # fmt: skip
def test_types_as_json_schema(annotation: Any, schema: dict[str, Any]) -> None:
    app = wtf.Server()

    def handler(value: Any) -> str:
        return ""

    handler.__annotations__["value"] = wtf.Body[annotation]
    app.handle(handler, "/v", "POST")
    doc = document(app)
    assert (
        doc["paths"]["/v"]["post"]["requestBody"]["content"]["application/json"]["schema"] == schema
    )
    if annotation is Color:
        assert doc["components"]["schemas"]["Color"] == {
            "enum": ["red", "blue"],
            "type": "string",
            "title": "Color",
        }


# Responses.


@pytest.mark.parametrize(
    ("result", "status", "content"),
    [
        pytest.param(str, "200", {"text/plain": {"schema": {"type": "string"}}}, id="str"),
        pytest.param(bytes, "200", {"application/octet-stream": {"schema": {}}}, id="bytes"),
        pytest.param(Iterator[str], "200", {"text/plain": {"schema": {"type": "string"}}},
                     id="stream"),
        pytest.param(Iterator[bytes], "200", {"application/octet-stream": {"schema": {}}},
                     id="byte-stream"),
        pytest.param(tuple[Item, int], "2XX",
                     {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
                     id="with-status"),
        pytest.param(None, "200", None, id="none"),
        pytest.param(wtf.Response, "200", None, id="response-object"),
    ],
)  # fmt: skip
def test_the_return_annotation_is_the_success_response(
    result: Any, status: str, content: dict[str, Any] | None
) -> None:
    app = wtf.Server()

    def handler() -> Any:
        return ""

    handler.__annotations__["return"] = result
    app.handle(handler, "/r", "GET")
    success = op(app, "/r")["responses"][status]
    assert success.get("content") == content
    assert success.get("x-wtf-streamed", False) is (status == "200" and "Iterator" in str(result))


def test_route_options_refine_the_operation() -> None:
    app = wtf.Server()

    @app.delete(
        "/items/:iid",
        tags=["items"],
        operation_id="removeItem",
        responses={204: "Deleted", 404: "No such item", "default": {"description": "Other"}},
        deprecated=True,
        summary="Remove an item",
    )
    def remove(iid: int) -> None:
        """Ignored summary.

        The long description, kept."""

    operation = op(app, "/items/{iid}", "delete")
    assert operation["tags"] == ["items"]
    assert operation["operationId"] == "removeItem"
    assert operation["deprecated"] is True
    assert operation["summary"] == "Remove an item"
    assert operation["description"] == "The long description, kept."
    responses = operation["responses"]
    assert list(responses) == ["204", "404", "414", "default"]  # no 200: the route said
    assert responses["204"] == {"description": "Deleted"}
    assert responses["404"]["description"] == "No such item"
    assert "application/problem+json" in responses["404"]["content"]


def test_a_documented_2xx_takes_the_result_schema() -> None:
    app = wtf.Server()

    @app.post("/items", responses={201: "Created"})
    def create(item: Item) -> tuple[Item, int]:
        return item, 201

    responses = op(app, "/items", "post")["responses"]
    assert "2XX" not in responses and "200" not in responses
    assert responses["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Item"
    }


def test_summary_and_description_come_from_the_docstring() -> None:
    app = wtf.Server()

    @app.get("/doc")
    def documented() -> str:
        """First line
        continues here.

        More text."""
        return ""

    operation = op(app, "/doc")
    assert operation["summary"] == "First line continues here."
    assert operation["description"] == "More text."


def test_a_route_left_out_of_the_schema_is_not_listed() -> None:
    app = wtf.Server()
    app.handle(lambda: "x", "/hidden", "GET", include_in_schema=False)
    app.handle(lambda: "x", "/shown", "GET")
    assert list(document(app)["paths"]) == ["/shown"]


def test_a_deadline_adds_a_504() -> None:
    app = wtf.Server()
    app.handle(lambda: "x", "/slow", "GET", timeout=1.0)
    app.handle(lambda: "x", "/fast", "GET")
    doc = document(app)
    assert "504" in doc["paths"]["/slow"]["get"]["responses"]
    assert "504" not in doc["paths"]["/fast"]["get"]["responses"]
    assert doc["components"]["responses"]["GatewayTimeout"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }


# Mistakes.


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"responses": {999: "x"}}, "responses= keys are statuses", id="status"),
        pytest.param({"responses": {200: 5}}, "must be a description", id="answer"),
        pytest.param({"tags": "items"}, "tags= is a list of names", id="tags-str"),
        pytest.param({"operation_id": "has space"}, "operation_id=", id="operation-id"),
        pytest.param({"summary": 3}, "summary= must be a string", id="summary"),
    ],
)
def test_bad_documentation_options_fail_at_registration(
    options: dict[str, Any], message: str
) -> None:
    app = wtf.Server()
    with pytest.raises(wtf.RegistrationError, match=message):
        app.handle(lambda: "x", "/x", "GET", **options)


def test_two_routes_with_one_operation_id_fail_when_the_document_is_built() -> None:
    app = wtf.Server()
    app.handle(lambda: "x", "/a", "GET", operation_id="same")
    app.handle(lambda: "x", "/b", "GET", operation_id="same")
    with pytest.raises(wtf.RegistrationError, match="operation_id 'same' of GET /b"):
        app.openapi()


def test_handler_names_are_made_unique() -> None:
    app = wtf.Server()

    def show() -> str:
        return ""

    app.handle(show, "/a", "GET")
    app.handle(show, "/b", "GET")
    doc = document(app)
    assert doc["paths"]["/a"]["get"]["operationId"] == "show"
    assert doc["paths"]["/b"]["get"]["operationId"] == "show_get"


# Realtime.


def test_websocket_routes_and_hub_methods_are_in_the_realtime_extension() -> None:
    app = wtf.Server()

    @app.websocket("/echo")
    def echo(ws: wtf.WebSocket) -> None:
        pass

    hub = Hub()
    hub.event("joined")
    hub.event("said", history=100, ttl=300)
    hub.event("seen", history=10)

    @hub.method("add")
    def add(a: int, b: int = 0) -> int:
        """Add two numbers."""
        return a + b

    @hub.method("place")
    def place(item: Item) -> list[Item]:
        return [item]

    app.websocket("/hub")(hub)
    doc = document(app)
    assert doc["paths"] == {}
    realtime = doc["x-wtf-realtime"]
    assert realtime["websockets"][0]["path"] == "/echo"
    (described,) = realtime["hubs"]
    assert described["path"] == "/hub" and described["events"] == ["joined", "said", "seen"]
    # The Hub's own methods first, then the app's.
    assert list(described["methods"]) == ["$subscribe", "$unsubscribe", "add", "place"]
    subscribe = described["methods"]["$subscribe"]
    assert subscribe["params"]["required"] == ["event", "channel"]
    assert set(subscribe["params"]["properties"]) == {"event", "channel", "data", "since", "epoch"}
    assert described["methods"]["$unsubscribe"]["result"]["type"] == "boolean"
    assert described["history"] == {  # the events a client may resubscribe to since an offset
        "said": {"size": 100, "ttl": 300},
        "seen": {"size": 10, "ttl": None},
    }
    assert described["methods"]["add"] == {
        "params": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a"],
        },
        "result": {"type": "integer"},
        "summary": "Add two numbers.",
    }
    assert described["methods"]["place"]["result"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Item"},
    }
    assert "Item" in doc["components"]["schemas"]


def test_routes_the_router_falls_back_between_are_one_path_accepting_either() -> None:
    app = wtf.Server()

    @app.get("/id/(?P<num>\\d+)", responses={404: "none"})
    def by_number(num: int) -> Item:
        raise wtf.HTTPError(404, "none")

    @app.get("/id/:word")
    def by_word(word: str, verbose: bool = False) -> str:
        return word

    doc = document(app)
    assert list(doc["paths"]) == ["/id/{num}"]  # "/id/{word}" would be the same path
    operation = doc["paths"]["/id/{num}"]["get"]
    assert operation["operationId"] == "by_number"
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["num"]["schema"] == {
        "anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[^/]+$", "minLength": 1}]
    }
    assert params["verbose"]["required"] is False
    ok = operation["responses"]["200"]["content"]
    assert ok["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}
    assert ok["text/plain"]["schema"] == {"type": "string"}
    assert "404" in operation["responses"]


def test_openapi_extra_is_merged_over_the_operation() -> None:
    app = wtf.Server()
    header = {"name": "X-Token", "in": "header", "required": True, "schema": {"type": "string"}}

    def find(q: str = "") -> str:
        return q

    app.handle(find, "/x", "GET", openapi_extra={"parameters": [header], "x-internal": True})
    operation = op(app, "/x")
    assert [p["name"] for p in operation["parameters"]] == ["q", "X-Token"]
    assert operation["x-internal"] is True


def test_a_groups_tags_come_before_its_routes_own() -> None:
    app = wtf.Server()
    api = app.group("/api", tags=["api"])
    admin = api.group("/admin", tags=["admin"])
    api.handle(lambda: "x", "/a", "GET")
    admin.handle(lambda: "x", "/b", "GET", tags=["danger", "api"])
    paths = document(app)["paths"]
    assert paths["/api/a"]["get"]["tags"] == ["api"]
    assert paths["/api/admin/b"]["get"]["tags"] == ["api", "admin", "danger"]
    with pytest.raises(wtf.RegistrationError, match="tags= is a list of names"):
        app.group("/x", tags="x")  # type: ignore[arg-type]
