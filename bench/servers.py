"""End to end, served: wtf and Falcon on gunicorn (sync, gthread) and granian, with wrk.

Each configuration serves ``bench.server_apps`` on a free 127.0.0.1 port, one at a time
(stopped by PID), wtf's and Falcon's side by side: ``wrk -t2 -c32 --latency`` for a fixed time
per path (hello, a param route, JSON, a 1 MiB file) gives requests/s and latency p50/p99, the
two frameworks' runs interleaved, median of ``--rounds``; then a slow-client row: 64
connections trickling their headers a byte a second stay open while hello is measured.
``make bench-servers`` (it installs wrk when missing).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import threading
from typing import Any

from .slow_clients import attack

PATHS = {"hello": "/hello", "param": "/user/12345", "json": "/json", "1 MiB file": "/file"}
SLOW = "hello, 64 slow clients open"
CONFIGS: dict[str, list[str]] = {
    "gunicorn sync, 2 workers": ["--server", "gunicorn", "--worker-class", "sync",
                                 "--workers", "2"],
    "gunicorn gthread, 2 workers x 4 threads": ["--server", "gunicorn", "--workers", "2",
                                                "--threads", "4"],
    "granian, 1 worker": ["--server", "granian", "--workers", "1"],
    "granian, 2 workers": ["--server", "granian", "--workers", "2"],
}  # fmt: skip


def wrk(port: int, path: str, seconds: int) -> tuple[float, str, str, int]:
    """Requests/s, p50, p99 and errors of one bounded wrk run."""
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)  # the Latency Distribution lines
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return (
        rps,
        p50.group(1) if p50 else "-",
        p99.group(1) if p99 else "-",
        errors + (int(non2xx.group(1)) if non2xx else 0),
    )


def measure(args: list[str], seconds: int, rounds: int) -> dict[str, dict[str, Any]]:
    """Both frameworks served at once with one configuration (only the one under wrk works),
    their runs interleaved, ``rounds`` times; the median run of each cell."""
    from tests.serving.live import serving

    samples: dict[str, dict[str, list[tuple[float, str, str, int]]]] = {
        "wtf": {},
        "falcon": {},
    }
    with (
        serving("bench.server_apps:wtf", *args) as wtf_server,
        serving("bench.server_apps:falcon", *args) as falcon_server,
    ):
        ports = {"wtf": wtf_server.port, "falcon": falcon_server.port}
        for port in ports.values():  # warm-up
            for path in PATHS.values():
                wrk(port, path, 1)
        for _ in range(rounds):
            for name, path in PATHS.items():
                for framework, port in ports.items():
                    samples[framework].setdefault(name, []).append(wrk(port, path, seconds))
            for framework, port in ports.items():
                stop = threading.Event()
                socks = attack(port, 64, "slowloris", stop)
                try:
                    run = wrk(port, "/hello", seconds)
                finally:
                    stop.set()
                    for sock in socks:
                        sock.close()
                samples[framework].setdefault(SLOW, []).append(run)
    return {
        framework: {name: sorted(runs)[len(runs) // 2] for name, runs in cells.items()}
        for framework, cells in samples.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for config, args in CONFIGS.items():
        measured = measure(args, options.seconds, options.rounds)
        for framework in ("wtf", "falcon"):
            table[(config, framework)] = measured[framework]
    print(
        f"# served end to end, wrk -t2 -c32 -d{options.seconds}s --latency, 127.0.0.1, "
        f"2 cores, median of {options.rounds} interleaved runs; req/s (p50 / p99)"
    )
    rows = [*PATHS, SLOW]
    print("| server | path | wtf | falcon | wtf / falcon |")
    print("|---|---|---|---|---|")
    for config in CONFIGS:
        for row in rows:
            cells = []
            for framework in ("wtf", "falcon"):
                rps, p50, p99, errors = table[(config, framework)][row]
                extra = f", {errors} errors" if errors else ""
                cells.append(f"{rps:,.0f} ({p50} / {p99}{extra})")
            falcon_rps = table[(config, "falcon")][row][0]
            ratio = f"{table[(config, 'wtf')][row][0] / falcon_rps:.2f}x" if falcon_rps else "-"
            print(f"| {config} | {row} | {cells[0]} | {cells[1]} | {ratio} |", flush=True)
    best = max(table[(c, "wtf")]["hello"][0] for c in CONFIGS if c.startswith("gunicorn"))
    granian = max(table[(c, "wtf")]["hello"][0] for c in CONFIGS if c.startswith("granian"))
    print(
        f"\nwtf hello: granian {granian:,.0f} / gunicorn's best {best:,.0f} = {granian / best:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
