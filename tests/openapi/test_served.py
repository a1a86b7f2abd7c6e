"""The document served (``openapi_route``), printed (``wtf openapi``), and valid for every
example app."""

from __future__ import annotations

import importlib
import json
import re
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

    page = client.get("/docs/static")  # the static page: no script at all
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.data.decode()
    assert "<code>/items/{iid}</code> One item." in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "href='/openapi.json'" in html


def test_the_interactive_page_is_swagger_ui_served_by_the_app_itself() -> None:
    app = wtf.Server()
    app.openapi_route("/api.json", docs="/try", title="Shop <&>")
    client = Client(app)
    page = client.get("/try")
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.data.decode()
    assert '<div id="swagger-ui" data-url="/api.json"></div>' in html
    assert "<title>Shop &lt;&amp;&gt;</title>" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources == [
        "/try/assets/favicon-32x32.png",
        "/try/assets/swagger-ui.css",
        "/try/assets/swagger-ui-bundle.js",
        "/try/assets/wtf-swagger.js",
    ]  # every file from the app: no CDN
    assert "<script>" not in html  # no inline script: a strict CSP allows the page
    bundle = client.get("/try/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.data) > 500_000
    assert bundle.headers["Content-Type"].startswith("text/javascript")
    assert "ETag" in bundle.headers and "max-age=86400" in bundle.headers["Cache-Control"]
    again = client.get(
        "/try/assets/swagger-ui-bundle.js", headers={"If-None-Match": bundle.headers["ETag"]}
    )
    assert again.status_code == 304
    start = client.get("/try/assets/wtf-swagger.js").data
    assert b"SwaggerUIBundle({" in start and b"root.dataset.url" in start
    for missing in ("index.html", "swagger-initializer.js", "..%2Fswagger.py", "LICENSE"):
        assert client.get(f"/try/assets/{missing}").status_code == 404, missing
    assert client.get("/docs/static").status_code == 200  # the static page stays
    assert list(app.openapi()["paths"]) == []


def test_without_the_swagger_extra_the_docs_page_is_the_static_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import wtf.openapi.serving as serving

    monkeypatch.setattr(serving, "swagger_directory", lambda: None)
    app = wtf.Server()
    app.openapi_route(title="Plain")
    client = Client(app)
    assert client.get("/docs").data == client.get("/docs/static").data
    assert b"<script" not in client.get("/docs").data
    assert client.get("/docs/assets/swagger-ui.css").status_code == 404


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
    html = Client(app).get("/docs/static").data.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>x</b>" not in html


def test_no_docs_page_when_asked_for_none() -> None:
    app = wtf.Server()
    app.openapi_route(docs=None, static_docs=None)
    client = Client(app)
    for path in ("/docs", "/docs/static", "/docs/assets/swagger-ui.css"):
        assert client.get(path).status_code == 404, path


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
