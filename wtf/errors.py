"""wtf's error hierarchy. Registration errors build on the router's own (:mod:`wtf.router`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NotRequired, TypedDict

from werkzeug.http import HTTP_STATUS_CODES

from .router.errors import RouteError

__all__ = [
    "ConnectionTaken",
    "FieldError",
    "HTTPError",
    "HandlerError",
    "RegistrationError",
    "ValidationError",
    "WtfError",
]


class WtfError(Exception):
    """Base class of wtf's own errors."""


class ConnectionTaken(BaseException):
    """A handler took the client connection over (a WebSocket) and served it to its end.

    Raised past every ``except Exception`` in the request cycle, which turns it into what the
    WSGI server expects of an app that used the socket itself (gunicorn: ``StopIteration``,
    so it closes the connection without writing a response or logging an error).
    """


class RegistrationError(WtfError, RouteError):
    """A mistake found while registering a route, handler, ArgBuilder or midware.

    It is also a :class:`wtf.router.RouteError` (and so a :class:`ValueError`).
    """


class HandlerError(RegistrationError):
    """A handler or ArgBuilder whose parameters cannot be injected.

    The message names the function (``module.qualname``), the parameter, its annotation and
    how to fix it.
    """


class HTTPError(WtfError):
    """Raise anywhere in a handler, ArgBuilder or midware to answer with an HTTP error.

    The client gets ``status`` and ``message`` as an RFC 9457 problem (or short text, when it
    prefers text); nothing else the handler wrote is sent.

    Args:
        status: The HTTP status code (4xx or 5xx, usually).
        message: The detail shown to the client; defaults to the status's reason phrase.
        headers: Extra response headers (``Retry-After``, ``WWW-Authenticate``...).

    Examples:
        >>> raise HTTPError(404, "no such note: 7")  # doctest: +SKIP
    """

    def __init__(
        self,
        status: int,
        message: str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        if not isinstance(status, int) or not 100 <= status <= 999:
            raise ValueError(f"HTTPError status must be an int from 100 to 999, not {status!r}")
        self.status = status
        self.message = message if message is not None else HTTP_STATUS_CODES.get(status, "Error")
        if isinstance(headers, Mapping):
            headers = list(headers.items())
        self.headers: list[tuple[str, str]] = list(headers or ())
        super().__init__(status, self.message)

    def __str__(self) -> str:
        return f"{self.status} {self.message}"


class FieldError(TypedDict):
    """One entry of a :class:`ValidationError`'s ``errors`` (the shape pydantic and FastAPI use).

    Attributes:
        loc: Where the value was: ``["body", "items", 0, "qty"]``, ``["query", "page"]``.
        msg: What is wrong, for people.
        type: What is wrong, for programs (``missing``, ``int_type``, ``extra_forbidden``...).
        ctx: For a constraint, the limit (``{"ge": 1}``, ``{"max_length": 100}``), as pydantic
            gives it.
    """

    loc: list[str | int]
    msg: str
    type: str
    ctx: NotRequired[dict[str, Any]]


class ValidationError(HTTPError):
    """A request that was well-formed but did not fit what the handler asked for.

    Answered 422 (RFC 9110 §15.5.21) as a problem whose ``errors`` member lists every bad
    field. A malformed body (not JSON, bad encoding) is a plain 400 :class:`HTTPError` instead.

    Args:
        errors: One :class:`FieldError` per bad field.
        status: 422 unless given.

    Examples:
        >>> raise ValidationError([{"loc": ["query", "page"], "msg": "not an int",
        ...                         "type": "int_parsing"}])  # doctest: +SKIP
    """

    def __init__(self, errors: Sequence[FieldError], status: int = 422) -> None:
        self.errors: list[FieldError] = list(errors)
        #: Errors found but not listed (validation keeps the first 50, see ``FieldErrors``).
        self.omitted: int = getattr(errors, "omitted", 0)
        count = len(self.errors) + self.omitted
        first = self.errors[0] if self.errors else None
        where = ".".join(str(part) for part in first["loc"]) if first else ""
        summary = f"{where}: {first['msg']}" if first else "invalid request"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(status, f"{summary}{more}")

    def extensions(self) -> dict[str, Any]:
        """The problem's extension members (RFC 9457 §3.2): ``errors``, and ``omitted`` (how
        many more errors there were) when the list was cut."""
        if self.omitted:
            return {"errors": self.errors, "omitted": self.omitted}
        return {"errors": self.errors}
