"""``wtf.Response``: the response-writer API injected into handlers.

Every call goes through the context's writer, so midware that wrapped the writer (gzip, ...)
see everything the handler writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any
from xml.etree import ElementTree

from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import dump_cookie
from werkzeug.urls import iri_to_uri
from werkzeug.wsgi import FileWrapper

from .errors import HTTPError
from .fields import check_status
from .redirects import check_location
from .rendering import JSON, MSGPACK, TEXT, XML, encode_msgpack, encode_xml, require_msgpack
from .writer import BufferWriter, Writer

if TYPE_CHECKING:
    from werkzeug.datastructures import Headers
    from werkzeug.wrappers import Response as WerkzeugResponse

    from .context import Context

__all__ = ["Response", "write_werkzeug"]

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _octal(match: re.Match[str]) -> str:
    return f"\\{ord(match.group()):03o}"


class Response:
    """Write a response: status, headers, body, cookies, redirects.

    Examples:
        >>> def hello(resp: Response) -> None:
        ...     resp.headers["X-Hello"] = "1"
        ...     resp.write_header(201)
        ...     resp.write_string("created")
    """

    __slots__ = ("_binds", "_ctx", "_writer")

    def __init__(self, ctx: Context, bind: bool = False) -> None:
        """A Response writes through ``ctx.writer``: as it is at each call, or, with ``bind``
        (a handler's, made after midware ran), as it is at the first call, kept from then on.
        The writer is made at the first call, so a handler that takes a Response and returns
        a value costs no writer."""
        self._ctx = ctx
        self._writer: Writer | None = None
        self._binds = bind

    def _bind(self) -> Writer:
        """The writer to write through now (kept when this Response binds)."""
        writer = self._ctx.writer
        if self._binds:
            self._writer = writer
        return writer

    @property
    def headers(self) -> Headers:
        """The response headers (werkzeug ``Headers``)."""
        return (self._writer or self._bind()).headers

    @property
    def status(self) -> int:
        """The status code as it stands."""
        return (self._writer or self._bind()).status

    def write_header(self, code: int) -> None:
        """Set the status code; the last call before the first body byte wins.

        Raises:
            ValueError: ``code`` is not an int from 200 to 599.
        """
        (self._writer or self._bind()).write_header(check_status(code))

    def write(self, data: bytes | str) -> int:
        """Write body bytes (a ``str`` is UTF-8 encoded); return the bytes written."""
        if isinstance(data, str):
            data = data.encode()
        return (self._writer or self._bind()).write(data)

    def write_string(self, text: str) -> int:
        """Write text; sets ``Content-Type: text/plain; charset=utf-8`` unless one is set."""
        writer = self._writer or self._bind()
        if type(writer) is BufferWriter:  # PERF: no midware wrapped it: one call
            return writer.write_typed(text.encode(), TEXT)
        return _write_typed(writer, text.encode(), TEXT)

    def write_json(self, obj: Any) -> int:
        """Write ``obj`` as JSON; sets ``Content-Type: application/json`` unless one is set."""
        data = self._ctx.server.json_encoder(obj)
        writer = self._writer or self._bind()
        if type(writer) is BufferWriter:  # PERF: as write_string
            return writer.write_typed(data, JSON)
        return _write_typed(writer, data, JSON)

    def write_msgpack(self, obj: Any) -> int:
        """Write ``obj`` as MessagePack (``Content-Type: application/msgpack`` unless one is
        set); needs the ``msgpack`` extra.

        Raises:
            RegistrationError: msgpack is not installed.
        """
        require_msgpack()
        return _write_typed(self._writer or self._bind(), encode_msgpack(obj), MSGPACK)

    def write_xml(
        self, data: ElementTree.Element | Mapping[str, Any] | str | bytes, root: str = "root"
    ) -> int:
        """Write XML: an ``ElementTree.Element``, a mapping (as ``<root><key>value</key>
        </root>``) or ready XML text; sets ``Content-Type: application/xml; charset=utf-8``
        unless one is set."""
        return _write_typed(self._writer or self._bind(), encode_xml(data, root), XML)

    def send_file(
        self,
        path_or_file: str | os.PathLike[str] | IO[bytes],
        *,
        mimetype: str | None = None,
        as_attachment: bool = False,
        download_name: str | None = None,
        conditional: bool = True,
        etag: bool | str = True,
        last_modified: datetime | int | float | None = None,
        max_age: int | None = None,
    ) -> None:
        """Send a file with werkzeug's ``send_file``: ``Content-Type`` from the name, ``ETag``
        and ``Last-Modified``, ``304`` for conditional requests (RFC 9110 §13) and ``206``
        for ``Range`` requests (RFC 9110 §14), streamed in blocks.

        Args:
            path_or_file: A path (the caller's; never a client's path as is, see
                :meth:`send_from_directory`) or a binary file object.
            mimetype: The content type (guessed from the name by default).
            as_attachment: ``Content-Disposition: attachment`` (a download).
            download_name: The name the client sees.
            conditional: Answer conditional and range requests.
            etag: Compute an ETag (``True``), use this one (``str``), or none.
            last_modified: The ``Last-Modified`` time (the file's by default).
            max_age: ``Cache-Control: max-age`` in seconds.

        Raises:
            HTTPError: 404 when the path does not exist; 416 for a range outside the file.
        """
        from werkzeug.http import parse_range_header
        from werkzeug.utils import send_file

        environ = self._ctx.environ
        asked = environ.get("HTTP_RANGE")
        if asked is not None:
            ranges = parse_range_header(asked)
            if ranges is None or ranges.units != "bytes" or len(ranges.ranges) != 1:
                # Malformed, another unit, or several ranges (no multipart/byteranges): RFC 9110
                # §14.2 lets a server ignore Range; the whole file is a 200.
                environ = {k: v for k, v in environ.items() if k != "HTTP_RANGE"}
        try:
            sent = send_file(
                path_or_file,
                environ,
                mimetype=mimetype,
                as_attachment=as_attachment,
                download_name=download_name,
                conditional=conditional,
                etag=etag,
                last_modified=last_modified,
                max_age=max_age,
            )
        except FileNotFoundError:
            raise HTTPError(404, "no such file") from None
        except RequestedRangeNotSatisfiable as exc:
            raise HTTPError(
                416, "the requested range is outside the file", _range_headers(exc)
            ) from None
        write_werkzeug(self._ctx, sent)

    def send_from_directory(
        self,
        directory: str | os.PathLike[str],
        path: str,
        *,
        follow_links: bool = False,
        **options: Any,
    ) -> None:
        """Send ``directory/path`` where ``path`` may come from the client: anything that
        would leave ``directory`` answers 404, like a missing file: ``..``, absolute paths,
        and symbolic links (anywhere on the path) that resolve outside ``directory``.

        Args:
            directory: The directory served.
            path: The file's path inside it (from the client, usually).
            follow_links: Also serve links that lead outside ``directory`` (only for a
                directory whose links you trust).
            **options: :meth:`send_file`'s options.
        """
        from werkzeug.security import safe_join

        root = os.fspath(directory)
        joined = safe_join(root, path)
        if joined is None or not os.path.isfile(joined):
            raise HTTPError(404, "no such file")
        if not follow_links:
            real_root = os.path.realpath(root)
            real = os.path.realpath(joined)
            if os.path.commonpath((real_root, real)) != real_root:
                raise HTTPError(404, "no such file")
            joined = real  # what was checked is what is opened
        self.send_file(joined, **options)

    def write_stream(self, chunks: Iterable[bytes | str]) -> None:
        """Stream ``chunks`` after the handler returns, each through the writer chain."""
        self._ctx.stream = iter(chunks)

    def redirect(self, location: str, code: int = 302) -> None:
        """Answer with a redirect to ``location`` (RFC 9110 §15.4).

        The target is never rewritten into another one: a location with a control character
        (``\\t``, ``\\n``, NUL...) raises instead of losing it. To redirect only within this
        site (a ``next=`` parameter, say), pass the target through :func:`wtf.local_url`.

        Args:
            location: The target URL; non-ASCII characters are percent-encoded.
            code: 301, 302, 303, 307 or 308.

        Raises:
            ValueError: A bad code, or a location with a control character.
        """
        if code not in (301, 302, 303, 307, 308):
            raise ValueError(f"a redirect status is 301, 302, 303, 307 or 308, not {code!r}")
        self.headers["Location"] = iri_to_uri(check_location(location))
        self.write_header(code)

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: timedelta | int | None = None,
        expires: str | datetime | int | float | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
    ) -> None:
        """Add a ``Set-Cookie`` header (quoted by werkzeug's ``dump_cookie``; the control
        characters it leaves as they are get the same octal escapes, which ``parse_cookie``
        reads back)."""
        header = dump_cookie(
            key,
            value,
            max_age=max_age,
            expires=expires,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
        )
        self.headers.add("Set-Cookie", _CONTROL.sub(_octal, header))

    def delete_cookie(
        self,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
    ) -> None:
        """Expire the cookie ``key`` in the client."""
        self.set_cookie(
            key,
            expires=0,
            max_age=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
        )

    def __repr__(self) -> str:
        return f"<wtf.Response {self.status}>"


def _write_typed(writer: Writer, data: bytes, content_type: str) -> int:
    """Write ``data``, setting ``Content-Type`` to ``content_type`` unless one is set."""
    if type(writer) is BufferWriter:
        return writer.write_typed(data, content_type)
    headers = writer.headers
    if "Content-Type" not in headers:
        headers["Content-Type"] = content_type
    return writer.write(data)


def _range_headers(exc: RequestedRangeNotSatisfiable) -> list[tuple[str, str]]:
    length = getattr(exc, "length", None)
    return [("Content-Range", f"bytes */{length}")] if length is not None else []


#: Bytes per read when wtf streams a file itself (no server file wrapper, e.g. granian).
FILE_BLOCK = 64 * 1024


def write_werkzeug(ctx: Context, result: WerkzeugResponse) -> None:
    """Send a werkzeug ``Response`` (what ``send_file`` makes, or a handler returned) through
    ``ctx``'s writer: its status and headers now, its body as the stream."""
    writer = ctx.writer
    headers = writer.headers
    writer.write_header(result.status_code)
    # werkzeug's own view of what goes out (no entity headers on a 304, ...); Content-Length
    # included: a file's size is known.
    for name, value in result.get_wsgi_headers(ctx.environ).items():
        headers.add(name, value)
    # get_app_iter: nothing for HEAD, 304 and the like (and the file is then closed).
    body = result.get_app_iter(ctx.environ)
    file_wrapper = ctx.environ.get("wsgi.file_wrapper")
    # PEP 3333 allows any callable; only a class can be recognised (gunicorn's is one).
    if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
        # The server's own file wrapper (gunicorn: sendfile): kept as it is, so that sending
        # can hand it to the server when no writer wrapper needs the bytes.
        ctx.stream = body  # type: ignore[assignment]  # a server's wrapper iterates bytes
    else:
        if isinstance(body, FileWrapper):  # werkzeug's own: 8 KiB reads by default
            body.buffer_size = FILE_BLOCK  # PERF: 8x fewer trips through the stream path
        ctx.stream = _closing_iter(iter(body), result)


def _closing_iter(chunks: Iterator[bytes], owner: WerkzeugResponse) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        owner.close()
