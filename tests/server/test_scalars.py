"""One rule for ints and booleans from text, in path parameters, queries, forms and headers."""

from __future__ import annotations

import pytest

import wtf
from wtf.router import Router
from wtf.testing import Client

app = wtf.Server()


@app.get("/n/:n")
def in_path(n: int) -> dict[str, int]:
    return {"n": n}


@app.get("/q")
def in_query(n: int = 0, flag: bool = False) -> dict[str, object]:
    return {"n": n, "flag": flag}


@app.get("/b/:flag")
def bool_in_path(flag: bool) -> dict[str, bool]:
    return {"flag": flag}


client = Client(app, validate=True)

ACCEPTED = [("5", 5), ("-3", -3), ("0", 0), ("007", 7)]
REFUSED = ["+1", " 5", "5 ", "%205", "1_0", "0x1f", "0%1F", "%C2%A05", "5%E2%80%83", "0%C2%85",
           "%D9%A3", "", "1.0", "5" * 4301]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), ACCEPTED)
def test_ints_accepted_everywhere(text: str, value: int) -> None:
    assert client.get(f"/n/{text}").json == {"n": value}
    assert client.get(f"/q?n={text}").json["n"] == value  # type: ignore[index]


@pytest.mark.parametrize("text", REFUSED)
def test_ints_refused_everywhere(text: str) -> None:
    path = client.get(f"/n/{text}")
    assert path.status_code == 404  # a path that does not convert is not this route
    query = client.get(f"/q?n={text}")
    assert query.status_code == 422  # not a 500, whatever the length
    assert query.json["errors"][0]["loc"] == ["query", "n"]  # type: ignore[index]


@pytest.mark.parametrize(("text", "value"), [("true", True), ("OFF", False), ("1", True)])
def test_bools_agree_in_path_and_query(text: str, value: bool) -> None:
    assert client.get(f"/b/{text}").json == {"flag": value}
    assert client.get(f"/q?flag={text}").json["flag"] is value  # type: ignore[index]


@pytest.mark.parametrize("text", [" true", "tru", "2", "%C2%A0on"])
def test_bools_refused_in_path_and_query(text: str) -> None:
    assert client.get(f"/b/{text}").status_code == 404
    assert client.get(f"/q?flag={text}").status_code == 422


@pytest.mark.parametrize(
    ("host", "found"),
    [
        ("a.example.com", "wild"),
        ("a.b.example.com:8080", "wild"),
        (".example.com", "default"),
        ("a..example.com", "default"),
        ("example.com", "default"),
        ("xexample.com", "default"),
    ],
)
def test_a_wildcard_host_needs_a_label_before_its_suffix(host: str, found: str) -> None:
    router = Router()
    router.add("/", "wild", hosts=["*.example.com"])
    router.add("/", "default")
    match = router.match("GET", "/", host)
    assert match is not None and match.target == found
