"""``wtf.security``: HTTPBearer, HTTPBasic and APIKey extract credentials (401 with the right
``WWW-Authenticate`` when missing or malformed), the app's own builder verifies them, the
OpenAPI document lists each scheme and ``security`` on exactly the operations that use one,
and a Hub's upgrade goes through the same builders."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import wtf
from wtf.realtime import Hub, Session
from wtf.security import APIKey, ApiKey, BasicCredentials, Bearer, HTTPBasic, HTTPBearer
from wtf.testing import Client, WebSocketRefused


@dataclass(frozen=True)
class User:
    name: str


def make_app() -> wtf.Server:
    app = wtf.Server()
    app.arg_builder(HTTPBearer(bearer_format="JWT", realm="shop"))
    app.arg_builder(HTTPBasic(realm="admin"))
    app.arg_builder(APIKey(header="X-API-Key", name="partnerKey"))

    @app.arg_builder
    def current_user(token: Bearer) -> User:
        if token != "s3cret":
            raise wtf.HTTPError(
                401, "unknown token", [("WWW-Authenticate", 'Bearer error="invalid_token"')]
            )
        return User("ann")

    @app.get("/me")
    def me(user: User) -> dict[str, str]:
        return {"name": user.name}

    @app.get("/admin")
    def admin(credentials: BasicCredentials) -> dict[str, str]:
        return {"user": credentials.username, "password": credentials.password}

    @app.get("/partner")
    def partner(key: ApiKey, user: User) -> dict[str, str]:
        return {"key": key, "user": user.name}

    @app.get("/open")
    def open_() -> dict[str, bool]:
        return {"open": True}

    return app


BEARER = 'Bearer realm="shop"'
BASIC = 'Basic realm="admin", charset="UTF-8"'


@pytest.mark.parametrize(
    ("path", "headers", "challenge"),
    [
        ("/me", {}, BEARER),
        ("/me", {"Authorization": "Basic abc"}, BEARER),
        ("/me", {"Authorization": "Bearer"}, BEARER),
        ("/me", {"Authorization": "Bearer two words"}, BEARER),
        ("/me", {"Authorization": "Bearer wrong"}, 'Bearer error="invalid_token"'),
        ("/admin", {}, BASIC),
        ("/admin", {"Authorization": "Bearer x"}, BASIC),
        ("/admin", {"Authorization": "Basic %%%"}, BASIC),
        ("/admin", {"Authorization": "Basic " + base64.b64encode(b"no colon").decode()}, BASIC),
        ("/admin", {"Authorization": "Basic " + base64.b64encode(b"\xff:x").decode()}, BASIC),
        ("/partner", {"Authorization": "Bearer s3cret"}, 'ApiKey header="X-API-Key"'),
        (
            "/partner",
            {"X-API-Key": "", "Authorization": "Bearer s3cret"},
            'ApiKey header="X-API-Key"',
        ),
    ],
)
def test_missing_or_malformed_credentials_answer_401_with_the_schemes_challenge(
    path: str, headers: dict[str, str], challenge: str
) -> None:
    answer = Client(make_app()).get(path, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.headers["WWW-Authenticate"] == challenge


@given(
    user=st.text(st.characters(exclude_characters=":", exclude_categories=("Cs",)), max_size=20),
    password=st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
)
@example(user="", password="")
@example(user="ann", password="p:a:ss")  # a password may hold colons
@example(user="zoë", password="ünïcode")
def test_basic_credentials_round_trip(user: str, password: str) -> None:
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    answer = Client(make_app()).get("/admin", headers={"Authorization": f"Basic {encoded}"})
    assert answer.json == {"user": user, "password": password}


def test_valid_credentials_reach_the_handler_through_the_apps_builder() -> None:
    client = Client(make_app())
    assert client.get("/me", headers={"Authorization": "bearer s3cret"}).json == {"name": "ann"}
    both = client.get("/partner", headers={"Authorization": "Bearer s3cret", "X-API-Key": "k-1"})
    assert both.json == {"key": "k-1", "user": "ann"}
    assert client.get("/open").status_code == 200


def test_api_keys_in_a_query_or_a_cookie() -> None:
    app = wtf.Server()
    app.arg_builder(APIKey(query="key"))

    @app.get("/q")
    def by_query(key: ApiKey) -> dict[str, str]:
        return {"key": key}

    client = Client(app)
    assert client.get("/q?key=abc").json == {"key": "abc"}
    assert client.get("/q").headers["WWW-Authenticate"] == 'ApiKey query="key"'
    cookies = wtf.Server()
    cookies.arg_builder(APIKey(cookie="session"))

    @cookies.get("/c")
    def by_cookie(key: ApiKey) -> dict[str, str]:
        return {"key": key}

    browser = Client(cookies)
    browser.set_cookie("session", "xyz")
    assert browser.get("/c").json == {"key": "xyz"}
    for wrong in ({}, {"header": "a", "query": "b"}):
        with pytest.raises(ValueError, match="exactly one of header=, query= or cookie="):
            APIKey(**wrong)


def test_the_document_lists_the_schemes_and_security_on_exactly_the_operations_using_them() -> None:
    doc = make_app().openapi()
    assert doc["components"]["securitySchemes"] == {
        "basic": {"type": "http", "scheme": "basic"},
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "partnerKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    }
    security = {path: item["get"].get("security") for path, item in doc["paths"].items()}
    assert security == {
        "/me": [{"bearer": []}],  # through current_user
        "/admin": [{"basic": []}],
        "/partner": [{"partnerKey": [], "bearer": []}],  # both, together
        "/open": None,
    }
    assert "401" in doc["paths"]["/me"]["get"]["responses"]
    assert "401" not in doc["paths"]["/open"]["get"]["responses"]


def test_an_app_without_schemes_documents_none() -> None:
    app = wtf.Server()
    app.handle(lambda: "x", "/x", "GET")
    assert "securitySchemes" not in app.openapi()["components"]


def hub_app() -> tuple[wtf.Server, list[Session]]:
    app = make_app()
    hub = Hub(user=User, user_id=lambda user: user.name)
    sessions: list[Session] = []
    hub.on_connect(sessions.append)

    @hub.method("whoami")
    def whoami(session: Session) -> Any:
        return {"id": session.user_id, "user": session.user.name}

    app.websocket("/rt")(hub)
    return app, sessions


def test_a_hubs_upgrade_is_refused_with_the_builders_401_before_it_is_accepted() -> None:
    app, sessions = hub_app()
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        with pytest.raises(WebSocketRefused) as refused, Client(app).hub("/rt", headers=headers):
            pass
        assert refused.value.status == 401
        assert refused.value.header("WWW-Authenticate") in (BEARER, 'Bearer error="invalid_token"')
    assert sessions == []  # no session was ever opened
    with Client(app).hub("/rt", headers={"Authorization": "Bearer s3cret"}) as hub_client:
        assert hub_client.call("whoami") == {"id": "ann", "user": "ann"}
    hub_doc = app.openapi()["x-wtf-realtime"]["hubs"][0]
    assert hub_doc["security"] == [{"bearer": []}]


def test_a_browser_clients_token_subprotocol_is_a_bearer_token_on_an_upgrade_only() -> None:
    app, _ = hub_app()
    token = "wtf.token." + base64.urlsafe_b64encode(b"s3cret").decode().rstrip("=")
    with Client(app).hub("/rt", headers={"Sec-WebSocket-Protocol": f"wtf.json, {token}"}) as c:
        assert c.call("whoami") == {"id": "ann", "user": "ann"}
    plain = Client(app).get("/me", headers={"Sec-WebSocket-Protocol": token})
    assert plain.status_code == 401  # not an upgrade: the header means nothing
