"""Rendering: JSON (default and pluggable), dataclass and pydantic results, MessagePack, XML."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import sys
import uuid
from typing import Any
from xml.etree import ElementTree

import msgpack
import pydantic
import pytest

import wtf
from wtf.rendering import encode_json, orjson_encoder
from wtf.testing import Client


class Shade(enum.Enum):
    DARK = "dark"


@dataclasses.dataclass
class Point:
    x: int
    y: int
    tags: set[str] = dataclasses.field(default_factory=set)


class Person(pydantic.BaseModel):
    name: str
    born: datetime.date


RICH = {
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "at": datetime.datetime(2026, 11, 22, 10, 30, tzinfo=datetime.UTC),
    "day": datetime.date(2026, 11, 22),
    "price": decimal.Decimal("9.99"),
    "shade": Shade.DARK,
    "point": Point(1, 2),
    "person": Person(name="ann", born=datetime.date(1990, 1, 2)),
}
RICH_JSON = {
    "id": "12345678-1234-5678-1234-567812345678",
    "at": "2026-11-22T10:30:00+00:00",
    "day": "2026-11-22",
    "price": "9.99",
    "shade": "dark",
    "point": {"x": 1, "y": 2, "tags": []},
    "person": {"name": "ann", "born": "1990-01-02"},
}


def make_app(**kwargs: Any) -> wtf.Server:
    app = wtf.Server(**kwargs)

    @app.get("/point")
    def point() -> Point:
        return Point(3, 4, {"a"})

    @app.get("/person")
    def person() -> Person:
        return Person(name="bo", born=datetime.date(2000, 5, 6))

    @app.get("/rich")
    def rich() -> dict[str, Any]:
        return RICH

    @app.get("/list")
    def as_list() -> list[int]:
        return [1, 2, 3]

    @app.get("/written")
    def written(resp: wtf.Response) -> None:
        resp.write_json({"written": True})

    @app.get("/opaque")
    def opaque() -> dict[str, Any]:
        return {"x": object()}

    @app.get("/xml/element")
    def xml_element(resp: wtf.Response) -> None:
        root = ElementTree.Element("note", id="7")
        ElementTree.SubElement(root, "title").text = "milk & honey"
        resp.write_xml(root)

    @app.get("/xml/mapping")
    def xml_mapping(resp: wtf.Response) -> None:
        resp.write_xml({"title": "a<b", "tags": ["x", "y"], "done": False}, root="note")

    @app.get("/xml/text")
    def xml_text(resp: wtf.Response) -> None:
        resp.write_xml("<ok/>")

    @app.get("/packed")
    def packed(resp: wtf.Response) -> None:
        resp.write_msgpack({"n": 1})

    return app


@pytest.fixture()
def client() -> Client:
    return Client(make_app(), validate=True)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("/point", {"x": 3, "y": 4, "tags": ["a"]}, id="dataclass"),
        pytest.param("/person", {"name": "bo", "born": "2000-05-06"}, id="pydantic"),
        pytest.param("/rich", RICH_JSON, id="uuid-datetime-decimal-enum-nested"),
        pytest.param("/written", {"written": True}, id="write_json"),
    ],
)
def test_json_results(client: Client, path: str, expected: Any) -> None:
    response = client.get(path)
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == expected


def test_unencodable_value_is_a_logged_500(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/opaque")
    assert response.status_code == 500
    assert "Traceback" not in response.text and "object" not in response.text
    assert "not JSON serializable" in caplog.text


def test_pluggable_encoder() -> None:
    seen: list[Any] = []

    def encoder(obj: Any) -> bytes:
        seen.append(obj)
        return b'{"custom":1}'

    client = Client(make_app(json_encoder=encoder), validate=True)
    assert client.get("/list").data == b'{"custom":1}'
    assert client.get("/written").data == b'{"custom":1}'
    assert seen == [[1, 2, 3], {"written": True}]


def test_orjson_encoder_gives_the_same_json() -> None:
    fast = Client(make_app(json_encoder=orjson_encoder()), validate=True)
    assert fast.get("/rich").json == RICH_JSON == json.loads(encode_json(RICH))
    assert fast.get("/point").json == {"x": 3, "y": 4, "tags": ["a"]}
    assert fast.get("/person").json == {"name": "bo", "born": "2000-05-06"}


def test_orjson_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "orjson", None)
    with pytest.raises(wtf.RegistrationError, match=r"pip install 'wtf\[fast\]'"):
        orjson_encoder()


@pytest.mark.parametrize(
    ("accept", "msgpacked"),
    [
        pytest.param("application/msgpack", True, id="msgpack"),
        pytest.param("application/x-msgpack", True, id="x-msgpack"),
        pytest.param("application/json, application/msgpack;q=0.5", False, id="json-preferred"),
        pytest.param("application/msgpack;q=0.9, application/json;q=0.1", True, id="q-values"),
        pytest.param("*/*", False, id="any"),
        pytest.param(None, False, id="none"),
    ],
)
def test_msgpack_negotiation(accept: str | None, msgpacked: bool) -> None:
    client = Client(make_app(msgpack=True), validate=True)
    headers = {"Accept": accept} if accept else {}
    for path, expected in (("/list", [1, 2, 3]), ("/point", {"x": 3, "y": 4, "tags": ["a"]})):
        response = client.get(path, headers=headers)
        assert response.headers["Vary"] == "Accept"
        if msgpacked:
            assert response.headers["Content-Type"] == "application/msgpack"
            assert msgpack.unpackb(response.data) == expected
        else:
            assert response.json == expected


def test_msgpack_is_off_unless_asked(client: Client) -> None:
    response = client.get("/list", headers={"Accept": "application/msgpack"})
    assert response.json == [1, 2, 3]
    assert "Vary" not in response.headers
    assert msgpack.unpackb(client.get("/packed").data) == {"n": 1}  # explicit writes work


def test_msgpack_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "msgpack", None)
    with pytest.raises(wtf.RegistrationError, match=r"pip install 'wtf\[msgpack\]'"):
        wtf.Server(msgpack=True)


@pytest.mark.parametrize(
    ("path", "check"),
    [
        pytest.param(
            "/xml/element",
            lambda root: (
                (root.tag, root.get("id"), root.findtext("title")) == ("note", "7", "milk & honey")
            ),
            id="element",
        ),
        pytest.param(
            "/xml/mapping",
            lambda root: (
                (
                    root.findtext("title"),
                    [t.text for t in root.findall("tags")],
                    root.findtext("done"),
                )
                == ("a<b", ["x", "y"], "false")
            ),
            id="mapping",
        ),
        pytest.param("/xml/text", lambda root: root.tag == "ok", id="text"),
    ],
)
def test_xml(client: Client, path: str, check: Any) -> None:
    response = client.get(path)
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert check(ElementTree.fromstring(response.data))


def test_lone_surrogates_are_escaped_not_a_500() -> None:
    value = {"a": "\ud800", "b": "é"}
    encoded = encode_json(value)
    assert encoded == b'{"a":"\\ud800","b":"\\u00e9"}'  # ASCII JSON, which round-trips
    assert json.loads(encoded) == value
    assert encode_json({"b": "é"}) == '{"b":"é"}'.encode()  # UTF-8 otherwise


@pytest.mark.parametrize("value", [{"a": "\ud800"}, {"big": 2**70}], ids=["surrogate", "big-int"])
def test_orjson_encoder_falls_back_to_the_stdlib_for_what_orjson_refuses(value: Any) -> None:
    assert json.loads(orjson_encoder()(value)) == value


def test_orjson_encoder_still_refuses_what_nothing_can_encode() -> None:
    with pytest.raises(TypeError):
        orjson_encoder()({"x": object()})


def test_what_msgpack_cannot_hold_goes_out_as_json() -> None:
    app = wtf.Server(msgpack=True)

    @app.get("/big")
    def big() -> dict[str, int]:
        return {"n": 2**70}

    @app.get("/small")
    def small() -> dict[str, int]:
        return {"n": 2**60}

    client = Client(app, validate=True)
    response = client.get("/big", headers={"Accept": "application/msgpack"})
    assert (response.status_code, response.headers["Content-Type"]) == (200, "application/json")
    assert response.json == {"n": 2**70} and response.headers["Vary"] == "Accept"
    packed = client.get("/small", headers={"Accept": "application/msgpack"})
    assert msgpack.unpackb(packed.data) == {"n": 2**60}
