"""CORS: simple requests, preflights, credentials, Vary, error responses."""

from __future__ import annotations

from typing import Any

import pytest

import wtf
from wtf.midware import CORS
from wtf.testing import Client

ORIGIN = "https://app.example.com"


def cors_app(**options: object) -> Client:
    app = wtf.Server()
    app.add_midware(CORS(**options))  # type: ignore[arg-type]

    @app.get("/data")
    def data() -> dict[str, int]:
        return {"n": 1}

    @app.post("/data")
    def post() -> str:
        return "posted"

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("x")

    @app.options("/data")
    def never() -> str:
        raise AssertionError("a preflight reached the handler")

    return Client(app, validate=True)


@pytest.mark.parametrize(
    ("options", "origin", "allow_origin"),
    [
        pytest.param({"allow_origins": [ORIGIN]}, ORIGIN, ORIGIN, id="listed"),
        pytest.param(
            {"allow_origins": [ORIGIN]},
            "HTTPS://APP.EXAMPLE.COM",
            "HTTPS://APP.EXAMPLE.COM",
            id="case",
        ),
        pytest.param({"allow_origins": [ORIGIN]}, "https://evil.com", None, id="not-listed"),
        pytest.param(
            {"allow_origins": [ORIGIN]}, "https://xapp.example.com", None, id="no-suffix-match"
        ),
        pytest.param({"allow_origins": [ORIGIN]}, ORIGIN + ".evil.com", None, id="no-prefix-match"),
        pytest.param({"allow_origins": "*"}, "https://any.org", "*", id="wildcard"),
        pytest.param({"allow_origins": ["*"]}, "https://any.org", "*", id="wildcard-list"),
        pytest.param(
            {"allow_origin_regex": r"https://[a-z]+\.example\.com"},
            "https://a.example.com",
            "https://a.example.com",
            id="regex",
        ),
        pytest.param(
            {"allow_origin_regex": r"https://[a-z]+\.example\.com"},
            "https://a.example.com.evil.org",
            None,
            id="regex-anchored",
        ),
        pytest.param({}, ORIGIN, None, id="refuses-by-default"),
    ],
)
def test_simple_requests(options: dict[str, object], origin: str, allow_origin: str | None) -> None:
    response = cors_app(**options).get("/data", headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") == allow_origin
    if allow_origin != "*":
        assert response.headers["Vary"] == "Origin"


def test_vary_origin_without_origin_header() -> None:
    response = cors_app(allow_origins=[ORIGIN]).get("/data")
    assert response.headers["Vary"] == "Origin"
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({"Access-Control-Request-Method": "POST"}, 204, id="allowed"),
        pytest.param({"Access-Control-Request-Method": "DELETE"}, 403, id="method-refused"),
        pytest.param(
            {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-Token"},
            204,
            id="header-allowed",
        ),
        pytest.param(
            {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-Other"},
            403,
            id="header-refused",
        ),
        pytest.param(
            {
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "content-type",
            },
            204,
            id="safelisted-header",
        ),
    ],
)
def test_preflight(headers: dict[str, str], status: int) -> None:
    client = cors_app(allow_origins=[ORIGIN], allow_headers=["X-Token"], max_age=99)
    response = client.options("/data", headers={"Origin": ORIGIN, **headers})
    assert response.status_code == status
    allow = {k: v for k, v in response.headers.items() if k.startswith("Access-Control-Allow")}
    if status == 204:
        assert allow["Access-Control-Allow-Origin"] == ORIGIN
        assert (  # by default, the methods the routes of /data accept
            allow["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS, POST"
        )  # what /data accepts
        assert response.headers["Access-Control-Max-Age"] == "99"
    else:
        assert allow == {}
        assert "refused" in response.text


def test_preflight_from_refused_origin() -> None:
    response = cors_app(allow_origins=[ORIGIN], allow_credentials=True).options(
        "/data", headers={"Origin": "https://evil.com", "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 403
    assert not [k for k, _ in response.headers if k.startswith("Access-Control-Allow")]


def test_credentials_and_expose() -> None:
    client = cors_app(allow_origins=[ORIGIN], allow_credentials=True, expose_headers=["X-Total"])
    response = client.get("/data", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "X-Total"
    refused = client.get("/data", headers={"Origin": "https://evil.com"})
    assert "Access-Control-Allow-Credentials" not in refused.headers


def test_wildcard_with_credentials_raises() -> None:
    with pytest.raises(ValueError, match="credentials"):
        CORS("*", allow_credentials=True)


def test_bad_origin_raises() -> None:
    with pytest.raises(ValueError, match="not an origin"):
        CORS(["app.example.com"])


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nope", 404), ("DELETE", "/data", 405), ("GET", "/boom", 500)],
)
def test_headers_on_error_responses(method: str, path: str, status: int) -> None:
    response = cors_app(allow_origins=[ORIGIN]).open(
        path, method=method, headers={"Origin": ORIGIN}
    )
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def preflight(client: Client, path: str, method: str, asked_headers: str | None = None) -> Any:
    """A browser's preflight from ORIGIN for ``method`` (and ``asked_headers``) on ``path``."""
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": method}
    if asked_headers is not None:
        headers["Access-Control-Request-Headers"] = asked_headers
    return client.options(path, headers=headers)


@pytest.mark.parametrize("allow_headers", [(), ("x-token",)])
def test_a_preflight_for_json_lists_content_type(allow_headers: tuple[str, ...]) -> None:
    client = cors_app(allow_origins=[ORIGIN], allow_headers=allow_headers)
    response = preflight(client, "/data", "POST", "content-type")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"


def test_a_preflight_lists_every_header_it_allows() -> None:
    client = cors_app(allow_origins=[ORIGIN], allow_headers=["X-Token", "X-Other"])
    response = preflight(client, "/data", "POST", "x-token, Content-Type")
    assert response.headers["Access-Control-Allow-Headers"] == "content-type, x-token"
    refused = preflight(client, "/data", "POST", "x-secret")
    assert refused.status_code == 403
    assert "Access-Control-Allow-Headers" not in refused.headers


@pytest.mark.parametrize(
    "sent", [ORIGIN + "/", ORIGIN + ":443", " " + ORIGIN, ORIGIN + "/x", ORIGIN + "."]
)
def test_an_origin_is_compared_as_sent(sent: str) -> None:
    response = cors_app(allow_origins=[ORIGIN]).get("/data", headers={"Origin": sent})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_an_origin_matches_whatever_its_case() -> None:
    response = cors_app(allow_origins=[ORIGIN]).get("/data", headers={"Origin": ORIGIN.upper()})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN.upper()


@pytest.mark.parametrize("how", ["replace", "add"])
def test_vary_origin_survives_a_handler_setting_vary(how: str) -> None:
    app = wtf.Server()
    app.add_midware(CORS([ORIGIN]))

    @app.get("/v")
    def v(resp: wtf.Response) -> str:
        if how == "replace":
            resp.headers["Vary"] = "Accept-Encoding"
        else:
            resp.headers.set("Vary", "Cookie")
        return "ok"

    response = Client(app, validate=True).get("/v", headers={"Origin": ORIGIN})
    tokens = {t.strip() for t in response.headers["Vary"].split(",")}
    assert "Origin" in tokens and len(tokens) == 2


@pytest.mark.parametrize("credentials", [True, False])
def test_an_allowed_preflight_says_whether_credentials_are_allowed(credentials: bool) -> None:
    client = cors_app(allow_origins=[ORIGIN], allow_credentials=credentials)
    response = preflight(client, "/data", "POST")
    assert response.status_code == 204
    assert response.headers.get("Access-Control-Allow-Credentials") == (
        "true" if credentials else None
    )


def test_preflights_allow_the_methods_the_routes_have() -> None:
    app = wtf.Server()
    app.add_midware(CORS([ORIGIN]))

    @app.put("/items/:id")
    def replace(id: str) -> str:
        return id

    @app.delete("/items/:id")
    def remove(id: str) -> str:
        return id

    client = Client(app, validate=True)
    put = preflight(client, "/items/1", "PUT")
    assert (put.status_code, put.headers["Access-Control-Allow-Methods"]) == (204, "DELETE, PUT")
    assert preflight(client, "/items/1", "DELETE").status_code == 204
    assert preflight(client, "/items/1", "POST").status_code == 403  # no POST route there
    assert preflight(client, "/nothing", "GET").status_code == 403
    fixed = Client(_with_cors(CORS([ORIGIN], allow_methods=["GET"])), validate=True)
    assert preflight(fixed, "/items/1", "PUT").status_code == 403  # an explicit list wins


def _with_cors(cors: CORS) -> wtf.Server:
    app = wtf.Server()
    app.add_midware(cors)

    @app.put("/items/:id")
    def replace(id: str) -> str:
        return id

    return app
