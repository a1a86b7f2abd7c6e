"""Starting and stopping real gunicorn servers on 127.0.0.1 for tests (stopped by PID)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        # The server may answer (a 413, say) and close before the body is all sent, as
        # RFC 9112 §9.6 allows: the answer is still there to read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def post_json(port: int, path: str, data: object) -> tuple[int, dict[str, str], bytes]:
    """POST ``data`` as JSON."""
    return request(
        port, "POST", path, json.dumps(data).encode(), {"Content-Type": "application/json"}
    )


class Server:
    """A running ``python -m wtf serve`` process."""

    def __init__(self, process: subprocess.Popen[str], port: int, log: IO[str]) -> None:
        self.process = process
        self.port = port
        self.log = log
        self.output = ""

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        return request(self.port, "GET", path, headers=headers)

    def signal(self, sig: int) -> None:
        os.kill(self.process.pid, sig)

    def stop(self, timeout: float = 30) -> int:
        if self.log.closed:  # stopped already
            return int(self.process.returncode)
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.seek(0)
        self.output = self.log.read()
        self.log.close()
        return self.process.returncode


@contextmanager
def serving(
    target: str,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    command: str = "serve",
    port: int | None = None,
) -> Iterator[Server]:
    """Run ``wtf serve target`` (or another ``command``, from ``cwd``) on ``port`` (default: a
    free one) until the block ends."""
    port = port or free_port()
    # A file, not a pipe (a full pipe would block the server); Server.stop closes it.
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "wtf", command, target, "--bind", f"127.0.0.1:{port}", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"server exited early: {process.stdout.read() if process.stdout else ''}"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start within 30 s") from None
                time.sleep(0.05)
        yield server
    finally:
        server.stop()
