"""Route groups, URL building and static files: what Flask users look for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import wtf
from wtf.router import Router, build_path
from wtf.testing import Client


def test_a_group_prefixes_its_routes_and_scopes_its_midware() -> None:
    app = wtf.Server()
    api = app.group("/api/v1")
    seen: list[str] = []

    def require_token(ctx: wtf.Context) -> wtf.Context | None:
        seen.append(ctx.path)
        if ctx.request.headers.get("X-Token") != "s3cret":
            ctx.response.write_header(401)
            return None
        return ctx

    api.add_midware(require_token)

    @api.get("/users/:uid")
    def user(uid: int) -> dict[str, int]:
        return {"uid": uid}

    admin = api.group("/admin")

    @admin.post("/purge")
    def purge() -> str:
        return "purged"

    @app.get("/health")
    def health() -> str:
        return "ok"

    client = Client(app, validate=True)
    assert client.get("/api/v1/users/7").status_code == 401
    assert client.get("/api/v1/users/7", headers={"X-Token": "s3cret"}).json == {"uid": 7}
    assert client.post("/api/v1/admin/purge", headers={"X-Token": "s3cret"}).text == "purged"
    assert client.get("/health").text == "ok"  # outside the group: no token needed
    assert seen == ["/api/v1/users/7", "/api/v1/users/7", "/api/v1/admin/purge"]
    with pytest.raises(wtf.RegistrationError, match="patterns start with '/'"):
        api.get("users")(health)
    with pytest.raises(wtf.RegistrationError, match="a group prefix starts with '/'"):
        app.group("api")


def test_url_for_builds_paths_from_route_names() -> None:
    app = wtf.Server()

    @app.get("/notes/:note_id")
    def show_note(note_id: int) -> str:
        return str(note_id)

    @app.get("/files/*:path", name="file")
    def download(path: str) -> str:
        return path

    @app.get("/d/(?P<day>\\d{4}-\\d\\d-\\d\\d)")
    def day(day: str) -> str:
        return day

    assert app.url_for("show_note", note_id=7) == "/notes/7"
    assert app.url_for("show_note", note_id="a b", fields="title") == ("/notes/a%20b?fields=title")
    with pytest.raises(wtf.RouteError, match="use '\\*:note_id' for values with '/'"):
        app.url_for("show_note", note_id="a/b")
    assert app.url_for("file", path="docs/a b.txt") == "/files/docs/a%20b.txt"
    assert app.url_for("day", day="2026-11-29") == "/d/2026-11-29"
    client = Client(app)
    assert client.get(app.url_for("show_note", note_id=12)).text == "12"
    assert client.get(app.url_for("file", path="x/y.txt")).text == "x/y.txt"
    with pytest.raises(wtf.RouteError, match="no route is named 'nope'"):
        app.url_for("nope")
    with pytest.raises(wtf.RouteError, match="no value for 'note_id'"):
        app.url_for("show_note")
    with pytest.raises(wtf.RouteError, match="does not match"):
        app.url_for("day", day="tomorrow")


def test_a_name_shared_by_two_patterns_is_ambiguous() -> None:
    app = wtf.Server()

    def index() -> str:
        return "x"

    app.handle(index, "/a", "GET")
    app.handle(index, "/b", "GET")
    with pytest.raises(wtf.RouteError, match="several routes are named 'index'"):
        app.url_for("index")


@pytest.mark.parametrize(
    ("pattern", "params"),
    [
        ("/u/:id", {"id": "1"}),
        ("/u/:id/x/:y", {"id": "a b", "y": "é?#%"}),
        ("/f/*:rest", {"rest": "a/b c/"}),
        ("/r/(?P<n>\\d+)-:slug", {"n": "12", "slug": "x"}),
    ],
)
def test_built_paths_match_their_route_again(pattern: str, params: dict[str, str]) -> None:
    router = Router()
    router.add(pattern, "target")
    from urllib.parse import unquote

    match = router.match("GET", unquote(build_path(pattern, params)))
    assert match is not None and dict(match.params) == params


def test_static_files(tmp_path: Path) -> None:
    public = tmp_path / "public"
    (public / "css").mkdir(parents=True)
    (public / "css" / "site.css").write_text("body{}")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", public / "leak.txt")
    app = wtf.Server()
    app.static("/static", public)
    client = Client(app, validate=True)
    page = client.get("/static/css/site.css")
    assert (page.status_code, page.data, page.headers["Content-Type"]) == (
        200,
        b"body{}",
        "text/css; charset=utf-8",
    )
    etag = page.headers["ETag"]
    assert client.get("/static/css/site.css", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/static/css/site.css", headers={"Range": "bytes=0-3"}).data == b"body"
    for bad in ("/static/../secret.txt", "/static/leak.txt", "/static/nope", "/static/css"):
        assert client.get(bad).status_code == 404, bad
    assert app.url_for("static:/static", path="css/site.css") == "/static/css/site.css"
    with pytest.raises(wtf.RegistrationError, match="is not a directory"):
        app.static("/assets", tmp_path / "missing")
