"""``wtf.Response``: the response-writer API injected into handlers.

Every call goes through the context's writer, so midware that wrapped the writer (gzip, ...)
see everything the handler writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from werkzeug.http import dump_cookie
from werkzeug.urls import iri_to_uri

if TYPE_CHECKING:
    from werkzeug.datastructures import Headers

    from .context import Context

__all__ = ["Response"]


class Response:
    """Write a response: status, headers, body, cookies, redirects.

    Example:
        >>> def hello(resp: Response) -> None:
        ...     resp.headers["X-Hello"] = "1"
        ...     resp.write_header(201)
        ...     resp.write_string("created")
    """

    __slots__ = ("_ctx",)

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @property
    def headers(self) -> Headers:
        """The response headers (werkzeug ``Headers``)."""
        return self._ctx.writer.headers

    @property
    def status(self) -> int:
        """The status code as it stands."""
        return self._ctx.writer.status

    def write_header(self, code: int) -> None:
        """Set the status code; the last call before the first body byte wins.

        Raises:
            ValueError: ``code`` is not an int from 100 to 999.
        """
        if not isinstance(code, int) or not 100 <= code <= 999:
            raise ValueError(f"a status code is an int from 100 to 999, not {code!r}")
        self._ctx.writer.write_header(code)

    def write(self, data: bytes | str) -> int:
        """Write body bytes (a ``str`` is UTF-8 encoded); return the bytes written."""
        if isinstance(data, str):
            data = data.encode()
        return self._ctx.writer.write(data)

    def write_string(self, text: str) -> int:
        """Write text; sets ``Content-Type: text/plain; charset=utf-8`` unless one is set."""
        headers = self.headers
        if "Content-Type" not in headers:
            headers["Content-Type"] = "text/plain; charset=utf-8"
        return self.write(text.encode())

    def write_json(self, obj: Any) -> int:
        """Write ``obj`` as JSON; sets ``Content-Type: application/json`` unless one is set."""
        headers = self.headers
        if "Content-Type" not in headers:
            headers["Content-Type"] = "application/json"
        return self.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode())

    def write_stream(self, chunks: Iterable[bytes | str]) -> None:
        """Stream ``chunks`` after the handler returns, each through the writer chain."""
        self._ctx.stream = iter(chunks)

    def redirect(self, location: str, code: int = 302) -> None:
        """Answer with a redirect to ``location`` (RFC 9110 §15.4).

        Args:
            location: The target URL; non-ASCII characters are percent-encoded.
            code: 301, 302, 303, 307 or 308.
        """
        if code not in (301, 302, 303, 307, 308):
            raise ValueError(f"a redirect status is 301, 302, 303, 307 or 308, not {code!r}")
        self.headers["Location"] = iri_to_uri(location)
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
        """Add a ``Set-Cookie`` header (quoted by werkzeug's ``dump_cookie``)."""
        self.headers.add(
            "Set-Cookie",
            dump_cookie(
                key,
                value,
                max_age=max_age,
                expires=expires,
                path=path,
                domain=domain,
                secure=secure,
                httponly=httponly,
                samesite=samesite,
            ),
        )

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
