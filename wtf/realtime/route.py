"""WebSocket routes: the checks on the upgrade request, then the socket served to its end.

``app.websocket(pattern)`` registers a GET route whose invoker (built here) answers the
handshake after midware ran, takes the socket the WSGI server handed over, calls the handler
with a :class:`~wtf.realtime.websocket.WebSocket`, and ends the request with
:class:`wtf.errors.ConnectionTaken`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from time import monotonic
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import ConnectionTaken, HTTPError, RegistrationError
from . import shutdown
from .capacity import SocketCapacity, process_capacity
from .compression import DEFAULT_DEFLATE, Deflate, Deflater, negotiate
from .handshake import accept, check_origin
from .websocket import WebSocket, WebSocketClosed

if TYPE_CHECKING:
    from ..builders import Invoker
    from ..context import Context
    from ..server import Server

__all__ = ["SOCKET_KEYS", "Mountable", "WebSocketOptions", "websocket_invoker"]

log = logging.getLogger("wtf.realtime")

#: Where WSGI servers put the client socket in the environ (``wtf.socket``: the test client).
SOCKET_KEYS = ("wtf.socket", "gunicorn.socket")
# Response headers a midware may have set that make no sense on a 101.
_NOT_ON_101 = frozenset(
    ("content-type", "content-length", "content-encoding", "transfer-encoding", "vary", "etag")
)
_warned_single_threaded = False


@dataclass
class WebSocketOptions:
    """A WebSocket route's options (``app.websocket(...)``), and its open-socket count."""

    origins: Sequence[str] | str | None = None
    subprotocols: Sequence[str] = ()
    max_message_size: int = 1 << 20
    ping_interval: float | None = 25.0
    ping_timeout: float = 20.0
    max_connections: int | None = None
    compression: Deflate | None = DEFAULT_DEFLATE
    max_queue: int = 1000
    max_queue_bytes: int = 16 << 20
    #: Run on the upgrade request before it is accepted (a Hub's user builder): an
    #: ``HTTPError`` it raises answers instead of the upgrade (401 with its challenge).
    before_upgrade: Callable[[Context], None] | None = None
    _open: SocketCapacity = field(default_factory=SocketCapacity, repr=False)

    def check(self, pattern: str) -> None:
        """Refuse nonsensical options at registration.

        Raises:
            RegistrationError: Naming the option and what it must be.
        """
        where = f"app.websocket({pattern!r})"
        origins = self.origins
        if (
            origins is not None
            and origins != "*"
            and (isinstance(origins, str) or not all(isinstance(o, str) for o in origins))
        ):
            raise RegistrationError(
                f"{where}: origins must be a list of origins (['https://app.example.com']) or '*'"
            )
        if isinstance(self.subprotocols, str):
            raise RegistrationError(f"{where}: subprotocols is a list, e.g. ['chat.v1']")
        for name, value in (
            ("max_message_size", self.max_message_size),
            ("ping_timeout", self.ping_timeout),
            ("max_queue", self.max_queue),
            ("max_queue_bytes", self.max_queue_bytes),
        ):
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise RegistrationError(f"{where}: {name} must be a positive number")
        if self.ping_interval is not None and (
            not isinstance(self.ping_interval, int | float) or self.ping_interval < 0
        ):
            raise RegistrationError(f"{where}: ping_interval is seconds (0 or None: no pings)")
        if self.max_connections is not None and (
            not isinstance(self.max_connections, int) or self.max_connections < 1
        ):
            raise RegistrationError(f"{where}: max_connections must be a positive int or None")
        if self.compression is not None and not isinstance(self.compression, Deflate):
            raise RegistrationError(
                f"{where}: compression is wtf.realtime.Deflate(...) or None (no compression)"
            )

    def take_slot(self) -> bool:
        """Count one more open socket, unless ``max_connections`` are open."""
        self._open.limit = self.max_connections  # a Hub may set it after registration
        return self._open.take()

    def free_slot(self) -> None:
        """One socket fewer."""
        self._open.give()


@runtime_checkable
class Mountable(Protocol):
    """A WebSocket handler that needs the app it is registered on (a Hub plans its methods
    with the app's injection): ``app.websocket(pattern)(handler)`` calls ``mount`` first."""

    def mount(self, app: Server, options: WebSocketOptions) -> None:
        """Called once with the app and the route's options (which it may change)."""
        ...


def _refuse_single_threaded(ctx: Context) -> None:
    global _warned_single_threaded
    if not _warned_single_threaded:
        _warned_single_threaded = True
        log.error(
            "WebSocket %s refused: this server runs one request at a time per process "
            "(wsgi.multithread is false, e.g. gunicorn's sync worker), and a WebSocket holds "
            "its thread as long as it is open; serve the app with gunicorn's gthread worker "
            "(wtf serve's default for apps with WebSocket routes) or gevent",
            ctx.path,
        )
    raise HTTPError(503, "WebSockets need a threaded or gevent worker on this server")


def websocket_invoker(handler: Invoker, options: WebSocketOptions) -> Invoker:
    """The invoker of a WebSocket route: handshake, then ``handler(ctx, values, ws)``."""

    def invoke(ctx: Context, values: tuple[str, ...], extra: Any) -> Any:
        environ = ctx.environ
        handshake = accept(environ, options.subprotocols)
        check_origin(environ, options.origins)
        if options.before_upgrade is not None:
            options.before_upgrade(ctx)
        sock = next((environ[k] for k in SOCKET_KEYS if environ.get(k) is not None), None)
        if sock is None or not environ.get("wsgi.multithread"):
            _refuse_single_threaded(ctx)
        agreed = negotiate(
            environ.get("HTTP_SEC_WEBSOCKET_EXTENSIONS"),
            options.compression,
            options.max_message_size,
        )
        if not options.take_slot():
            raise HTTPError(
                503,
                f"too many WebSockets open on this route (max_connections="
                f"{options.max_connections})",
                [("Retry-After", "1")],
            )
        if not process_capacity.take():
            options.free_slot()
            _warn_full()
            raise HTTPError(
                503,
                "this server holds all the WebSockets it can; try again later",
                [("Retry-After", "5")],
            )
        try:
            headers = _headers(ctx)
            if agreed is not None:
                headers.append(("Sec-WebSocket-Extensions", agreed[1]))
            _serve(
                ctx,
                values,
                handler,
                options,
                handshake.response(headers),
                sock,
                handshake.subprotocol,
                agreed[0] if agreed is not None else None,
            )
        finally:
            process_capacity.give()
            options.free_slot()
        raise ConnectionTaken

    return invoke


_last_full_warning = 0.0


def _warn_full() -> None:
    """Say (at most once a minute) that sockets took every thread they may take."""
    global _last_full_warning
    now = monotonic()
    if now - _last_full_warning >= 60:
        _last_full_warning = now
        log.warning(
            "WebSocket upgrades refused (503): %d sockets are open, all this worker's threads "
            "but those kept for HTTP; raise --threads, add workers, or use --worker-class "
            "gevent",
            process_capacity.open,
        )


def _headers(ctx: Context) -> list[tuple[str, str]]:
    """What midware set on the response that belongs on the 101 too (cookies, ...)."""
    return [
        (name, value)
        for name, value in ctx.base_writer.header_list
        if name.lower() not in _NOT_ON_101
    ]


def _serve(
    ctx: Context,
    values: tuple[str, ...],
    handler: Invoker,
    options: WebSocketOptions,
    response: bytes,
    sock: Any,
    subprotocol: str | None,
    deflater: Deflater | None,
) -> None:
    began = monotonic()
    try:
        sock.sendall(response)
    except OSError:
        ctx.close()
        return
    encode = ctx.server.json_encoder
    ws = WebSocket(
        sock,
        subprotocol=subprotocol,
        max_message_size=options.max_message_size,
        ping_interval=options.ping_interval,
        ping_timeout=options.ping_timeout,
        json_encoder=lambda data: encode(data).decode(),
        name=ctx.path,
        deflater=deflater,
        max_queue=options.max_queue,
        max_queue_bytes=options.max_queue_bytes,
    )
    shutdown.register(ws)
    try:
        handler(ctx, values, ws)
    except WebSocketClosed:
        pass  # the peer went away while the handler sent: nothing to answer
    except Exception as exc:
        ctx.log_exception(exc)
        ws.close(1011, "server error")
    finally:
        ws.close(1000)  # a no-op when closed already
        ws.finish()
        shutdown.unregister(ws)
        ctx.close()  # ArgBuilder teardowns, close callbacks
        log.info(
            "WebSocket %s closed (%d) after %.1f s", ctx.path, ws.end_code, monotonic() - began
        )
