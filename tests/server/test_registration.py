"""Registration: positional tokens, shortcuts, and errors that name what was wrong."""

from __future__ import annotations

from typing import Annotated

import pytest

import wtf
from wtf.router import RouteError
from wtf.testing import Client


class Session:
    """A type with no ArgBuilder."""


def unknown_dep(s: Session) -> str:
    return "x"


def no_annotation(thing) -> str:  # type: ignore[no-untyped-def]
    return "x"


def star_args(*args: str) -> str:
    return "x"


def typed_not_in_route(uid: int) -> str:
    return "x"


def ok(rest: wtf.Rest) -> str:
    return "ok " + rest.get("id")


@pytest.mark.parametrize(
    ("tokens", "method", "host", "status"),
    [
        pytest.param(("get",), "GET", None, 200, id="lowercase-method"),
        pytest.param(("Post", "PUT"), "PUT", None, 200, id="two-methods"),
        pytest.param(("Post", "PUT"), "GET", None, 405, id="other-method-405"),
        pytest.param(("all",), "DELETE", None, 200, id="all"),
        pytest.param((), "PATCH", None, 200, id="none-means-all"),
        pytest.param(("GET", "example.com"), "GET", "example.com", 200, id="host"),
        pytest.param(("GET", "example.com"), "GET", "other.org", 404, id="other-host"),
        pytest.param(("GET", "localhost"), "GET", "localhost:8000", 200, id="localhost-port"),
        pytest.param(("GET", "*.example.com"), "GET", "a.example.com", 200, id="wildcard-host"),
        pytest.param(("GET", "[::1]"), "GET", "[::1]:80", 200, id="ipv6"),
    ],
)
def test_positional_tokens(
    app: wtf.Server, tokens: tuple[str, ...], method: str, host: str | None, status: int
) -> None:
    app.handle(ok, "/x/:id", *tokens)
    headers = {"Host": host} if host else {}
    response = Client(app, validate=True).open("/x/1", method=method, headers=headers)
    assert response.status_code == status


@pytest.mark.parametrize("token", ["GTE", "gett", "purge", "api"])
def test_misspelt_method_is_an_error(app: wtf.Server, token: str) -> None:
    with pytest.raises(ValueError, match=repr(token)):
        app.handle(ok, "/x/:id", token)
    assert app.router.routes == ()


def test_methods_keyword_takes_any_token(app: wtf.Server) -> None:
    app.handle(ok, "/x/:id", methods=["PURGE"])
    client = Client(app)  # wsgiref's validator refuses methods outside its list
    assert client.open("/x/7", method="PURGE").text == "ok 7"
    assert client.get("/x/7").status_code == 405


def test_host_with_port_is_an_error(app: wtf.Server) -> None:
    with pytest.raises(RouteError, match="carries no port"):
        app.handle(ok, "/x/:id", "GET", "example.com:8080")


@pytest.mark.parametrize("verb", ["get", "post", "put", "patch", "delete", "options", "head"])
def test_shortcuts(app: wtf.Server, client: Client, verb: str) -> None:
    getattr(app, verb)("/x/:id")(ok)
    response = client.open("/x/5", method=verb.upper())
    assert response.status_code == 200
    if verb != "head":
        assert response.text == "ok 5"
    other = "POST" if verb != "post" else "PUT"
    assert client.open("/x/5", method=other).status_code == 405


def test_route_decorator_returns_the_function(app: wtf.Server) -> None:
    assert app.route("/x/:id", "GET")(ok) is ok


@pytest.mark.parametrize(
    ("fn", "pattern", "fragments"),
    [
        pytest.param(
            unknown_dep,
            "/x",
            ["parameter 's'", f"{__name__}.unknown_dep", "Session", "ArgBuilder"],
            id="unknown-type",
        ),
        pytest.param(
            no_annotation, "/x", ["parameter 'thing'", "no annotation"], id="no-annotation"
        ),
        pytest.param(star_args, "/x", ["*args"], id="star-args"),
        pytest.param(
            typed_not_in_route,
            "/user/:id",
            ["parameter 'uid'", "no parameter named 'uid'", "id"],
            id="typed-param-not-in-route",
        ),
    ],
)
def test_unresolvable_parameter(
    app: wtf.Server, fn: object, pattern: str, fragments: list[str]
) -> None:
    with pytest.raises(wtf.HandlerError) as info:
        app.handle(fn, pattern)  # type: ignore[arg-type]
    for fragment in fragments:
        assert fragment in str(info.value)
    assert app.router.routes == ()


def test_handler_error_is_a_registration_and_route_error() -> None:
    assert issubclass(wtf.HandlerError, wtf.RegistrationError)
    assert issubclass(wtf.HandlerError, RouteError)


def test_annotated_resolves_as_its_type(app: wtf.Server, client: Client) -> None:
    @app.get("/a/:n")
    def handler(n: Annotated[int, "meta"], resp: Annotated[wtf.Response, "x"]) -> None:
        resp.write_string(str(n * 2))

    assert client.get("/a/21").text == "42"


def test_bad_pattern_names_it(app: wtf.Server) -> None:
    with pytest.raises(RouteError, match=r"/file/:name\.json"):
        app.handle(ok, "/file/:name.json")
