"""schemathesis (a tool no one here wrote) against each example app served by gunicorn.

Each app's document is written with ``wtf openapi``, the app is served on 127.0.0.1, and
``st run`` generates requests from the document (positive and negative data, a fixed seed and
a bounded number of cases per operation) with every check: no 5xx, every status, content type
and body as documented, invalid data refused and valid data accepted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ..serving.live import ROOT, serving

#: Every check schemathesis has: no 5xx; status, content type, body and headers as documented;
#: invalid data refused and valid data (from the document's schemas and constraints) accepted;
#: missing required headers refused; 405 for undocumented methods; in the stateful phase (the
#: notes' OpenAPI links), a deleted note is gone and a created one is there.
CHECKS = "all"
#: What an app cannot pass, and why. The tour's routes registered for every method (go_wtf's
#: ``app.handle`` default) answer methods OpenAPI 3.1 cannot list, such as QUERY, and its guard
#: midware answers 403 before routing, so before a 405 (405 + Allow is tested in tests/server).
#: The uploads' ``Content-Range`` must have LAST below TOTAL and not below FIRST (RFC 9110
#: §14.4; else 400), which no JSON Schema can say of a header: schema-valid ranges such as
#: ``bytes 0-0/0`` are rightly refused.
EXCLUDED = {"tour": "unsupported_method", "uploads": "positive_data_acceptance"}
#: Cases per operation (the fuzzing phase): bounded, the four apps take about half a minute.
MAX_EXAMPLES = 100


def schemathesis(
    document: Path, port: int, report: Path, excluded: str | None = None
) -> subprocess.CompletedProcess[str]:
    st = Path(sys.executable).with_name("st")
    return subprocess.run(
        [
            str(st), "run", str(document),
            "--url", f"http://127.0.0.1:{port}",
            "--checks", CHECKS,
            *(["--exclude-checks", excluded] if excluded else []),
            "--max-examples", str(MAX_EXAMPLES),
            "--seed", "20261129",
            "--phases", "examples,coverage,fuzzing,stateful",
            "--workers", "1",  # threads hit CPython gh-106905 in 3.11 < 3.11.8 (ast)
            "--request-timeout", "10",
            "--report", "ndjson", "--report-ndjson-path", str(report),
            "--no-color",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
        env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"},
    )  # fmt: skip


def figures(report: Path) -> dict[str, Any]:
    """Operations tested, cases generated and failures, from the ndjson event report."""
    operations: set[str] = set()
    cases = failures = 0
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for name, body in event.items():
            if name == "ScenarioFinished":
                recorder = body.get("recorder", {})
                label = recorder.get("label") or ""
                if re.match(r"[A-Z]+ /", label):  # an operation's, not a stateful scenario's
                    operations.add(label.split(" -> ")[0])
                cases += len(recorder.get("cases", {}))
                for checks in recorder.get("checks", {}).values():
                    failures += sum(1 for check in checks if check.get("status") == "FAILURE")
    return {"operations": len(operations), "cases": cases, "failures": failures}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", ["hello", "notes", "tour", "uploads", "chat"])
def test_schemathesis_finds_nothing_wrong(name: str, tmp_path: Path) -> None:
    document = tmp_path / "openapi.json"
    printed = subprocess.run(
        [sys.executable, "-m", "wtf", "openapi", f"examples.{name}:app"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    document.write_text(printed.stdout)
    env = {"WTF_NOTES_DB": str(tmp_path / "notes.db"), "WTF_UPLOADS_DIR": str(tmp_path)}
    report = tmp_path / "report.ndjson"
    with serving(f"examples.{name}:app", "--workers", "1", env=env) as server:
        done = schemathesis(document, server.port, report, EXCLUDED.get(name))
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    found = figures(report)
    print(f"{name}: {found}")  # the note's figures (pytest -s)
    assert found["operations"] == sum(
        len([m for m in item if not m.startswith("x-")])
        for item in json.loads(printed.stdout)["paths"].values()
    )
    assert found["cases"] >= found["operations"] and found["failures"] == 0
    assert "Traceback" not in server.output
