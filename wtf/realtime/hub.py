"""``wtf.realtime.Hub``: RPC, events and channels over WebSockets.

A Hub is a WebSocket handler: ``app.websocket("/rt")(hub)``. Each connection is a
:class:`Session`; each message a call of a method (plain typed functions, injected like HTTP
handlers, their params bound by name from ``p`` like a JSON body) or a notification. Emits go
through a :class:`~wtf.realtime.bus.Bus`, so that every worker's sockets can be reached.

This module is registration (methods, events, hooks) and dispatch (a connection's messages to
its methods, through the Hub's midware); planning a method is in :mod:`.hub_methods`, and
delivery (the sessions of this process by id, user and channel, and what the bus carries to
them) in :mod:`.local_sessions`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from time import monotonic
from typing import TYPE_CHECKING, Any

from ..annotations import Unsupported
from ..context import Context
from ..emitter import Provided
from ..errors import FieldError, RegistrationError
from ..validation import Check, compile_type
from .bus import Bus, Delivery, LocalBus
from .call import Call
from .codes import Code, EventDataMismatch, RPCError, UnknownEvent
from .files import UploadBudget, Uploads
from .hub_methods import Method, plan_method
from .hub_midware import HubMidware, Recovery
from .local_sessions import LocalSessions
from .session import Filter, Session
from .storage import MemoryStorage, Storage
from .websocket import WebSocket, WebSocketClosed
from .wire import JSON, MSGPACK, Incoming, Malformed, Wire, decode

if TYPE_CHECKING:
    from ..server import Server
    from .route import WebSocketOptions

__all__ = ["Hub"]

log = logging.getLogger("wtf.realtime")


class Hub:
    """RPC, events and channels over a WebSocket route.

    Args:
        max_message_size: The largest message accepted (over it: closed with 1009).
        max_sessions: Sessions open at once in one worker; over it the upgrade gets 503.
        concurrency: Calls of one connection run at once: 1 keeps them in order; more run in
            a small shared pool and replies may come out of order (matched by ``i``).
        handshake_timeout: Seconds the first message may take; a later one closes with 1008.
        origins: Origins allowed besides the request's own host (as ``app.websocket``).
        ping_interval: Seconds of silence before a ping (``None``: never).
        ping_timeout: Seconds a ping may go unanswered (then 1011).
        bus: How emits reach the sockets (default: this process, :class:`LocalBus`).
        max_chunk_size: The largest chunk of a file upload (over it: ``FILE_TOO_LARGE``).
        max_file_size: The largest file uploaded over a connection (``FILE_TOO_LARGE``).
        max_uploads: Unfinished uploads one connection may have at once
            (``RESOURCE_EXHAUSTED`` beyond).
        max_upload_bytes: Bytes of uploads one connection may hold on disk at once
            (``RESOURCE_EXHAUSTED`` beyond).
        max_worker_upload_bytes: Bytes of uploads every connection of the worker may hold
            on disk at once (``RESOURCE_EXHAUSTED`` beyond).
        storage: Where bound sessions' settings are kept (default: :class:`MemoryStorage`).
        trusted_proxy: The app is behind a proxy it trusts: a session's ``ip`` is the first
            ``X-Forwarded-For`` hop (else the peer's address).
        heartbeat_interval: Seconds between the storage's ``heartbeat`` calls per session.
        max_queue: Messages waiting for one client to read them; past it the client is a
            slow consumer, closed with 1008 ("slow consumer"): it never holds up the hub, the
            sender or the other clients.
        max_queue_bytes: Bytes waiting for one client to read them (1008 past it).
        user: A type the app's ArgBuilders build from a request (``User``, built by
            ``current_user(token: Bearer)``): built from the upgrade request before it is
            accepted, so a builder's ``HTTPError`` refuses the upgrade (a 401 with its
            ``WWW-Authenticate``); each session gets it as ``session.user`` and is bound to
            ``user_id(user)``.
        user_id: The id a user is bound as (default: its ``id`` attribute, else ``str()``).
    """

    def __init__(
        self,
        *,
        max_message_size: int = 1 << 20,
        max_sessions: int | None = None,
        concurrency: int = 1,
        handshake_timeout: float | None = None,
        origins: Iterable[str] | str | None = None,
        ping_interval: float | None = 25.0,
        ping_timeout: float = 20.0,
        bus: Bus | None = None,
        max_chunk_size: int = 1 << 20,
        max_file_size: int = 64 << 20,
        max_uploads: int = 8,
        max_upload_bytes: int = 128 << 20,
        max_worker_upload_bytes: int = 1 << 30,
        storage: Storage | None = None,
        trusted_proxy: bool = False,
        heartbeat_interval: float = 60.0,
        max_queue: int = 1000,
        max_queue_bytes: int = 16 << 20,
        user: Any = None,
        user_id: Callable[[Any], str] | None = None,
    ) -> None:
        if not isinstance(concurrency, int) or concurrency < 1:
            raise RegistrationError("Hub(concurrency=...) must be an int >= 1")
        if handshake_timeout is not None and handshake_timeout <= 0:
            raise RegistrationError("Hub(handshake_timeout=...) must be positive seconds or None")
        self.max_message_size = max_message_size
        self.max_sessions = max_sessions
        self.concurrency = concurrency
        self.handshake_timeout = handshake_timeout
        self.origins = origins if isinstance(origins, str) or origins is None else tuple(origins)
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.max_chunk_size = max_chunk_size
        self.max_file_size = max_file_size
        for option, value in (
            ("max_chunk_size", max_chunk_size),
            ("max_file_size", max_file_size),
            ("max_uploads", max_uploads),
            ("max_upload_bytes", max_upload_bytes),
            ("max_worker_upload_bytes", max_worker_upload_bytes),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise RegistrationError(f"Hub({option}=...) must be an int >= 0 (0: no uploads)")
        for option, value in (("max_queue", max_queue), ("max_queue_bytes", max_queue_bytes)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise RegistrationError(f"Hub({option}=...) must be an int >= 1")
        self.max_queue = max_queue
        self.max_queue_bytes = max_queue_bytes
        self.user_type = user
        self.user_id = user_id or _default_user_id
        self._user_plan: Any = None
        self.max_uploads = max_uploads
        self.max_upload_bytes = max_upload_bytes
        self._upload_budget = UploadBudget(max_worker_upload_bytes)
        self.storage: Storage = storage if storage is not None else MemoryStorage()
        self.trusted_proxy = trusted_proxy
        self.heartbeat_interval = heartbeat_interval
        self._on_connect: Callable[[Session], Any] | None = None
        self._on_disconnect: Callable[[Session], Any] | None = None
        self._on_message: Callable[[Session, dict[str, Any]], Any] | None = None
        self.bus: Bus = bus if bus is not None else LocalBus()
        #: This process's sessions, and the delivery of what the bus carries to them.
        self.local = LocalSessions(self.bus)
        self.bus.listen(self.local.deliver)
        self._app: Server | None = None
        self._declared: list[tuple[str, Callable[..., Any]]] = []
        self._methods: dict[str, Method] = {}
        self._events: set[str] = set()
        self._history: dict[str, tuple[int, float | None]] = {}
        self._data_types: dict[str, Any] = {}
        self._data_checks: dict[str, Check] = {}
        self._subscribe_hook: Callable[[Session, str, str, Any], Any] | None = None
        self._no_method: Callable[[Call, dict[str, Any] | None], Any] | None = None
        self._midware: list[HubMidware] = [Recovery()]
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    # Declaring.

    def method(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register a method called ``name`` (a decorator); returns the function unchanged."""
        if not isinstance(name, str) or not name or name.startswith("$"):
            raise RegistrationError(
                f"a Hub method's name is a non-empty string not starting with '$' ({name!r})"
            )

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if name in self._methods or any(n == name for n, _ in self._declared):
                raise RegistrationError(f"the Hub method {name!r} is already registered")
            if self._app is not None:
                self._methods[name] = self._plan(name, fn)
            else:
                self._declared.append((name, fn))
            return fn

        return register

    def event(
        self, name: str, *, history: int = 0, ttl: float | None = None, data: Any = None
    ) -> None:
        """Declare an event (emitting an undeclared one raises :class:`UnknownEvent`).

        Args:
            name: The event's name.
            data: The type of its payload (a dataclass, a ``TypedDict``, ``list[str]``...):
                the OpenAPI document and ``wtf typescript`` describe it, and an app run in
                debug mode (``wtf dev``) checks every emit against it
                (:class:`EventDataMismatch`).
            history: Keep the last this many emits of each channel, with increasing offsets,
                so that a client that resubscribes ``since`` an offset receives what it missed
                (0: no history, and no cost).
            ttl: Seconds an event stays in the history (``None``: until pushed out by newer
                ones).

        Raises:
            RegistrationError: A bad name, ``history`` or ``ttl``.
        """
        if not isinstance(name, str) or not name or name.startswith("$"):
            raise RegistrationError(
                f"an event's name is a non-empty string not starting with '$' ({name!r})"
            )
        if not isinstance(history, int) or isinstance(history, bool) or history < 0:
            raise RegistrationError(f"hub.event({name!r}, history=...) is an int >= 0")
        if ttl is not None and (
            not isinstance(ttl, int | float) or isinstance(ttl, bool) or ttl <= 0 or not history
        ):
            raise RegistrationError(
                f"hub.event({name!r}, ttl=...) is positive seconds, with history=N > 0"
            )
        if data is not None:
            try:
                self._data_checks[name] = compile_type(data, strings=False)
            except Unsupported as exc:
                raise RegistrationError(f"hub.event({name!r}, data=...): {exc}") from None
            self._data_types[name] = data
        else:
            self._data_checks.pop(name, None)
            self._data_types.pop(name, None)
        self._events.add(name)
        if history:
            self._history[name] = (history, ttl)
        else:
            self._history.pop(name, None)

    def data_type(self, event: str) -> Any:
        """The payload type declared for ``event`` (``hub.event(name, data=T)``), or ``None``."""
        return self._data_types.get(event)

    def validate_event(self, event: str, data: Any) -> None:
        """In debug mode (``wtf dev``, ``Server(debug=True)``): check that ``data``, as a
        client receives it, fits the type declared for ``event``; otherwise nothing.

        Raises:
            EventDataMismatch: It does not (naming each wrong field).
        """
        check = self._data_checks.get(event)
        if check is None or self._app is None or not self._app.debug:
            return
        try:
            sent = json.loads(self._app.json_encoder(data))
        except (TypeError, ValueError) as exc:
            raise EventDataMismatch(event, [f"cannot be encoded: {exc}"]) from None
        errors: list[FieldError] = []
        check(sent, (), errors)
        if errors:
            raise EventDataMismatch(
                event, [f"{'.'.join(map(str, e['loc'])) or 'data'}: {e['msg']}" for e in errors]
            )

    def client_route(self, app: Server, path: str = "/wtf-realtime.js") -> None:
        """Serve the JavaScript client (an ES module, no dependencies) at ``path``, with
        ``wtf-realtime.d.ts`` beside it (``path`` ending ``.d.ts``): ETag, and a cache that
        asks again each time (``no-cache``) so a new version is picked up at once.

        Examples:
            >>> hub.client_route(app)  # doctest: +SKIP
            >>> # in a page: import { connect } from "/wtf-realtime.js";
        """
        from .client_files import serve_client

        serve_client(app, path)

    def history_of(self, event: str) -> tuple[int, float | None] | None:
        """``(size, ttl)`` of the history ``event`` keeps per channel, or ``None``."""
        return self._history.get(event)

    def on_subscribe(self, fn: Callable[[Session, str, str, Any], Any]) -> Callable[..., Any]:
        """Register the subscription hook: ``fn(session, event, channel, data)``; a false
        result refuses with ``NO_PERMISSION`` (it may also raise :class:`RPCError`)."""
        self._subscribe_hook = fn
        return fn

    def no_method(
        self, fn: Callable[[Call, dict[str, Any] | None], Any]
    ) -> Callable[[Call, dict[str, Any] | None], Any]:
        """Register what answers an unknown method: ``fn(call, params)`` (else ``NOT_FOUND``)."""
        self._no_method = fn
        return fn

    def on_connect(self, fn: Callable[[Session], Any]) -> Callable[[Session], Any]:
        """Register ``fn(session)``, called once when a connection opens, before its first
        message (bind the user here). Raising :class:`RPCError` refuses the session (closed
        with 1008 and the message); any other exception is logged and closes with 1011."""
        self._on_connect = fn
        return fn

    def on_disconnect(self, fn: Callable[[Session], Any]) -> Callable[[Session], Any]:
        """Register ``fn(session)``, called exactly once when a connected session ends,
        whatever ended it (an exception in it is logged). It is no longer reachable then;
        ``session.subscriptions`` still says what it was subscribed to."""
        self._on_disconnect = fn
        return fn

    def on_message(
        self, fn: Callable[[Session, dict[str, Any]], Any]
    ) -> Callable[[Session, dict[str, Any]], Any]:
        """Register ``fn(session, message)``, called with each decoded message before
        dispatch: ``None`` lets dispatch go on; anything else is the call's result."""
        self._on_message = fn
        return fn

    def on_send(
        self, fn: Callable[[Session, dict[str, Any]], Any]
    ) -> Callable[[Session, dict[str, Any]], Any]:
        """Register ``fn(session, message)``, called with each outgoing message: return it
        (changed or not), or ``None`` to drop it. An exception is logged; the message goes."""
        self.local.on_send = fn
        return fn

    def filter(self, name: str) -> Callable[[Filter], Filter]:
        """Register a filter by name for :meth:`emit_filter`: ``fn(session) -> bool``."""

        def register(fn: Filter) -> Filter:
            self.local.filters[name] = fn
            return fn

        return register

    def use(self, midware: HubMidware) -> None:
        """Add method midware (``priority``: lower runs first, outermost)."""
        if not callable(midware) or not isinstance(getattr(midware, "priority", None), int):
            raise RegistrationError(
                f"{midware!r} is not Hub midware: it needs an int 'priority' and a "
                "__call__(call, proceed)"
            )
        self._midware.append(midware)
        self._midware.sort(key=lambda m: m.priority)

    # Mounting (app.websocket(pattern)(hub)).

    def mount(self, app: Server, options: WebSocketOptions) -> None:
        """Called by ``app.websocket`` when the Hub is registered: plans the methods with the
        app's injection and sets the route's options."""
        if self._app is not None and self._app is not app:
            raise RegistrationError("a Hub is mounted on one app")
        self._app = app
        options.subprotocols = (JSON, MSGPACK) if _has_msgpack() else (JSON,)
        options.max_message_size = self.max_message_size
        options.ping_interval = self.ping_interval
        options.ping_timeout = self.ping_timeout
        options.max_queue = self.max_queue
        options.max_queue_bytes = self.max_queue_bytes
        if self.max_sessions is not None:
            options.max_connections = self.max_sessions
        if self.origins is not None:
            options.origins = self.origins
        for name, fn in self._declared:
            self._methods[name] = self._plan(name, fn)
        self._declared.clear()
        if self.user_type is not None:
            self._user_plan = plan_user(app.injector, self.user_type)
            options.before_upgrade = self._authenticate

    def _authenticate(self, ctx: Context) -> None:
        """Build the user from the upgrade request (before it is accepted)."""
        assert self._user_plan is not None
        ctx.set(_USER_KEY, self._user_plan.invoke(ctx, (), None))

    @property
    def user_parameters(self) -> tuple[Any, ...]:
        """What the user builder needs, as resolved (documents follow it to security
        schemes); empty without ``user=``."""
        return self._user_plan.parameters if self._user_plan is not None else ()

    def _plan(self, name: str, fn: Callable[..., Any]) -> Method:
        assert self._app is not None
        extra = {
            Session: Provided("extra.session"),
            Call: Provided("extra"),
            Hub: Provided("extra.hub"),
        }
        return plan_method(name, fn, self._app.injector, extra)

    def describe(self) -> tuple[dict[str, tuple[Any, Callable[..., Any]]], tuple[str, ...]]:
        """What the Hub offers, for documents (OpenAPI's ``x-wtf-realtime``): its methods as
        ``{name: (TypedDict of the params, function)}``, and its declared events."""
        methods = {name: (m.params_type, m.fn) for name, m in sorted(self._methods.items())}
        return methods, tuple(sorted(self._events))

    # Serving a connection.

    def __call__(self, ws: WebSocket, ctx: Context) -> None:
        """Serve one connection (the WebSocket route's handler)."""
        wire = Wire(ws.subprotocol == MSGPACK, ctx.server.json_encoder)
        session = Session(ws, wire, self._ip(ctx.environ), self, ctx)
        session.uploads = Uploads(
            self.max_chunk_size,
            self.max_file_size,
            self.max_uploads,
            self.max_upload_bytes,
            self._upload_budget,
        )
        self.local.add(session)
        user = ctx.get(_USER_KEY) if self._user_plan is not None else None
        if user is not None:
            session.user = user
            session.bind(self.user_id(user))
        gate = threading.BoundedSemaphore(self.concurrency) if self.concurrency > 1 else None
        connected = False
        try:
            if not self._connect(session):
                return
            connected = True
            first = True
            beat = monotonic() + self.heartbeat_interval
            while True:
                wait = beat - monotonic()
                if first and self.handshake_timeout is not None:
                    wait = min(wait, self.handshake_timeout)
                try:
                    frame = ws.receive(max(wait, 0.0))
                except WebSocketClosed:
                    break
                if monotonic() >= beat:
                    beat = monotonic() + self.heartbeat_interval
                    self._heartbeat(session)
                if frame is None:
                    if first and self.handshake_timeout is not None:  # the first message is late
                        ws.close(1008, "no message in time")
                        break
                    continue
                first = False
                self._handle(session, frame, ctx, gate)
        finally:
            self._forget(session)
            if connected:
                self._disconnect(session)

    def _ip(self, environ: dict[str, Any]) -> str:
        if self.trusted_proxy:
            forwarded = str(environ.get("HTTP_X_FORWARDED_FOR", "")).split(",")[0].strip()
            if forwarded:
                return forwarded
        return str(environ.get("REMOTE_ADDR", ""))

    def _connect(self, session: Session) -> bool:
        hook = self._on_connect
        if hook is None:
            return True
        try:
            hook(session)
        except RPCError as refused:
            session.close(1008, refused.message[:120])
            return False
        except Exception as exc:
            log.error("on_connect failed (session %s)", session.id, exc_info=exc)
            session.close(1011, "server error")
            return False
        return True

    def _disconnect(self, session: Session) -> None:
        hook = self._on_disconnect
        if hook is not None:
            try:
                hook(session)
            except Exception as exc:
                log.error("on_disconnect failed (session %s)", session.id, exc_info=exc)
        try:
            self.storage.delete(session)
        except Exception as exc:
            log.error("session storage delete failed (session %s)", session.id, exc_info=exc)

    def _heartbeat(self, session: Session) -> None:
        try:
            self.storage.heartbeat(session)
        except Exception as exc:
            log.error("session storage heartbeat failed (session %s)", session.id, exc_info=exc)

    def _handle(
        self, session: Session, frame: str | bytes, ctx: Context, gate: threading.Semaphore | None
    ) -> None:
        incoming = decode(frame, session.wire.msgpack)
        if isinstance(incoming, Malformed):
            if incoming.id is None:
                log.info("ignored a malformed message from %s: %s", session.id, incoming.reason)
                return
            error = RPCError(Code.INVALID, incoming.reason, incoming.data)
            self._reply(session, incoming.id, error=error)
            return
        if gate is None:
            self._run(session, incoming, ctx)
            return
        gate.acquire()  # a connection has `concurrency` calls in flight at most
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(
                        max_workers=min(64, self.concurrency * 16), thread_name_prefix="wtf-hub"
                    )

        def run() -> None:
            try:
                self._run(session, incoming, ctx)
            finally:
                gate.release()

        self._pool.submit(run)

    def _run(self, session: Session, incoming: Incoming, ctx: Context) -> None:
        call = Call(incoming.id, incoming.method, session, self, incoming.params)
        if self._on_message is not None:
            message = {"m": incoming.method, "p": incoming.params, "i": incoming.id}
            try:
                answer = self._on_message(session, message)
            except Exception as exc:
                log.error("on_message failed (session %s)", session.id, exc_info=exc)
                if call.id is not None:
                    self._reply(session, call.id, error=RPCError(Code.ERROR, "server error"))
                return
            if answer is not None:
                if call.id is not None:
                    self._reply(session, call.id, result=answer)
                return
        try:
            result = self._dispatch(call, ctx, incoming.files)
        except RPCError as exc:
            if call.id is None:
                log.info("notification %s from %s failed: %s", call.method, session.id, exc)
            else:
                self._reply(session, call.id, error=exc)
            return
        if call.id is not None:
            self._reply(session, call.id, result=result)

    def _dispatch(self, call: Call, ctx: Context, files: Any) -> Any:
        name = call.method
        method = self._methods.get(name)
        if name in ("$subscribe", "$unsubscribe"):
            if files is not None:
                raise RPCError(Code.INVALID, f"{name} takes no files ('f')")
            return self._subscribe(call) if name == "$subscribe" else self._unsubscribe(call)

        def proceed() -> Any:
            if method is None:
                if self._no_method is not None and files is None:
                    return self._no_method(call, call.params)
                raise RPCError(Code.NOT_FOUND, f"no method {name[:100]!r}")
            if files is not None:  # the midware admitted the call: the chunks may be written
                if not method.takes_files:
                    raise RPCError(Code.INVALID, f"{name[:100]!r} takes no files ('f')")
                if not call.session.wire.msgpack:
                    raise RPCError(Code.INVALID, "files ('f') travel over wtf.msgpack only")
                complete, progress = call.session.uploads.receive(files)
                if complete is None:  # more chunks to come: the method waits for them
                    return {"progress": progress}
                call.files = complete
                try:
                    return self._invoke(method, call, ctx)
                finally:
                    call.session.uploads.finish(complete)
            return self._invoke(method, call, ctx)

        chain = proceed
        for midware in reversed(self._midware):
            chain = _wrap(midware, call, chain)
        return chain()

    @staticmethod
    def _invoke(method: Method, call: Call, ctx: Context) -> Any:
        method.bind(call)
        if not method.needs_context:  # PERF: no per-call context to make and end
            return method.invoke(None, (), call)
        work = ctx.fork()  # builders are built per call and torn down after it
        try:
            return method.invoke(work, (), call)
        finally:
            work.close()

    def _reply(
        self,
        session: Session,
        call_id: int,
        result: Any = None,
        error: RPCError | None = None,
    ) -> None:
        reply: dict[str, Any] = (
            {"i": call_id, "e": error.wire()} if error is not None else {"i": call_id, "r": result}
        )
        message = self.local.outgoing(session, reply)
        if message is None:
            return
        try:
            frame = session.wire.encode(message)
        except (TypeError, ValueError, OverflowError) as exc:
            log.error("the result of call %s cannot be encoded", call_id, exc_info=exc)
            frame = session.wire.encode(
                {"i": call_id, "e": RPCError(Code.ERROR, "the result cannot be encoded").wire()}
            )
        session.send_frame(frame)

    def _forget(self, session: Session) -> None:
        session.uploads.discard_all()  # uploads the socket left unfinished
        self.local.remove(session)

    # Subscriptions.

    def _subscribe(self, call: Call) -> Any:
        params = call.params or {}
        event, channel = params.get("event"), params.get("channel")
        if type(event) is not str or type(channel) is not str:
            raise RPCError(Code.INVALID, "$subscribe takes {'event': str, 'channel': str}")
        since, epoch = params.get("since"), params.get("epoch")
        if since is not None and (type(since) is not int or since < 0):
            raise RPCError(Code.INVALID, "$subscribe's since is an offset: an int >= 0")
        if epoch is not None and type(epoch) is not str:
            raise RPCError(Code.INVALID, "$subscribe's epoch is a string")
        if event not in self._events:
            raise RPCError(Code.NOT_FOUND, f"no event {event[:100]!r}")
        kept = self._history.get(event)
        if since is not None and kept is None:
            raise RPCError(Code.INVALID, f"{event[:100]!r} keeps no history: no since")
        hook = self._subscribe_hook
        if hook is not None and not hook(call.session, event, channel, params.get("data")):
            raise RPCError(Code.NO_PERMISSION, f"not allowed to subscribe to {event}/{channel}")
        if kept is None:
            return self.local.subscribe(call.session, event, channel)
        return self._subscribe_with_history(call.session, event, channel, kept, since, epoch)

    def _subscribe_with_history(
        self,
        session: Session,
        event: str,
        channel: str,
        kept: tuple[int, float | None],
        since: int | None,
        epoch: str | None,
    ) -> dict[str, Any]:
        """Subscribe, then send what was missed since ``since`` and what came meanwhile, in
        offset order and none twice; the result names where the channel is."""
        self.local.hold(session, event, channel)  # live events wait while it catches up
        try:
            if not self.local.subscribe(session, event, channel):
                raise RPCError(Code.ERROR, "the connection ended")
            found = self.bus.history(event, channel, kept[0], kept[1], since, epoch)
        except Exception as exc:
            self.local.release(session, event, channel, [], "", 1 << 62)
            self.local.unsubscribe(session, event, channel)
            if isinstance(exc, RPCError):
                raise
            log.error("reading the history of %s/%s failed", event, channel, exc_info=exc)
            raise RPCError(Code.ERROR, "the channel's history cannot be read now") from None
        after = found.events[-1][0] if found.events else (since if found.recovered else None)
        self.local.release(
            session,
            event,
            channel,
            found.events,
            found.epoch,
            found.offset if after is None else after,
        )
        result: dict[str, Any] = {"offset": found.offset, "epoch": found.epoch}
        if since is not None:
            result["recovered"] = found.recovered
        return result

    def _unsubscribe(self, call: Call) -> bool:
        params = call.params or {}
        event, channel = params.get("event"), params.get("channel")
        if type(event) is not str or type(channel) is not str:
            raise RPCError(Code.INVALID, "$unsubscribe takes {'event': str, 'channel': str}")
        return self.local.unsubscribe(call.session, event, channel)

    # Emitting.

    def _check_event(self, event: str) -> None:
        if event not in self._events:
            raise UnknownEvent(event)

    def emit(
        self, event: str, channel: str, data: Any, *, exclude: Session | str | None = None
    ) -> None:
        """Send ``event`` to every subscriber of ``channel`` (in every worker), but
        ``exclude``. An event declared with ``history`` is kept, with the channel's next
        offset (``exclude`` does not get it live: it sees a gap at that offset).

        Raises:
            UnknownEvent: ``event`` was not declared.
        """
        self._check_event(event)
        self.validate_event(event, data)
        left_out = exclude.id if isinstance(exclude, Session) else exclude
        keep, ttl = self._history.get(event, (0, None))
        self.bus.publish(Delivery(event, channel, data, exclude=left_out, keep=keep, ttl=ttl))

    def emit_to(
        self, event: str, channel: str | None, data: Any, sessions: Iterable[Session | str]
    ) -> None:
        """Send ``event`` to these sessions (or session ids), subscribed or not.

        Raises:
            UnknownEvent: ``event`` was not declared.
        """
        self._check_event(event)
        self.validate_event(event, data)
        ids = tuple(s.id if isinstance(s, Session) else s for s in sessions)
        self.bus.publish(Delivery(event, channel, data, sessions=ids))

    def emit_filter(self, event: str, channel: str, data: Any, filter_name: str) -> None:
        """Send ``event`` to the subscribers of ``channel`` that the filter registered as
        ``filter_name`` admits.

        Raises:
            UnknownEvent: ``event`` was not declared.
            LookupError: No filter has that name.
        """
        self._check_event(event)
        self.validate_event(event, data)
        if filter_name not in self.local.filters:
            raise LookupError(f"no Hub filter named {filter_name!r} (@hub.filter(name))")
        self.bus.publish(Delivery(event, channel, data, filter=filter_name))

    # Hub-wide (every worker, through the bus).

    def send_user(self, user_id: str, event: str, data: Any) -> None:
        """Send ``event`` to every session of ``user_id`` (``c`` is null)."""
        self.validate_event(event, data)
        self.bus.publish(Delivery(event, None, data, user=user_id))

    def send_batch(self, session_ids: Iterable[str], event: str, data: Any) -> None:
        """Send ``event`` to these sessions (``c`` is null)."""
        self.validate_event(event, data)
        self.bus.publish(Delivery(event, None, data, sessions=tuple(session_ids)))

    def broadcast(self, event: str, data: Any) -> None:
        """Send ``event`` to every connected session (``c`` is null)."""
        self.validate_event(event, data)
        self.bus.publish(Delivery(event, None, data, everyone=True))

    def is_connected(self, user_id: str) -> bool:
        """Whether ``user_id`` has a session open (in any worker the bus can see)."""
        known = self.bus.is_connected(user_id)
        if known is not None:
            return known
        return self.local.has_user(user_id)

    def kick(self, target: str) -> None:
        """Close (1008, "kicked") the session with this id, or every session of this user."""
        self.bus.publish(Delivery("$kick", None, None, kick=target))

    # Introspection.

    @property
    def one_process(self) -> bool:
        """Whether its deliveries stay in one process (its bus is a :class:`LocalBus`): every
        client must then be served by the same worker."""
        return not self.bus.spans_processes

    @property
    def sessions(self) -> list[Session]:
        """The sessions open in this worker."""
        return self.local.sessions()

    def presence(self, channel: str) -> set[str]:
        """The users with a session subscribed to ``channel`` (any of its events), in every
        worker the bus reaches: who is in a room."""
        found = self.bus.presence(channel)
        if found is not None:
            return found
        return self.local.users_on(channel)

    def subscribers(self, event: str, channel: str) -> list[Session]:
        """The sessions of this worker subscribed to ``event`` on ``channel``."""
        return self.local.subscribers(event, channel)

    def __repr__(self) -> str:
        return f"<wtf.realtime.Hub {len(self._methods)} methods, {len(self._events)} events>"


_USER_KEY = "wtf.hub.user"


def _default_user_id(user: Any) -> str:
    """A user's ``id`` attribute, else the user itself, as a string."""
    found = getattr(user, "id", None)
    return str(found if found is not None else user)


def plan_user(injector: Any, user_type: Any) -> Any:
    """The plan that builds ``user_type`` with ``injector`` in a request's context.

    Raises:
        HandlerError: No ArgBuilder builds it (naming the type and the fix).
    """
    import inspect

    def upgrade_user(user: Any) -> Any:
        return user

    sig = inspect.Signature(
        [inspect.Parameter("user", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=user_type)]
    )
    return injector.plan(upgrade_user, (), role="Hub(user=...)", sig=sig)


def _wrap(midware: HubMidware, call: Call, inner: Callable[[], Any]) -> Callable[[], Any]:
    return lambda: midware(call, inner)


def _has_msgpack() -> bool:
    try:
        import msgpack  # noqa: F401
    except ImportError:
        return False
    return True
