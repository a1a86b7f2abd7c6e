"""Running an app under gunicorn through gunicorn's application API (``BaseApplication``)."""

from __future__ import annotations

import html
import logging
import os
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication

from .loading import AppNotFound, load_app, served_callable, source_files
from .realtime.capacity import process_capacity, reserve
from .realtime.shutdown import watch_signals

__all__ = [
    "DEFAULT_THREADS",
    "DEFAULT_WEBSOCKET_THREADS",
    "DEFAULT_WORKERS",
    "ServeOptions",
    "WtfApplication",
    "configure_logging",
    "serve",
    "worker_started",
]


#: Threads per gthread worker by default: a client that sends its headers slowly holds one
#: thread, so this is how many such clients it takes to stop a worker (``make bench-slow``).
DEFAULT_THREADS = 32
#: Threads per gthread worker by default for an app with WebSocket routes: each open socket
#: holds a thread, so sockets may take 512 of them and 32 stay for HTTP requests
#: (:func:`wtf.realtime.capacity.reserve`); an idle thread costs little memory (measured in the
#: documentation's WebSockets guide).
DEFAULT_WEBSOCKET_THREADS = 544
#: Worker processes by default: one per core (gthread workers keep connections alive, so each
#: core serves many clients; measured in the deployment guide).
DEFAULT_WORKERS = os.cpu_count() or 1
#: The longest request line gunicorn reads (its bounded maximum; 0 would mean unbounded).
GUNICORN_MAX_REQUEST_LINE = 8190


@dataclass
class ServeOptions:
    """What ``wtf serve`` passes to gunicorn."""

    bind: str = "127.0.0.1:8000"
    workers: int = DEFAULT_WORKERS
    worker_class: str = "gthread"
    threads: int = DEFAULT_THREADS
    keep_alive: int = 5
    worker_connections: int = 1000
    reload: bool = False
    #: ``wtf dev``: the app's ``debug`` on (tracebacks in 500s), logging at DEBUG.
    debug: bool = False
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
            "worker_connections": self.worker_connections,
            "timeout": self.timeout,
            "graceful_timeout": self.graceful_timeout,
            "reload": self.reload,
            # Load (and compile) the app once in the master, before the workers fork; with
            # --reload each worker must import it afresh instead.
            "preload_app": not self.reload,
            # Open WebSockets are closed with 1001 when the worker is told to stop, and may
            # take the worker's threads but a reserve for HTTP.
            "post_worker_init": worker_started,
            # gunicorn's default (4094) answered URLs of 4 KiB with its own HTML 414, half of
            # wtf's Limits.max_url_length (8192), found by schemathesis: its bounded maximum
            # takes the URLs wtf accepts (a request line past it still gets gunicorn's 414).
            "limit_request_line": GUNICORN_MAX_REQUEST_LINE,
        }
        if self.access_log:
            settings["accesslog"] = "-"
        return settings

    def extra_settings(self, target: str) -> dict[str, Any]:
        """Settings that depend on the target: with ``reload``, its source files are watched
        from the start, so a module that fails to import is reloaded once it is fixed."""
        if not self.reload:
            return {}
        return {"reload_extra_files": source_files(target)}


class WtfApplication(BaseApplication):  # type: ignore[misc]
    """gunicorn application that loads ``target`` (``module:app``)."""

    def __init__(self, target: str, options: ServeOptions) -> None:
        self.target = target
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options to gunicorn's config."""
        settings = self.options.gunicorn_settings()
        settings.update(self.options.extra_settings(self.target))
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Import the app (and compile its routes), with wtf's logging configured.

        With ``reload``, an app that fails to import does not stop the server: the error is
        logged, every request answers 500 saying so, and the next saved change reloads.
        """
        configure_logging(logging.DEBUG if self.options.debug else logging.INFO)
        if not self.options.reload:
            return served_callable(load_app(self.target))
        try:
            app = load_app(self.target)
        except AppNotFound as exc:
            logging.getLogger("wtf").error("%s; fix it and save: the server reloads", exc)
            return _failed_app(str(exc))
        if self.options.debug and hasattr(app, "debug"):
            app.debug = True
        return served_callable(app)


def worker_started(worker: Any) -> None:
    """gunicorn's ``post_worker_init``: watch the stop signals, and on a gthread worker let
    WebSockets take its threads but a reserve, so HTTP requests are still answered."""
    watch_signals(worker)
    if worker.cfg.worker_class_str == "gthread":
        threads = int(worker.cfg.threads)
        process_capacity.limit = threads - reserve(threads)


def _failed_app(message: str) -> Any:
    """A WSGI app answering every request with 500 and ``message`` (the import error): an
    HTML page for a browser (``Accept: text/html``), plain text for anything else."""
    text = f"500 Internal Server Error: the app failed to import\n{message}\n".encode()
    page = (
        '<!doctype html><meta charset="utf-8"><title>The app failed to import</title>'
        '<body style="font:15px system-ui,sans-serif;margin:2rem">'
        "<h1>The app failed to import</h1>"
        f'<pre style="background:#f4f4f6;padding:1rem;overflow:auto">{html.escape(message)}</pre>'
        "<p>Fix it and save: <code>wtf dev</code> reloads, then reload this page.</p>"
    ).encode()

    def failed(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        browser = "text/html" in str(environ.get("HTTP_ACCEPT", ""))
        body, kind = (page, "text/html") if browser else (text, "text/plain")
        start_response(
            "500 Internal Server Error",
            [
                ("Content-Type", f"{kind}; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Vary", "Accept"),
            ],
        )
        return [body]

    return failed


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
