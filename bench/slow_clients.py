"""Slow clients against ``wtf serve``: how many normal requests still get answered.

For each server setting, ``wtf serve examples.hello:app`` is started on 127.0.0.1, N
connections that send their request headers one byte a second ("slowloris") or nothing at all
("silent") are opened, and then 20 normal GETs are sent one after another, each with a 2 s
timeout. Reported: answered/20 and the median latency. Every server is stopped by its PID.
The ``nginx`` settings put nginx (Debian's package, when installed) in front, configured by
``examples/deploy/nginx.conf``.

    make bench-slow            # or: .venv/bin/python -m bench.slow_clients --attackers 1 16 64
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.nginx_site import start_nginx
from bench.processes import free_port

ROOT = Path(__file__).resolve().parents[1]
SETTINGS: dict[str, list[str]] = {
    "default": [],  # gthread, a worker per core x 32 threads
    "sync 1": ["--worker-class", "sync", "--workers", "1"],
    "sync 2": ["--worker-class", "sync", "--workers", "2"],
    "gthread 1x16": ["--workers", "1", "--threads", "16"],
    "nginx + sync 1": ["--worker-class", "sync", "--workers", "1"],
    "nginx + default": [],
}


def wait_for_port(port: int, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


def start(name: str, scratch: Path) -> tuple[list[subprocess.Popen[bytes]], int]:
    """Start the setting ``name``; return its processes and the port clients connect to."""
    port = free_port()
    app = subprocess.Popen(
        [sys.executable, "-m", "wtf", "serve", "examples.hello:app", "--bind",
         f"127.0.0.1:{port}", *SETTINGS[name]],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port, f"wtf serve {SETTINGS[name]}")
    if not name.startswith("nginx"):
        return [app], port
    front = free_port()
    nginx = start_nginx([port], front, scratch)
    wait_for_port(front, "nginx")
    return [nginx, app], front


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def attack(port: int, count: int, mode: str, stop: threading.Event) -> list[socket.socket]:
    """Open ``count`` slow connections; a thread trickles a header byte a second to each."""
    socks = []
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            break
        if mode == "slowloris":
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        socks.append(sock)

    def trickle() -> None:
        while not stop.wait(1.0):
            for sock in socks:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X")

    if mode == "slowloris":
        threading.Thread(target=trickle, daemon=True).start()
    return socks


def probe(port: int, tries: int = 20) -> tuple[int, float]:
    answered = 0
    times = []
    for _ in range(tries):
        began = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                answered += 1
                times.append(time.monotonic() - began)
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
    return answered, statistics.median(times) * 1000 if times else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attackers", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--modes", nargs="+", default=["silent", "slowloris"])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS))
    args = parser.parse_args()
    print(f"{'setting':<18} {'mode':<10} {'conns':>5}  answered  median ms")
    for name in args.settings:
        if name.startswith("nginx") and shutil.which("nginx") is None:
            print(f"{name:<18} skipped: nginx is not installed (apt-get install nginx)")
            continue
        for mode in args.modes:
            for count in args.attackers:
                with tempfile.TemporaryDirectory() as scratch:
                    processes, port = start(name, Path(scratch))
                    stop_event = threading.Event()
                    socks: list[socket.socket] = []
                    try:
                        socks = attack(port, count, mode, stop_event)
                        time.sleep(1.5)  # let the server hand them to its workers/threads
                        answered, median = probe(port)
                    finally:
                        stop_event.set()
                        for sock in socks:
                            sock.close()
                        stop(processes)
                print(f"{name:<18} {mode:<10} {count:>5}  {answered:>5}/20  {median:>9.1f}")


if __name__ == "__main__":
    main()
