"""wtf's error hierarchy. Registration errors build on the router's own (:mod:`wtf.router`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from werkzeug.http import HTTP_STATUS_CODES

from .router.errors import RouteError

__all__ = ["HTTPError", "HandlerError", "RegistrationError", "WtfError"]


class WtfError(Exception):
    """Base class of wtf's own errors."""


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

    Example:
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
