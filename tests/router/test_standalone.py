"""``import wtf.router`` loads nothing else of wtf and nothing outside the standard library."""

from __future__ import annotations

import subprocess
import sys


def test_router_imports_alone() -> None:
    code = (
        "import sys; before = set(sys.modules); import wtf.router; "
        "new = sorted(m for m in set(sys.modules) - before); print('\\n'.join(new))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    wtf_modules = {m for m in out if m == "wtf" or m.startswith("wtf.")}
    assert wtf_modules - {"wtf"} == {m for m in wtf_modules if m.startswith("wtf.router")}
    assert "wtf.server" not in out and "werkzeug" not in out
    third_party = [m for m in out if m.split(".")[0] not in sys.stdlib_module_names | {"wtf"}]
    assert third_party == []
