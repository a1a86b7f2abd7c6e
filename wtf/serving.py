"""Running an app under gunicorn through gunicorn's application API (``BaseApplication``)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication

from .loading import load_app

__all__ = [
    "DEFAULT_THREADS",
    "DEFAULT_WORKERS",
    "ServeOptions",
    "WtfApplication",
    "configure_logging",
    "serve",
]


#: Threads per gthread worker by default: a client that sends its headers slowly holds one
#: thread, so this is how many such clients it takes to stop a worker (``make bench-slow``).
DEFAULT_THREADS = 32
#: Worker processes by default: one per core (gthread workers keep connections alive, so each
#: core serves many clients; measured in the README's "Serving" section).
DEFAULT_WORKERS = os.cpu_count() or 1


@dataclass
class ServeOptions:
    """What ``wtf serve`` passes to gunicorn."""

    bind: str = "127.0.0.1:8000"
    workers: int = DEFAULT_WORKERS
    worker_class: str = "gthread"
    threads: int = DEFAULT_THREADS
    keep_alive: int = 5
    reload: bool = False
    timeout: int = 30
    graceful_timeout: int = 30
    access_log: bool = False

    def gunicorn_settings(self) -> dict[str, Any]:
        """The gunicorn settings these options stand for."""
        settings: dict[str, Any] = {
            "bind": [self.bind],
            "workers": self.workers,
            "threads": self.threads,
            "worker_class": self.worker_class,
            "keepalive": self.keep_alive,
            "timeout": self.timeout,
            "graceful_timeout": self.graceful_timeout,
            "reload": self.reload,
            # Load (and compile) the app once in the master, before the workers fork; with
            # --reload each worker must import it afresh instead.
            "preload_app": not self.reload,
        }
        if self.access_log:
            settings["accesslog"] = "-"
        return settings


class WtfApplication(BaseApplication):  # type: ignore[misc]
    """gunicorn application that loads ``target`` (``module:app``)."""

    def __init__(self, target: str, options: ServeOptions) -> None:
        self.target = target
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options to gunicorn's config."""
        for key, value in self.options.gunicorn_settings().items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Import the app (and compile its routes), with wtf's logging configured."""
        configure_logging()
        return load_app(self.target)


#: gunicorn's own line format, so that wtf's lines (500 tracebacks, the access log of
#: ``wtf.midware.Logger``) read like the server's.
LOG_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"
LOG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"


def configure_logging(level: int = logging.INFO) -> None:
    """Send the ``wtf`` loggers (``wtf``, ``wtf.access``) to stderr in gunicorn's format, unless
    the application configured logging itself (a handler on ``wtf`` or on the root logger)."""
    logger = logging.getLogger("wtf")
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT, LOG_DATE_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def serve(target: str, options: ServeOptions) -> None:
    """Run ``target`` under gunicorn until it is stopped (SIGTERM/SIGINT)."""
    WtfApplication(target, options).run()
