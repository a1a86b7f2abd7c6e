"""The documentation: the README and every page under docs/ run as written (every ```python
block), the site builds with ``mkdocs build --strict`` (no broken link, no missing reference),
the API reference names every public name, and no page cites a document outside the
repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from wtf.testing import Client

ROOT = Path(__file__).resolve().parents[1]
#: The README first, then the pages in the site's order.
DOCUMENTS = [ROOT / "README.md"] + [
    ROOT / "docs" / page
    for page in re.findall(r":\s*([\w/-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M)
]
TEXTS = {path: path.read_text() for path in DOCUMENTS}
README = TEXTS[ROOT / "README.md"]


def block_after(heading: str) -> str:
    """The first ```python block after ``heading``, in the first document that has it."""
    for text in TEXTS.values():
        start = text.find(heading)
        if start >= 0:
            match = re.search(r"```python\n(.*?)```", text[start:], re.S)
            assert match is not None, heading
            return match.group(1)
    raise AssertionError(f"no document has {heading!r}")


def text_after(heading: str) -> str:
    """Everything after ``heading``, in the first document that has it."""
    for text in TEXTS.values():
        start = text.find(heading)
        if start >= 0:
            return text[start:]
    raise AssertionError(f"no document has {heading!r}")


def test_tour_block() -> None:
    namespace: dict[str, Any] = {"__name__": "readme_tour"}
    exec(block_after("## Handlers"), namespace)
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
    exec(prelude + block_after("# Binding and validation"), namespace)
    client = Client(namespace["app"], validate=True)
    created = client.post("/notes", json={"title": "milk", "tags": ["a"]})
    assert created.json == {"title": "milk", "body": "", "tags": ["a"]}
    bad = client.post("/notes?dry_run=maybe", json={"title": 5})
    shown = re.search(r"```json\n(.*?)```", text_after("# Binding and validation"), re.S)
    assert shown is not None
    assert bad.json == json.loads(shown.group(1))  # the README shows the real answer


def python_blocks() -> list[tuple[str, int, str]]:
    """Every ```python block of every document: ``(document, line, code)``, in order."""
    return [
        (path.relative_to(ROOT).as_posix(), text[: m.start()].count("\n") + 1, m.group(1))
        for path, text in TEXTS.items()
        for m in re.finditer(r"```python\n(.*?)```", text, re.S)
    ]


def test_every_python_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each block runs as written, on its own (a block starting '# name.py' is also saved as
    that module, for the blocks after it to import); test functions in a block are called."""
    monkeypatch.chdir(tmp_path)  # blocks may create files (uploads/)
    monkeypatch.syspath_prepend(str(tmp_path))
    blocks = python_blocks()
    assert len(blocks) >= 26
    for document, line, code in blocks:
        first = code.splitlines()[0]
        stem = re.sub(r"\W", "_", document)
        name = f"doc_block_{stem}_{line}"
        if re.fullmatch(r"# \w+\.py", first):
            name = first[2:-3]
            (tmp_path / f"{name}.py").write_text(code)
        module = types.ModuleType(name)  # dataclasses look their module up
        monkeypatch.setitem(sys.modules, name, module)
        try:
            exec(compile(code, f"{document}:{line}", "exec"), module.__dict__)
            for attr, value in list(module.__dict__.items()):
                if attr.startswith("test_") and callable(value):
                    value()
        except Exception as exc:
            raise AssertionError(f"the block at {document}:{line} fails: {exc!r}") from exc


def test_the_first_app_answers_as_the_readme_says(monkeypatch: pytest.MonkeyPatch) -> None:
    code = block_after("## 2. A first app")
    module = types.ModuleType("docs_hello")
    monkeypatch.setitem(sys.modules, "docs_hello", module)
    exec(code, module.__dict__)
    client = Client(module.app, validate=True)
    assert client.get("/hello/ann").text == "Hello, ann!"
    assert client.post("/greetings", json={"name": "x"}).json == {"message": "Hello, x!"}


def test_the_site_builds_strictly_and_its_reference_names_every_public_name(
    tmp_path: Path,
) -> None:
    """``mkdocs build --strict``: a broken link, a missing page or a reference that does not
    resolve fails it."""
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stdout + built.stderr
    import wtf
    import wtf.midware
    import wtf.realtime
    import wtf.router
    import wtf.security
    import wtf.testing

    for package, page in (
        (wtf, "wtf"),
        (wtf.router, "router"),
        (wtf.midware, "midware"),
        (wtf.realtime, "realtime"),
        (wtf.security, "security"),
        (wtf.testing, "testing"),
    ):
        html = (tmp_path / "reference" / page / "index.html").read_text()
        documented = set(re.findall(r'id="(wtf\.[\w.]+)"', html))
        for name in package.__all__:
            assert any(
                d == f"{package.__name__}.{name}" or d.endswith(f".{name}") for d in documented
            ), f"{package.__name__}.{name} is not in reference/{page}"
    home = (tmp_path / "index.html").read_text()
    assert "Start with the" in home and 'href="tutorial/"' in home


def test_no_page_or_docstring_cites_a_document_outside_the_repository() -> None:
    sources = (
        [p for p in (ROOT / "wtf").rglob("*.py")] + DOCUMENTS + [ROOT / "examples" / "chat.py"]
    )
    for path in sources:
        text = path.read_text()
        for outside in ("API.md", "mego", "mqant", "StorageHandler"):
            assert outside not in text, f"{path.relative_to(ROOT)} names {outside!r}"


def test_the_protocols_messagepack_bytes_are_those_of_its_json() -> None:
    import msgpack

    page = TEXTS[ROOT / "docs" / "protocol.md"]
    pairs = re.findall(r"^[→←] (\{.*\})\n  ([0-9a-f ]+)$", page, re.M)
    assert len(pairs) == 3
    for shown, hexed in pairs:
        assert msgpack.packb(json.loads(shown)) == bytes.fromhex(hexed), shown


def test_the_protocols_json_exchange_is_what_a_hub_answers() -> None:
    import wtf
    from wtf.realtime import Hub

    app = wtf.Server()
    hub = Hub()
    hub.event("message", history=10)

    @hub.method("chat.send")
    def send(room: str, text: str) -> dict[str, bool]:
        return {"sent": True}

    app.websocket("/rt")(hub)
    page = TEXTS[ROOT / "docs" / "protocol.md"]
    exchange = re.findall(r"^([→←]) (\{.*\})$", page, re.M)
    with Client(app).hub("/rt") as client:
        for direction, shown in exchange[:5]:  # the JSON example (events aside)
            message = json.loads(shown)
            if direction == "→":
                client.ws.send(shown)
            elif "i" in message:
                assert json.loads(client.ws.receive()) == message
