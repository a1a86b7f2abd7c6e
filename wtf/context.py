"""``wtf.Context``: everything about one request, handed to midware and handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .deadline import Deadline, parse_request_timeout
from .generators import finish_builder
from .request import Request
from .request_limits import Limits
from .response import Response
from .router import Rest
from .typed_values import TypedGetters
from .writer import BufferWriter, Writer, WriterWrapper

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .router import Route
    from .server import Server

__all__ = ["Context"]

_EMPTY_REST = Rest()


class Context(TypedGetters):
    """The request context.

    Attributes:
        server: The :class:`wtf.Server` answering.
        environ: The WSGI environ.
        path: The decoded path being routed.
        route: The matched route (``None`` before routing, and in midware).
        stream: An iterator the response body is streamed from, if any.

    Its private fields are its own: other modules use its methods (:meth:`settle`,
    :meth:`release`, :meth:`close`, :meth:`wrap_writer`, :meth:`clone`...). Two places read
    them directly, because a method's frame there costs a measured share of every request:
    the request cycle's plain-result fast path (``settle()`` as a call: +110 ns, 8%, for a
    handler taking a Context) and the code :mod:`wtf.emitter` generates (the Request and the
    ArgBuilder cache made inline: +250 ns, 14%, for a handler taking a Request).
    ``tests/test_imports.py`` keeps it to those two.
    """

    # PERF: one Context per request; everything costly is created on first use.
    __slots__ = (
        "_base",
        "_cache",
        "_deadline",
        "_request",
        "_response",
        "_shared",
        "_start",
        "_writer",
        "environ",
        "path",
        "route",
        "server",
        "stream",
        "values",
    )

    def __init__(
        self,
        server: Server,
        environ: WSGIEnvironment,
        path: str,
        route: Route | None = None,
        values: tuple[str, ...] = (),
        start: float | None = None,
    ) -> None:
        self.server = server
        self.environ = environ
        self.path = path
        self.route = route
        self.values = values
        self.stream: Iterator[bytes | str] | None = None
        self._request: Request | None = None
        self._response: Response | None = None
        self._writer: Writer | None = None
        self._base: BufferWriter | None = None
        self._shared: Shared | None = None
        self._cache: dict[object, Any] | None = None
        self._start = start  # when the deadline's clock started (if one may apply)
        self._deadline: Deadline | None = None

    @property
    def request(self) -> Request:
        """The request (:class:`wtf.Request`)."""
        request = self._request
        if request is None:
            request = self._request = Request(self.environ, self.path, self.limits)
        return request

    def use_limits(self, limits: Limits) -> None:
        """Apply a route's own ``limits`` (matched after midware ran) to a request they
        already read."""
        if self._request is not None:
            self._request.use_limits(limits)

    @property
    def limits(self) -> Limits:
        """The request limits: the matched route's (``max_body_size=`` on registration), or the
        server's."""
        route = self.route
        if route is not None:
            limits: Limits | None = route.target.limits
            if limits is not None:
                return limits
        return self.server.limits

    @property
    def deadline(self) -> Deadline:
        """The request's :class:`wtf.Deadline` (none unless a timeout applies).

        The lowest of ``Server(timeout=)``, the route's ``timeout=`` and the ``Request-Timeout``
        header; generator handlers (streams) only get their route's ``timeout=``.

        Raises:
            HTTPError: 400 for a malformed ``Request-Timeout`` header.
        """
        if self._deadline is not None:
            return self._deadline
        route = self.route
        endpoint = route.target if route is not None else None
        seconds: float | None = None
        if endpoint is None or not endpoint.streaming:
            seconds = self.server.timeout
            header = self.environ.get("HTTP_REQUEST_TIMEOUT")
            if header is not None:
                asked = parse_request_timeout(header)
                seconds = asked if seconds is None else min(seconds, asked)
        own = endpoint.timeout if endpoint is not None else None
        if own is not None:
            seconds = own if seconds is None else min(seconds, own)
        deadline = Deadline.after(seconds, self._start)
        if route is not None:  # before routing the route's own timeout is not known yet
            self._deadline = deadline
        return deadline

    @property
    def response(self) -> Response:
        """The response-writer API, writing through :attr:`writer`."""
        response = self._response
        if response is None:
            response = self._response = Response(self)
        return response

    @property
    def writer(self) -> Writer:
        """The response writer (possibly wrapped by midware)."""
        writer = self._writer
        if writer is None:
            writer = self._writer = self._base = BufferWriter()
        return writer

    def wrap_writer(self, wrapper: WriterWrapper) -> BufferWriter:
        """Put ``wrapper`` on top of this context's writer (it becomes ``wrapper.inner``);
        return the innermost writer. For midware that wrap in place (a :meth:`clone` with
        ``writer=`` also works)."""
        base = self._base
        if base is None:
            base = self._base = self._writer = BufferWriter()
        wrapper.inner = self._writer  # type: ignore[assignment]
        self._writer = wrapper
        return base

    def wrap_innermost(self, wrapper: WriterWrapper) -> None:
        """Put ``wrapper`` directly over the innermost writer, under every other wrapper (a
        body filter's wrapper for a stream). Over everything when a writer that is not a
        :class:`WriterWrapper` hides the chain."""
        base = self.base_writer
        writer = self._writer
        while isinstance(writer, WriterWrapper):
            if writer.inner is base:
                wrapper.inner = base
                writer.inner = wrapper
                return
            writer = writer.inner
        wrapper.inner = self._writer  # type: ignore[assignment]
        self._writer = wrapper

    def unwrap_writer(self) -> None:
        """Write straight into :attr:`base_writer` from now on (after a wrapper failed)."""
        self._writer = self.base_writer

    @property
    def base_writer(self) -> BufferWriter:
        """The innermost writer, which holds what goes to the WSGI server."""
        base = self._base
        if base is None:  # PERF: no writer yet (a wrapper always sits on a base): make both
            base = self._base = self._writer = BufferWriter()
        return base

    @property
    def rest(self) -> Rest:
        """The route parameters (empty before routing)."""
        route = self.route
        if route is None:
            return _EMPTY_REST
        return Rest.from_lists(route.names, self.values)

    @property
    def shared(self) -> Shared:
        """Per-request state shared by this context and its clones."""
        shared = self._shared
        if shared is None:
            shared = self._shared = Shared()
        return shared

    def clone(self, writer: Writer | None = None) -> Context:
        """Return a context for the same request, writing through ``writer`` if given.

        Values set with :meth:`set`, built ArgBuilders and their teardowns are shared.
        """
        other = Context.__new__(Context)
        other.server = self.server
        other.environ = self.environ
        other.path = self.path
        other.route = self.route
        other.values = self.values
        other.stream = self.stream
        other._request = self.request
        other._response = None
        other._base = self.base_writer
        other._writer = writer if writer is not None else self._writer
        other._shared = self.shared
        cache = self._cache
        if cache is None:
            cache = self._cache = {}
        other._cache = cache  # the same dict: what a clone builds, the original sees
        other._start = self._start
        other._deadline = self._deadline
        return other

    def fork(self) -> Context:
        """A context for one unit of work inside this request (a Hub call on a WebSocket): the
        same request, but its own ArgBuilder values, teardowns and close callbacks (end it
        with :meth:`close`) and no response writer of its own."""
        other = Context(self.server, self.environ, self.path, self.route, self.values, self._start)
        other._request = self._request
        return other

    def call_on_close(self, fn: Callable[[], None]) -> None:
        """Call ``fn()`` once the response was sent or abandoned (WSGI ``close()``), after the
        ArgBuilder teardowns; for access logs and releasing limits."""
        shared = self.shared
        if shared.closers is None:
            shared.closers = []
        shared.closers.append(fn)

    # The end of the request.

    def settle(self) -> tuple[Writer, BufferWriter] | None:
        """Prepare a plain result (``str``, ``bytes``, JSON data) to go out whole.

        Returns ``None`` when something is pending (a stream, a :class:`wtf.Response` kept, a
        teardown or close callback, a body written): the result goes through the writer chain.
        Otherwise the request is released and this returns the writer and the innermost writer
        (holding what midware set: headers, status), through which the result goes out whole.
        """
        if self.stream is not None or self._response is not None:
            return None
        shared = self._shared
        if shared is not None and (shared.teardowns or shared.closers):
            return None
        base = self._base
        if base is None:
            base = self._base = self._writer = BufferWriter()
        elif base.started:
            return None
        # What release() does, inline (PERF: a frame less on the midware path).
        cache = self._cache
        if cache is not None:
            cache.clear()
        request = self._request
        if request is not None and request.parsed:
            request.close()
        return self._writer or base, base

    def release_unless_pending(self) -> bool:
        """:meth:`release` the request and return ``True``, unless teardowns or close
        callbacks wait for the end of the response (then :meth:`close` ends it later)."""
        shared = self._shared
        if shared is not None and (shared.teardowns or shared.closers):
            return False
        self.release()
        return True

    def release(self) -> None:
        """Close what werkzeug parsed (uploaded files are temp files) and break the reference
        cycles (context <-> Response, built values that hold the context) so that refcounting
        frees the request, not the cyclic GC. Safe to call more than once."""
        self._response = None
        cache = self._cache
        if cache is not None:
            cache.clear()
        request = self._request
        if request is not None:
            request.close()

    def close(self) -> None:
        """End the request: run the ArgBuilder teardowns (reverse order), then the close
        callbacks, then :meth:`release`. Each runs once; failures are logged on the server's
        logger, and the rest still run."""
        shared = self._shared
        if shared is not None:
            log = self.server.log
            teardowns = shared.teardowns or []
            while teardowns:
                gen = teardowns.pop()
                try:
                    finish_builder(gen, getattr(gen, "gi_code", gen))
                except Exception as exc:  # one failing teardown must not skip the others
                    log.error("ArgBuilder teardown failed", exc_info=exc)
            closers, shared.closers = shared.closers or [], None
            for close in closers:
                try:
                    close()
                except Exception as exc:
                    log.error("a close callback failed", exc_info=exc)
        self.release()

    def log_exception(self, exc: BaseException) -> None:
        """Log an unexpected exception of this request, with its traceback, on the server's
        logger (``wtf``)."""
        self.server.log.error(
            "unhandled %s in %s %s",
            type(exc).__name__,
            self.environ.get("REQUEST_METHOD"),
            self.path,
            exc_info=exc,
        )

    # Per-request values (kami's context values, typed like blademaster's getters).

    def set(self, key: str, value: Any) -> None:
        """Store a per-request value."""
        self.shared.values[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        """Return a per-request value, or ``default``."""
        shared = self._shared
        if shared is None or shared._values is None:
            return default
        return shared._values.get(key, default)

    def __repr__(self) -> str:
        return f"<wtf.Context {self.environ.get('REQUEST_METHOD')} {self.path!r}>"


class Shared:
    """State of one request that every clone of its context sees (internal)."""

    __slots__ = ("_values", "closers", "teardowns")

    def __init__(self) -> None:
        self.teardowns: list[Iterator[Any]] | None = None  # PERF: most requests have none
        self.closers: list[Callable[[], None]] | None = None
        self._values: dict[str, Any] | None = None

    @property
    def values(self) -> dict[str, Any]:
        """Values set with :meth:`Context.set`."""
        values = self._values
        if values is None:
            values = self._values = {}
        return values

    def add_teardown(self, gen: Iterator[Any]) -> None:
        """Remember a generator builder to finish after the response."""
        if self.teardowns is None:
            self.teardowns = []
        self.teardowns.append(gen)
