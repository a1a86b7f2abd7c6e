"""Running an app under granian (``wtf serve --server granian``, the ``granian`` extra).

granian is a Rust HTTP server with a WSGI interface: it parses HTTP and runs the app's WSGI
callable on its own threads, several times faster than gunicorn's Python workers for small
responses. It cannot hand a connection over to the app, so apps with WebSocket routes stay on
gunicorn (see :func:`websocket_routes`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from .loading import load_app, served_callable
from .realtime.one_process import websocket_handlers
from .serving import configure_logging

__all__ = ["GranianOptions", "load_target", "serve_granian", "websocket_routes"]

_TARGET_VARIABLE = "WTF_GRANIAN_TARGET"


@dataclass
class GranianOptions:
    """What ``wtf serve --server granian`` passes to granian."""

    bind: str = "127.0.0.1:8000"
    workers: int = 1
    threads: int = 1
    reload: bool = False
    access_log: bool = False
    graceful_timeout: int = 30
    backpressure: int | None = None

    def granian_settings(self) -> dict[str, Any]:
        """granian's keyword arguments for these options.

        Raises:
            ValueError: A bind granian cannot take (``fd://``).
        """
        settings: dict[str, Any] = {
            "interface": "wsgi",
            "workers": self.workers,
            "blocking_threads": self.threads,
            "reload": self.reload,
            "log_access": self.access_log,
            "workers_kill_timeout": self.graceful_timeout,
            "factory": True,
        }
        if self.backpressure is not None:
            settings["backpressure"] = self.backpressure
        if self.bind.startswith("unix:"):
            settings["uds"] = self.bind[len("unix:") :]
        elif self.bind.startswith("fd://"):
            raise ValueError("granian cannot serve on an inherited file descriptor (fd://)")
        else:
            host, _, port = self.bind.rpartition(":")
            settings["address"] = host.strip("[]")
            settings["port"] = int(port)
        return settings


def websocket_routes(app: Any) -> list[str]:
    """The patterns of ``app``'s WebSocket routes (which granian cannot serve)."""
    return [pattern for pattern, _ in websocket_handlers(app)]


def load_target() -> Any:
    """granian's factory: import and compile the app named by ``WTF_GRANIAN_TARGET``, with
    wtf's logging configured (runs in each granian worker)."""
    configure_logging(logging.INFO)
    return served_callable(load_app(os.environ[_TARGET_VARIABLE]))


def serve_granian(target: str, options: GranianOptions) -> None:
    """Run ``target`` under granian until it is stopped (SIGTERM/SIGINT: graceful)."""
    from granian import Granian

    os.environ[_TARGET_VARIABLE] = target
    Granian("wtf.serving_granian:load_target", **options.granian_settings()).serve()
