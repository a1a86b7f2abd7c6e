"""Testing helpers: call a wtf app in-process, as a WSGI server would.

Examples:
    >>> from wtf.testing import Client
    >>> client = Client(app)  # doctest: +SKIP
    >>> client.get("/hello/ann").text  # doctest: +SKIP
    'Hello, ann'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from wsgiref.validate import validator

from werkzeug.test import Client as _WerkzeugClient
from werkzeug.test import TestResponse

from .realtime.testing import HubClient, TestWebSocket, WebSocketRefused

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["Client", "HubClient", "TestWebSocket", "WebSocketRefused"]


class Client(_WerkzeugClient):
    """werkzeug's test client, optionally checking every exchange against PEP 3333.

    Args:
        app: The WSGI application (a :class:`wtf.Server`).
        validate: Wrap ``app`` in :func:`wsgiref.validate.validator`, which raises on any
            WSGI protocol violation.
    """

    def __init__(self, app: WSGIApplication, validate: bool = False) -> None:
        super().__init__(validator(app) if validate else app)

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> TestResponse:
        """Send a request; the body is read and ``close()`` called, as a WSGI server does.

        Pass ``buffered=False`` to read a streamed body lazily (then close the response).
        """
        return super().open(*args, buffered=buffered, **kwargs)

    def websocket(
        self,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        subprotocols: Sequence[str] = (),
        timeout: float = 10.0,
    ) -> TestWebSocket:
        """Open an in-process WebSocket to ``path`` (a context manager with ``send``,
        ``send_json``, ``receive``, ``receive_json`` and ``close``); no server needed.

        Raises:
            WebSocketRefused: The app answered the handshake with HTTP (its status, headers
                and body).
        """
        return TestWebSocket(self.application, path, headers, subprotocols, timeout)

    def hub(
        self,
        path: str,
        msgpack: bool = False,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        timeout: float = 10.0,
    ) -> HubClient:
        """Open an in-process client of the Hub mounted at ``path``: ``call(method, **params)``
        (the result, or :class:`wtf.realtime.RPCError`), ``notify``, ``subscribe``,
        ``events()``; JSON, or MessagePack with ``msgpack=True``."""
        return HubClient(self.application, path, msgpack, headers, timeout)
