"""The ``wtf`` command: ``wtf serve MODULE:APP``, ``wtf dev MODULE:APP``,
``wtf routes MODULE:APP``, ``wtf openapi MODULE:APP`` and ``wtf typescript MODULE:APP``."""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import sys
from typing import TYPE_CHECKING, NoReturn

from .loading import AppNotFound, check_target, load_app
from .realtime.one_process import one_process_routes
from .serving import DEFAULT_THREADS, DEFAULT_WEBSOCKET_THREADS, DEFAULT_WORKERS

if TYPE_CHECKING:
    from .server import Server

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """Reports a usage mistake as one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        command = " ".join(self.prog.split()[1:])
        where = f"wtf {command} --help" if command else "wtf --help"
        self.exit(2, f"wtf: {message} (see '{where}')\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _bind(text: str) -> str:
    if text.startswith(("unix:", "fd://")):
        return text
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:8000)")
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``wtf`` command."""
    from . import __version__

    parser = _Parser(prog="wtf", description="Run and inspect wtf applications.")
    parser.add_argument("--version", action="version", version=f"wtf {__version__}")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, title="commands"
    )
    serve = commands.add_parser("serve", help="serve an app under gunicorn (or granian)")
    serve.add_argument("target", metavar="MODULE:APP", help="e.g. examples.notes:app")
    serve.add_argument(
        "--server",
        choices=("gunicorn", "granian"),
        default="gunicorn",
        help="gunicorn (default; WebSockets, slow-client defences) or granian (a Rust server: "
        "HTTP-only apps, much faster; the granian extra)",
    )
    serve.add_argument(
        "--bind",
        type=_bind,
        default="127.0.0.1:8000",
        help="HOST:PORT, unix:PATH or fd://N (default: 127.0.0.1:8000)",
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help=f"worker processes (default: one per core, {DEFAULT_WORKERS} here; one for an app "
        "whose Hub keeps its deliveries in one process)",
    )
    serve.add_argument(
        "--worker-class",
        choices=("gthread", "gevent", "sync"),
        default=None,
        help="gunicorn worker: gthread (default; a slow client holds one thread, not the "
        "worker) or sync (one request at a time per worker; only behind a buffering proxy)",
    )
    serve.add_argument(
        "--threads",
        type=_positive,
        default=None,
        help=f"threads per gthread worker (default {DEFAULT_THREADS}, or "
        f"{DEFAULT_WEBSOCKET_THREADS} for an app with WebSocket routes: each open socket holds "
        "one, and a reserve is kept for HTTP): how many slow clients it takes to stop a worker",
    )
    serve.add_argument(
        "--keep-alive",
        type=_positive,
        default=None,
        help="seconds an idle keep-alive connection is kept (gthread keeps them off the threads)",
    )
    serve.add_argument(
        "--worker-connections",
        type=_positive,
        default=None,
        help="connections a gthread or gevent worker holds at once (default 1000; each open "
        "WebSocket is one)",
    )
    serve.add_argument("--reload", action="store_true", help="restart workers when code changes")
    serve.add_argument(
        "--timeout",
        type=_positive,
        default=None,
        help="seconds before a silent worker is replaced (default 30)",
    )
    serve.add_argument(
        "--graceful-timeout",
        type=_positive,
        default=30,
        help="seconds workers get to finish on stop",
    )
    serve.add_argument("--access-log", action="store_true", help="log every request to stdout")
    dev = commands.add_parser(
        "dev",
        help="serve an app for development: reload on save (surviving import errors), "
        "tracebacks in 500s, access log",
    )
    dev.add_argument("target", metavar="MODULE:APP", help="e.g. hello:app")
    dev.add_argument(
        "--bind",
        type=_bind,
        default="127.0.0.1:8000",
        help="HOST:PORT, unix:PATH or fd://N (default: 127.0.0.1:8000)",
    )
    routes = commands.add_parser("routes", help="print the route table")
    routes.add_argument("target", metavar="MODULE:APP")
    openapi = commands.add_parser("openapi", help="print the app's OpenAPI 3.1 document (JSON)")
    openapi.add_argument("target", metavar="MODULE:APP")
    openapi.add_argument("--title", help="info.title (default: the app's openapi_route title)")
    openapi.add_argument("--version", help="info.version (default: likewise)")
    typescript = commands.add_parser(
        "typescript",
        help="write the TypeScript types of the app's Hub (for the JavaScript client)",
    )
    typescript.add_argument("target", metavar="MODULE:APP")
    typescript.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (e.g. hub.d.ts), not to stdout"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``wtf`` and ``python -m wtf``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        print(
            "wtf: choose a command: serve, dev, routes, openapi, typescript (see 'wtf --help')",
            file=sys.stderr,
        )
        return 2
    try:
        if args.command == "routes":
            return _routes(args.target)
        if args.command == "openapi":
            return _openapi(args.target, args.title, args.version)
        if args.command == "typescript":
            return _typescript(args.target, args.output)
        if args.command == "dev":
            return _dev(args)
        return _serve(args)
    except AppNotFound as exc:
        print(f"wtf: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `wtf openapi app | head`: the reader is gone; stop as cat does
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail
        return 141  # 128 + SIGPIPE, what a shell reports for a Unix tool killed by it


def _wtf_app(target: str, command: str) -> Server:
    from .server import Server

    app = load_app(target)
    if not isinstance(app, Server):
        raise AppNotFound(f"{target!r} is not a wtf.Server; 'wtf {command}' reads wtf apps only")
    return app


def _openapi(target: str, title: str | None, version: str | None) -> int:
    import json

    from .errors import RegistrationError

    app = _wtf_app(target, "openapi")
    try:
        document = app.openapi(title=title, version=version)
    except RegistrationError as exc:
        print(f"wtf: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0


def _typescript(target: str, output: str | None) -> int:
    from .errors import RegistrationError
    from .realtime.typescript import hub_typescript

    app = _wtf_app(target, "typescript")
    try:
        text = hub_typescript(app, target)
    except RegistrationError as exc:
        print(f"wtf: {exc}", file=sys.stderr)
        return 1
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        with open(output, "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as exc:
        print(f"wtf: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def _routes(target: str) -> int:
    app = _wtf_app(target, "routes")
    rows = [("PATTERN", "METHODS", "HOSTS", "HANDLER", "MIDWARE")]
    for info in app.describe_routes():
        rows.append(
            (
                info.pattern,
                ",".join(info.methods),
                ",".join(info.hosts) or "*",
                info.handler,
                " > ".join(info.midware) or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[4]
        )
    return 0


def _default_threads(worker_class: str, websockets: bool) -> int:
    if worker_class != "gthread":
        return 1
    return DEFAULT_WEBSOCKET_THREADS if websockets else DEFAULT_THREADS


def _workers(args: argparse.Namespace) -> int | None:
    """How many workers to start: ``--workers``, else one per core; but one for an app with
    a Hub that delivers within one process (``None``, said why, when more were asked for)."""
    pinned = [] if args.reload else one_process_routes(load_app(args.target))
    if not pinned:
        return int(args.workers) if args.workers is not None else DEFAULT_WORKERS
    where = ", ".join(pinned[:3])
    if args.workers is not None and args.workers > 1:
        print(
            f"wtf: {args.target} cannot run {args.workers} workers: its Hub ({where}) delivers "
            "within one process (LocalBus), so each worker would be a hub of its own and "
            "clients on different workers would never hear each other; give the Hub a bus "
            "that spans processes (Hub(bus=wtf.realtime.RedisBus(url))), or serve it with "
            "--workers 1",
            file=sys.stderr,
        )
        return None
    if args.workers is None:
        print(
            f"wtf: one worker: the Hub of {args.target} ({where}) delivers within one process "
            "(LocalBus); Hub(bus=wtf.realtime.RedisBus(url)) lets it use more",
            file=sys.stderr,
        )
    return 1


def _has_websockets(target: str, reload: bool) -> bool:
    """Whether the app may have WebSocket routes (each open socket holds a thread). The app is
    loaded here (its errors are the command's), unless reloading: the workers, forked from
    this process, must import it afresh, so it may have some."""
    from .serving_granian import websocket_routes

    if reload:
        check_target(target)  # workers import it; fail here if it cannot be found
        return True
    return bool(websocket_routes(load_app(target)))


def _port_taken(bind: str) -> str | None:
    """A one-line reason when ``bind`` (HOST:PORT) cannot be listened on, else ``None``."""
    if bind.startswith(("unix:", "fd://")):
        return None
    host, _, port = bind.rpartition(":")
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, int(port)))
        except OSError as exc:
            return f"cannot listen on {bind}: {exc.strerror or exc} (choose another with --bind)"
    return None


def _dev(args: argparse.Namespace) -> int:
    from .serving import ServeOptions, serve

    taken = _port_taken(args.bind)
    if taken:
        print(f"wtf: {taken}", file=sys.stderr)
        return 1
    check_target(args.target)  # the worker imports it; an import error is then shown, not fatal
    options = ServeOptions(
        bind=args.bind,
        workers=1,
        threads=DEFAULT_WEBSOCKET_THREADS,  # threads start when needed; sockets each hold one
        reload=True,
        debug=True,
        access_log=True,
        graceful_timeout=2,
    )
    serve(args.target, options)
    return 0


def _serve_granian(args: argparse.Namespace) -> int:
    """``wtf serve --server granian``: the options that map, a clear error for the others."""
    if importlib.util.find_spec("granian") is None:
        print(
            "wtf: --server granian needs granian, which is not installed "
            "(pip install 'wtf-web[granian]')",
            file=sys.stderr,
        )
        return 2
    for flag, value, why in (
        ("--worker-class", args.worker_class, "granian has one kind of worker"),
        ("--keep-alive", args.keep_alive, "granian keeps connections alive itself"),
        ("--timeout", args.timeout, "granian does not replace silent workers"),
    ):
        if value is not None:
            print(f"wtf: {flag} has no granian equivalent ({why})", file=sys.stderr)
            return 2
    from .serving_granian import GranianOptions, serve_granian, websocket_routes

    if args.bind.startswith("fd://"):
        print("wtf: granian cannot serve on an inherited file descriptor (fd://)", file=sys.stderr)
        return 2
    taken = _port_taken(args.bind)
    if taken:
        print(f"wtf: {taken}", file=sys.stderr)
        return 1
    app = load_app(args.target)
    sockets = websocket_routes(app)
    if sockets:
        print(
            f"wtf: {args.target} has WebSocket routes ({', '.join(sockets[:3])}), which granian "
            "cannot serve (its WSGI interface does not hand the connection over); serve this "
            "app with gunicorn, or split it: the HTTP routes on granian and the WebSocket "
            "routes on gunicorn, behind one proxy",
            file=sys.stderr,
        )
        return 2
    options = GranianOptions(
        bind=args.bind,
        workers=args.workers if args.workers is not None else DEFAULT_WORKERS,
        threads=args.threads if args.threads is not None else 1,
        reload=args.reload,
        access_log=args.access_log,
        graceful_timeout=args.graceful_timeout,
        backpressure=args.worker_connections,
    )
    serve_granian(args.target, options)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .serving import ServeOptions, serve

    if args.server == "granian":
        return _serve_granian(args)
    args.worker_class = args.worker_class or "gthread"
    if args.worker_class != "gthread" and args.threads not in (None, 1):
        print(
            f"wtf: --threads applies to --worker-class gthread (a {args.worker_class} worker "
            "has one thread)",
            file=sys.stderr,
        )
        return 2
    if args.worker_class == "gevent" and importlib.util.find_spec("gevent") is None:
        print(
            "wtf: --worker-class gevent needs gevent, which is not installed "
            "(pip install 'wtf-web[gevent]')",
            file=sys.stderr,
        )
        return 2
    if args.worker_class == "gevent":
        # Before the app is imported (here, then forked into the workers): a lock it makes at
        # import must be gevent's, or a greenlet waiting for it would stop the whole worker.
        importlib.import_module("gevent.monkey").patch_all()

    taken = _port_taken(args.bind)
    if taken:
        print(f"wtf: {taken}", file=sys.stderr)
        return 1
    websockets = _has_websockets(args.target, args.reload)
    workers = _workers(args)
    if workers is None:
        return 2
    options = ServeOptions(
        bind=args.bind,
        workers=workers,
        worker_class=args.worker_class,
        threads=(
            args.threads
            if args.threads is not None
            else _default_threads(args.worker_class, websockets)
        ),
        keep_alive=args.keep_alive if args.keep_alive is not None else 5,
        worker_connections=args.worker_connections or 1000,
        reload=args.reload,
        timeout=args.timeout if args.timeout is not None else 30,
        graceful_timeout=args.graceful_timeout,
        access_log=args.access_log,
    )
    serve(args.target, options)
    return 0
