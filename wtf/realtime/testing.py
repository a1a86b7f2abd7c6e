"""An in-process WebSocket client for tests: ``wtf.testing.Client(app).websocket(path)``.

The app runs in a thread on one end of a socket pair, as a threaded WSGI server would run it
(the socket is handed over as ``environ["wtf.socket"]``); the test talks to the other end with
wsproto's client side. No server, no port.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.test import EnvironBuilder
from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage
from wsproto.utilities import generate_accept_token

from .codes import RPCError
from .websocket import WebSocketClosed

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["HubClient", "TestWebSocket", "WebSocketRefused"]


class WebSocketRefused(Exception):
    """The app answered the handshake with HTTP instead of switching protocols.

    Attributes:
        status: The HTTP status code (403, 426, 503...).
        headers: The response headers.
        body: The response body.
    """

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        super().__init__(f"the WebSocket handshake was refused with {status}: {body[:200]!r}")
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        """The first value of response header ``name``."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class TestWebSocket:
    """The client end of an in-process WebSocket (a context manager).

    Raises:
        WebSocketRefused: On opening, when the app answered with HTTP.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        app: WSGIApplication,
        path: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        subprotocols: Sequence[str] = (),
        timeout: float = 10.0,
    ) -> None:
        self.timeout = timeout
        self._server_sock, self.sock = socket.socketpair()
        self.sock.settimeout(timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        sent = {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": key,
            "Sec-WebSocket-Version": "13",
        }
        if subprotocols:
            sent["Sec-WebSocket-Protocol"] = ", ".join(subprotocols)
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        given = {name.lower() for name, _ in pairs}  # the test's own values replace these
        defaults = [(k, v) for k, v in sent.items() if k.lower() not in given]
        environ = EnvironBuilder(path=path, headers=[*defaults, *pairs]).get_environ()
        environ["wtf.socket"] = self._server_sock
        environ["wsgi.multithread"] = True
        self._refusal: WebSocketRefused | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(app, environ), name=f"wtf-test-websocket {path}", daemon=True
        )
        self._thread.start()
        self._conn = Connection(ConnectionType.CLIENT)
        self._messages: deque[str | bytes] = deque()
        self._parts: list[Any] = []
        self.close_code: int | None = None
        self.close_reason = ""
        self.closed = False
        #: The payloads of the pongs the app sent.
        self.pongs: list[bytes] = []
        head, rest = self._read_head()
        if head is None:
            self._thread.join(timeout)
            self._close_socket()
            if self._refusal is not None:
                raise self._refusal
            raise ConnectionError("the app closed the connection without answering")
        lines = head.decode("latin-1").split("\r\n")
        self.response_headers = [
            (name.strip(), value.strip())
            for name, _, value in (line.partition(":") for line in lines[1:])
        ]
        accept = dict((k.lower(), v) for k, v in self.response_headers)
        if accept.get("sec-websocket-accept") != generate_accept_token(key.encode()).decode():
            raise ConnectionError(f"a bad handshake answer: {lines[0]!r}")
        #: The subprotocol the app chose, or ``None``.
        self.subprotocol = accept.get("sec-websocket-protocol")
        if rest:
            self._feed(rest)

    def _run(self, app: WSGIApplication, environ: dict[str, Any]) -> None:
        statuses: list[tuple[str, list[tuple[str, str]]]] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> Any:
            statuses.append((status, headers))
            return lambda data: None

        try:
            result = app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            status, headers = statuses[-1]
            self._refusal = WebSocketRefused(int(status.split()[0]), headers, body)
        except StopIteration:
            pass  # the app took the socket and served it to its end
        except BaseException as exc:  # kept for the test to see
            self.error = exc
        finally:
            self._server_sock.close()  # what the WSGI server does after the app

    def _read_head(self) -> tuple[bytes | None, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None, b""
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        return head, rest

    # Talking.

    def send(self, message: str | bytes) -> None:
        """Send a text (``str``) or binary (``bytes``) message."""
        event = (
            TextMessage(data=message) if isinstance(message, str) else BytesMessage(data=message)
        )
        self.sock.sendall(self._conn.send(event))

    def send_json(self, data: Any) -> None:
        """Send ``data`` as JSON text."""
        self.send(json.dumps(data))

    def send_raw(self, data: bytes) -> None:
        """Write bytes as they are (hand-made frames)."""
        self.sock.sendall(data)

    def receive(self, timeout: float | None = None) -> str | bytes:
        """The next message.

        Raises:
            WebSocketClosed: The app closed the socket (its code and reason).
            TimeoutError: Nothing came in ``timeout`` (default: the client's).
        """
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        while not self._messages:
            if self.closed:
                raise WebSocketClosed(self.close_code or 1005, self.close_reason)
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                raise TimeoutError("no message from the app in time") from None
            self._feed(data)
        return self._messages.popleft()

    def receive_json(self, timeout: float | None = None) -> Any:
        """The next message, decoded from JSON."""
        return json.loads(self.receive(timeout))

    def _feed(self, data: bytes) -> None:
        if self._conn.state is ConnectionState.CLOSED:
            self.closed = True
            return
        self._conn.receive_data(data or None)
        for event in self._conn.events():
            if isinstance(event, TextMessage | BytesMessage):
                self._parts.append(event.data)
                if event.message_finished:
                    join = "".join if isinstance(event, TextMessage) else b"".join
                    self._messages.append(join(self._parts))
                    self._parts = []
            elif isinstance(event, Ping):
                if self._conn.state is ConnectionState.OPEN:
                    self._reply(self._conn.send(event.response()))
            elif isinstance(event, Pong):
                self.pongs.append(bytes(event.payload))
            elif isinstance(event, CloseConnection):
                self.close_code, self.close_reason = int(event.code), event.reason or ""
                if self._conn.state is ConnectionState.REMOTE_CLOSING:
                    self._reply(self._conn.send(event.response()))
                self.closed = True

    def _reply(self, data: bytes) -> None:
        """Answer a ping or a close; the app may have ended the connection already."""
        with contextlib.suppress(OSError):
            self.sock.sendall(data)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close: send a close frame, wait for the app's answer and for the app to finish."""
        if not self.closed and self._conn.state is ConnectionState.OPEN:
            try:
                self.sock.sendall(self._conn.send(CloseConnection(code=code, reason=reason)))
                while not self.closed:
                    data = self.sock.recv(65536)
                    self._feed(data)
                    if not data:
                        break
            except (OSError, WebSocketClosed):
                pass
        self.closed = True
        self._thread.join(self.timeout)
        self._close_socket()

    def _close_socket(self) -> None:
        self.sock.close()

    def __enter__(self) -> TestWebSocket:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class HubClient:
    """An in-process client of a :class:`wtf.realtime.Hub` (a context manager):
    ``wtf.testing.Client(app).hub("/rt")``.

    Args:
        msgpack: Speak MessagePack (the ``wtf.msgpack`` subprotocol) instead of JSON.
    """

    __test__ = False

    def __init__(
        self,
        app: WSGIApplication,
        path: str,
        msgpack: bool = False,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        timeout: float = 10.0,
    ) -> None:
        protocol = "wtf.msgpack" if msgpack else "wtf.json"
        self.ws = TestWebSocket(app, path, headers, [protocol], timeout)
        self.msgpack = msgpack
        self._next = 0
        self._events: deque[dict[str, Any]] = deque()
        #: ``{(event, channel): (offset, epoch)}``: the last offset seen of each channel whose
        #: event keeps history (what to resubscribe ``since``).
        self.positions: dict[tuple[str, str | None], tuple[int, str]] = {}
        self._replies: dict[int, dict[str, Any]] = {}

    def _encode(self, message: Any) -> str | bytes:
        if self.msgpack:
            import msgpack

            packed: bytes = msgpack.packb(message, use_bin_type=True)
            return packed
        return json.dumps(message)

    def _decode(self, frame: str | bytes) -> Any:
        if isinstance(frame, bytes):
            import msgpack

            return msgpack.unpackb(frame, raw=False)
        return json.loads(frame)

    def send_message(self, message: Any) -> None:
        """Send any message as it is (for malformed ones: ``send_raw`` on :attr:`ws`)."""
        self.ws.send(self._encode(message))

    def call(self, method: str, **params: Any) -> Any:
        """Call ``method`` with ``params``; return its result.

        Raises:
            RPCError: The call failed (its code, message and data).
        """
        self._next += 1
        call_id = self._next
        self.send_message({"m": method, "p": params, "i": call_id})
        reply = self.reply(call_id)
        if "e" in reply:
            error = reply["e"]
            raise RPCError(error["c"], error["m"], error.get("d"))
        return reply["r"]

    def reply(self, call_id: int, timeout: float | None = None) -> dict[str, Any]:
        """Wait for the reply to ``call_id`` (events that come first are kept)."""
        while call_id not in self._replies:
            self._read(timeout)
        return self._replies.pop(call_id)

    def _read(self, timeout: float | None) -> None:
        message = self._decode(self.ws.receive(timeout))
        if "v" in message:
            self._events.append(message)
            if "o" in message:
                self.positions[(message["v"], message.get("c"))] = (message["o"], message["ep"])
        else:
            self._replies[message["i"]] = message

    def notify(self, method: str, **params: Any) -> None:
        """Send a notification (no id: never answered)."""
        self.send_message({"m": method, "p": params})

    def subscribe(self, event: str, channel: str, data: Any = None) -> Any:
        """``$subscribe``; raises :class:`RPCError` when refused."""
        return self.call("$subscribe", event=event, channel=channel, data=data)

    def unsubscribe(self, event: str, channel: str) -> Any:
        """``$unsubscribe``."""
        return self.call("$unsubscribe", event=event, channel=channel)

    def events(self, wait: float = 0.2) -> list[tuple[str, str | None, Any]]:
        """The events received so far, and those arriving within ``wait`` seconds, as
        ``(event, channel, data)``; taken from the client."""
        return [(m["v"], m.get("c"), m.get("r")) for m in self.event_messages(wait)]

    def event_messages(self, wait: float = 0.2) -> list[dict[str, Any]]:
        """As :meth:`events`, the whole messages (with ``o`` and ``ep`` when kept in
        history)."""
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                self._read(left)
            except TimeoutError:
                break
        out = list(self._events)
        self._events.clear()
        return out

    def close(self, code: int = 1000) -> None:
        """Close the connection."""
        self.ws.close(code)

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
