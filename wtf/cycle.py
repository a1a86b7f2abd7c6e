"""The request cycle of :class:`wtf.Server`: routing, calling, responding, errors.

A mixin so that ``server.py`` stays the registration API; it only reads what the Server set up.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Mapping
from time import monotonic
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException as WerkzeugHTTPException

from .builders import Invoker
from .chain import Afterware, Chains
from .context import Context
from .converters import RouteParamError
from .errors import ConnectionTaken, HTTPError, ValidationError
from .fields import InvalidHeader
from .midware_protocol import ERROR_POLICY, ErrorPolicy
from .problems import render_problem
from .rendering import JSON, OCTET, TEXT
from .request_limits import Limits
from .router import Finder, Router
from .sending import send, send_buffered, send_plain, tuple_reply, write_result

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


__all__ = ["RequestCycle"]


class RequestCycle:
    """Answers WSGI requests for a :class:`wtf.Server`.

    Only :class:`wtf.Server` mixes this in, so ``self`` is always a Server where it is passed
    as one (``# type: ignore[arg-type]`` below; a ``cast`` would cost a call per request).
    """

    debug: bool
    limits: Limits
    router: Router
    _finders: Mapping[str, Finder]
    chains: Chains
    log: logging.Logger
    json_encoder: Callable[[Any], bytes]
    timeout: float | None
    msgpack: bool
    _error_handlers: list[tuple[type[BaseException], Invoker]]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one WSGI request (PEP 3333).

        Route (after midware, if any), call the handler, then send its result: a plain one
        right here when nothing is pending (the fast path, written once), else through
        :mod:`wtf.sending`.
        """
        path = environ.get("PATH_INFO", "")
        if not path.isascii():
            try:  # PEP 3333 hands the path over as latin-1; the router matches UTF-8
                path = path.encode("latin-1").decode("utf-8")
            except UnicodeError:
                bad = Context(self, environ, path)  # type: ignore[arg-type]
                self.write_error(bad, HTTPError(400, "the path is not valid UTF-8"))
                return send(bad, None, start_response)
        if len(path) + len(environ.get("QUERY_STRING", "")) > self.limits.max_url_length:
            long = Context(self, environ, path[:200])  # type: ignore[arg-type]
            limit = self.limits.max_url_length
            self.write_error(long, HTTPError(414, f"the URL is over {limit} characters"))
            return send(long, None, start_response)
        ctx: Context | None = None
        found = None
        result: Any = None
        method = environ["REQUEST_METHOD"]
        try:
            if not self.chains.empty:
                # the deadline counts the midware's time too
                ctx = Context(self, environ, path, None, (), monotonic())  # type: ignore[arg-type]
                ctx, result = self._run_chain(ctx)
            else:
                finder = self._finders.get(method)  # PERF: the router's compiled lookup
                if finder is not None:
                    found = finder(path)
                else:
                    found = self.router.find(method, path, environ.get("HTTP_HOST"))
                if found is None:
                    ctx = Context(self, environ, path)  # type: ignore[arg-type]
                    self._no_route(ctx, method)
                else:
                    route, values = found
                    endpoint = route.target
                    direct = endpoint.plain_call
                    if endpoint.timed or "HTTP_REQUEST_TIMEOUT" in environ:
                        # A deadline may apply: its clock starts now (routing took a
                        # microsecond), as it does before midware, and it is checked first.
                        ctx = Context(self, environ, path, route, values, monotonic())  # type: ignore[arg-type]
                        ctx.deadline.check()
                        if direct is None:
                            result = endpoint.invoke(ctx, values, None)
                        else:
                            result = direct(*values) if endpoint.takes_route_values else direct()
                    elif direct is not None:  # PERF: fn() or fn(*values): no frame, no Context
                        result = direct(*values) if endpoint.takes_route_values else direct()
                    elif endpoint.context_free:  # PERF: no Context for a handler that reads none
                        result = endpoint.invoke(None, values, None)
                    else:
                        ctx = Context(self, environ, path, route, values)  # type: ignore[arg-type]
                        result = endpoint.invoke(ctx, values, None)
            # Sending. PERF: a plain value goes out right here when nothing else is pending.
            kind = type(result)
            if kind is str:
                body, ctype = result.encode(), TEXT
            elif kind is bytes:
                body, ctype = result, OCTET
            elif (kind is dict or kind is list) and not self.msgpack:
                body, ctype = self.json_encoder(result), JSON
            elif result is None and ctx is not None:
                base = ctx._base
                if base is not None and ctx._writer is base and ctx.stream is None:
                    # PERF: what a handler wrote, unwrapped: send() without its frame
                    return send_buffered(ctx, base, start_response)
                return send(ctx, None, start_response)
            else:
                if ctx is None:
                    if kind is tuple:  # PERF: (body, status, headers) at once, no Context
                        reply = tuple_reply(result, self.json_encoder, self.msgpack)
                        if reply is not None:
                            start_response(reply[0], reply[1])
                            return [] if method == "HEAD" else [reply[2]]
                    ctx = Context(self, environ, path, *found)  # type: ignore[arg-type, misc]
                return send(ctx, result, start_response)
            if ctx is not None:
                request = ctx._request
                if (
                    ctx._base is not None
                    or ctx._shared is not None
                    or ctx.stream is not None
                    or ctx._response is not None
                ):
                    return send_plain(ctx, body, ctype, start_response)
                # PERF: Context.settle()'s common case inline (a frame is ~8% of a request)
                cache = ctx._cache
                if cache is not None:
                    cache.clear()  # built values may refer to the context: no cycles
                if request is not None and request.parsed:
                    request.close()  # uploaded files are temp files
            start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
            return [] if method == "HEAD" else [body]
        except ConnectionTaken:
            # A WebSocket route served the socket to its end: the server closes it, answering
            # nothing (gunicorn reads StopIteration that way, logging it at debug level).
            raise StopIteration from None
        except Exception as exc:
            if ctx is None:
                ctx = Context(self, environ, path, *(found or ()))  # type: ignore[arg-type]
            self.write_error(ctx, exc)
            return send(ctx, None, start_response)

    def _run_chain(self, ctx: Context) -> tuple[Context, Any]:
        """Run the midware, route, call the handler and the afterware.

        Returns the context the midware left and the handler's result still to send (``None``
        when the response was written already: a midware stopped the chain, afterware ran, or
        an error was written).
        """
        _, afterware, procs = self.chains.everywhere or self.chains.for_path(ctx.path)
        try:
            for proc in procs:
                nxt = proc(ctx)
                if nxt is None:
                    break  # the midware answered: no routing, but the afterware runs
                ctx = nxt
            else:
                environ = ctx.environ
                method = environ["REQUEST_METHOD"]
                finder = self._finders.get(method)
                if finder is not None:
                    found = finder(ctx.path)
                else:
                    found = self.router.find(method, ctx.path, environ.get("HTTP_HOST"))
                if found is None:
                    self._no_route(ctx, method)
                else:
                    route, values = found
                    ctx.route = route
                    ctx.values = values
                    endpoint = route.target
                    if endpoint.limits is not None:
                        ctx.use_limits(endpoint.limits)
                    if endpoint.timed or "HTTP_REQUEST_TIMEOUT" in environ:
                        ctx.deadline.check()  # the midware may have used it all up
                    direct = endpoint.plain_call
                    if direct is None:
                        result = endpoint.invoke(ctx, values, None)
                    else:
                        result = direct(*values) if endpoint.takes_route_values else direct()
                    if not afterware:
                        return ctx, result
                    write_result(ctx, result)
            self._afterware(ctx, afterware)
        except Exception as exc:
            self.write_error(ctx, exc)
            self._afterware(ctx, afterware, quiet=True)
        return ctx, None

    def _afterware(
        self, ctx: Context, afterware: tuple[Afterware, ...], quiet: bool = False
    ) -> None:
        for after in afterware:
            try:
                after.invoke(ctx, ctx.values, None)
            except Exception as exc:
                if not quiet:
                    raise
                ctx.log_exception(exc)

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
        problem (RFC 9457). Unexpected exceptions are logged.

        An ``on_error`` handler's result is sent with the error's status (an ``HTTPError``'s,
        else 500) unless it returns its own ``(body, status)``. ``HTTPError``\\ s (404s, 422s...)
        reach only handlers registered for ``HTTPError`` or a subclass of it.
        """
        if isinstance(exc, WerkzeugHTTPException) and exc.code is not None:
            # werkzeug's own (request.json on a non-JSON body: 415, malformed: 400, ...)
            exc = HTTPError(exc.code, exc.description or None)
        if isinstance(exc, RouteParamError):
            detail = f"no route for {ctx.path}" + (f": {exc.reason}" if exc.reason else "")
            exc = HTTPError(404, detail)
        handler = self._error_handler(exc)
        if handler is not None:
            try:
                self._reset(ctx)
                if isinstance(exc, HTTPError):
                    self._error_headers(ctx, exc)
                    ctx.writer.write_header(exc.status)
                else:
                    ctx.writer.write_header(500)
                write_result(ctx, handler(ctx, ctx.values, exc))
                return
            except Exception as again:
                ctx.log_exception(exc)
                exc = again
        if not isinstance(exc, HTTPError):
            policy = ctx.get(ERROR_POLICY)
            if isinstance(policy, ErrorPolicy):
                policy.recover(ctx, exc)
            else:
                ctx.log_exception(exc)
            detail = "".join(traceback.format_exception(exc)) if self.debug else ""
            exc = HTTPError(500, detail or "the server failed to answer this request")
        self._reset(ctx)
        writer = ctx.writer
        base = ctx.base_writer
        self._error_headers(ctx, exc)
        writer.write_header(exc.status)
        try:
            writer.flush()  # StatusCode midware may render a body here
        except Exception as failed:
            ctx.log_exception(failed)
            ctx.unwrap_writer()
        if not base.bytes_written and exc.status not in (204, 304):
            extensions = exc.extensions() if isinstance(exc, ValidationError) else None
            ctype, body = render_problem(
                ctx.environ, exc.status, exc.message, extensions, html=self.debug
            )
            base.set_header("Content-Type", ctype)
            base.write(body)

    def _error_headers(self, ctx: Context, exc: HTTPError) -> None:
        base = ctx.base_writer
        for name, value in exc.headers:
            try:
                base.set_header(name, value)
            except InvalidHeader as bad:  # an HTTPError's own header: the error still goes out
                ctx.log_exception(bad)

    def _reset(self, ctx: Context) -> None:
        """Forget a half-written response, keeping headers midware set (CORS, ...)."""
        ctx.stream = None
        base = ctx.base_writer
        base.reset()
        for name in ("Content-Type", "Content-Length", "Content-Encoding", "Location"):
            base.remove_header(name)
        # A wrapped writer has state of its own; after a partial write, bypass it.
        if base.started:
            ctx.unwrap_writer()

    def _error_handler(self, exc: BaseException) -> Invoker | None:
        """The handler registered for the nearest class in ``exc``'s MRO; for an
        ``HTTPError``, only handlers registered for ``HTTPError`` or its subclasses."""
        handlers = self._error_handlers
        if not handlers:
            return None
        for cls in type(exc).__mro__:
            for exc_type, invoke in handlers:
                if exc_type is cls:
                    return invoke
            if cls is HTTPError:
                return None  # an on_error(Exception) does not turn every 404 into its answer
        return None
