"""``Gzip``: compress responses for clients that accept gzip (RFC 9110 §8.4.1.3).

A body filter (:class:`wtf.midware.BodyFilter`): a complete body is decided and compressed
once, as it is sent, from its status, ``Content-Type``, ``Content-Encoding`` and size; nothing
happens while the handler writes, so a response that is not compressed costs next to nothing.
A stream is decided as it begins (a ``Content-Length`` announced, by ``send_file`` say, counts
as its size) and compressed through a :class:`GzipWriter`, each chunk sync-flushed so that it
reaches the client as it is produced; the gzip stream is always finished with its trailer, so
strict decoders accept it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..midware_protocol import clamp
from ..vary import add_vary
from ..writer import BufferWriter, Writer, WriterWrapper

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["DEFAULT_CONTENT_TYPES", "Gzip"]

#: Compressible by default: text, JSON, JavaScript, XML, SVG and ``+json``/``+xml`` types.
DEFAULT_CONTENT_TYPES: tuple[str, ...] = (
    "text/",
    "application/json",
    "application/javascript",
    "application/ecmascript",
    "application/xml",
    "image/svg+xml",
    "+json",
    "+xml",
)
_NEVER = ("text/event-stream",)
_ACCEPTS: dict[str, bool] = {}


class Gzip:
    """Gzip midware.

    Args:
        min_size: Bodies of known size under this many bytes are sent as they are.
        level: zlib compression level, 1..9.
        content_types: Compressible types: full types, prefixes ending in ``/``, or suffixes
            starting with ``+``; replaces :data:`DEFAULT_CONTENT_TYPES`.
        priority: Midware priority (default 40: after CORS and limits, before StatusCode).

    Skipped: HEAD, 1xx/204/304, bodies already encoded, types not listed, and
    ``text/event-stream`` always. ``Vary: Accept-Encoding`` is added to every response that was
    compressed or would have been had the client accepted gzip, and to 304s (but those of a
    type never compressed). A strong ``ETag`` is weakened (the bytes differ from the identity
    body), on the 200 and on the 304 that answers it.
    """

    #: A WebSocket route's answer is a 101 without a body: nothing to compress
    #: (``wtf routes`` does not list Gzip on such routes).
    applies_to_websockets = False

    def __init__(
        self,
        min_size: int = 500,
        level: int = 6,
        content_types: Iterable[str] | None = None,
        priority: int = 40,
    ) -> None:
        if not isinstance(min_size, int) or min_size < 0:
            raise ValueError(f"Gzip min_size is a non-negative int, not {min_size!r}")
        if not isinstance(level, int) or not 1 <= level <= 9:
            raise ValueError(f"Gzip level is an int from 1 to 9, not {level!r}")
        types = tuple(DEFAULT_CONTENT_TYPES if content_types is None else content_types)
        if isinstance(content_types, str) or not all(isinstance(t, str) and t for t in types):
            raise ValueError(f"Gzip content_types is a list of types, not {content_types!r}")
        self.min_size = min_size
        self.level = level
        self.priority = clamp(priority)
        self._exact = frozenset(
            t.lower() for t in types if not t.endswith("/") and not t.startswith("+")
        )
        self._prefixes = tuple(t.lower() for t in types if t.endswith("/"))
        self._suffixes = tuple(t.lower() for t in types if t.startswith("+"))

    def compressible(self, content_type: str | None) -> bool:
        """Whether a response of ``content_type`` may be compressed."""
        if not content_type:
            return False
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime in _NEVER:
            return False
        return (
            mime in self._exact or mime.startswith(self._prefixes) or mime.endswith(self._suffixes)
        )

    def accepts(self, header: str) -> bool:
        """Whether an ``Accept-Encoding`` value admits gzip (RFC 9110 §12.5.3): the weight of
        ``gzip`` (or ``x-gzip``) when listed, else that of ``*``; ``gzip;q=0`` refuses gzip
        even when ``*`` is listed too."""
        # PERF: clients send a handful of distinct values; parsed once each.
        accepted = _ACCEPTS.get(header)
        if accepted is None:
            accepted = _gzip_weight(header) > 0
            if len(_ACCEPTS) >= 1024:  # bounded: arbitrary headers cannot grow it
                _ACCEPTS.clear()
            _ACCEPTS[header] = accepted
        return accepted

    def proc(self, ctx: Context) -> Context:
        """Register as the response's body filter."""
        ctx.base_writer.add_filter(self)
        return ctx

    def _accepted(self, environ: dict[str, Any]) -> bool:
        """Whether this request's answer may be compressed (never a HEAD's: no body)."""
        header = environ.get("HTTP_ACCEPT_ENCODING")
        if not header or environ.get("REQUEST_METHOD") == "HEAD":
            return False
        accepted = _ACCEPTS.get(header)
        return self.accepts(header) if accepted is None else accepted

    def _applies(self, base: BufferWriter, size: int | None) -> bool:
        """Whether a response of this status, type and ``size`` (``None``: unknown) would be
        compressed for a client that accepts gzip; if so it varies on ``Accept-Encoding``."""
        status = base.status
        if status < 200 or status in (204, 206):  # a 206's Content-Range counts identity bytes
            return False
        if size is not None and size < self.min_size:
            return False
        if base.header("Content-Encoding") is not None:
            return False
        if not self.compressible(base.header("Content-Type")):
            return False
        add_vary(base, "Accept-Encoding")
        return True

    def whole(self, ctx: Context, base: BufferWriter, body: bytes) -> bytes:
        """The complete body, compressed when it applies and the client accepts gzip."""
        if len(body) < self.min_size and base.status != 304:
            return body  # PERF: the common small body, decided at once
        if base.status == 304:
            self._not_modified(ctx, base)
            return body
        if not self._applies(base, len(body)) or not self._accepted(ctx.environ):
            return body
        _encoded(base)
        return zlib.compress(body, self.level, 31)

    def stream(self, ctx: Context, base: BufferWriter) -> GzipWriter | None:
        """A stream begins: the writer that compresses it, when it applies and the client
        accepts gzip."""
        if base.status == 304:
            self._not_modified(ctx, base)
            return None
        length = base.header("Content-Length")
        size = int(length) if length is not None and length.isdigit() else None
        if not self._applies(base, size) or not self._accepted(ctx.environ):
            return None
        _encoded(base)
        return GzipWriter(base, self.level)

    def _not_modified(self, ctx: Context, base: BufferWriter) -> None:
        """A 304 carries the validator of the variant the client holds (RFC 9110 §15.4.5):
        when that is the compressed one (it sent back our weakened ETag), weaken it again.
        It says ``Vary: Accept-Encoding`` as the 200 did, whichever the client accepts; a 304
        has no body and seldom a ``Content-Type``, so only a type never compressed leaves it
        out."""
        content_type = base.header("Content-Type")
        if content_type is not None and not self.compressible(content_type):
            return
        add_vary(base, "Accept-Encoding")
        etag = base.header("ETag")
        asked = ctx.environ.get("HTTP_IF_NONE_MATCH")
        weak = f"W/{etag}"
        fresh = etag and not etag.startswith("W/") and asked and weak in asked
        if fresh and self._accepted(ctx.environ):
            base.set_header("ETag", weak)

    def __repr__(self) -> str:
        return f"Gzip(min_size={self.min_size}, level={self.level}, priority={self.priority})"


def _encoded(base: BufferWriter) -> None:
    """The headers of a response about to be compressed: the encoding named, its length
    (which counted identity bytes) dropped, a strong ETag weakened (the bytes differ from the
    identity body's)."""
    base.set_header("Content-Encoding", "gzip")
    base.remove_header("Content-Length")
    etag = base.header("ETag")
    if etag and not etag.startswith("W/"):
        base.set_header("ETag", f"W/{etag}")


class GzipWriter(WriterWrapper):
    """Compresses a stream as it passes, each chunk sync-flushed (made by :meth:`Gzip.stream`,
    put directly over the innermost writer)."""

    def __init__(self, inner: Writer, level: int) -> None:
        super().__init__(inner)
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, 31)

    def write(self, data: bytes) -> int:
        """Compress ``data`` and pass on what is ready (sync-flushed)."""
        if not data:
            return 0
        out = self._compressor.compress(data) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
        self.inner.write(out)
        return len(data)

    def flush(self) -> None:
        """Finish the gzip stream (trailer included), then flush the inner writer."""
        if not self._flushed:
            self.inner.write(self._compressor.flush(zlib.Z_FINISH))
        super().flush()


def _gzip_weight(header: str) -> float:
    """The weight ``Accept-Encoding`` gives gzip: the highest of an explicit ``gzip`` or
    ``x-gzip``, else that of ``*``, else 0 (a malformed weight counts as 0)."""
    explicit: float | None = None
    star = 0.0
    for item in header.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
                if not 0.0 <= weight <= 1.0:
                    weight = 0.0
        if coding in ("gzip", "x-gzip"):
            explicit = weight if explicit is None else max(explicit, weight)
        elif coding == "*":
            star = weight
    return explicit if explicit is not None else star
