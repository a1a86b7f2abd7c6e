"""``wtf.Server``: the WSGI application and its registration API (the request cycle is in
:mod:`wtf.cycle`)."""

from __future__ import annotations

import inspect
import logging
import math
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar, Unpack
from urllib.parse import urlencode

from .builders import Invoker, Override, Plan
from .chain import Afterware, Chains, check_midware, validate_scope
from .context import Context
from .cycle import RequestCycle
from .emitter import Provided
from .errors import HandlerError, RegistrationError
from .group import RouteGroup
from .injection import Injector
from .midware_protocol import FunctionMidware, Midware, NeedsServer, clamp
from .naming import describe
from .realtime.compression import DEFAULT_DEFLATE, Deflate
from .realtime.route import Mountable, WebSocketOptions, websocket_invoker
from .realtime.websocket import WebSocket
from .registration import split_tokens
from .rendering import encode_json, require_msgpack
from .request_limits import DEFAULT_LIMITS, Limits
from .response import Response
from .route_doc import DocOptions, RouteDoc, route_doc
from .router import Route, RouteError, Router, build_path, param_names

if TYPE_CHECKING:
    from .openapi.serving import DocumentInfo

__all__ = ["Endpoint", "RouteGroup", "RouteInfo", "RouteOptions", "Server"]

F = TypeVar("F", bound=Callable[..., Any])


class Endpoint:
    """A registered handler: the route target the router returns.

    Attributes:
        fn: The handler function.
        invoke: Its planned invoker.
        name: ``module.qualname`` of the handler.
    """

    __slots__ = (
        "context_free",
        "doc",
        "fn",
        "invoke",
        "limits",
        "name",
        "plain_call",
        "plan",
        "streaming",
        "takes_route_values",
        "timed",
        "timeout",
        "websocket",
    )

    def __init__(
        self,
        fn: Callable[..., Any],
        plan: Plan,
        limits: Limits | None = None,
        timeout: float | None = None,
    ) -> None:
        self.fn = fn
        self.invoke = plan.invoke
        #: How the handler is called: its resolved parameters and bindings (for documents).
        self.plan = plan
        #: What the route says about itself in documents (``tags=``, ``responses=``...).
        self.doc = RouteDoc()
        self.name = describe(fn)
        #: The route's own limits (``max_body_size=``), or None for the server's.
        self.limits = limits
        #: The route's own ``timeout=`` in seconds, or None.
        self.timeout = timeout
        #: Whether a deadline always applies (a route or server timeout): the clock is read.
        self.timed = timeout is not None
        #: A generator handler: exempt from the server's timeout and ``Request-Timeout``.
        self.streaming = inspect.isgeneratorfunction(fn)
        #: The handler reads no context (no parameters, or route parameters only): the server
        #: calls it without making one.
        self.context_free = not plan.needs_context
        #: The handler takes exactly the route's values, as strings, in order.
        self.takes_route_values = plan.takes_route_values
        #: ``fn`` itself when it can be called without its invoker: ``fn()`` (no parameters)
        #: or ``fn(*values)`` (see :attr:`takes_route_values`). PERF: one frame less.
        self.plain_call: Callable[..., Any] | None = (
            fn if plan.takes_route_values or plan.no_params else None
        )
        #: A WebSocket route's options, or None for an HTTP route.
        self.websocket: WebSocketOptions | None = None

    def __repr__(self) -> str:
        return f"<Endpoint {self.name}>"


class RouteOptions(DocOptions, total=False):
    """The keyword options of :meth:`Server.get` and the other method shortcuts."""

    hosts: Iterable[str] | str | None
    max_body_size: int | None
    timeout: float | None
    name: str | None


@dataclass(frozen=True)
class RouteInfo:
    """One line of :meth:`Server.describe_routes` (``methods`` is ``("WEBSOCKET",)`` for a
    WebSocket route)."""

    pattern: str
    methods: tuple[str, ...]
    hosts: tuple[str, ...]
    handler: str
    midware: tuple[str, ...]
    afterware: tuple[str, ...]


class Server(RequestCycle):
    """A WSGI application whose handlers are plain functions with injected arguments.

    Args:
        debug: Show tracebacks in 500 responses (never in production).
        limits: Request limits (:class:`wtf.Limits`; defaults: 1 MiB body, 8192-character
            URL, 1000 query parameters, 1000 form parts).
        max_body_size: Shortcut for ``limits.max_body_size``.
        timeout: Seconds each request may take (see :class:`wtf.Deadline`; cooperative).
        extra_fields: ``"forbid"`` (default) answers 422 for unknown fields in a body bound
            to a dataclass or ``TypedDict``; ``"ignore"`` drops them. Query strings always
            ignore unknown parameters.
        json_encoder: ``fn(obj) -> bytes`` for JSON responses (default: the standard library,
            compact, with dataclasses, pydantic models, UUIDs, datetimes, enums and decimals;
            :func:`wtf.rendering.orjson_encoder` with the ``fast`` extra).
        msgpack: Answer ``dict``/``list``/model results as MessagePack to clients whose
            ``Accept`` prefers ``application/msgpack`` (needs the ``msgpack`` extra).

    Examples:
        >>> import wtf
        >>> app = wtf.Server()
        >>> @app.get("/hello/:who")
        ... def hello(who: str) -> str:
        ...     return f"Hello, {who}"
    """

    def __init__(
        self,
        debug: bool = False,
        *,
        limits: Limits | None = None,
        max_body_size: int | None = None,
        timeout: float | None = None,
        extra_fields: str = "forbid",
        json_encoder: Callable[[Any], bytes] | None = None,
        msgpack: bool = False,
    ) -> None:
        self.debug = debug
        limits = limits or DEFAULT_LIMITS
        if max_body_size is not None:
            limits = replace(limits, max_body_size=max_body_size)
        self.limits = limits
        self.timeout = _check_timeout(timeout, "Server(timeout=)")
        if extra_fields not in ("forbid", "ignore"):
            raise RegistrationError(
                f"extra_fields must be 'forbid' or 'ignore', not {extra_fields!r}"
            )
        self.json_encoder: Callable[[Any], bytes] = json_encoder or encode_json
        if not callable(self.json_encoder):
            raise RegistrationError(f"json_encoder must be callable, not {json_encoder!r}")
        self.msgpack = bool(msgpack)
        if self.msgpack:
            require_msgpack()
        self.router = Router()
        self._finders = self.router.finders
        self.injector = Injector(
            forbid_extra=extra_fields == "forbid",
            provided={Server: Provided("ctx.server"), type(self): Provided("ctx.server")},
        )
        self.log = logging.getLogger("wtf")
        self._error_handlers: list[tuple[type[BaseException], Invoker]] = []
        self._lock = threading.Lock()
        self.chains = Chains()
        #: Route name -> pattern, for :meth:`url_for` (``None``: the name is ambiguous).
        self._names: dict[str, str | None] = {}
        #: What :meth:`openapi_route` was given (``wtf openapi`` uses it too), or None.
        self.openapi_info: DocumentInfo | None = None

    # Registration.

    def handle(
        self,
        fn: Callable[..., Any],
        pattern: str,
        *args: str,
        methods: Iterable[str] | str | None = None,
        hosts: Iterable[str] | str | None = None,
        max_body_size: int | None = None,
        timeout: float | None = None,
        name: str | None = None,
        **doc: Unpack[DocOptions],
    ) -> Route:
        """Register ``fn`` for ``pattern``.

        Args:
            fn: The handler; each parameter is injected by its annotation.
            pattern: The route pattern (see :mod:`wtf.router`).
            *args: Standard method names (any case), ``"all"``, or hosts.
            methods: Methods, any RFC 9110 token (``["PURGE"]``).
            hosts: Hosts (no port; ``*.example.com`` for subdomains).
            max_body_size: This route's body limit in bytes (instead of the server's).
            timeout: This route's time budget in seconds (see :class:`wtf.Deadline`).
            name: The route's name for :meth:`url_for` (default: the function's name).
            **doc: How the route appears in the OpenAPI document (:meth:`openapi`):
                ``summary``, ``description`` (default: the docstring), ``tags``,
                ``operation_id``, ``responses`` (``{404: "No such note"}``), ``deprecated``,
                ``include_in_schema=False``.

        Returns:
            The router's :class:`~wtf.router.Route`.

        Raises:
            ValueError: A positional token that is neither a method, ``all`` nor a host.
            HandlerError: A parameter of ``fn`` cannot be injected.
            RouteError: The pattern is malformed or a duplicate.
        """
        method_list, host_list = split_tokens(args, methods, hosts)
        # The plan needs the route's parameter names; a bad pattern fails here, before planning.
        names = param_names(pattern)
        limits = None
        if max_body_size is not None:
            try:
                limits = replace(self.limits, max_body_size=max_body_size)
            except ValueError as exc:
                raise RegistrationError(f"{pattern}: {exc}") from None
        timeout = _check_timeout(timeout, f"timeout of {pattern}")
        documented = route_doc(f"route {pattern}", **doc)
        endpoint = Endpoint(
            fn,
            self.injector.plan(fn, names, limits=limits or self.limits),
            limits,
            timeout,
        )
        endpoint.doc = documented
        endpoint.timed = timeout is not None or self.timeout is not None
        route = self.router.add(pattern, endpoint, methods=method_list, hosts=host_list)
        self._name(name if name is not None else getattr(fn, "__name__", ""), pattern)
        return route

    def route(
        self,
        pattern: str,
        *args: str,
        methods: Iterable[str] | str | None = None,
        hosts: Iterable[str] | str | None = None,
        max_body_size: int | None = None,
        timeout: float | None = None,
        name: str | None = None,
        **doc: Unpack[DocOptions],
    ) -> Callable[[F], F]:
        """Decorator form of :meth:`handle`; returns the function unchanged.

        Without methods (positional or ``methods=``) the route answers every method, as
        ``methods="all"`` does; ``app.get``/``post``/... name theirs.
        """

        def register(fn: F) -> F:
            self.handle(
                fn,
                pattern,
                *args,
                methods=methods,
                hosts=hosts,
                max_body_size=max_body_size,
                timeout=timeout,
                name=name,
                **doc,
            )
            return fn

        return register

    def get(self, pattern: str, *args: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a GET (and so HEAD) handler."""
        return self.route(pattern, *args, methods=["GET"], **options)

    def post(self, pattern: str, *args: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a POST handler."""
        return self.route(pattern, *args, methods=["POST"], **options)

    def put(self, pattern: str, *args: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a PUT handler."""
        return self.route(pattern, *args, methods=["PUT"], **options)

    def patch(self, pattern: str, *args: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a PATCH handler."""
        return self.route(pattern, *args, methods=["PATCH"], **options)

    def delete(self, pattern: str, *args: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a DELETE handler."""
        return self.route(pattern, *args, methods=["DELETE"], **options)

    def options(
        self, pattern: str, *args: str, **options: Unpack[RouteOptions]
    ) -> Callable[[F], F]:
        """Register an OPTIONS handler (otherwise OPTIONS is answered with 204 + ``Allow``)."""
        return self.route(pattern, *args, methods=["OPTIONS"], **options)

    def head(self, pattern: str, *args: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a HEAD handler (it takes precedence over the GET handler's HEAD)."""
        return self.route(pattern, *args, methods=["HEAD"], **options)

    def websocket(
        self,
        pattern: str,
        *args: str,
        hosts: Iterable[str] | str | None = None,
        origins: Sequence[str] | str | None = None,
        subprotocols: Sequence[str] | None = None,
        max_message_size: int = 1 << 20,
        ping_interval: float | None = 25.0,
        ping_timeout: float = 20.0,
        max_connections: int | None = None,
        compression: Deflate | None = DEFAULT_DEFLATE,
        name: str | None = None,
    ) -> Callable[[F], F]:
        """Register a WebSocket handler for ``pattern``.

        The handler's parameters are injected as for HTTP handlers, plus the
        :class:`wtf.WebSocket`; ArgBuilder teardowns run when the socket ends. Midware run on
        the upgrade request first (one that stops the chain answers with HTTP, no upgrade).

        Args:
            pattern: The route pattern (same syntax as HTTP routes).
            *args: Hosts (no port; ``*.example.com`` for subdomains).
            hosts: Hosts, as a keyword.
            origins: Origins allowed besides the request's own host (``["https://a.b"]``),
                or ``"*"`` for any; a browser's cross-site handshake is refused (403) otherwise.
            subprotocols: The subprotocols this route speaks; the first the client offers
                is chosen.
            max_message_size: The largest message accepted; over it the socket is closed
                with 1009.
            ping_interval: Seconds of silence after which the server pings (``None``: never).
            ping_timeout: Seconds a ping may go unanswered before the socket is closed with
                1011.
            max_connections: Sockets open on this route in one worker; an upgrade over it is
                answered 503 while HTTP routes keep answering.
            compression: permessage-deflate settings (:class:`wtf.realtime.Deflate`: messages
                from 256 bytes up are compressed when the client offers it), or ``None``.
            name: The route's name for :meth:`url_for` (default: the function's name).

        Raises:
            RegistrationError: A bad option, or a handler that cannot be injected.
        """
        options = WebSocketOptions(
            origins=origins,
            subprotocols=tuple(subprotocols or ()),
            max_message_size=max_message_size,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
            max_connections=max_connections,
            compression=compression,
        )
        options.check(pattern)

        def register(fn: F) -> F:
            if isinstance(fn, Mountable):  # a Hub: plans its methods with this app
                fn.mount(self, options)
                options.check(pattern)
            if inspect.isgeneratorfunction(fn):
                raise HandlerError(
                    f"WebSocket handler {describe(fn)} is a generator; write a plain function "
                    "that loops over the socket ('for message in ws: ws.send(...)')"
                )
            _, host_list = split_tokens(args, ["GET"], hosts)
            plan = self.injector.plan(
                fn,
                param_names(pattern),
                role="WebSocket handler",
                extra={WebSocket: Provided("extra")},
            )
            invoke = websocket_invoker(plan.invoke, options)
            endpoint = Endpoint(fn, Plan(invoke, True, False, False))
            endpoint.websocket = options
            endpoint.streaming = True  # no request timeout: a socket lives as long as it is open
            self.router.add(pattern, endpoint, methods=["GET"], hosts=host_list)
            self._name(name if name is not None else getattr(fn, "__name__", ""), pattern)
            return fn

        return register

    def arg_builder(
        self, fn: Callable[..., Any] | None = None, *, scope: str = "request", replace: bool = False
    ) -> Any:
        """Register an ArgBuilder: a function whose return annotation is the type it builds.

        A generator builder yields the value; the code after ``yield`` is its teardown, run
        in reverse order once the response body is finished or abandoned.

        Forms: ``@app.arg_builder``, ``@app.arg_builder(scope="app", replace=True)``,
        ``app.arg_builder(fn, scope=...)``.

        Args:
            fn: The builder.
            scope: ``"request"`` (once per request) or ``"app"`` (once per process).
            replace: Allow replacing the builder already registered for that type.

        Raises:
            RegistrationError: A builder for that type exists and ``replace`` is false.
            HandlerError: No return annotation, or a parameter that cannot be injected.
        """
        if fn is None:
            return lambda f: self.arg_builder(f, scope=scope, replace=replace)
        self.injector.register(fn, scope=scope, replace=replace)
        return fn

    def override(self, type_: Any, fn: Callable[..., Any], scope: str = "request") -> Override:
        """Replace the ArgBuilder of ``type_`` with ``fn`` (for tests).

        As a context manager the previous builder comes back on exit; as a plain call the
        override lasts until :meth:`reset_overrides`.
        """
        return self.injector.override(type_, fn, scope=scope)

    def reset_overrides(self) -> None:
        """Undo every :meth:`override`."""
        self.injector.reset_overrides()

    def on_error(self, exc_type: type[BaseException]) -> Callable[[F], F]:
        """Register a handler for exceptions of ``exc_type`` raised while answering.

        It is injected like a handler; a parameter annotated with the exception's type gets
        the exception. Its return value is sent like a handler's.
        """
        if not (isinstance(exc_type, type) and issubclass(exc_type, BaseException)):
            raise RegistrationError(f"on_error takes an exception class, not {exc_type!r}")

        def register(fn: F) -> F:
            invoke = self.injector.plan(fn, (), role="error handler", exception=exc_type).invoke
            with self._lock:
                self._error_handlers = [*self._error_handlers, (exc_type, invoke)]
            return fn

        return register

    def add_midware(
        self,
        midware: Midware | Callable[[Context], Context | None],
        path: str = "/",
        priority: int | None = None,
    ) -> Midware:
        """Add midware, run before routing for every request under ``path``.

        Args:
            midware: An object with ``priority`` and ``proc(ctx)``, or a plain function
                ``fn(ctx) -> Context | None``.
            path: ``"/"`` for every request; ``"/private/"`` for paths under it; a scope
                without a trailing ``/`` covers that exact path.
            priority: 0..100 (clamped), lower first; required for a plain function
                (default 50), overrides the object's own otherwise.

        Returns:
            The midware as registered.

        Raises:
            RegistrationError: Not midware, or a scope not starting with ``/``.
        """
        scope = validate_scope(path)
        if not hasattr(midware, "proc") and callable(midware):
            midware = FunctionMidware(midware, 50 if priority is None else priority)
        elif priority is not None:
            midware.priority = clamp(priority)  # type: ignore[union-attr]
        check_midware(midware)
        midware.priority = clamp(midware.priority)  # type: ignore[union-attr]
        if isinstance(midware, NeedsServer):
            midware.setup(self)
        self.chains.add_midware(midware, scope)  # type: ignore[arg-type]
        return midware  # type: ignore[return-value]

    def add_afterware(self, fn: Callable[..., Any], path: str = "/") -> Callable[..., Any]:
        """Add an afterware: run after the handler (also when midware stopped the chain or the
        request failed), injected like a handler; deepest path first, then reverse order.

        ``fn``'s parameters are annotated like a handler's (``wtf.Context``, ``wtf.Request``,
        ``wtf.Response`` to change headers, ``wtf.Deadline``, ``wtf.Server``, ArgBuilder types);
        its return value is ignored. A lambda cannot be annotated: use a ``def``.
        """
        scope = validate_scope(path)
        invoke = self.injector.plan(fn, (), role="afterware").invoke
        self.chains.add_afterware(Afterware(fn, invoke, scope))
        return fn

    def _name(self, name: str, pattern: str) -> None:
        if not name or name == "<lambda>":
            return
        known = self._names.get(name, pattern)
        self._names[name] = pattern if known == pattern else None

    def url_for(self, name: str, /, **params: object) -> str:
        """The path of the route named ``name`` (its function's name, or ``name=``), with
        ``params`` filling its pieces; the other ``params`` become the query string.

        Examples:
            >>> app.url_for("show_note", note_id=7, fields="title")  # doctest: +SKIP
            '/notes/7?fields=title'

        Raises:
            RouteError: No route has that name, several different patterns share it, or a
                value is missing or does not fit its piece.
        """
        if name not in self._names:
            known = ", ".join(sorted(n for n in self._names if self._names[n])) or "none"
            raise RouteError(f"no route is named {name!r} (named routes: {known})")
        pattern = self._names[name]
        if pattern is None:
            raise RouteError(
                f"several routes are named {name!r}; give each its own with name='...'"
            )
        pieces = set(param_names(pattern))
        path = build_path(pattern, params)
        query = {k: str(v) for k, v in params.items() if k not in pieces}
        return f"{path}?{urlencode(query)}" if query else path

    def group(
        self,
        prefix: str,
        *,
        hosts: Iterable[str] | str | None = None,
        tags: Iterable[str] | None = None,
    ) -> RouteGroup:
        """Routes under ``prefix`` with midware of their own (Flask's blueprints); ``tags``
        are the OpenAPI tags of its routes (before each route's own).

        Examples:
            >>> api = app.group("/api/v1")  # doctest: +SKIP
            >>> api.add_midware(require_token)  # only for /api/v1/...  # doctest: +SKIP
            >>> @api.get("/users/:uid")  # /api/v1/users/:uid  # doctest: +SKIP
            ... def user(uid: int) -> dict[str, int]: ...
        """
        if isinstance(tags, str):
            raise RegistrationError(
                f"group({prefix!r}): tags= is a list of names (tags=[{tags!r}])"
            )
        return RouteGroup(self, prefix, hosts, tags)

    def static(self, prefix: str, directory: str | os.PathLike[str], **options: Any) -> Route:
        """Serve the files of ``directory`` under ``prefix`` (``GET`` and ``HEAD``): ETag,
        Last-Modified and Range by werkzeug, ``..``, absolute paths and links leading out of
        the directory answered 404. ``options`` go to :meth:`wtf.Response.send_file`.

        Raises:
            RegistrationError: ``directory`` is not a directory.
        """
        root = os.fspath(directory)
        if not os.path.isdir(root):
            raise RegistrationError(f"static({prefix!r}): {root!r} is not a directory")

        def static_file(path: str, resp: Response) -> None:
            resp.send_from_directory(root, path, **options)

        pattern = prefix.rstrip("/") + "/*:path"
        return self.handle(
            static_file,
            pattern,
            "GET",
            name=f"static:{prefix.rstrip('/')}",
            include_in_schema=False,  # files, not an API (as FastAPI's StaticFiles)
        )

    def openapi(
        self,
        *,
        title: str | None = None,
        version: str | None = None,
        description: str | None = None,
        servers: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The OpenAPI 3.1 document of every HTTP route (see :mod:`wtf.openapi`): paths and
        methods, path and query parameters and request bodies typed from the annotations,
        responses from the return annotation, the problem+json errors wtf itself can answer,
        WebSocket routes and Hub methods under ``x-wtf-realtime``. Without ``title``/
        ``version``, those given to :meth:`openapi_route` (else ``"wtf app"``, ``"0.1.0"``).

        Examples:
            >>> doc = app.openapi(title="Notes", version="1.0")  # doctest: +SKIP
            >>> doc["paths"]["/notes/{note_id}"]["get"]["parameters"][0]["schema"]  # doctest: +SKIP
            {'type': 'integer'}

        Raises:
            RegistrationError: Two routes were given the same ``operation_id``.
        """
        from .openapi.serving import DocumentInfo

        served = self.openapi_info
        info = DocumentInfo(
            title=title or (served.title if served else "wtf app"),
            version=version or (served.version if served else "0.1.0"),
            description=description or (served.description if served else None),
            servers=servers or (served.servers if served else []),
        )
        return info.build(self)

    def openapi_route(
        self,
        path: str = "/openapi.json",
        *,
        docs: str | None = "/docs",
        static_docs: str | None = "/docs/static",
        title: str = "wtf app",
        version: str = "0.1.0",
        description: str | None = None,
        servers: list[dict[str, Any]] | None = None,
    ) -> None:
        """Serve :meth:`openapi`'s document at ``GET path``, and two pages about it; none of
        these routes is in the document.

        Args:
            path: Where the JSON document is served (built on its first request, and kept).
            docs: The interactive page: Swagger UI with "Try it out", from the files of the
                ``swagger`` extra (``pip install 'wtf-web[swagger]'``), served by the app (no
                CDN: it works offline); without the extra, the static page. ``None``: none.
            static_docs: The static page: server-side HTML, no script at all. ``None``: none.
            title: The document's ``info.title``.
            version: Its ``info.version``.
            description: Its ``info.description``.
            servers: Its ``servers``.
        """
        from .openapi.serving import DocumentInfo, serve_document

        info = DocumentInfo(title, version, description, servers or [], path, docs, static_docs)
        serve_document(self, info)
        self.openapi_info = info

    def describe_routes(self) -> list[RouteInfo]:
        """Every route with its methods, hosts, handler and the midware that apply, in order
        (on a WebSocket route, not those whose ``applies_to_websockets`` is false).

        A route's midware are those whose scope covers its pattern's literal prefix (for a
        parameterised pattern, the scopes that cover every path it can match may differ per
        path; the listing uses the text before the first parameter).
        """
        out = []
        for route in self.router.routes:
            prefix = route.pattern
            for mark in (":", "(", "*"):
                cut = prefix.find(mark)
                if cut >= 0:
                    prefix = prefix[:cut]
            midware, afterware, _ = self.chains.for_path(prefix)
            out.append(
                RouteInfo(
                    pattern=route.pattern,
                    methods=(
                        ("WEBSOCKET",)
                        if route.target.websocket is not None
                        else tuple(sorted(route.methods))
                        if route.methods
                        else ("all",)
                    ),
                    hosts=route.hosts or (),
                    handler=route.target.name,
                    midware=tuple(
                        repr(m)
                        for m in midware
                        if route.target.websocket is None
                        or getattr(m, "applies_to_websockets", True)
                    ),
                    afterware=tuple(describe(a.fn) for a in afterware),
                )
            )
        return out

    def compile(self) -> None:
        """Compile routes now (before a pre-forking server forks), not on the first request."""
        self.router.compile()

    def close(self) -> None:
        """Tear down app-scoped generator ArgBuilders."""
        self.injector.close()


def _check_timeout(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise RegistrationError(f"{what} must be a positive number of seconds, not {value!r}")
    return float(value)
