"""Load benchmark: the scenario 1-3 apps under gunicorn on 127.0.0.1, loaded with ``wrk``.

For each framework and worker kind (sync; gthread with 4 threads), one gunicorn worker is
started on a free port, each path is loaded for a bounded time, and requests/s and errors are
reported; every server is stopped by its PID. Run with ``make bench-load`` (it installs wrk
from Debian's packages when missing).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from .processes import free_port, stop, wait_for_port
from .served import PATHS

ROOT = Path(__file__).resolve().parents[1]
WORKERS = {"sync": ["-k", "sync"], "gthread": ["-k", "gthread", "--threads", "4"]}


def start(framework: str, worker: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", *WORKERS[worker],
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", f"bench.served:{framework}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, process, f"gunicorn for {framework}")
    except RuntimeError as exc:
        stop(process)
        raise SystemExit(str(exc)) from None
    return process, port


def wrk(port: int, path: str, seconds: int, connections: int) -> tuple[float, int]:
    """Requests/s and errors (socket errors + non-2xx) of one bounded wrk run."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, errors + (int(non2xx.group(1)) if non2xx else 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--frameworks", nargs="*", default=["bare", "wtf", "falcon", "bottle", "flask"]
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    print(
        f"# gunicorn, 1 worker each, wrk -t1 -c{args.connections} -d{args.seconds}s, "
        f"median of {args.rounds} interleaved rounds after a warm-up; requests/s (errors)"
    )
    print("| worker | scenario | " + " | ".join(args.frameworks) + " | wtf / falcon |")
    print("|" + "---|" * (len(args.frameworks) + 3))
    for worker in WORKERS:
        servers = {}
        try:
            for framework in args.frameworks:
                servers[framework] = start(framework, worker)
            for _, port in servers.values():  # warm-up: imports, caches, first connections
                for path in PATHS.values():
                    wrk(port, path, 1, args.connections)
            samples: dict[tuple[str, int], list[tuple[float, int]]] = {}
            for _ in range(args.rounds):
                for scenario, path in PATHS.items():
                    for framework, (_, port) in servers.items():
                        result = wrk(port, path, args.seconds, args.connections)
                        samples.setdefault((framework, scenario), []).append(result)
        finally:
            for process, _ in servers.values():
                stop(process)
        for scenario in PATHS:
            cells = []
            medians = {}
            for framework in args.frameworks:
                runs = samples[(framework, scenario)]
                medians[framework] = statistics.median(rps for rps, _ in runs)
                cells.append(f"{medians[framework]:,.0f} ({sum(e for _, e in runs)})")
            ratio = ""
            if "wtf" in medians and "falcon" in medians:
                ratio = f"{medians['wtf'] / medians['falcon']:.2f}x"
            print(f"| {worker} | {scenario}. {PATHS[scenario]} | {' | '.join(cells)} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
