"""Response writers: the chain a response body flows through.

The innermost writer buffers what reaches it for the WSGI server; midware wrap it by
subclassing :class:`WriterWrapper`, which delegates everything to its inner writer, so a
wrapper overrides only what it changes. An encoding of the final bytes (gzip) is a
:class:`BodyFilter` instead: it acts once on a complete body, and wraps only streams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from werkzeug.datastructures import Headers
from werkzeug.http import dump_options_header

from .fields import check_field, set_field

if TYPE_CHECKING:
    from .context import Context

__all__ = ["BodyFilter", "BufferWriter", "ResponseHeaders", "Writer", "WriterWrapper"]

_MISSING: Any = object()


def _with_options(value: Any, options: dict[str, Any]) -> str:
    """``Headers.add``'s keyword form: ``value; key=option`` (underscores become dashes)."""
    return dump_options_header(value, {k.replace("_", "-"): v for k, v in options.items()})


class ResponseHeaders(Headers):
    """werkzeug ``Headers`` over a response's header list, checked and fast for ``str`` names.

    Every value set is checked (:func:`wtf.fields.check_field`: a control character or a
    character beyond latin-1 raises :class:`InvalidHeader`); non-``str`` values are converted
    with ``str()`` first, as werkzeug does.

    PERF: werkzeug finds a missing key by raising and catching ``BadRequestKeyError`` (~2 µs)
    and goes through several frames to set one; a handler setting a header, and midware asking
    "is Content-Encoding set?", pay for neither here. Same semantics otherwise.
    """

    def __contains__(self, key: object) -> bool:
        if type(key) is not str:
            return super().__contains__(key)  # type: ignore[operator]
        size = len(key)
        ikey = key.lower()
        for k, _ in self._list:  # noqa: SIM110 - PERF: a loop, not any() over a generator
            if len(k) == size and k.lower() == ikey:
                return True
        return False

    def __getitem__(self, key: Any) -> Any:
        if type(key) is str:
            size = len(key)
            ikey = key.lower()
            for k, v in self._list:
                if len(k) == size and k.lower() == ikey:
                    return v
        return super().__getitem__(key)  # werkzeug's own error for a missing name

    def __setitem__(self, key: Any, value: Any) -> None:
        if type(key) is str:
            set_field(self._list, key, value if type(value) is str else str(value))
        elif isinstance(key, int):
            name, item = value
            item = item if type(item) is str else str(item)
            check_field(name, item)
            self._list[key] = (name, item)
        else:
            fields = [(n, v if type(v) is str else str(v)) for n, v in value]
            for name, item in fields:
                check_field(name, item)
            self._list[key] = fields

    def add(self, key: str, value: Any, /, **kw: Any) -> None:
        """Like ``Headers.add``; a value RFC 9110 forbids raises :class:`InvalidHeader`."""
        if kw:
            value = _with_options(value, kw)
        elif type(value) is not str:
            value = str(value)
        check_field(key, value)
        self._list.append((key, value))

    def set(self, key: str, value: Any, /, **kw: Any) -> None:
        """Like ``Headers.set``; a value RFC 9110 forbids raises :class:`InvalidHeader`."""
        if kw:
            value = _with_options(value, kw)
        set_field(self._list, key, value if type(value) is str else str(value))

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]
        """Like ``Headers.get``."""
        if type is not None or not isinstance(key, str):
            return super().get(key, default, type)
        size = len(key)
        ikey = key.lower()
        for k, v in self._list:
            if len(k) == size and k.lower() == ikey:
                return v
        return default

    def pop(self, key: Any = None, default: Any = _MISSING) -> Any:
        """Like ``Headers.pop``."""
        if isinstance(key, str) and default is not _MISSING and key not in self:
            return default
        if default is _MISSING:
            return super().pop(key)
        return super().pop(key, default)


@runtime_checkable
class Writer(Protocol):
    """What a response writer offers (go_wtf's ``WriterWrapper`` interface)."""

    @property
    def headers(self) -> Headers:
        """The response headers; changes after the first body byte are not sent."""
        ...

    @property
    def status(self) -> int:
        """The status code that will be (or was) sent."""
        ...

    @property
    def bytes_written(self) -> int:
        """Body bytes that reached the innermost writer."""
        ...

    def write_header(self, code: int) -> None:
        """Set the status; the last call before the first body byte wins."""
        ...

    def write(self, data: bytes) -> int:
        """Write body bytes; return how many were accepted."""
        ...

    def flush(self) -> None:
        """End of the body: finish encodings and pass everything on. Idempotent."""
        ...

    def begin(self) -> None:
        """The headers are about to be sent while the body goes on (a stream starts): decide
        now whatever the headers depend on. Wrappers forward it to their inner writer."""
        ...


@runtime_checkable
class BodyFilter(Protocol):
    """An encoding of the bytes that reach the innermost writer (``Gzip``), registered per
    request with :meth:`BufferWriter.add_filter`.

    It costs nothing while the handler writes: a complete body is handed to :meth:`whole` once,
    as it is sent; only a stream gets a writer wrapper (:meth:`stream`), put directly over the
    innermost writer. Either way the filter sees the bytes every writer wrapper passed on.
    """

    def whole(self, ctx: Context, base: BufferWriter, body: bytes) -> bytes:
        """The complete body (status and headers final, ``Content-Length`` excepted, which
        is set afterwards from what this returns): return the bytes to send instead, after
        editing ``base``'s headers as the encoding requires."""
        ...

    def stream(self, ctx: Context, base: BufferWriter) -> WriterWrapper | None:
        """A stream begins (status and ``Content-Type`` known, the first chunk not written):
        return the wrapper that encodes it, or ``None`` to leave it as it is."""
        ...


class BufferWriter:
    """The innermost writer: holds status, headers and body chunks for the WSGI server.

    Headers live in :attr:`header_list`, the ``(name, value)`` list that goes to
    ``start_response``; :attr:`headers` is a werkzeug ``Headers`` view sharing that list (werkzeug
    only ever mutates its list in place). Framework code and midware use :meth:`header`,
    :meth:`set_header` and :meth:`remove_header`, which skip werkzeug's per-call overhead.
    """

    __slots__ = (
        "_headers",
        "bytes_sent",
        "bytes_written",
        "chunks",
        "filters",
        "header_list",
        "started",
        "status",
        "vary",
    )

    def __init__(self) -> None:
        self.header_list: list[tuple[str, str]] = []
        self._headers: ResponseHeaders | None = None
        self.status = 200
        self.chunks: list[bytes] = []
        self.started = False
        self.bytes_written = 0
        self.bytes_sent = 0  # handed to the WSGI server (no body for HEAD)
        #: ``Vary`` tokens midware require whatever the handler sets (merged when sent).
        self.vary: list[str] | None = None
        #: The body filters registered for this response, in order (:meth:`add_filter`).
        self.filters: list[BodyFilter] | None = None

    def add_filter(self, body_filter: BodyFilter) -> None:
        """Encode this response's body with ``body_filter`` (midware call it from ``proc``).
        Filters apply in reverse order of registration, like writer wrappers: the first
        registered is the innermost, the last to see the bytes."""
        if self.filters is None:
            self.filters = [body_filter]
        else:
            self.filters.append(body_filter)

    @property
    def headers(self) -> Headers:
        """The response headers as werkzeug ``Headers`` (a view of :attr:`header_list`)."""
        headers = self._headers
        if headers is None:
            # A view of header_list (werkzeug only changes its list in place); made without
            # __init__, which would make a list of its own.
            headers = self._headers = ResponseHeaders.__new__(ResponseHeaders)
            headers._list = self.header_list
        return headers

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        # PERF: a length check first; most names differ in length, and lower() is a call.
        size = len(name)
        lname = name.lower()
        for key, value in self.header_list:
            if len(key) == size and (key == name or key.lower() == lname):
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        """Replace every ``name`` header by one with ``value``.

        Raises:
            InvalidHeader: A name or value RFC 9110 forbids (a control character, CR and LF
                included, which would split the response).
        """
        set_field(self.header_list, name, value)

    def set_body_headers(self, content_type: str, length: int) -> None:
        """Set ``Content-Length`` to ``length``, last, and ``Content-Type`` unless one is set:
        what the server does before sending a complete body (one pass over the headers)."""
        items = self.header_list
        for key, _ in items:  # PERF: usually neither is there; a name of either length is rare
            if len(key) in (12, 14):
                break
        else:
            items.append(("Content-Type", content_type))
            items.append(("Content-Length", str(length)))
            return
        typed = duplicate = False
        at = -1
        for index, (key, _) in enumerate(items):  # names compared by length first
            size = len(key)
            if size == 12 and key.lower() == "content-type":
                typed = True
            elif size == 14 and key.lower() == "content-length":
                duplicate = at >= 0
                at = index
        if duplicate:  # rare: every Content-Length goes, one comes back
            items[:] = [i for i in items if i[0].lower() != "content-length"]
            at = -1
        if not typed:
            items.append(("Content-Type", content_type))
        if at >= 0:  # rare: one set before (by midware) goes last, as the writer's send puts it
            del items[at]
        items.append(("Content-Length", str(length)))

    def remove_header(self, name: str) -> None:
        """Remove every ``name`` header."""
        if self._find(name, 0) >= 0:
            lname = name.lower()
            self.header_list[:] = [i for i in self.header_list if i[0].lower() != lname]

    def _find(self, name: str, start: int) -> int:
        """Index of the first ``name`` header at or after ``start``, or -1."""
        size = len(name)
        lname = name.lower()
        items = self.header_list
        for index in range(start, len(items)):
            key = items[index][0]
            if len(key) == size and (key == name or key.lower() == lname):
                return index
        return -1

    def write_header(self, code: int) -> None:
        """Set the status unless body bytes were already written."""
        if not self.started:
            self.status = code

    def write_typed(self, data: bytes, content_type: str) -> int:
        """:meth:`write`, after setting ``Content-Type`` to ``content_type`` unless one is set
        (what ``Response.write_string`` and its kind do, in one call)."""
        for key, _ in self.header_list:  # PERF: header() inline; a name of this length is rare
            if len(key) == 12 and key.lower() == "content-type":
                break
        else:
            self.header_list.append(("Content-Type", content_type))
        if data:
            self.started = True
            self.chunks.append(data)
            self.bytes_written += len(data)
        return len(data)

    def write(self, data: bytes) -> int:
        """Buffer ``data``; the first non-empty write freezes the status."""
        if data:
            self.started = True
            self.chunks.append(data)
            self.bytes_written += len(data)
        return len(data)

    def flush(self) -> None:
        """The end of the body: the innermost writer holds everything already (nothing to
        do; the server sends what :meth:`take` returns)."""

    def begin(self) -> None:
        """Nothing to decide: the innermost writer holds no data back."""

    def take(self) -> list[bytes]:
        """Return the buffered chunks and forget them (used while streaming)."""
        chunks, self.chunks = self.chunks, []
        return chunks

    def reset(self) -> None:
        """Drop the body written so far (to answer with an error instead)."""
        self.chunks = []
        self.started = False
        self.bytes_written = 0
        self.status = 200


class WriterWrapper:
    """A writer that delegates everything to ``inner``; subclass it to change one thing.

    Args:
        inner: The writer being wrapped.

    Examples:
        >>> class Upper(WriterWrapper):
        ...     def write(self, data: bytes) -> int:
        ...         return self.inner.write(data.upper())
    """

    def __init__(self, inner: Writer) -> None:
        self.inner = inner
        self._flushed = False

    @property
    def headers(self) -> Headers:
        """The inner writer's headers."""
        return self.inner.headers

    @property
    def status(self) -> int:
        """The inner writer's status."""
        return self.inner.status

    @property
    def bytes_written(self) -> int:
        """The inner writer's byte count."""
        return self.inner.bytes_written

    def write_header(self, code: int) -> None:
        """Forward to the inner writer."""
        self.inner.write_header(code)

    def write(self, data: bytes) -> int:
        """Forward to the inner writer."""
        return self.inner.write(data)

    def begin(self) -> None:
        """The headers are about to be sent while the body goes on (a stream starts): decide
        whatever depends on them now. Forwards to the inner writer; override it (and call
        ``super().begin()``) in a wrapper that holds data back before deciding."""
        self.inner.begin()

    def flush(self) -> None:
        """Forward to the inner writer, once."""
        if not self._flushed:
            self._flushed = True
            self.inner.flush()
