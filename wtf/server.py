"""``wtf.Server``: the WSGI application, its registration API and its request cycle."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from werkzeug.exceptions import HTTPException as WerkzeugHTTPException

from .builders import Invoker, Override, run_teardowns
from .context import Context
from .converters import RouteParamError
from .errors import HTTPError, RegistrationError
from .injection import Injector
from .midware.base import FunctionMidware, Midware, clamp
from .midware.chain import Afterware, Chains, check_midware, validate_scope
from .midware.recovery import recovery_for
from .naming import describe
from .problems import render_problem
from .registration import split_tokens
from .respond import JSON, OCTET, TEXT, dumps, release, respond, write_result
from .router import Route, Router, param_names

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["Endpoint", "RouteInfo", "Server"]

F = TypeVar("F", bound=Callable[..., Any])


class Endpoint:
    """A registered handler: the route target the router returns.

    Attributes:
        fn: The handler function.
        invoke: Its planned invoker.
        name: ``module.qualname`` of the handler.
    """

    __slots__ = ("fn", "invoke", "light", "name")

    def __init__(self, fn: Callable[..., Any], invoke: Invoker) -> None:
        self.fn = fn
        self.invoke = invoke
        self.name = describe(fn)
        #: The handler needs no context (no parameters, or route parameters only).
        self.light = not getattr(invoke, "uses_ctx", True)

    def __repr__(self) -> str:
        return f"<Endpoint {self.name}>"


@dataclass(frozen=True)
class RouteInfo:
    """One line of :meth:`Server.describe_routes`."""

    pattern: str
    methods: tuple[str, ...]
    hosts: tuple[str, ...]
    handler: str
    midware: tuple[str, ...]
    afterware: tuple[str, ...]


class Server:
    """A WSGI application whose handlers are plain functions with injected arguments.

    Args:
        debug: Show tracebacks in 500 responses (never in production).

    Example:
        >>> import wtf
        >>> app = wtf.Server()
        >>> @app.get("/hello/:who")
        ... def hello(who: str) -> str:
        ...     return f"Hello, {who}"
    """

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug
        self.router = Router()
        self.injector = Injector()
        self.log = logging.getLogger("wtf")
        self._error_handlers: list[tuple[type[BaseException], Invoker]] = []
        self._lock = threading.Lock()
        self.chains = Chains()

    # Registration.

    def handle(
        self,
        fn: Callable[..., Any],
        pattern: str,
        *args: str,
        methods: Iterable[str] | str | None = None,
        hosts: Iterable[str] | str | None = None,
    ) -> Route:
        """Register ``fn`` for ``pattern`` (go_wtf's ``Handle``).

        Args:
            fn: The handler; each parameter is injected by its annotation.
            pattern: The route pattern (see :mod:`wtf.router`).
            *args: Standard method names (any case), ``"all"``, or hosts.
            methods: Methods, any RFC 9110 token (``["PURGE"]``).
            hosts: Hosts (no port; ``*.example.com`` for subdomains).

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
        endpoint = Endpoint(fn, self.injector.plan(fn, names, extra=self._provided()))
        return self.router.add(pattern, endpoint, methods=method_list, hosts=host_list)

    def route(
        self,
        pattern: str,
        *args: str,
        methods: Iterable[str] | str | None = None,
        hosts: Iterable[str] | str | None = None,
    ) -> Callable[[F], F]:
        """Decorator form of :meth:`handle`; returns the function unchanged."""

        def register(fn: F) -> F:
            self.handle(fn, pattern, *args, methods=methods, hosts=hosts)
            return fn

        return register

    def get(
        self, pattern: str, *args: str, hosts: Iterable[str] | str | None = None
    ) -> Callable[[F], F]:
        """Register a GET (and so HEAD) handler."""
        return self.route(pattern, *args, methods=["GET"], hosts=hosts)

    def post(
        self, pattern: str, *args: str, hosts: Iterable[str] | str | None = None
    ) -> Callable[[F], F]:
        """Register a POST handler."""
        return self.route(pattern, *args, methods=["POST"], hosts=hosts)

    def put(
        self, pattern: str, *args: str, hosts: Iterable[str] | str | None = None
    ) -> Callable[[F], F]:
        """Register a PUT handler."""
        return self.route(pattern, *args, methods=["PUT"], hosts=hosts)

    def patch(
        self, pattern: str, *args: str, hosts: Iterable[str] | str | None = None
    ) -> Callable[[F], F]:
        """Register a PATCH handler."""
        return self.route(pattern, *args, methods=["PATCH"], hosts=hosts)

    def delete(
        self, pattern: str, *args: str, hosts: Iterable[str] | str | None = None
    ) -> Callable[[F], F]:
        """Register a DELETE handler."""
        return self.route(pattern, *args, methods=["DELETE"], hosts=hosts)

    def options(
        self, pattern: str, *args: str, hosts: Iterable[str] | str | None = None
    ) -> Callable[[F], F]:
        """Register an OPTIONS handler (otherwise OPTIONS is answered with 204 + ``Allow``)."""
        return self.route(pattern, *args, methods=["OPTIONS"], hosts=hosts)

    def head(
        self, pattern: str, *args: str, hosts: Iterable[str] | str | None = None
    ) -> Callable[[F], F]:
        """Register a HEAD handler (it takes precedence over the GET handler's HEAD)."""
        return self.route(pattern, *args, methods=["HEAD"], hosts=hosts)

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
            invoke = self.injector.plan(
                fn, (), role="error handler", exception=exc_type, extra=self._provided()
            )
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
        setup = getattr(midware, "setup", None)
        if callable(setup):
            setup(self)
        self.chains.add_midware(midware, scope)  # type: ignore[arg-type]
        return midware  # type: ignore[return-value]

    def add_afterware(self, fn: Callable[..., Any], path: str = "/") -> Callable[..., Any]:
        """Add an afterware: run after the handler (also when midware stopped the chain or the
        request failed), injected like a handler; deepest path first, then reverse order."""
        scope = validate_scope(path)
        invoke = self.injector.plan(fn, (), role="afterware", extra=self._provided())
        self.chains.add_afterware(Afterware(fn, invoke, scope))
        return fn

    def describe_routes(self) -> list[RouteInfo]:
        """Every route with its methods, hosts, handler and the midware that apply, in order.

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
            midware, afterware = self.chains.for_path(prefix)
            out.append(
                RouteInfo(
                    pattern=route.pattern,
                    methods=tuple(sorted(route.methods)) if route.methods else ("all",),
                    hosts=route.hosts or (),
                    handler=route.target.name,
                    midware=tuple(repr(m) for m in midware),
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

    def _provided(self) -> dict[Any, str]:
        return {Server: "ctx.server"}

    # The request cycle.

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one WSGI request (PEP 3333)."""
        path = environ.get("PATH_INFO", "")
        if not path.isascii():
            try:  # PEP 3333 hands the path over as latin-1; the router matches UTF-8
                path = path.encode("latin-1").decode("utf-8")
            except UnicodeError:
                bad = Context(self, environ, path)
                self.write_error(bad, HTTPError(400, "the path is not valid UTF-8"))
                return respond(self, bad, None, start_response)
        if not self.chains.empty:
            return self._call_chain(Context(self, environ, path), start_response)
        ctx: Context | None = None
        found = None
        try:
            method = environ["REQUEST_METHOD"]
            found = self.router.find(method, path, environ.get("HTTP_HOST"))
            if found is not None:
                route, values = found
                endpoint = route.target
                if endpoint.light:  # PERF: no Context for a handler that reads none
                    result = endpoint.invoke(None, values, None)
                else:
                    ctx = Context(self, environ, path)
                    ctx.route, ctx.values = route, values
                    result = endpoint.invoke(ctx, values, None)
                    shared = ctx._shared
                    if (
                        ctx._writer is not None
                        or ctx.stream is not None
                        or ctx._response is not None
                        or (shared is not None and (shared.teardowns or shared.closers))
                    ):
                        return respond(self, ctx, result, start_response)
                    if shared is not None:
                        shared.cache.clear()  # built values may hold the context: no cycle
                # PERF: a plain value with nothing else to do goes out directly.
                kind = type(result)
                if kind is str:
                    body, ctype = result.encode(), TEXT
                elif kind is dict or kind is list:
                    body, ctype = dumps(result), JSON
                elif kind is bytes:
                    body, ctype = result, OCTET
                else:
                    if ctx is None:
                        ctx = Context(self, environ, path)
                        ctx.route, ctx.values = route, values
                    return respond(self, ctx, result, start_response)
                start_response(
                    "200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))]
                )
                return [] if method == "HEAD" else [body]
            ctx = Context(self, environ, path)
            self._no_route(ctx, method)
            return respond(self, ctx, None, start_response)
        except Exception as exc:
            if ctx is None:
                ctx = Context(self, environ, path)
                if found is not None:
                    ctx.route, ctx.values = found
            self.write_error(ctx, exc)
            return respond(self, ctx, None, start_response)

    def _call_chain(self, ctx: Context, start_response: StartResponse) -> Iterable[bytes]:
        """The request cycle with midware and afterware."""
        midware, afterware = self.chains.for_path(ctx.path)
        try:
            for step in midware:
                nxt = step.proc(ctx)
                if nxt is None:
                    break
                ctx = nxt
            else:
                method = ctx.environ["REQUEST_METHOD"]
                found = self.router.find(method, ctx.path, ctx.environ.get("HTTP_HOST"))
                if found is None:
                    self._no_route(ctx, method)
                else:
                    route, values = found
                    ctx.route = route
                    ctx.values = values
                    result = route.target.invoke(ctx, values, None)
                    if not afterware:
                        return respond(self, ctx, result, start_response)
                    write_result(ctx, result)
            self._afterware(ctx, afterware)
        except Exception as exc:
            self.write_error(ctx, exc)
            self._afterware(ctx, afterware, quiet=True)
        try:
            return respond(self, ctx, None, start_response)
        except Exception as exc:  # a midware's writer failed while finishing
            self.write_error(ctx, exc)
            return respond(self, ctx, None, start_response)

    def _afterware(
        self, ctx: Context, afterware: tuple[Afterware, ...], quiet: bool = False
    ) -> None:
        for after in afterware:
            try:
                after.invoke(ctx, ctx.values, None)
            except Exception as exc:
                if not quiet:
                    raise
                self.log_exception(ctx, exc)

    def _no_route(self, ctx: Context, method: str) -> None:
        """Write the answer for a path no admitted route matches: 204/405 or raise 404."""
        allowed = self.router.allowed(ctx.path, ctx.environ.get("HTTP_HOST"))
        if not allowed:
            raise HTTPError(404, f"no route for {ctx.path}")
        allow = ", ".join(sorted(allowed | {"OPTIONS"}))
        if method.upper() != "OPTIONS":
            raise HTTPError(405, f"{method} is not allowed for {ctx.path}", [("Allow", allow)])
        ctx.base_writer.set_header("Allow", allow)
        ctx.writer.write_header(204)

    def write_error(self, ctx: Context, exc: Exception) -> None:
        """Write the response for ``exc`` into ``ctx``'s writer: an error handler's, or a
        problem (RFC 9457). Unexpected exceptions are logged."""
        if isinstance(exc, WerkzeugHTTPException) and exc.code is not None:
            # werkzeug's own (request.json on a non-JSON body: 415, malformed: 400, ...)
            exc = HTTPError(exc.code, exc.description or None)
        if not isinstance(exc, HTTPError):
            handler = self._error_handler(exc)
            if handler is not None:
                try:
                    self._reset(ctx)
                    write_result(ctx, handler(ctx, ctx.values, exc))
                    return
                except Exception as again:
                    self.log_exception(ctx, exc)
                    exc = again
            if not isinstance(exc, HTTPError):
                policy = recovery_for(ctx)
                if policy is not None:
                    policy.recover(ctx, exc)
                else:
                    self.log_exception(ctx, exc)
                detail = "".join(traceback.format_exception(exc)) if self.debug else ""
                exc = HTTPError(500, detail or "the server failed to answer this request")
        if isinstance(exc, RouteParamError):
            exc = HTTPError(404, f"no route for {ctx.path}")
        self._reset(ctx)
        writer = ctx.writer
        base = ctx.base_writer
        for name, value in exc.headers:
            base.set_header(name, value)
        writer.write_header(exc.status)
        try:
            writer.flush()  # StatusCode midware may render a body here
        except Exception as failed:
            self.log_exception(ctx, failed)
            ctx._writer = ctx.base_writer
        if not base.bytes_written and exc.status not in (204, 304):
            ctype, body = render_problem(ctx.environ, exc.status, exc.message)
            base.set_header("Content-Type", ctype)
            base.write(body)

    def _reset(self, ctx: Context) -> None:
        """Forget a half-written response, keeping headers midware set (CORS, ...)."""
        ctx.stream = None
        base = ctx.base_writer
        base.reset()
        for name in ("Content-Type", "Content-Length", "Content-Encoding", "Location"):
            base.remove_header(name)
        # A wrapped writer has state of its own; after a partial write, bypass it.
        if ctx._writer is not base and base.started:
            ctx._writer = base

    def _error_handler(self, exc: BaseException) -> Invoker | None:
        for cls in type(exc).__mro__:
            for exc_type, invoke in self._error_handlers:
                if exc_type is cls:
                    return invoke
        return None

    def log_exception(self, ctx: Context, exc: BaseException) -> None:
        """Log an unexpected exception with its traceback on the ``wtf`` logger."""
        self.log.error(
            "unhandled %s in %s %s",
            type(exc).__name__,
            ctx.environ.get("REQUEST_METHOD"),
            ctx.path,
            exc_info=exc,
        )

    def teardown(self, ctx: Context) -> None:
        """Run the request's ArgBuilder teardowns (reverse order); failures are logged."""
        run_teardowns(ctx, lambda msg, exc: self.log.error("%s", msg, exc_info=exc))
        release(ctx)
