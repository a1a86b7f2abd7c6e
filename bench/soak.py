"""Soak: the notes example under gunicorn (2 workers x 4 threads) loaded by wrk, bounded.

Reports requests/s, socket errors, non-2xx answers to valid requests, the server's RSS at the
start and the end, and checks that every acknowledged write (201) is readable afterwards.
Run with ``make bench-soak`` (``SOAK_SECONDS=60`` for longer); only 127.0.0.1 is loaded and the
server is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from .processes import free_port, stop

ROOT = Path(__file__).resolve().parents[1]


def rss_kib(pids: list[int]) -> int:
    """Resident memory of ``pids`` in KiB (from /proc)."""
    total = 0
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return total


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def main() -> int:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    seconds = int(os.environ.get("SOAK_SECONDS", "20"))
    workdir = Path(tempfile.mkdtemp(prefix="wtf-soak-"))
    db = workdir / "soak.db"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "wtf", "serve", "examples.notes:app", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"],
        cwd=ROOT, env={**os.environ, "WTF_NOTES_DB": str(db)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        subprocess.run(
            ["curl", "-s", "--retry", "30", "--retry-connrefused", "--retry-delay", "1",
             "-X", "POST", "-H", "Content-Type: application/json",
             "-d", json.dumps({"title": "first"}), f"{url}/notes"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        subprocess.run(
            ["wrk", "-t2", "-c16", "-d3s", "-s", "bench/soak.lua", url],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=60,
        )  # warm-up
        pids = [server.pid, *children(server.pid)]
        rss_start = rss_kib(pids)
        created_before = sqlite3.connect(db).execute("SELECT COUNT(*) FROM notes").fetchone()[0]
        out = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", "bench/soak.lua", url],
            cwd=ROOT, check=True, capture_output=True, text=True, timeout=seconds + 60,
        ).stdout  # fmt: skip
        rss_end = rss_kib([server.pid, *children(server.pid)])
    finally:
        stop(server)  # type: ignore[arg-type]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    created, bad = (int(n) for n in re.search(r"SOAK created=(\d+) bad=(\d+)", out).groups())  # type: ignore[union-attr]
    rows = sqlite3.connect(db).execute("SELECT COUNT(*) FROM notes").fetchone()[0]
    written = rows - created_before
    # Every acknowledged write is there; requests in flight when wrk stops may be committed
    # without being counted (at most one per connection).
    intact = created <= written <= created + 16
    print(f"# soak: notes app, gunicorn 2 workers x 4 threads, wrk -t2 -c16 -d{seconds}s")
    print(
        "| requests/s | socket errors | non-2xx | writes acknowledged | rows written "
        "| RSS start | RSS end |"
    )
    print("|---|---|---|---|---|---|---|")
    print(f"| {rps:,.0f} | {socket_errors} | {bad} | {created} | {written} | "
          f"{rss_start / 1024:.1f} MiB | {rss_end / 1024:.1f} MiB |")  # fmt: skip
    print(f"acknowledged writes all readable: {intact}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if socket_errors == 0 and bad == 0 and intact else 1


if __name__ == "__main__":
    sys.exit(main())
