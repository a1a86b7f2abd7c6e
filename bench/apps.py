"""The benchmark scenarios, written for each framework as its users would write them.

Scenarios: 1 ``GET /hello`` text; 2 ``GET /user/12345`` param echoed; 3 ``GET /json``;
4 200 GitHub-API-like routes, requests spread over 20 of them (the last registered included);
5 ``POST /echo`` with a 1 KiB JSON body parsed and re-serialised; 6 (wtf only) a handler with
three ArgBuilder arguments behind Gzip and CORS, against wtf's own scenario 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import wtf  # annotations are evaluated in this module's globals

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

RESOURCES = [
    "users", "orgs", "repos", "gists", "teams", "projects", "issues", "pulls", "commits",
    "branches", "releases", "hooks", "keys", "events", "notifications", "search", "markdown",
    "licenses", "emojis", "meta",
]  # fmt: skip
# Per resource, ten shapes ({} marks a parameter): 20 x 10 = 200 routes.
SHAPES = [
    "/{r}", "/{r}/{{id}}", "/{r}/{{id}}/comments", "/{r}/{{id}}/comments/{{cid}}",
    "/{r}/{{id}}/labels", "/{r}/{{id}}/labels/{{name}}", "/{r}/{{id}}/events",
    "/{r}/{{id}}/assignees", "/{r}/{{id}}/stats", "/{r}/{{id}}/stats/{{kind}}",
]  # fmt: skip
ECHO_BODY = json.dumps(
    {"items": [{"id": i, "name": f"item-{i:03d}", "ok": True} for i in range(26)]}
)


def rest_routes() -> list[str]:
    """The 200 route templates, ``{name}`` for parameters, in registration order."""
    return [shape.format(r=r) for r in RESOURCES for shape in SHAPES]


def rest_requests() -> list[tuple[str, str]]:
    """20 request paths and the answer each route gives (its template with values)."""
    picks = []
    for i, resource in enumerate(RESOURCES):
        shape = SHAPES[(i * 3 + 1) % len(SHAPES)] if i < len(RESOURCES) - 1 else SHAPES[-1]
        template = shape.format(r=resource)
        path = template.replace("{id}", "42").replace("{cid}", "7").replace("{name}", "bug")
        picks.append((path.replace("{kind}", "weekly"), template))
    return picks


def echo(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


# --- bare WSGI: the floor -------------------------------------------------------------------


def bare_apps() -> dict[int, Wsgi]:
    text = [("Content-Type", "text/plain; charset=utf-8")]

    def hello(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        start("200 OK", [*text, ("Content-Length", "13")])
        return [b"Hello, World!"]

    def user(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["PATH_INFO"][6:].encode()
        start("200 OK", [*text, ("Content-Length", str(len(body)))])
        return [body]

    def json_(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        body = json.dumps({"message": "Hello, World!"}).encode()
        start("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    table: dict[tuple[int, str], str] = {}
    for template in rest_routes():
        parts = template.split("/")
        key = tuple(p if not p.startswith("{") else "" for p in parts)
        table[(len(parts), "/".join(key))] = template

    def rest(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        parts = environ["PATH_INFO"].split("/")
        # parameters sit at odd positions from the third segment on
        key = "/".join(p if i < 2 or i % 2 == 1 else "" for i, p in enumerate(parts))
        template = table.get((len(parts), key))
        if template is None:
            start("404 Not Found", [*text])
            return [b"not found"]
        body = template.encode()
        start("200 OK", [*text, ("Content-Length", str(len(body)))])
        return [body]

    def echo_(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = echo(json.loads(environ["wsgi.input"].read(size)))
        start("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return {1: hello, 2: user, 3: json_, 4: rest, 5: echo_}


# --- wtf ------------------------------------------------------------------------------------


class A:
    """Built by an ArgBuilder (scenario 6)."""


class B:
    """Built by an ArgBuilder (scenario 6)."""


class C:
    """Built by an ArgBuilder (scenario 6)."""


def wtf_apps() -> dict[int, Wsgi]:
    from wtf.midware import CORS, Gzip

    apps = {n: wtf.Server() for n in (1, 2, 3, 4, 5, 6)}

    @apps[1].get("/hello")
    def hello() -> str:
        return "Hello, World!"

    @apps[2].get("/user/:uid")
    def user(uid: str) -> str:
        return uid

    @apps[3].get("/json")
    def json_() -> dict[str, str]:
        return {"message": "Hello, World!"}

    for template in rest_routes():
        pattern = template.replace("{", ":").replace("}", "")
        apps[4].handle(_constant(template), pattern, "GET")

    @apps[5].post("/echo")
    def echo_(req: wtf.Request) -> bytes:
        return echo(req.get_json())

    six = apps[6]
    six.add_midware(CORS("*"))
    six.add_midware(Gzip())
    for kind in (A, B, C):
        six.arg_builder(_builder(kind))

    @six.get("/hello")
    def features(a: A, b: B, c: C) -> str:
        return "Hello, World!"

    for app in apps.values():
        app.compile()
    return apps  # type: ignore[return-value]


def _constant(text: str) -> Callable[[], str]:
    return lambda: text


def _builder(kind: type) -> Callable[[], Any]:
    def build() -> Any:
        return kind()

    build.__annotations__ = {"return": kind}
    return build


# --- Falcon ---------------------------------------------------------------------------------


def falcon_apps() -> dict[int, Wsgi]:
    import falcon

    def app() -> Any:
        return falcon.App()

    class Hello:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = "Hello, World!"

    class User:
        def on_get(self, req: Any, resp: Any, uid: str) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = uid

    class Json:
        def on_get(self, req: Any, resp: Any) -> None:
            resp.media = {"message": "Hello, World!"}

    class Constant:
        def __init__(self, text: str) -> None:
            self.text = text

        def on_get(self, req: Any, resp: Any, **params: str) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = self.text

    class Echo:
        def on_post(self, req: Any, resp: Any) -> None:
            resp.content_type = falcon.MEDIA_JSON
            resp.data = echo(req.get_media())

    apps = {n: app() for n in (1, 2, 3, 4, 5)}
    apps[1].add_route("/hello", Hello())
    apps[2].add_route("/user/{uid}", User())
    apps[3].add_route("/json", Json())
    for template in rest_routes():
        apps[4].add_route(template, Constant(template))
    apps[5].add_route("/echo", Echo())
    return apps  # type: ignore[return-value]


# --- Bottle ---------------------------------------------------------------------------------


def bottle_apps() -> dict[int, Wsgi]:
    import bottle

    apps = {n: bottle.Bottle() for n in (1, 2, 3, 4, 5)}
    apps[1].route("/hello")(lambda: "Hello, World!")
    apps[2].route("/user/<uid>")(lambda uid: uid)
    apps[3].route("/json")(lambda: {"message": "Hello, World!"})
    for template in rest_routes():
        rule = template.replace("{", "<").replace("}", ">")
        apps[4].route(rule)(_kwargs_constant(template))

    def echo_() -> bytes:
        bottle.response.content_type = "application/json"
        return echo(bottle.request.json)

    apps[5].route("/echo", method="POST")(echo_)
    return apps  # type: ignore[return-value]


def _kwargs_constant(text: str) -> Callable[..., str]:
    return lambda **params: text


# --- Flask ----------------------------------------------------------------------------------


def flask_apps() -> dict[int, Wsgi]:
    from flask import Flask, request

    apps = {n: Flask(f"bench{n}") for n in (1, 2, 3, 4, 5)}
    apps[1].add_url_rule("/hello", "hello", lambda: "Hello, World!")
    apps[2].add_url_rule("/user/<uid>", "user", lambda uid: uid)
    apps[3].add_url_rule("/json", "json", lambda: {"message": "Hello, World!"})
    for i, template in enumerate(rest_routes()):
        rule = template.replace("{", "<").replace("}", ">")
        apps[4].add_url_rule(rule, f"r{i}", _kwargs_constant(template))

    def echo_() -> tuple[bytes, int, dict[str, str]]:
        return echo(request.get_json()), 200, {"Content-Type": "application/json"}

    apps[5].add_url_rule("/echo", "echo", echo_, methods=["POST"])
    return apps  # type: ignore[return-value]


FRAMEWORKS: dict[str, Callable[[], dict[int, Wsgi]]] = {
    "bare": bare_apps,
    "wtf": wtf_apps,
    "falcon": falcon_apps,
    "bottle": bottle_apps,
    "flask": flask_apps,
}
