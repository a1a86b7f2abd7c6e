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

from .builders import Invoker, run_teardowns
from .chain import Afterware, Chains
from .context import Context
from .converters import RouteParamError
from .errors import HTTPError, ValidationError
from .fields import InvalidHeader
from .midware_protocol import ERROR_POLICY, ErrorPolicy
from .problems import render_problem
from .request_limits import Limits
from .router import Finder, Router
from .sending import JSON, OCTET, TEXT, finish, release, respond, start, write_result
from .writer import WriterWrapper

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
        """Answer one WSGI request (PEP 3333)."""
        path = environ.get("PATH_INFO", "")
        if not path.isascii():
            try:  # PEP 3333 hands the path over as latin-1; the router matches UTF-8
                path = path.encode("latin-1").decode("utf-8")
            except UnicodeError:
                bad = Context(self, environ, path)  # type: ignore[arg-type]
                self.write_error(bad, HTTPError(400, "the path is not valid UTF-8"))
                return respond(self, bad, None, start_response)  # type: ignore[arg-type]
        if len(path) + len(environ.get("QUERY_STRING", "")) > self.limits.max_url_length:
            long = Context(self, environ, path[:200])  # type: ignore[arg-type]
            limit = self.limits.max_url_length
            self.write_error(long, HTTPError(414, f"the URL is over {limit} characters"))
            return respond(self, long, None, start_response)  # type: ignore[arg-type]
        if not self.chains.empty:
            chained = Context(self, environ, path)  # type: ignore[arg-type]
            chained._start = monotonic()  # the deadline counts the midware's time too
            return self._call_chain(chained, start_response)
        ctx: Context | None = None
        found = None
        try:
            method = environ["REQUEST_METHOD"]
            finder = self._finders.get(method)  # PERF: the router's compiled lookup, no frame
            if finder is not None:
                found = finder(path)
            else:
                found = self.router.find(method, path, environ.get("HTTP_HOST"))
            if found is None:
                ctx = Context(self, environ, path)  # type: ignore[arg-type]
                self._no_route(ctx, method)
                return respond(self, ctx, None, start_response)  # type: ignore[arg-type]
            route, values = found
            endpoint = route.target
            direct = endpoint.plain_call
            if endpoint.timed or "HTTP_REQUEST_TIMEOUT" in environ:
                # A deadline may apply: its clock starts now (routing took a microsecond), as
                # it does before midware on that path, and it is checked before the handler.
                ctx = Context(self, environ, path, route, values)  # type: ignore[arg-type]
                ctx._start = monotonic()
                ctx.deadline.check()
                if direct is None:
                    result = endpoint.invoke(ctx, values, None)
                else:
                    result = direct(*values) if endpoint.takes_route_values else direct()
                return self._send(ctx, result, start_response)
            if direct is not None:  # PERF: fn() or fn(*values): no invoker frame, no Context
                result = direct(*values) if endpoint.takes_route_values else direct()
            elif endpoint.context_free:  # PERF: no Context for a handler that reads none
                result = endpoint.invoke(None, values, None)
            else:
                ctx = Context(self, environ, path, route, values)  # type: ignore[arg-type]
                result = endpoint.invoke(ctx, values, None)
                request = ctx._request
                shared = ctx._shared
                if (
                    ctx._base is not None
                    or ctx.stream is not None
                    or ctx._response is not None
                    or (request is not None and request._raw is not None)
                    or (shared is not None and (shared.teardowns or shared.closers))
                ):
                    return self._send(ctx, result, start_response)
            # PERF: a plain value goes out directly when nothing else is pending (this is
            # _send's fast case, inlined for the cheapest requests).
            kind = type(result)
            if kind is str:
                body, ctype = result.encode(), TEXT
            elif (kind is dict or kind is list) and not self.msgpack:
                body, ctype = self.json_encoder(result), JSON
            elif kind is bytes:
                body, ctype = result, OCTET
            else:
                if ctx is None:
                    ctx = Context(self, environ, path, route, values)  # type: ignore[arg-type]
                return respond(self, ctx, result, start_response)  # type: ignore[arg-type]
            if ctx is not None and ctx._cache is not None:
                ctx._cache.clear()  # built values may refer to the context: no cycles
            start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
            return [] if method == "HEAD" else [body]
        except Exception as exc:
            if ctx is None:
                ctx = Context(self, environ, path, *(found or ()))  # type: ignore[arg-type]
            self.write_error(ctx, exc)
            return respond(self, ctx, None, start_response)  # type: ignore[arg-type]

    def _call_chain(self, ctx: Context, start_response: StartResponse) -> Iterable[bytes]:
        """The request cycle with midware and afterware."""
        _, afterware, procs = self.chains.everywhere or self.chains.for_path(ctx.path)
        try:
            for proc in procs:
                nxt = proc(ctx)
                if nxt is None:
                    break
                ctx = nxt
            else:
                method = ctx.environ["REQUEST_METHOD"]
                finder = self._finders.get(method)
                if finder is not None:
                    found = finder(ctx.path)
                else:
                    found = self.router.find(method, ctx.path, ctx.environ.get("HTTP_HOST"))
                if found is None:
                    self._no_route(ctx, method)
                else:
                    route, values = found
                    ctx.route = route
                    ctx.values = values
                    endpoint = route.target
                    if endpoint.limits is not None and ctx._request is not None:
                        ctx._request.use_limits(endpoint.limits)  # midware made it earlier
                    if endpoint.timed or "HTTP_REQUEST_TIMEOUT" in ctx.environ:
                        ctx.deadline.check()  # the midware may have used it all up
                    direct = endpoint.plain_call
                    if direct is None:
                        result = endpoint.invoke(ctx, values, None)
                    else:
                        result = direct(*values) if endpoint.takes_route_values else direct()
                    if not afterware:
                        return self._send(ctx, result, start_response)
                    write_result(ctx, result)
            self._afterware(ctx, afterware)
        except Exception as exc:
            self.write_error(ctx, exc)
            self._afterware(ctx, afterware, quiet=True)
        try:
            return respond(self, ctx, None, start_response)  # type: ignore[arg-type]
        except Exception as exc:  # a midware's writer failed while finishing
            self.write_error(ctx, exc)
            return respond(self, ctx, None, start_response)  # type: ignore[arg-type]

    def _send(self, ctx: Context, result: object, start_response: StartResponse) -> Iterable[bytes]:
        """Send a handler's result; a plain one directly when nothing else is pending.

        PERF: "nothing pending" means no stream, no Response facade kept, no teardown or close
        callback, and a writer that is either untouched or the unwrapped innermost one with
        headers only (what CORS-like midware leave). Everything else takes :func:`respond`.
        """
        shared = ctx._shared
        writer = ctx._writer
        base = ctx._base
        if (
            ctx.stream is not None
            or ctx._response is not None
            or (shared is not None and (shared.teardowns or shared.closers))
            or (base is not None and base.started)
        ):
            return respond(self, ctx, result, start_response)  # type: ignore[arg-type]
        kind = type(result)
        if kind is str:
            body, ctype = result.encode(), TEXT  # type: ignore[attr-defined]
        elif (kind is dict or kind is list) and not self.msgpack:
            body, ctype = self.json_encoder(result), JSON
        elif kind is bytes:
            body, ctype = result, OCTET
        else:
            return respond(self, ctx, result, start_response)  # type: ignore[arg-type]
        if ctx._cache is not None or ctx._request is not None:  # PERF: else nothing to release
            release(ctx)
        if base is None:
            start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
            return [] if ctx.environ["REQUEST_METHOD"] == "HEAD" else [body]
        status = base.status
        if status < 200 or status in (204, 304):
            return respond(self, ctx, result, start_response)  # type: ignore[arg-type]
        base.set_body_headers(ctype, len(body))
        if writer is not base and writer is not None:
            # Wrapped (gzip...): the whole body through the wrappers, in one write that
            # Content-Length marks as complete. PERF: the only wrapper, when it can take a
            # complete body at once (Gzip's `whole`), returns what it would have written.
            passed = (
                writer.whole(body)
                if isinstance(writer, WriterWrapper) and writer.inner is base
                else None
            )
            if passed is None:
                writer.write(body)
                writer.flush()
                return finish(self, ctx, start_response)  # type: ignore[arg-type]
            if passed is not body:
                body = passed
                base.set_header("Content-Length", str(len(body)))
            base.started = True
            base.bytes_written = len(body)
        start(self, ctx, base, start_response)  # type: ignore[arg-type]
        if ctx.environ["REQUEST_METHOD"] == "HEAD":
            return []
        base.bytes_sent = len(body)
        return [body]

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
                self.log_exception(ctx, exc)
                exc = again
        if not isinstance(exc, HTTPError):
            policy = ctx.get(ERROR_POLICY)
            if isinstance(policy, ErrorPolicy):
                policy.recover(ctx, exc)
            else:
                self.log_exception(ctx, exc)
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
            self.log_exception(ctx, failed)
            ctx._writer = ctx.base_writer
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
                self.log_exception(ctx, bad)

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
