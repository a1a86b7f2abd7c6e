"""``wtf.Request``: the request as handlers see it, backed by werkzeug.

Building a werkzeug request costs microseconds, so it is built on first use of a parsing
feature (``args``, ``form``, ``json``...); cheap facts (``method``, ``path``) come straight
from the WSGI environ.
"""

from __future__ import annotations

import io
import json
import re
from tempfile import SpooledTemporaryFile
from typing import IO, TYPE_CHECKING, Any

from werkzeug.formparser import FormDataParser
from werkzeug.wrappers import Request as WerkzeugRequest

from .errors import HTTPError, ValidationError
from .request_limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.datastructures import (
        FileStorage,
        Headers,
        ImmutableMultiDict,
        MultiDict,
    )

__all__ = ["Request"]

# Byte order marks: UTF-8, UTF-16 LE/BE (UTF-32 LE/BE start with these too).
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_SURROGATE = re.compile("[\ud800-\udfff]")


class Request:
    """The request of one WSGI call.

    Attributes:
        environ: The WSGI environ.
        path: The decoded path the router matched (UTF-8).
        parsed: Whether werkzeug's request was made (then :meth:`close` may have files to
            close).

    Everything werkzeug's request offers is reachable through :attr:`raw` (and the common
    parts directly): ``args``, ``form``, ``files``, ``json``, ``headers``, ``cookies``,
    ``get_data()``, ``get_json()``.
    """

    __slots__ = ("_body", "_limits", "_raw", "environ", "parsed", "path")

    def __init__(
        self, environ: WSGIEnvironment, path: str, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        self.environ = environ
        self.path = path
        self._limits = limits
        self._raw: WerkzeugRequest | None = None
        self._body: bytes | None = None
        self.parsed = False

    @property
    def raw(self) -> WerkzeugRequest:
        """The werkzeug request (built once, on first use)."""
        raw = self._raw
        if raw is None:
            # populate_request=False: no environ["werkzeug.request"] -> request cycle for the GC
            raw = self._raw = _RawRequest(self.environ, populate_request=False)
            self.parsed = True
            raw.apply(self._limits)
        return raw

    def close(self) -> None:
        """Close what werkzeug parsed, if it parsed anything (uploaded files are temp files)."""
        raw = self._raw
        if raw is not None:
            raw.close()

    def use_limits(self, limits: Limits) -> None:
        """Apply ``limits`` (a route's own) to what has not been read yet."""
        self._limits = limits
        raw = self._raw
        if isinstance(raw, _RawRequest):
            raw.apply(limits)

    @property
    def method(self) -> str:
        """The request method, upper-case."""
        return str(self.environ.get("REQUEST_METHOD", "GET")).upper()

    @property
    def query_string(self) -> bytes:
        """The raw query string."""
        return str(self.environ.get("QUERY_STRING", "")).encode("latin-1")

    @property
    def args(self) -> MultiDict[str, str]:
        """The parsed query string.

        Raises:
            HTTPError: 400 when it has more than ``Limits.max_query_params`` parameters.
        """
        query = self.environ.get("QUERY_STRING", "")
        limit = self._limits.max_query_params
        if query.count("&") >= limit:  # werkzeug splits on "&" only
            raise HTTPError(400, f"too many query parameters (the limit is {limit})")
        return self.raw.args

    @property
    def form(self) -> ImmutableMultiDict[str, str]:
        """Form fields of a urlencoded or multipart body."""
        return self.raw.form

    @property
    def files(self) -> ImmutableMultiDict[str, FileStorage]:
        """Uploaded files of a multipart body."""
        return self.raw.files

    @property
    def headers(self) -> Headers:
        """The request headers (case-insensitive)."""
        return self.raw.headers

    @property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        """The request cookies."""
        return self.raw.cookies

    @property
    def json(self) -> Any:
        """The body parsed as JSON.

        Raises:
            HTTPError: 415 when the ``Content-Type`` is not JSON, 400 when the body is not valid
                JSON (as werkzeug answers).
        """
        return self.get_json()

    @property
    def is_json(self) -> bool:
        """Whether the ``Content-Type`` is ``application/json`` or ``application/*+json``."""
        mimetype = str(self.environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
        return mimetype == "application/json" or (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        )

    @property
    def content_type(self) -> str | None:
        """The ``Content-Type`` header."""
        return self.raw.content_type

    def get_data(self, as_text: bool = False) -> bytes | str:
        """The raw body (bytes, or str with ``as_text=True``, UTF-8 with replacement)."""
        body = self._read_body()
        return body.decode("utf-8", "replace") if as_text else body

    def get_json(self, silent: bool = False) -> Any:
        """The body parsed as JSON; ``None`` on failure with ``silent=True``.

        Raises:
            HTTPError: 415 for a non-JSON ``Content-Type``, 400 for a malformed body.
        """
        if not self.is_json:
            if silent:
                return None
            raise HTTPError(415, "expected a JSON body (Content-Type: application/json)")
        body = self._read_body()
        detected = b"\x00" in body[:4] or body.startswith(_BOMS)
        try:
            # UTF-16/32 or a BOM: the stdlib detects which. PERF: UTF-8 (RFC 8259) is decoded
            # here, strictly (no encoded surrogates): the detection costs ~600 ns.
            value = json.loads(body if detected else body.decode("utf-8"))
        except ValueError as exc:
            if silent:
                return None
            raise HTTPError(400, f"the body is not valid JSON: {exc}") from None
        except RecursionError:  # "[[[[...": the decoder recurses per level
            if silent:
                return None
            raise HTTPError(400, "the JSON body is nested too deeply") from None
        limit = self._limits.max_json_depth
        # PERF: fewer opening brackets than the limit cannot nest deeper; only then walk.
        if body.count(b"[") + body.count(b"{") > limit and _depth(value) > limit:
            if silent:
                return None
            raise HTTPError(400, f"the JSON body is nested deeper than {limit} levels")
        # A "\\ud800" escape is valid JSON but no valid text: it must not reach handlers. PERF:
        # only a body with such an escape (or decoded by the stdlib, which lets raw surrogates
        # through) is walked.
        if detected or (b"\\u" in body and (b"\\ud" in body or b"\\uD" in body)):
            where = lone_surrogate(value)
            if where is not None:
                if silent:
                    return None
                raise ValidationError(
                    [
                        {
                            "loc": ["body", *where],
                            "msg": "a string with a lone UTF-16 surrogate is not valid text",
                            "type": "string_unicode",
                        }
                    ]
                )
        return value

    def get_msgpack(self) -> Any:
        """The body parsed as MessagePack (the ``msgpack`` extra), held to the same nesting
        limit (``max_json_depth``) and text rules as JSON.

        Raises:
            HTTPError: 415 without the ``msgpack`` extra, 400 for a malformed or too deep body.
        """
        try:
            import msgpack
        except ImportError:
            raise HTTPError(415, "MessagePack bodies are not accepted here") from None
        body = self._read_body()
        limit = self._limits.max_json_depth
        try:
            value = msgpack.unpackb(body, raw=False, strict_map_key=False)  # strict UTF-8
        except Exception:  # msgpack raises several unrelated types for bad input
            raise HTTPError(400, "the body is not valid MessagePack") from None
        if _depth(value) > limit:
            raise HTTPError(400, f"the MessagePack body is nested deeper than {limit} levels")
        return value

    def _read_body(self) -> bytes:
        """Read the body once (PEP 3333: ``CONTENT_LENGTH`` bytes, or to the end when the
        server set ``wsgi.input_terminated``), and hand werkzeug a copy to parse forms from.

        PERF: werkzeug's own path costs ~30 µs more per JSON request.
        """
        # PERF: plain None checks; a missing slot would go through __getattr__ and raise.
        if self._body is not None:
            return self._body
        raw = self._raw
        if raw is not None and "stream" in raw.__dict__:  # werkzeug read it: ask werkzeug
            body = self._body = raw.get_data()
            return body
        environ = self.environ
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        limit = self._limits.max_body_size
        if length:
            if not length.isdigit():
                raise HTTPError(400, f"invalid Content-Length: {length[:40]!r}")
            expected = int(length)
            if expected > limit:  # answered before reading any of it
                raise HTTPError(413, f"the request body is over {limit} bytes")
            body = stream.read(expected) if expected else b""
            if len(body) < expected:
                raise HTTPError(400, "the request body ended before Content-Length bytes")
        elif environ.get("wsgi.input_terminated"):
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise HTTPError(413, f"the request body is over {limit} bytes")
        else:
            body = b""
        environ["wsgi.input"] = io.BytesIO(body)
        self._body = body
        return body

    def __getattr__(self, name: str) -> Any:
        # Anything else werkzeug's request has (host, url, accept_mimetypes, ...).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.raw, name)

    def __repr__(self) -> str:
        return f"<wtf.Request {self.method} {self.path!r}>"


class _RawRequest(WerkzeugRequest):
    """werkzeug's request, counting and capping uploaded files as they are parsed."""

    max_files = DEFAULT_LIMITS.max_files
    max_file_size: int | None = None
    _streams: list[IO[bytes]] | None = None

    def make_form_data_parser(self) -> FormDataParser:
        """werkzeug's parser, told to raise on a malformed body (by default it answers an
        empty form, so a truncated or garbled multipart upload was bound as "no fields")."""
        parser = super().make_form_data_parser()
        parser.silent = False
        return parser

    def _load_form_data(self) -> None:
        try:
            super()._load_form_data()
        except ValueError as exc:  # MultipartDecoder: no closing boundary, a part cut short
            detail = (
                "the multipart Content-Type has no boundary"
                if "boundary" in str(exc)
                else "the multipart body is malformed (it ends inside a part or before its "
                "closing boundary)"
            )
            raise HTTPError(400, detail) from None

    def apply(self, limits: Limits) -> None:
        """Use ``limits`` for what is parsed from now on."""
        self.max_content_length = limits.max_body_size  # werkzeug answers 413
        self.max_form_parts = limits.max_form_parts
        self.max_files = limits.max_files
        self.max_file_size = limits.max_file_size

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        streams = self._streams
        if streams is None:
            streams = self._streams = []
        if len(streams) >= self.max_files:
            raise HTTPError(413, f"too many files in the form (the limit is {self.max_files})")
        stream = _CappedFile(self.max_file_size, filename or "")
        streams.append(stream)  # closed by close(), also when parsing failed half-way
        return stream

    def close(self) -> None:
        """Close the uploaded files, those of a form that failed to parse included."""
        try:
            super().close()
        finally:
            for stream in self._streams or ():
                stream.close()


class _CappedFile(SpooledTemporaryFile):  # type: ignore[type-arg]
    """A spooled temp file (in memory up to 500 KiB, like werkzeug's) that refuses to grow
    past ``limit`` bytes."""

    def __init__(self, limit: int | None, filename: str) -> None:
        super().__init__(max_size=500 * 1024, mode="rb+")
        self._limit = limit
        self._filename = filename
        self._size = 0

    def write(self, data: Any) -> int:
        self._size += len(data)
        if self._limit is not None and self._size > self._limit:
            self.close()  # werkzeug never saw this file: nobody else will close it
            raise HTTPError(413, f"the file {self._filename[:60]!r} is over {self._limit} bytes")
        written: int = super().write(data)
        return written


def lone_surrogate(value: Any) -> list[str | int] | None:
    """The location of the first string (or key) in parsed JSON with a lone UTF-16 surrogate,
    which no UTF-8 encoder accepts; ``None`` when there is none (iterative)."""
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        item, loc = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item):
                return loc
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and not key.isascii() and _SURROGATE.search(key):
                    return [*loc, key]
                stack.append((child, [*loc, key]))
        elif isinstance(item, list):
            stack.extend((child, [*loc, index]) for index, child in enumerate(item))
    return None


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON (iterative: no recursion limit)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest
