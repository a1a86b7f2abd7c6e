"""The README's tour and router examples run as written."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from wtf.testing import Client

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def block_after(heading: str) -> str:
    """The first ```python block after ``heading``."""
    start = README.index(heading)
    match = re.search(r"```python\n(.*?)```", README[start:], re.S)
    assert match is not None, heading
    return match.group(1)


def test_tour_block() -> None:
    namespace: dict[str, Any] = {"__name__": "readme_tour"}
    exec(block_after("## A tour"), namespace)
    client = Client(namespace["app"], validate=True)
    assert client.get("/hello/ann").text == "Hello, ann"
    user = client.get("/user/7", headers={"Host": "api.example.com"})
    assert (user.json, user.headers["Cache-Control"]) == ({"uid": 7}, "no-store")
    assert client.get("/user/abc", headers={"Host": "api.example.com"}).status_code == 404
    assert client.post("/hi/bob", headers={"Host": "localhost"}).text == "Hello, bob"


def test_router_block() -> None:
    namespace: dict[str, Any] = {}
    code = block_after("## The router, on its own")
    exec(code, namespace)
    m = namespace["m"]
    assert (m.target, m.pattern, m.params.get("id")) == ("A", "/user/:id", "1234x")
    assert "GET" in namespace["r"].allowed("/user/1")


def test_binding_block(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("readme_binding")  # dataclasses look their module up
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    prelude = (
        "from dataclasses import dataclass, field\n"
        "from typing import TypedDict\n"
        "import wtf\n"
        "app = wtf.Server()\n"
    )
    exec(prelude + block_after("### Request binding"), namespace)
    client = Client(namespace["app"], validate=True)
    created = client.post("/notes", json={"title": "milk", "tags": ["a"]})
    assert created.json == {"title": "milk", "body": "", "tags": ["a"]}
    bad = client.post("/notes?dry_run=maybe", json={"title": 5})
    shown = re.search(r"```json\n(.*?)```", README[README.index("### Request binding") :], re.S)
    assert shown is not None
    assert bad.json == json.loads(shown.group(1))  # the README shows the real answer
