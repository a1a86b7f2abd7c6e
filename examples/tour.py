"""go_wtf's README tour, in wtf: hello, REST params, regex and priority, methods, virtual
hosts, ArgBuilders and midware. Run: ``wtf serve examples.tour:app``."""

from __future__ import annotations

from dataclasses import dataclass

import wtf

app = wtf.Server()


# Hello: a plain function; the response writer is injected by its type.
@app.route("/hello")
def hello(resp: wtf.Response) -> None:
    resp.write_string("Hello, World!")


# REST params: ":name" takes one segment; Rest holds them in order.
@app.route("/user/:name/book/:title", "GET")
def book(rest: wtf.Rest) -> str:
    return f"{rest.get('name')} reads {rest.get_index(1)}"


# Regex and priority: exact text beats a regex, a regex beats ":named", which beats "*".
@app.get("/id/0")
def id_zero() -> str:
    return "exact"


@app.get("/id/(?P<num>\\d+)")
def id_number(rest: wtf.Rest) -> str:
    return f"regex {rest.get('num')}"


@app.get("/id/:word")
def id_word(word: str) -> str:
    return f"named {word}"


@app.get("/id/*")
def id_rest(rest: wtf.Rest) -> str:
    return f"wildcard {rest.get_index(0)}"


# Methods: positional, any case; "all" for every method.
@app.route("/method", "get", "POST")
def method(req: wtf.Request) -> str:
    return req.method


@app.route("/any", "all")
def any_method(req: wtf.Request) -> str:
    return f"any {req.method}"


# Virtual hosts: matched on the Host header (port ignored); "*." for subdomains.
@app.get("/site", "example.com")
def site() -> str:
    return "example.com"


@app.get("/site", "*.example.com")
def subsite(req: wtf.Request) -> str:
    return f"subdomain {req.host.split(':')[0]}"


@app.get("/site")
def default_site() -> str:
    return "default"


# ArgBuilder: a value built per request from the request, injected by its type.
@dataclass
class Visitor:
    """Who is asking."""

    name: str


@app.arg_builder
def visitor(req: wtf.Request) -> Visitor:
    return Visitor(req.headers.get("X-Visitor", "stranger"))


@app.get("/whoami")
def whoami(v: Visitor) -> str:
    return f"you are {v.name}"


# Midware: priority-ordered, may stop the chain or wrap the response writer.
def server_header(ctx: wtf.Context) -> wtf.Context:
    ctx.response.headers["X-Powered-By"] = "wtf"
    return ctx


def members_only(ctx: wtf.Context) -> wtf.Context | None:
    if ctx.request.headers.get("X-Member") != "yes":
        ctx.response.write_header(403)
        ctx.response.write_string("members only")
        return None
    return ctx


app.add_midware(server_header, priority=1)
app.add_midware(members_only, path="/club/", priority=10)


# What a midware answers is documented with the route it guards (OpenAPI: `wtf openapi`).
MEMBERS_ONLY = {"description": "members only", "content": {"text/plain": {"schema": {}}}}


@app.get("/club/room", responses={403: MEMBERS_ONLY})
def club() -> str:
    return "welcome, member"


# Reflecting input into headers: wtf refuses (500, logged with the header's name) any value
# RFC 9110 forbids, such as a control character, instead of letting it split the response or
# crash the server. Cookie values are quoted by werkzeug.
@app.get("/echo")
def echo(req: wtf.Request, resp: wtf.Response) -> str:
    said = req.args.get("say", "")
    resp.headers["X-Echo"] = said
    resp.set_cookie("echo", said, httponly=True, samesite="Lax")
    return said
