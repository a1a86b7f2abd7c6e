"""The JavaScript client: its unit tests under Node's own runner, the file routes that serve it,
and the TypeScript that ``wtf typescript`` writes, compiled by ``tsc --strict`` against typed
usage (and refused for a wrong param name, method or payload field)."""

from __future__ import annotations

import enum
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict

import pytest

import wtf
from wtf.errors import RegistrationError
from wtf.realtime import Hub
from wtf.realtime.client_files import client_source
from wtf.realtime.typescript import hub_typescript, schema_to_typescript
from wtf.testing import Client

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
TSC = ROOT / ".venv" / "node" / "node_modules" / ".bin" / "tsc"

pytestmark = pytest.mark.timeout(120)


@pytest.mark.skipif(NODE is None, reason="no node on this machine")
def test_the_clients_unit_tests_pass_under_node() -> None:
    assert NODE is not None
    run = subprocess.run(
        [NODE, "--test", "--test-reporter=spec", "tests/realtime/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    summary = dict(re.findall(r"^\S+ (tests|pass|fail) (\d+)$", run.stdout, re.MULTILINE))
    assert summary == {"tests": "14", "pass": "14", "fail": "0"}, run.stdout[-1000:]


# Serving the files.


def test_client_route_serves_the_module_and_its_types_with_an_etag() -> None:
    app = wtf.Server()
    hub = Hub()
    app.websocket("/rt")(hub)
    hub.client_route(app, "/js/rt.js")
    client = Client(app)
    module = client.get("/js/rt.js")
    assert module.status_code == 200
    assert module.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert module.headers["Cache-Control"] == "no-cache"
    assert module.data == client_source("wtf-realtime.js")
    etag = module.headers["ETag"]
    assert etag.startswith('"') and len(etag) == 34
    for asked in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get("/js/rt.js", headers={"If-None-Match": asked})
        assert (again.status_code, again.data) == (304, b""), asked
        assert again.headers["ETag"] == etag
    assert client.get("/js/rt.js", headers={"If-None-Match": '"stale"'}).status_code == 200
    types = client.get("/js/rt.d.ts")
    assert types.headers["Content-Type"] == "application/typescript; charset=utf-8"
    assert b"export declare function connect" in types.data
    assert types.headers["ETag"] != etag
    assert client.head("/js/rt.js").data == b""
    assert client.post("/js/rt.js").status_code == 405
    assert "/js/rt.js" not in str(app.openapi()["paths"])  # files, not an API


@pytest.mark.parametrize("path", ["wtf-realtime.js", "/client", "/x.mjs", None])
def test_client_route_refuses_a_path_it_cannot_serve(path: Any) -> None:
    app = wtf.Server()
    with pytest.raises(RegistrationError, match=r"starts with '/' and ends with '\.js'"):
        Hub().client_route(app, path)


# The TypeScript description.


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Note:
    """A note."""

    id: int
    text: str
    tags: list[str]
    color: Color
    parent: int | None = None


class Moved(TypedDict):
    note: int
    to: Literal["top", "bottom"]


def typed_app() -> wtf.Server:
    app = wtf.Server()
    hub = Hub()
    hub.event("note", data=Note)
    hub.event("moved", data=Moved)
    hub.event("counts", data=dict[str, list[int]])
    hub.event("untyped")

    @hub.method("notes.add")
    def add(text: str, tags: list[str], color: Color = Color.RED) -> Note:
        return Note(1, text, tags, color)

    @hub.method("notes.count")
    def count() -> int:
        return 0

    @hub.method("notes.find")
    def find(query: str | None = None, limit: int = 10) -> list[Note] | None:
        return None

    app.websocket("/notes")(hub)
    return app


def test_the_typescript_names_every_method_event_and_shared_type() -> None:
    text = hub_typescript(typed_app(), "tests:app")
    assert text.startswith("// Written by `wtf typescript tests:app` from the app's Hub")
    assert "export type Note = {\n" in text and "  parent?: number | null;" in text
    assert 'export type Color = "red" | "blue";' in text
    assert '"notes.add": {\n      params: { text: string; tags: string[]; color?: Color };' in text
    assert '"notes.count": {\n      params: Record<string, never>;\n      result: number;' in text
    assert "params: { query?: string | null; limit?: number };" in text
    assert "result: Note[] | null;" in text
    assert "    note: Note;" in text
    assert 'export type Moved = { note: number; to: "top" | "bottom" };' in text
    assert "    moved: Moved;" in text
    assert 'connect<Hub>("/notes")' in text
    assert "    counts: { [key: string]: number[] };" in text
    assert "    untyped: unknown;" in text


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({}, "unknown"),
        ({"type": "string"}, "string"),
        ({"type": ["integer", "null"]}, "number | null"),
        (
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
            "(string | null)[]",
        ),
        (
            {"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}]},
            "[string, number]",
        ),
        ({"const": "x"}, '"x"'),
        ({"enum": [1, "a", None]}, '1 | "a" | null'),
        (
            {"allOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]},
            "A & B",
        ),
        (
            {"type": "object", "properties": {"a-b": {"type": "boolean"}}, "required": ["a-b"]},
            '{ "a-b": boolean }',
        ),
        ({"type": "object", "additionalProperties": False}, "Record<string, never>"),
        ({"type": "object"}, "{ [key: string]: unknown }"),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "integer"}},
                "additionalProperties": {"type": "string"},
            },
            "{ a?: number; [key: string]: unknown }",
        ),
        ({"$ref": "#/components/schemas/my.Model-1"}, "my_Model_1"),
    ],
)
def test_schemas_become_typescript_types(schema: dict[str, Any], expected: str) -> None:
    assert schema_to_typescript(schema) == expected


def wtf_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wtf", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_wtf_typescript_writes_the_file_or_says_what_failed(tmp_path: Path) -> None:
    out = tmp_path / "hub.d.ts"
    wrote = wtf_command("typescript", "examples.chat:app", "-o", str(out))
    assert (wrote.returncode, wrote.stdout, wrote.stderr) == (0, "", "")
    assert '"chat.send": {' in out.read_text()
    printed = wtf_command("typescript", "examples.hello:app")
    assert printed.returncode == 0 and "// This app has no Hub." in printed.stdout
    unwritable = wtf_command("typescript", "examples.chat:app", "-o", str(tmp_path))
    assert unwritable.returncode == 1
    assert unwritable.stderr.startswith(f"wtf: cannot write {tmp_path}: ")


USAGE = """
import { connect, Code, WtfError } from "./wtf-realtime.js";
import type { Hub } from "./hub";
import type { Hub as Notes, Note } from "./notes";

const chat = connect<Hub>("/rt", { timeout: 5000, backoff: { initial: 250 } });
const notes = connect<Notes>("/notes", { token: async () => "secret" });

export async function main(): Promise<void> {
  const sent: boolean | undefined = (await chat.call("chat.send", { room: "a", text: "hi" })).sent;
  const users: string[] = await chat.call("chat.here", { room: "a" });
  await chat.subscribe("message", "a", (m, meta) => {
    const line: string = `${m.from}: ${m.text} at ${m.at}, #${meta.offset ?? 0}`;
  });
  await chat.subscribe("presence", "a", (p) => p.users.map((u) => u.toUpperCase()));
  chat.listen("notice", (n) => n.text.length);
  chat.on("close", ({ code, reconnecting }) => code + (reconnecting ? 1 : 0));
  const note: Note = await notes.call("notes.add", { text: "x", tags: [], color: "blue" });
  const count: number = await notes.call("notes.count");
  const found: Note[] | null = await notes.call("notes.find", { limit: 3 });
  notes.subscribe("moved", "n", (m) => (m.to === "top" ? m.note : -m.note));
  notes.subscribe("counts", "n", (c) => Object.values(c).flat().reduce((a, b) => a + b, 0));
  try {
    await notes.call("notes.count", {}, { timeout: 10 });
  } catch (error) {
    if (error instanceof WtfError && error.code === Code.TIMEOUT) chat.close();
  }
}
"""

MISTAKES = {
    'chat.call("chat.send", { room: "a", txt: "hi" })': "'txt' does not exist",
    'chat.call("chat.sned", { room: "a", text: "hi" })': '"chat.sned"',
    'chat.call("chat.send", { room: "a" })': "Property 'text' is missing",
    'chat.subscribe("message", "a", (m) => m.sender)': "Property 'sender' does not exist",
    'notes.call("notes.add", { text: "x", tags: [], color: "green" })': '"green"',
    'chat.subscribe("mesage", "a", () => {})': '"mesage"',
}


def _tsc(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(TSC),
            "--strict",
            "--noEmit",
            "--target",
            "es2022",
            "--module",
            "es2022",
            "--moduleResolution",
            "bundler",
            "--lib",
            "es2022,dom",
            "usage.ts",
        ],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=100,
    )


@pytest.mark.skipif(not TSC.exists(), reason="no tsc (make node-deps installs it when npm is here)")
def test_the_generated_types_compile_with_tsc_strict_and_catch_mistakes(tmp_path: Path) -> None:
    from examples.chat import app as chat_app

    (tmp_path / "wtf-realtime.d.ts").write_bytes(client_source("wtf-realtime.d.ts"))
    (tmp_path / "hub.d.ts").write_text(hub_typescript(chat_app))
    (tmp_path / "notes.d.ts").write_text(hub_typescript(typed_app()))
    (tmp_path / "usage.ts").write_text(USAGE)
    compiled = _tsc(tmp_path)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    for mistake, complaint in MISTAKES.items():
        (tmp_path / "usage.ts").write_text(
            USAGE.replace("export async function main", f"{mistake};\nexport async function main")
        )
        refused = _tsc(tmp_path)
        assert refused.returncode != 0, mistake
        assert complaint in refused.stdout, (mistake, refused.stdout)
