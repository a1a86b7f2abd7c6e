"""The hello example that ``make serve`` starts."""

from __future__ import annotations

from examples.hello import app
from wtf.testing import Client


def test_hello() -> None:
    client = Client(app, validate=True)
    assert client.get("/").text == "Hello from wtf\n"
    assert client.get("/hello/ann").text == "Hello, ann\n"
    assert client.get("/user/7").json == {"uid": 7}
    assert client.get("/user/seven").status_code == 404
