"""``Gzip``: compress responses for clients that accept gzip (RFC 9110 §8.4.1.3).

Decided on the first body byte, from what is known then: the status, ``Content-Type``,
``Content-Encoding`` and, for bodies of known size, ``Content-Length`` (the server sets it
before writing such a body). A body without ``Content-Length`` is a stream: each write is
compressed and sync-flushed so chunks reach the client as they are produced. The gzip stream
is always finished with its trailer, so strict decoders accept it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..midware_protocol import clamp
from ..vary import add_vary
from ..writer import BufferWriter, WriterWrapper

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
        """Wrap the writer."""
        environ = ctx.environ
        header = environ.get("HTTP_ACCEPT_ENCODING")
        accepted = (_ACCEPTS.get(header) or self.accepts(header)) if header else False
        head = environ.get("REQUEST_METHOD") == "HEAD"
        # PERF: wraps in place instead of ctx.clone(writer=...) (~1.5 µs): the chain goes on
        # with the context proc returns, and a clone would share everything else anyway.
        writer = GzipWriter(self, accepted and not head, environ)
        writer.base = ctx.wrap_writer(writer)
        return ctx

    def __repr__(self) -> str:
        return f"Gzip(min_size={self.min_size}, level={self.level}, priority={self.priority})"


class GzipWriter(WriterWrapper):
    """Compresses what passes through it, once it decided to.

    A body of known size (``Content-Length`` set before the first write) is decided at once.
    Otherwise what is written is held until ``min_size`` bytes arrived (then it is compressed
    from there on, chunk by chunk), the body ends (:meth:`flush`: decided on its whole size),
    or the headers must go out for a stream (:meth:`begin`).
    """

    base: BufferWriter

    def __init__(self, gzip: Gzip, accepted: bool, environ: dict[str, Any]) -> None:
        # PERF: no WriterWrapper.__init__ frame: Context.wrap_writer sets ``inner`` (the writer
        # wrapped) and Gzip.proc sets ``base`` (the innermost writer, whose headers it edits).
        self._flushed = False
        self._gzip = gzip
        self._accepted = accepted
        self._decided = False
        self._compressor: zlib._Compress | None = None
        self._streaming = False
        self._held: list[bytes] = []
        self._held_size = 0
        #: The request's environ (its ``If-None-Match``: a 304 answers the variant the client
        #: holds).
        self.environ = environ

    def _decide(self, size: int | None, streaming: bool) -> None:
        """Decide from the headers; ``size`` is the body's length when known."""
        self._decided = True
        base = self.base
        status = base.status
        if status == 304:
            self._not_modified()
            return
        if status < 200 or status in (204, 206):  # a 206's Content-Range counts identity bytes
            return
        if size is not None and size < self._gzip.min_size:
            return  # PERF: the cheapest test first; small bodies are the common case
        if base.header("Content-Encoding") is not None:
            return
        if not self._gzip.compressible(base.header("Content-Type")):
            return
        add_vary(base, "Accept-Encoding")
        if not self._accepted:
            return
        base.set_header("Content-Encoding", "gzip")
        base.remove_header("Content-Length")
        etag = base.header("ETag")
        if etag and not etag.startswith("W/"):
            base.set_header("ETag", f"W/{etag}")
        self._streaming = streaming
        self._compressor = zlib.compressobj(self._gzip.level, zlib.DEFLATED, 31)

    def _not_modified(self) -> None:
        """A 304 carries the validator of the variant the client holds (RFC 9110 §15.4.5):
        when that is the compressed one (it sent back our weakened ETag), weaken it again.
        It says ``Vary: Accept-Encoding`` as the 200 did, whichever the client accepts; a 304
        has no body and seldom a ``Content-Type``, so only a type never compressed leaves it
        out."""
        base = self.base
        content_type = base.header("Content-Type")
        if content_type is not None and not self._gzip.compressible(content_type):
            return
        add_vary(base, "Accept-Encoding")
        etag = base.header("ETag")
        asked = self.environ.get("HTTP_IF_NONE_MATCH")
        if self._accepted and etag and not etag.startswith("W/") and asked and f"W/{etag}" in asked:
            base.set_header("ETag", f"W/{etag}")

    def whole(self, body: bytes) -> bytes | None:
        """PERF: a complete, non-empty body, whose ``Content-Length`` is set, written to the base
        writer straight away: return what :meth:`write` and :meth:`flush` would pass on, or
        ``None`` when this writer does not wrap the base writer directly (write instead)."""
        if self.inner is not self.base or self._decided or self._held:
            return None
        if len(body) < self._gzip.min_size:  # PERF: the common small body, without _decide
            self._decided = self._flushed = True
            return body
        self._decide(len(body), False)
        self._flushed = True
        compressor, self._compressor = self._compressor, None
        if compressor is None:
            return body
        return compressor.compress(body) + compressor.flush(zlib.Z_FINISH)

    def write(self, data: bytes) -> int:
        """Compress ``data`` (a stream's chunk is sync-flushed at once)."""
        if not data:
            return 0
        if not self._decided:
            length = self.base.header("Content-Length")
            if length is not None and length.isdigit():  # a whole body of known size
                self._decide(int(length), False)
            else:  # unknown size: hold until min_size, the end, or the headers must go
                self._held.append(data)
                self._held_size += len(data)
                if self._held_size >= self._gzip.min_size:
                    # Still buffered (nothing goes out before the handler returns or a stream
                    # begins): compressed without sync flushes, so the bytes are those of the
                    # same body returned whole.
                    self._release(streaming=False, complete=False)
                return len(data)
        self._pass(data)
        return len(data)

    def _pass(self, data: bytes) -> None:
        compressor = self._compressor
        if compressor is None:
            self.inner.write(data)
            return
        out = compressor.compress(data)
        if self._streaming:
            out += compressor.flush(zlib.Z_SYNC_FLUSH)
        if out:
            self.inner.write(out)

    def _release(self, streaming: bool, complete: bool = True) -> None:
        """Decide (on the held size, when the body is complete) and pass what was held."""
        held, self._held = self._held, []
        size, self._held_size = self._held_size, 0
        self._decide(size if complete and not streaming else None, streaming)
        if held:
            self._pass(b"".join(held))

    def begin(self) -> None:
        """The headers are about to be sent (a stream starts): decide now, and from now on
        send what is compressed as it comes (sync-flushed)."""
        if not self._decided:
            self._release(streaming=True)
        elif self._compressor is not None and not self._streaming:
            self._streaming = True
            out = self._compressor.flush(zlib.Z_SYNC_FLUSH)
            if out:
                self.inner.write(out)
        super().begin()

    def flush(self) -> None:
        """Decide on what is held, finish the gzip stream (trailer included), then flush the
        inner writer."""
        if not self._decided:
            self._release(streaming=False)
        compressor, self._compressor = self._compressor, None
        if compressor is not None:
            self.inner.write(compressor.flush(zlib.Z_FINISH))
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
