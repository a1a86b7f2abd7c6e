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


def measure(
    args: list[str], seconds: int, rounds: int, anchor: str = "falcon"
) -> dict[str, dict[str, Any]]:
    """Both frameworks served at once with one configuration (only the one under wrk works),
    their runs interleaved, ``rounds`` times; the median run of each cell. ``anchor="wtf"``
    serves wtf in the Falcon column too: an A/A run, whose ratios show the method's own
    bias and spread."""
    from tests.serving.live import serving

    samples: dict[str, dict[str, list[tuple[float, str, str, int]]]] = {
        "wtf": {},
        "falcon": {},
    }
    with (
        serving("bench.server_apps:wtf", *args) as wtf_server,
        serving(f"bench.server_apps:{anchor}", *args) as falcon_server,
    ):
        ports = {"wtf": wtf_server.port, "falcon": falcon_server.port}
        for port in ports.values():  # warm-up
            for path in PATHS.values():
                wrk(port, path, 1)
        for round_ in range(rounds):
            # Who goes first alternates: the second run of a pair finds a warmer machine.
            order = list(ports.items()) if round_ % 2 == 0 else list(ports.items())[::-1]
            for name, path in PATHS.items():
                for framework, port in order:
                    samples[framework].setdefault(name, []).append(wrk(port, path, seconds))
            for framework, port in order:
                stop = threading.Event()
                socks = attack(port, 64, "slowloris", stop)
                try:
                    run = wrk(port, "/hello", seconds)
                finally:
                    stop.set()
                    for sock in socks:
                        sock.close()
                samples[framework].setdefault(SLOW, []).append(run)
    medians = {
        framework: {name: sorted(runs)[len(runs) // 2] for name, runs in cells.items()}
        for framework, cells in samples.items()
    }
    # Each round's wtf/Falcon ratio from its own back-to-back pair: drift between rounds (a
    # machine whose 2 cores also run wrk) cancels within a pair, not across medians.
    falcon = samples["falcon"]
    ratios = {
        name: sorted(w[0] / f[0] for w, f in zip(runs, falcon[name], strict=True) if f[0])
        for name, runs in samples["wtf"].items()
    }
    return {**medians, "ratios": ratios}


#: The paths whose time in the app is measured (the file row's work is the server's sendfile).
TIMED = ("hello", "param", "json")


def app_time(args: list[str], seconds: int, rounds: int) -> dict[str, dict[str, float]]:
    """Microseconds per request spent inside each framework's app while wrk loads it
    (``bench.server_apps.Timed``), median of ``rounds``: the framework's own share of the
    served cost, which the req/s columns cannot resolve on 2 shared cores."""
    from tests.serving.live import request, serving

    samples: dict[str, dict[str, list[float]]] = {"wtf": {}, "falcon": {}}
    with (
        serving("bench.server_apps:timed_wtf", *args) as wtf_server,
        serving("bench.server_apps:timed_falcon", *args) as falcon_server,
    ):
        for _ in range(rounds):
            for name in TIMED:
                for framework, server in (("wtf", wtf_server), ("falcon", falcon_server)):
                    request(server.port, "GET", "/__app_time")  # start afresh
                    wrk(server.port, PATHS[name], seconds)
                    _, _, body = request(server.port, "GET", "/__app_time")
                    samples[framework].setdefault(name, []).append(float(body.split()[0]))
    return {
        framework: {name: sorted(runs)[len(runs) // 2] for name, runs in cells.items()}
        for framework, cells in samples.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--only", default="", help="only the configurations whose name contains this text"
    )
    parser.add_argument(
        "--anchor",
        choices=("falcon", "wtf"),
        default="falcon",
        help="what the second column serves ('wtf': an A/A run measuring the method's noise)",
    )
    options = parser.parse_args(argv)
    parser_anchor = options.anchor
    configs = {name: args for name, args in CONFIGS.items() if options.only in name}
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for config, args in configs.items():
        measured = measure(args, options.seconds, options.rounds, parser_anchor)
        for framework in ("wtf", "falcon", "ratios"):
            table[(config, framework)] = measured[framework]
    print(
        f"# served end to end, wrk -t2 -c32 -d{options.seconds}s --latency, 127.0.0.1, "
        f"2 cores, median of {options.rounds} interleaved runs; req/s (p50 / p99)"
    )
    rows = [*PATHS, SLOW]
    second = "falcon" if parser_anchor == "falcon" else "wtf (A/A)"
    print(f"| server | path | wtf | {second} | wtf / {second} (median of pairs; range) |")
    print("|---|---|---|---|---|")
    for config in configs:
        for row in rows:
            cells = []
            for framework in ("wtf", "falcon"):
                rps, p50, p99, errors = table[(config, framework)][row]
                extra = f", {errors} errors" if errors else ""
                cells.append(f"{rps:,.0f} ({p50} / {p99}{extra})")
            pairs = table[(config, "ratios")][row]
            ratio = (
                f"{pairs[len(pairs) // 2]:.2f}x ({pairs[0]:.2f}-{pairs[-1]:.2f})" if pairs else "-"
            )
            print(f"| {config} | {row} | {cells[0]} | {cells[1]} | {ratio} |", flush=True)
    best = max((table[(c, "wtf")]["hello"][0] for c in configs if "gunicorn" in c), default=0)
    granian = max((table[(c, "wtf")]["hello"][0] for c in configs if "granian" in c), default=0)
    if best and granian:
        print(
            f"\nwtf hello: granian {granian:,.0f} / gunicorn's best {best:,.0f} = "
            f"{granian / best:.1f}x"
        )
    if parser_anchor == "falcon":
        print(
            f"\n# inside the server: microseconds per request in the app (call and body) while "
            f"wrk -c32 loads it {options.seconds}s, median of {options.rounds}"
        )
        print("| server | path | wtf | falcon | falcon / wtf |")
        print("|---|---|---|---|---|")
        for config, args in configs.items():
            inside = app_time(args, options.seconds, options.rounds)
            for name in TIMED:
                ours, theirs = inside["wtf"][name], inside["falcon"][name]
                ratio = f"{theirs / ours:.1f}x" if ours else "-"
                print(f"| {config} | {name} | {ours:.1f} | {theirs:.1f} | {ratio} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
