"""The document served (``openapi_route``), printed (``wtf openapi``), and valid for every
example app."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from typing import Any

import pytest
from openapi_spec_validator import validate

import wtf
from wtf.testing import Client

from ..serving.live import ROOT

EXAMPLES = ["hello", "notes", "tour", "uploads", "chat"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_apps_document_is_valid_openapi(name: str) -> None:
    app = importlib.import_module(f"examples.{name}").app
    document = app.openapi()
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["paths"] or document.get("x-wtf-realtime")


def test_the_document_and_docs_page_are_served_and_not_listed() -> None:
    app = wtf.Server()
    app.openapi_route("/openapi.json", docs="/docs", title="Shop", version="2.1")

    @app.get("/items/:iid")
    def item(iid: int) -> dict[str, int]:
        """One item."""
        return {"id": iid}

    client = Client(app)
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    served = json.loads(response.data)
    assert served == app.openapi()
    assert served["info"] == {"title": "Shop", "version": "2.1"}
    assert list(served["paths"]) == ["/items/{iid}"]  # the two routes themselves are not

    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.data.decode()
    assert "<code>/items/{iid}</code> One item." in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "href='/openapi.json'" in html


def test_a_route_added_after_the_first_request_is_in_the_next_document() -> None:
    app = wtf.Server()
    app.openapi_route()
    client = Client(app)
    assert json.loads(client.get("/openapi.json").data)["paths"] == {}
    app.handle(lambda: "x", "/late", "GET")
    assert list(json.loads(client.get("/openapi.json").data)["paths"]) == ["/late"]


def test_the_docs_page_escapes_what_the_document_says() -> None:
    app = wtf.Server()
    app.openapi_route(title="<b>x</b>")
    app.handle(lambda: "x", "/x", "GET", summary="<script>alert(1)</script>")
    html = Client(app).get("/docs").data.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>x</b>" not in html


def test_no_docs_page_when_asked_for_none() -> None:
    app = wtf.Server()
    app.openapi_route(docs=None)
    assert Client(app).get("/docs").status_code == 404


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wtf", "openapi", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_wtf_openapi_prints_the_apps_document() -> None:
    done = run_cli("examples.notes:app")
    assert done.returncode == 0, done.stderr
    printed: dict[str, Any] = json.loads(done.stdout)
    from examples.notes import app

    assert printed == app.openapi()
    assert printed["info"] == {"title": "Notes", "version": "1.0"}  # from its openapi_route


def test_wtf_openapi_takes_a_title_and_version() -> None:
    done = run_cli("examples.hello:app", "--title", "Hi", "--version", "9")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["info"] == {"title": "Hi", "version": "9"}


def test_wtf_openapi_of_something_else_says_so() -> None:
    done = run_cli("json:dumps")
    assert done.returncode == 1
    assert "is not a wtf.Server; 'wtf openapi' reads wtf apps only" in done.stderr
