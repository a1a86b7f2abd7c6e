"""``CrossOrigin``: unsafe cross-site browser requests are refused (403) by ``Sec-Fetch-Site``,
or by a foreign ``Origin`` from browsers without it; same-origin requests, safe methods,
trusted origins and bypassed paths pass."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import wtf
from wtf.midware import CrossOrigin
from wtf.testing import Client


def make_app() -> wtf.Server:
    app = wtf.Server()
    app.add_midware(
        CrossOrigin(trusted_origins=["https://partner.example"], bypass=["/hooks/*", "/ping"])
    )
    acted: list[str] = []

    @app.route("/act")
    def act(req: wtf.Request) -> dict[str, str]:
        acted.append(req.method)
        return {"acted": req.method}

    @app.post("/hooks/stripe")
    def hook() -> dict[str, bool]:
        return {"hooked": True}

    @app.post("/ping")
    def ping() -> dict[str, bool]:
        return {"pong": True}

    @app.post("/ping/deeper")
    def deeper() -> dict[str, bool]:
        return {"pong": True}

    app.acted = acted  # type: ignore[attr-defined]
    return app


UNSAFE = ["POST", "PUT", "PATCH", "DELETE"]


@pytest.mark.parametrize("method", UNSAFE)
@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another origin
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},  # the header wins
        {"Origin": "https://evil.example"},  # an older browser: only the Origin
        {"Origin": "null"},  # a sandboxed page
    ],
)
def test_cross_site_unsafe_requests_are_refused_before_anything_acts(
    method: str, headers: dict[str, str]
) -> None:
    app = make_app()
    answer = Client(app).open("/act", method=method, headers=headers)
    assert answer.status_code == 403
    assert "cross-site request forgery" in answer.json["detail"]
    assert app.acted == []  # type: ignore[attr-defined]


def test_a_cross_site_html_form_post_is_refused() -> None:
    app = make_app()
    form = Client(app).post(
        "/act",
        data={"amount": "1000"},
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )
    assert form.status_code == 403 and app.acted == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", UNSAFE)
@pytest.mark.parametrize(
    "headers",
    [
        {},  # not a browser
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked
        {"Origin": "http://localhost"},  # the request's own host
        {"Origin": "https://partner.example", "Sec-Fetch-Site": "cross-site"},  # trusted
        {"Origin": "HTTPS://Partner.Example/"},
    ],
)
def test_same_origin_trusted_and_non_browser_requests_pass(
    method: str, headers: dict[str, str]
) -> None:
    answer = Client(make_app()).open("/act", method=method, headers=headers)
    assert (answer.status_code, answer.json) == (200, {"acted": method})


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_safe_methods_always_pass(method: str) -> None:
    answer = Client(make_app()).open(
        "/act", method=method, headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://e.x"}
    )
    assert answer.status_code == 200


def test_bypassed_paths_are_not_checked_and_only_they() -> None:
    client = Client(make_app())
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert client.post("/hooks/stripe", headers=cross).json == {"hooked": True}
    assert client.post("/ping", headers=cross).json == {"pong": True}
    assert client.post("/ping/deeper", headers=cross).status_code == 403  # exact, not prefix


@given(host=st.from_regex(r"[a-z]{1,10}\.(com|org)", fullmatch=True))
@example(host="localhost.com")
def test_any_foreign_origin_is_refused_and_the_own_host_passes(host: str) -> None:
    client = Client(make_app())
    foreign = client.post("/act", headers={"Origin": f"https://{host}", "Host": "shop.test"})
    assert foreign.status_code == 403
    own = client.post("/act", headers={"Origin": f"http://{host}", "Host": host})
    assert own.status_code == 200


@pytest.mark.parametrize("bad", ["partner.example", "https://a.example/path", 5])
def test_a_trusted_origin_must_be_an_origin(bad: object) -> None:
    with pytest.raises(ValueError, match="is not an origin"):
        CrossOrigin(trusted_origins=[bad])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="takes lists"):
        CrossOrigin(trusted_origins="https://a.example")
