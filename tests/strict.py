"""Calling a WSGI app as a strict server does: gunicorn's own checks, then close().

``start_response`` refuses what gunicorn's refuses (it uses gunicorn's own patterns for status
lines, header names and values), and a second call without ``exc_info`` fails like gunicorn's
("Response headers already set!"). When the app raises, the exchange is recorded as the 500
gunicorn would send itself.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from gunicorn.http.message import TOKEN_RE
from gunicorn.http.wsgi import HEADER_VALUE_RE, STATUS_RE
from werkzeug.test import EnvironBuilder

ExcInfo = tuple[type[BaseException], BaseException, TracebackType]


@dataclass
class Exchange:
    """What a strict server saw of one request."""

    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    #: The app raised out of the WSGI call (the server answered its own 500).
    crashed: BaseException | None = None
    #: The app called ``start_response`` again without ``exc_info``, or with bad fields.
    refused: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The first value of ``name``, or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class StrictStartResponse:
    """gunicorn's ``start_response`` checks, recording instead of sending."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.status: str | None = None
        self.sent = False

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None
    ) -> Any:
        if exc_info:
            if self.status and self.sent:
                raise exc_info[1].with_traceback(exc_info[2])
        elif self.status is not None:
            self.exchange.refused.append("start_response called twice")
            raise AssertionError("Response headers already set!")
        if not isinstance(status, str) or not STATUS_RE.fullmatch(status):
            self.exchange.refused.append(f"status {status!r}")
            raise ValueError(f"Invalid status {status!r}")
        self.status = status  # set before the headers are checked, as gunicorn does
        for name, value in headers:
            if not isinstance(name, str) or not TOKEN_RE.fullmatch(name):
                self.exchange.refused.append(f"header name {name!r}")
                raise ValueError(f"invalid header name {name!r}")
            if not isinstance(value, str) or not HEADER_VALUE_RE.fullmatch(value):
                self.exchange.refused.append(f"header value of {name!r}")
                raise ValueError(f"invalid header value of {name!r}")
        self.exchange.status = int(status[:3])
        self.exchange.headers = list(headers)
        return lambda data: None


def call(app: Any, path: str = "/", method: str = "GET", **builder: Any) -> Exchange:
    """Send one request to ``app`` as a strict server would; read and close the body."""
    environ = EnvironBuilder(path=path, method=method, **builder).get_environ()
    environ["wsgi.errors"] = io.StringIO()
    return call_environ(app, environ)


def call_environ(app: Any, environ: dict[str, Any]) -> Exchange:
    """Like :func:`call`, for a ready environ."""
    exchange = Exchange()
    start = StrictStartResponse(exchange)
    result: Iterable[bytes] | None = None
    try:
        result = app(environ, start)
        chunks = []
        for chunk in result:
            start.sent = True
            chunks.append(chunk)
        exchange.body = b"".join(chunks)
        if start.status is None:
            raise AssertionError("the app returned without calling start_response")
    except BaseException as exc:  # the server sees any failure as a 500
        if isinstance(exc, KeyboardInterrupt):
            raise
        exchange.crashed = exc
        exchange.status, exchange.headers, exchange.body = 500, [], b"Internal Server Error"
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return exchange
