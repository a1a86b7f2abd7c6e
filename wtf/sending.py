"""Sending a handler's result as the WSGI response, and ending the request after it.

The request cycle (:mod:`wtf.cycle`) sends a plain result (``str``, ``bytes``, JSON data) itself
when nothing is pending and no writer was made. Everything else comes here: :func:`send_plain`
for a plain result otherwise (whole through the writers when midware only set headers),
:func:`send` for the rest, which
writes the value through the context's writer chain (where midware may have wrapped it) and
sends what reached the innermost writer. Whatever path, the request ends through
:meth:`Context.close` (teardowns, close callbacks) or :meth:`Context.release`, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response as WerkzeugResponse
from werkzeug.wsgi import ClosingIterator

from .fields import check_field, check_status, set_field
from .problems import STATUS_LINES, status_line
from .rendering import JSON, MSGPACK, OCTET, TEXT, encode_msgpack, is_model_instance, wants_msgpack
from .response import Response, write_werkzeug
from .vary import add_vary, merge_vary
from .writer import BodyFilter, BufferWriter, Writer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse

    from .context import Context

__all__ = [
    "StartResponseFailed",
    "send",
    "send_buffered",
    "send_plain",
    "start",
    "tuple_reply",
    "write_data",
    "write_result",
]

_NO_BODY = frozenset((204, 304))
_END: Any = object()


class StartResponseFailed(BaseException):
    """The WSGI server's ``start_response`` refused the response after wtf's own checks passed.

    A ``BaseException`` on purpose: once ``start_response`` was called, no other answer may be
    started (PEP 3333), so nothing in wtf catches it; it reaches the WSGI server, which answers
    its own 500. The request's teardowns and close callbacks ran before it was raised.
    """


def start(ctx: Context, base: BufferWriter, start_response: StartResponse) -> None:
    """Call ``start_response`` with ``base``'s (the innermost writer's) status and headers.

    Raises:
        StartResponseFailed: ``start_response`` raised anyway (the request was closed).
    """
    if base.vary is not None:
        merge_vary(base)
    try:
        start_response(STATUS_LINES.get(base.status) or status_line(base.status), base.header_list)
    except BaseException as exc:
        ctx.close()
        raise StartResponseFailed(f"start_response refused the response: {exc!r}") from exc


def send(ctx: Context, result: Any, start_response: StartResponse) -> Iterable[bytes]:
    """Send ``result`` (a handler's return value, or ``None`` for what was written already)
    through the writer chain."""
    if result is not None:
        write_result(ctx, result)
    if ctx.stream is not None:
        return _send_stream(ctx, start_response)
    base = ctx.base_writer
    if ctx.writer is not base:  # PERF: the innermost writer's flush does nothing
        ctx.writer.flush()
    return send_buffered(ctx, base, start_response)


def send_plain(
    ctx: Context, body: bytes, ctype: str, start_response: StartResponse
) -> Iterable[bytes]:
    """Send a plain result (``str``, ``bytes``, JSON data), encoded as ``body``, when the
    request cycle could not send it at once: something may be pending (:meth:`Context.settle`).
    """
    writers = ctx.settle()
    if writers is None:
        _write_whole(ctx, body, ctype)
        return send(ctx, None, start_response)
    # Midware only set headers (or nothing) in the innermost writer: the body goes out whole.
    writer, base = writers
    status = base.status
    if status < 200 or status in _NO_BODY:
        return send(ctx, body, start_response)
    if writer is not base:
        # Wrapped: the whole body through the wrappers, in one write that Content-Length
        # marks as complete.
        base.set_body_headers(ctype, len(body))
        writer.write(body)
        writer.flush()
        return send_buffered(ctx, base, start_response)
    filters = base.filters
    if filters is not None:  # the type first (filters read it), the length of what they return
        if base.header("Content-Type") is None:
            base.header_list.append(("Content-Type", ctype))
        body = _filtered(ctx, base, filters, body)
    base.set_body_headers(ctype, len(body))
    base.started = True
    base.bytes_written = len(body)
    start(ctx, base, start_response)
    if ctx.environ["REQUEST_METHOD"] == "HEAD":
        return []
    base.bytes_sent = len(body)
    return [body]


def _filtered(ctx: Context, base: BufferWriter, filters: list[BodyFilter], body: bytes) -> bytes:
    """``body`` through the response's body filters (the last registered first)."""
    if len(filters) == 1:  # PERF: the usual one, without an iterator
        return filters[0].whole(ctx, base, body)
    for body_filter in reversed(filters):
        body = body_filter.whole(ctx, base, body)
    return body


def tuple_reply(
    result: tuple[Any, ...], json_encoder: Callable[[Any], bytes], msgpack: bool
) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """The status line, headers and body of a handler's ``(body, status[, headers])`` when it
    can go out at once (nothing else pending): a non-empty ``str``, ``bytes`` or JSON body (not
    offered as MessagePack) with a status that carries one. ``None`` for anything else, which
    :func:`send` sends (and refuses, when malformed). The same bytes as through the writer:
    its headers set in order (a name set twice keeps its first place and last value), then
    ``Content-Type`` unless given, and ``Content-Length`` last.

    Raises:
        InvalidHeader: A header RFC 9110 forbids.
    """
    if len(result) == 2:
        body, status = result
        extra: Any = ()
    elif len(result) == 3:
        body, status, extra = result
    else:
        return None
    kind = type(body)
    if kind is str:
        data, ctype = body.encode(), TEXT
    elif kind is bytes:
        data, ctype = body, OCTET
    elif (kind is dict or kind is list) and not msgpack:
        data, ctype = json_encoder(body), JSON
    else:
        return None
    if type(status) is not int or not 200 <= status <= 599 or status in _NO_BODY or not data:
        return None
    items: list[tuple[str, str]] = []
    typed = False
    for name, value in extra.items() if isinstance(extra, Mapping) else extra:
        if type(name) is not str:
            return None  # werkzeug's index assignment: the writer's path says what it does
        text = value if type(value) is str else str(value)
        lname = name.lower()
        if lname == "content-length":
            check_field(name, text)  # checked as set, replaced by what the body measures
            continue
        set_field(items, name, text)
        typed = typed or lname == "content-type"
    if not typed:
        items.append(("Content-Type", ctype))
    items.append(("Content-Length", str(len(data))))
    return STATUS_LINES.get(status) or status_line(status), items, data


def write_result(ctx: Context, result: Any) -> None:
    """Write a handler's return value through ``ctx.writer``.

    Raises:
        TypeError: A value of a type wtf cannot send.
    """
    if result is None or isinstance(result, Response):
        return
    writer = ctx.writer
    if type(result) is tuple:
        if not 2 <= len(result) <= 3 or not isinstance(result[1], int):
            raise TypeError(
                "a handler's tuple is (body, status) or (body, status, headers), not "
                f"{len(result)} items starting {type(result[0]).__name__}"
            )
        writer.write_header(check_status(result[1]))
        if len(result) == 3:
            extra = result[2]
            pairs = extra.items() if isinstance(extra, Mapping) else extra
            for name, value in pairs:
                writer.headers[name] = value
        result = result[0]
        if result is None:
            return
    if isinstance(result, str):
        _write_whole(ctx, result.encode(), TEXT)
    elif isinstance(result, bytes | bytearray | memoryview):
        _write_whole(ctx, bytes(result), OCTET)
    elif isinstance(result, dict | list) or is_model_instance(result):
        write_data(ctx, result)
    elif isinstance(result, WerkzeugResponse):
        write_werkzeug(ctx, result)
    elif isinstance(result, Iterable) and not isinstance(result, Mapping):
        ctx.stream = iter(result)
    else:
        raise TypeError(
            f"a handler returned {type(result).__name__!r}; return None, str, bytes, dict, "
            "list, a Response, an iterator, or (body, status[, headers])"
        )


def write_data(ctx: Context, data: Any) -> None:
    """Write ``data`` as JSON, or as MessagePack when the server offers it and the client
    prefers it (then ``Vary: Accept`` too, RFC 9110 §12.5.5)."""
    server = ctx.server
    if server.msgpack:
        add_vary(ctx.base_writer, "Accept")
        if wants_msgpack(ctx.environ):
            try:
                packed = encode_msgpack(data)
            except (TypeError, ValueError, OverflowError):
                pass  # what MessagePack cannot hold (an int over 64 bits...): JSON can
            else:
                _write_whole(ctx, packed, MSGPACK)
                return
    _write_whole(ctx, server.json_encoder(data), JSON)


def _write_whole(ctx: Context, body: bytes, ctype: str) -> None:
    """Write a body whose size is known. ``Content-Length`` goes first when nothing was written
    yet: it tells writer wrappers (gzip) that this write is the whole body."""
    base = ctx.base_writer
    if base.header("Content-Type") is None:
        base.header_list.append(("Content-Type", ctype))
    if not base.started:
        base.set_header("Content-Length", str(len(body)))
    ctx.writer.write(body)


def send_buffered(
    ctx: Context, base: BufferWriter, start_response: StartResponse
) -> Iterable[bytes]:
    """Send what the innermost writer ``base`` holds (the body is complete: every wrapper
    flushed, no stream pending), with the ``Content-Length`` of what reached it (whatever
    wrappers and filters did to it), last. An announced length stays when nothing was written
    (a HEAD handler may announce one)."""
    status = base.status
    chunks = base.chunks
    base.chunks = []
    filters = base.filters
    if filters is not None:
        whole = b"".join(chunks)
        body = _filtered(ctx, base, filters, whole)
        if body is not whole:
            base.bytes_written = len(body)
            chunks = [body] if body else []
    items = base.header_list
    if status in _NO_BODY or status < 200:
        chunks = []  # RFC 9110 §6.4.1: no content, so no header describing it either
        base.remove_header("Content-Length")
        base.remove_header("Content-Type")
        size = 0
    else:
        size = len(chunks[0]) if len(chunks) == 1 else sum(map(len, chunks))
        length = None
        typed = False
        for key, value in items:  # PERF: one pass, names compared by length first
            n = len(key)
            if n == 14:
                if length is None and key.lower() == "content-length":
                    length = value
            elif n == 12 and key.lower() == "content-type":
                typed = True
        if not typed:
            items.append(("Content-Type", OCTET if chunks else TEXT))
        if length is None:
            items.append(("Content-Length", str(size)))
        elif chunks:
            wanted = str(size)
            if wanted != length or items[-1][0] != "Content-Length":
                items[:] = [i for i in items if i[0].lower() != "content-length"]
                items.append(("Content-Length", wanted))
    if base.vary is not None:  # PERF: start() inline (a frame is 2% of a written response)
        merge_vary(base)
    try:
        start_response(STATUS_LINES.get(status) or status_line(status), items)
    except BaseException as exc:
        ctx.close()
        raise StartResponseFailed(f"start_response refused the response: {exc!r}") from exc
    if ctx.environ["REQUEST_METHOD"] == "HEAD":
        chunks = []
        size = 0
    base.bytes_sent = size
    if ctx.release_unless_pending():
        return chunks
    return ClosingIterator(chunks, ctx.close)


def _send_stream(ctx: Context, start_response: StartResponse) -> Iterable[bytes]:
    """Stream ``ctx.stream`` through the writer chain, chunk by chunk (or hand the server's
    own ``wsgi.file_wrapper`` back to it when no writer wrapper needs the bytes)."""
    chunks = ctx.stream
    assert chunks is not None
    writer = ctx.writer
    base = ctx.base_writer
    file_wrapper = ctx.environ.get("wsgi.file_wrapper")
    if (
        writer is base
        and base.filters is None
        and isinstance(file_wrapper, type)
        and isinstance(chunks, file_wrapper)
    ):
        return _send_file_wrapper(ctx, base, chunks, start_response)
    try:
        first = next(chunks, _END)
        if first is _END:
            writer.flush()
        else:
            if base.header("Content-Type") is None:
                base.set_header("Content-Type", TEXT if isinstance(first, str) else OCTET)
            if base.filters is not None:
                writer = _filter_stream(ctx, base, base.filters)
            writer.write(first.encode() if isinstance(first, str) else first)
            writer.begin()  # wrappers decide now what the headers say (gzip)
    except Exception:
        _close(chunks)
        raise
    if first is _END:
        return send_buffered(ctx, base, start_response)
    try:
        start(ctx, base, start_response)
    except BaseException:
        _close(chunks)
        raise
    if ctx.environ["REQUEST_METHOD"] == "HEAD":
        _close(chunks)
        return _closing(ctx, [])
    return _Stream(ctx, chunks)


def _filter_stream(ctx: Context, base: BufferWriter, filters: list[BodyFilter]) -> Writer:
    """Put the wrappers of the body filters that encode this stream directly over ``base``
    (the first registered innermost); what was written before the stream began goes through
    them first. Returns the writer the stream is written to."""
    held = base.take()
    base.bytes_written = 0
    top: Writer | None = None
    for body_filter in reversed(filters):
        wrapper = body_filter.stream(ctx, base)
        if wrapper is not None:
            ctx.wrap_innermost(wrapper)
            top = top or wrapper
    if held:
        (top or base).write(b"".join(held))
    return ctx.writer


def _send_file_wrapper(
    ctx: Context, base: BufferWriter, wrapper: Any, start_response: StartResponse
) -> Iterable[bytes]:
    """Give the server its ``wsgi.file_wrapper`` back (PEP 3333: it may send the file with
    ``sendfile``); its ``close()`` also ends the request."""
    if base.header("Content-Type") is None:
        base.set_header("Content-Type", OCTET)
    try:
        start(ctx, base, start_response)
    except BaseException:
        _close(wrapper)
        raise
    length = base.header("Content-Length")
    base.bytes_sent = int(length) if length is not None and length.isdigit() else 0
    close_file = getattr(wrapper, "close", None)

    def close() -> None:
        try:
            if close_file is not None:
                close_file()
        finally:
            ctx.close()

    wrapper.close = close  # the server calls it once the file went out (or failed to)
    return wrapper  # type: ignore[no-any-return]


def _close(chunks: Iterator[Any]) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


class _Stream:
    """The WSGI iterable of a streamed body; ``close()`` closes the handler's iterator and
    runs the request's teardowns, also when the client went away early."""

    def __init__(self, ctx: Context, chunks: Iterator[bytes | str]) -> None:
        self._ctx = ctx
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        base = self._ctx.base_writer
        writer = self._ctx.writer
        for out in base.take():  # the first chunk, written before the headers went out
            base.bytes_sent += len(out)
            yield out
        try:
            for chunk in self._chunks:
                writer.write(chunk.encode() if isinstance(chunk, str) else chunk)
                for out in base.take():
                    base.bytes_sent += len(out)  # counted before the yield: close() may come next
                    yield out
            writer.flush()
        except Exception as exc:  # headers are gone: log it and end the body here
            self._ctx.log_exception(exc)
            return
        for out in base.take():
            base.bytes_sent += len(out)
            yield out

    def close(self) -> None:
        try:
            _close(self._chunks)
        finally:
            self._ctx.close()


def _closing(ctx: Context, body: list[bytes]) -> Iterable[bytes]:
    """``body``, closing the request at ``close()`` when teardowns or callbacks wait; else
    the request is released now."""
    if ctx.release_unless_pending():
        return body
    return ClosingIterator(body, ctx.close)
