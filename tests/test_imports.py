"""The package's modules import each other without cycles (function-level imports included;
imports under ``if TYPE_CHECKING:`` excluded: they never run)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "wtf"


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package modules ``name`` imports at run time."""
    found: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            base = here[: len(here) - (node.level - 1)] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text()))
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def test_no_import_cycles() -> None:
    known = modules()
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    assert graph["wtf.sending"] >= {"wtf.response"}  # the walk sees imports at all
    assert cycles(graph) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_the_core_never_imports_midware() -> None:
    """Midware build on the core (wtf.midware_protocol, wtf.chain, wtf.vary...), not the
    other way round."""
    known = modules()

    def is_midware(name: str) -> bool:
        return name == "wtf.midware" or name.startswith("wtf.midware.")

    core = {n: p for n, p in known.items() if not is_midware(n)}
    offenders = {
        name: sorted(m for m in imports_of(name, path, known) if is_midware(m))
        for name, path in core.items()
    }
    assert {n: m for n, m in offenders.items() if m} == {}
    cors = known["wtf.midware.cors"]
    assert "wtf.midware_protocol" in imports_of("wtf.midware.cors", cors, known)


# Context's private fields (``ctx._request``...), read outside context.py only where a method's
# frame would cost a measured share of a request: the cycle's plain-result fast path and the
# code the plan emitter generates (see Context's docstring).
CONTEXT_FIELD_READERS = {"wtf.cycle", "wtf.emitter"}


def private_context_reads(path: Path) -> list[str]:
    """``ctx._name`` / ``context._name`` attribute uses in ``path`` (code and generated code)."""
    tree = ast.parse(path.read_text())
    found = [
        f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("ctx", "context")
        and node.attr.startswith("_")
    ]
    found += [  # in the source strings the emitter writes
        f"{path.name}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "ctx._" in node.value
    ]
    return found


def test_only_context_and_its_two_fast_paths_read_its_fields() -> None:
    readers = {
        name: reads
        for name, path in modules().items()
        if name != "wtf.context" and (reads := private_context_reads(path))
    }
    assert set(readers) == CONTEXT_FIELD_READERS, readers


def test_the_field_finder_finds_reads(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def f(ctx):\n    return ctx._cache, "cache = ctx._cache"\n')
    assert len(private_context_reads(sample)) == 2
