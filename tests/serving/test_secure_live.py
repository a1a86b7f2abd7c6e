"""Through a real gunicorn: another site's form cannot act on a JSON API or a form route, and
Gzip's 304 carries the same ``ETag`` and ``Vary`` as the 200 it stands for."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from werkzeug.test import encode_multipart

from .live import Server, request, serving

pytestmark = pytest.mark.timeout(60)

EVIL = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving("tests.serving.secure_app:app", "--workers", "1") as running:
        yield running


def multipart(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    boundary, data = encode_multipart(fields)
    return data, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def count(server: Server) -> int:
    status, _, body = server.get("/count")
    assert status == 200
    return int(json.loads(body)["count"])


def test_a_json_api_refuses_forms_with_415_and_acts_on_none(server: Server) -> None:
    before = count(server)
    body, headers = multipart({"email": "victim@example.com"})
    for data, content_type in ((b"email=victim%40example.com", FORM), (body, headers)):
        status, _, answer = request(server.port, "POST", "/signups", data, {**content_type, **EVIL})
        assert status == 415
        assert "annotate the parameter 'signup' wtf.Form[...]" in json.loads(answer)["detail"]
    assert count(server) == before
    status, _, _ = request(
        server.port,
        "POST",
        "/signups",
        b'{"email": "a@example.com"}',
        {"Content-Type": "application/json"},
    )
    assert (status, count(server)) == (200, before + 1)


@pytest.mark.parametrize(
    "headers",
    [EVIL, {"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "same-site"}],
    ids=["cross-site", "origin-only", "sibling-subdomain"],
)
def test_a_form_route_refuses_another_sites_form_with_403(
    server: Server, headers: dict[str, str]
) -> None:
    before = count(server)
    status, _, answer = request(
        server.port, "POST", "/signup-form", b"email=victim%40example.com", {**FORM, **headers}
    )
    assert status == 403
    assert "another site" in json.loads(answer)["detail"]
    assert count(server) == before


def test_a_form_route_takes_its_own_sites_form(server: Server) -> None:
    before = count(server)
    own = {"Origin": f"http://127.0.0.1:{server.port}", "Sec-Fetch-Site": "same-origin"}
    status, _, _ = request(
        server.port, "POST", "/signup-form", b"email=me%40example.com", {**FORM, **own}
    )
    assert (status, count(server)) == (200, before + 1)
    body, headers = multipart({"email": "me@example.com"})
    origin_only = {"Origin": f"http://127.0.0.1:{server.port}"}  # a browser without Sec-Fetch
    status, _, _ = request(server.port, "POST", "/signup-form", body, {**headers, **origin_only})
    assert (status, count(server)) == (200, before + 2)


@pytest.mark.parametrize("gzip", [False, True], ids=["identity", "gzip"])
def test_gzips_304_says_what_its_200_said(server: Server, gzip: bool) -> None:
    accept = {"Accept-Encoding": "gzip"} if gzip else {}
    status, full, _ = server.get("/page", **accept)
    assert status == 200 and full["Vary"] == "Accept-Encoding"
    assert full["ETag"].startswith('W/"') is gzip  # the compressed bytes are another variant
    status, again, _ = server.get("/page", **accept, **{"If-None-Match": full["ETag"]})
    assert status == 304
    assert (again["ETag"], again["Vary"]) == (full["ETag"], full["Vary"])
