"""Starting and stopping the servers the benches (and a few live tests) run on 127.0.0.1:
wait until one listens, stop it by its PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

__all__ = ["free_port", "stop", "wait_for_port"]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], what: str, timeout: float = 30.0
) -> None:
    """Return once 127.0.0.1:``port`` accepts a connection.

    Raises:
        RuntimeError: ``process`` exited first, or ``timeout`` passed.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.05)


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGTERM ``process`` by its PID, then SIGKILL if it has not exited in ``timeout``."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
