"""The notes API, in-process, on a temporary database."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from examples import notes
from wtf.testing import Client


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Client:
    path = str(tmp_path / "notes.db")
    monkeypatch.setattr(notes, "DB_PATH", path)
    notes.init_db(path)
    return Client(notes.app, validate=True)


def test_crud(client: Client) -> None:
    created = client.post("/notes", json={"title": "milk", "body": "2 litres"})
    assert created.status_code == 201
    note = created.json
    assert created.headers["Location"] == f"/notes/{note['id']}"  # type: ignore[index]
    assert client.get(f"/notes/{note['id']}").json == note  # type: ignore[index]
    updated = client.put(f"/notes/{note['id']}", json={"body": "3 litres"})  # type: ignore[index]
    assert updated.json["body"] == "3 litres" and updated.json["title"] == "milk"  # type: ignore[index]
    client.post("/notes", json={"title": "bread"})
    assert [n["title"] for n in client.get("/notes").json] == ["bread", "milk"]  # type: ignore[union-attr]
    assert [n["title"] for n in client.get("/notes?q=mil").json] == ["milk"]  # type: ignore[union-attr]
    assert client.delete(f"/notes/{note['id']}").status_code == 204  # type: ignore[index]
    assert client.get(f"/notes/{note['id']}").status_code == 404  # type: ignore[index]
    assert notes.open_connections() == 0


@pytest.mark.parametrize(
    ("kwargs", "status", "detail"),
    [
        pytest.param({"json": {"body": "x"}}, 422, "body.title: field required", id="missing"),
        pytest.param({"json": {"title": 3}}, 422, "body.title: expected a string", id="type"),
        pytest.param({"json": {"title": "a", "x": 1}}, 422, "body.x: unexpected field", id="extra"),
        pytest.param(
            {"json": {"title": " \t"}}, 422, "body.title: String should match pattern", id="blank"
        ),
        pytest.param({"json": {"title": ""}}, 422, "at least 1 character", id="empty-title"),
        pytest.param(
            {"json": {"title": "t" * 201}},
            422,
            "body.title: String should have at most 200",
            id="long",
        ),
        pytest.param({"json": {"title": "t", "body": "b" * 4001}}, 422, "at most 4000", id="body"),
        pytest.param({"json": ["title"]}, 422, "body: expected an object", id="not-an-object"),
        pytest.param(
            {"data": "x" * 70000, "content_type": "application/json"}, 413, "65536", id="too-large"
        ),
        pytest.param(
            {"data": "{nope", "content_type": "application/json"}, 400, "", id="malformed"
        ),
        pytest.param({"data": "title=a", "content_type": "text/plain"}, 415, "", id="not-json"),
    ],
)
def test_bad_input(client: Client, kwargs: dict[str, object], status: int, detail: str) -> None:
    response = client.post("/notes", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert detail in response.json["detail"]  # type: ignore[index]
    assert notes.open_connections() == 0


def test_the_listing_bounds_its_query(client: Client) -> None:
    for query, complaint in (
        ("limit=-1", "greater than or equal to 0"),
        ("limit=1001", "less than or equal to 1000"),
        ("q=" + "x" * 201, "at most 200"),
    ):
        refused = client.get(f"/notes?{query}")
        assert refused.status_code == 422 and complaint in refused.json["detail"], query  # type: ignore[index]
    assert client.get("/notes?limit=0").json == []


def test_typed_id_and_missing_note(client: Client) -> None:
    assert client.get("/notes/abc").status_code == 404
    assert client.get("/notes/99999999999999999999").status_code == 404  # beyond SQLite
    assert client.delete("/notes/-5").status_code == 404
    missing = client.get("/notes/999")
    assert (missing.status_code, missing.json["detail"]) == (404, "note 999 not found")  # type: ignore[index]


def test_cors_and_gzip(client: Client) -> None:
    for i in range(30):
        client.post("/notes", json={"title": f"note number {i}", "body": "x" * 20})
    response = client.get("/notes", headers={"Accept-Encoding": "gzip", "Origin": "https://a.b"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert len(gzip.decompress(response.data)) > len(response.data)
    preflight = client.options(
        "/notes/1",
        headers={"Origin": "https://a.b", "Access-Control-Request-Method": "PUT"},
    )
    assert preflight.status_code == 204


def test_export_stream_and_client_going_away(client: Client) -> None:
    for i in range(50):
        client.post("/notes", json={"title": f"n{i}"})
    full = client.get("/notes.ndjson")
    assert [json.loads(line)["title"] for line in full.text.splitlines()][:2] == ["n0", "n1"]
    assert notes.open_connections() == 0
    partial = client.get("/notes.ndjson", buffered=False)
    first = next(partial.iter_encoded())
    assert json.loads(first)["title"] == "n0"
    assert notes.open_connections() == 1  # the stream holds its connection...
    partial.close()  # ...until the client goes away
    assert notes.open_connections() == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [(b'{"title": "\\ud800"}', 422), (b'{"title": "\xed\xa0\x80"}', 400)],
    ids=["escaped", "raw"],
)
def test_a_lone_surrogate_never_reaches_the_database(
    client: Client, data: bytes, status: int
) -> None:
    response = client.post("/notes", data=data, content_type="application/json")
    assert response.status_code == status
    if status == 422:
        assert response.json["errors"][0]["loc"] == ["body", "title"]  # type: ignore[index]
    assert client.get("/notes").json == []
