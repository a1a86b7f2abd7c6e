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


def python_blocks() -> list[tuple[int, str]]:
    """Every ```python block of the README, with its line number."""
    return [
        (README[: m.start()].count("\n") + 1, m.group(1))
        for m in re.finditer(r"```python\n(.*?)```", README, re.S)
    ]


def test_every_python_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each block runs as written, on its own (a block starting '# name.py' is also saved as
    that module, for the blocks after it to import); test functions in a block are called."""
    monkeypatch.chdir(tmp_path)  # blocks may create files (uploads/)
    monkeypatch.syspath_prepend(str(tmp_path))
    blocks = python_blocks()
    assert len(blocks) >= 12
    for line, code in blocks:
        first = code.splitlines()[0]
        name = f"readme_block_{line}"
        if re.fullmatch(r"# \w+\.py", first):
            name = first[2:-3]
            (tmp_path / f"{name}.py").write_text(code)
        module = types.ModuleType(name)  # dataclasses look their module up
        monkeypatch.setitem(sys.modules, name, module)
        try:
            exec(compile(code, f"README.md:{line}", "exec"), module.__dict__)
            for attr, value in list(module.__dict__.items()):
                if attr.startswith("test_") and callable(value):
                    value()
        except Exception as exc:
            raise AssertionError(f"the README's block at line {line} fails: {exc!r}") from exc


def test_the_first_app_answers_as_the_readme_says(monkeypatch: pytest.MonkeyPatch) -> None:
    code = block_after("## Your first app")
    module = types.ModuleType("readme_hello")
    monkeypatch.setitem(sys.modules, "readme_hello", module)
    exec(code, module.__dict__)
    client = Client(module.app, validate=True)
    assert client.get("/hello/ann").text == "Hello, ann!"
    assert client.post("/greetings", json={"name": "x"}).json == {"message": "Hello, x!"}
