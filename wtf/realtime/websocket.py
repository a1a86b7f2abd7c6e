"""``wtf.WebSocket``: one accepted WebSocket, over the socket the WSGI server handed over.

The protocol is wsproto's (sans-I/O); the I/O is here, in the thread (or greenlet) serving the
connection: no second thread per socket. Whoever calls :meth:`WebSocket.receive` reads, answers
pings and close frames, and sends the keep-alive pings; :meth:`WebSocket.send` may be called
from any thread (frames are written whole, one at a time).

Writing never holds up the writer: what the kernel's buffer takes goes at once, the rest waits
in the socket's backlog, written by the process's flushing thread (:mod:`.backlog`) as the peer
reads. :meth:`WebSocket.send` then waits for its frame to be written (a handler's back-pressure);
:meth:`WebSocket.queue_prepared` (the Hub's deliveries) never waits, and a peer whose backlog
passes ``max_queue`` messages or ``max_queue_bytes`` bytes, or stops moving for
``ping_timeout``, is closed with 1008 ("slow consumer").
"""

from __future__ import annotations

import contextlib
import json
import logging
import select
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from time import monotonic
from typing import Any

from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage

from . import backlog
from .compression import Deflater

__all__ = ["WebSocket", "WebSocketClosed", "prepare"]

log = logging.getLogger("wtf.realtime")

_READ_SIZE = 65536
_NO_PINGS = 3600.0  # the longest wait between keep-alive checks when pings are off
_SERVICE_INTERVAL = 0.1  # how often send() looks at what the peer sent, when nobody receives


class WebSocketClosed(Exception):
    """The WebSocket is closed; sending or receiving on it is over.

    Attributes:
        code: The close code (what the peer sent, or why this side closed; 1006 when the
            connection was lost without a close frame).
        reason: The close reason, if any.
    """

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"the WebSocket is closed ({code}{': ' + reason if reason else ''})")
        self.code = code
        self.reason = reason


def prepare(payload: bytes, text: bool = True, compressed: bool = False) -> bytes:
    """A complete, unfragmented server frame carrying ``payload`` (UTF-8 for ``text``): what
    :meth:`WebSocket.send_prepared` writes. PERF: a message encoded once goes to many sockets,
    and JSON bytes need no decoding to ``str`` and encoding again. ``compressed``: the payload
    is permessage-deflate's (RSV1 set)."""
    first = (0x81 if text else 0x82) | (0x40 if compressed else 0)
    size = len(payload)
    if size < 126:
        return bytes((first, size)) + payload
    if size < 65536:
        return bytes((first, 126)) + size.to_bytes(2, "big") + payload
    return bytes((first, 127)) + size.to_bytes(8, "big") + payload


def _deflated(frame: bytes, deflater: Deflater) -> bytes:
    """A frame made by :func:`prepare`, its payload compressed when it is big enough."""
    size = frame[1]
    start = 2 if size < 126 else 4 if size == 126 else 10
    payload = memoryview(frame)[start:]
    deflated = deflater.deflate(payload)
    if deflated is None:
        return frame
    return prepare(deflated, text=frame[0] & 0x0F == 0x1, compressed=True)


def _byte_size(data: str | bytes | bytearray) -> int:
    """The size of a message on the wire: UTF-8 bytes for text (a character may be four)."""
    if not isinstance(data, str) or data.isascii():  # PERF: isascii is a flag check
        return len(data)
    return len(data.encode("utf-8", "surrogatepass"))


def _json_text(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


class WebSocket:
    """An accepted WebSocket (RFC 6455), injected into ``@app.websocket`` handlers.

    Iterating yields each message (``str`` for text frames, ``bytes`` for binary ones) and ends
    when the socket closes.

    Args:
        sock: The connected socket, after the handshake was sent.
        subprotocol: The subprotocol chosen in the handshake, or ``None``.
        max_message_size: The largest message accepted (a fragmented one counts whole);
            over it the socket is closed with 1009.
        ping_interval: Seconds of silence from the peer after which a ping is sent
            (``None``: no pings).
        ping_timeout: Seconds a ping may go unanswered (the peer silent) before the socket is
            closed with 1011; also the longest a frame may take to write to a peer that does
            not read, and to wait for the peer's answer to a close.
        json_encoder: ``fn(obj) -> str`` for :meth:`send_json`.
        name: Names the socket in log lines (the request path).
        deflater: The permessage-deflate the handshake agreed on, or ``None``.
        max_queue: Messages that may wait for the peer to read; one more closes the socket
            with 1008 ("slow consumer").
        max_queue_bytes: Bytes that may wait for the peer to read; more close it with 1008.

    Attributes:
        subprotocol: The subprotocol chosen, or ``None``.
        compressed: Whether permessage-deflate was agreed on (messages from the threshold
            up are compressed).
        close_code: The close code the peer sent (``None`` until then, or if it sent none).
        close_reason: The close reason the peer sent.
    """

    def __init__(
        self,
        sock: socket.socket,
        *,
        subprotocol: str | None = None,
        max_message_size: int = 1 << 20,
        ping_interval: float | None = 25.0,
        ping_timeout: float = 20.0,
        json_encoder: Callable[[Any], str] = _json_text,
        name: str = "",
        deflater: Deflater | None = None,
        max_queue: int = 1000,
        max_queue_bytes: int = 16 << 20,
    ) -> None:
        self.subprotocol = subprotocol
        self.compressed = deflater is not None
        self.close_code: int | None = None
        self.close_reason = ""
        self.max_message_size = max_message_size
        self.ping_interval = ping_interval or None  # 0 turns pings off too
        self.ping_timeout = ping_timeout
        self.name = name
        self._json = json_encoder
        self._sock = sock
        self._conn = Connection(ConnectionType.SERVER, [deflater] if deflater else None)
        self._deflater = deflater
        self._lock = threading.Lock()  # the protocol state and writes
        self._reader = threading.Lock()  # one reader at a time
        self._poll = select.poll()
        self._poll.register(sock, select.POLLIN)
        self._messages: deque[tuple[str | bytes, int]] = deque()  # each with its byte size
        self._queued = 0  # the size of the messages received and not taken yet
        self._next_service = 0.0
        self._parts: list[Any] = []
        # A protocol error that came after complete messages in the same read: those are
        # delivered first (RFC 6455 §7.1.7 fails the connection, not what came before), then
        # the socket fails with it; nothing more is read meanwhile.
        self._failure: tuple[int, str] | None = None
        self._size = 0
        self._closed = False
        self._code = 1000  # why it closed (either side), for the log and WebSocketClosed
        self._reason = ""
        self.max_queue = max_queue
        self.max_queue_bytes = max_queue_bytes
        # What the kernel did not take yet: [bytes left, is a message, partly written].
        self._backlog: deque[list[Any]] = deque()
        self._backlog_bytes = 0
        self._backlog_messages = 0
        self._accepted = 0  # bytes that ever went into the backlog
        self._written = 0  # of those, bytes written
        self._moved = 0.0  # when the backlog began, or last got smaller
        self._dropped = False  # a slow consumer's backlog was thrown away
        self._flushed_by: backlog.Flusher | None = None
        self._waiting = threading.Lock()  # one sender waits for room at a time
        self._heard = monotonic()  # when the peer last sent anything
        self._pinged: float | None = None  # when an unanswered ping went out
        self._closing: float | None = None  # when this side sent its close frame
        # Non-blocking: reads come after poll() said so, and what a write cannot write now
        # goes to the backlog. PERF: a socket with a timeout would poll() inside every recv()
        # and send() too.
        self._poll_out: Any = None
        sock.setblocking(False)

    # Public API.

    @property
    def closed(self) -> bool:
        """Whether the socket is closed (no more messages will come or go)."""
        return self._closed

    def receive(self, timeout: float | None = None) -> str | bytes | None:
        """Wait for the next message: ``str`` (text) or ``bytes`` (binary).

        Args:
            timeout: Seconds to wait; ``None`` waits as long as the socket is open.

        Returns:
            The message, or ``None`` when ``timeout`` passed first.

        Raises:
            WebSocketClosed: The socket is closed (by the peer, a protocol error, a timeout,
                or this side).
        """
        deadline = None if timeout is None else monotonic() + timeout
        with self._reader:
            while True:
                if self._messages:
                    message, size = self._messages.popleft()
                    self._queued -= size
                    return message
                if self._failure is not None:  # the messages before a protocol error went
                    with self._lock:
                        self._fail(*self._failure)
                if self._closed:
                    raise WebSocketClosed(self._code, self._reason)
                wait = self._keep_alive()
                if deadline is not None:
                    left = deadline - monotonic()
                    if left <= 0:
                        return None
                    wait = min(wait, left)
                if wait > 0 and self._poll.poll(wait * 1000):
                    self._read()

    def __iter__(self) -> Iterator[str | bytes]:
        """Each message until the socket closes."""
        while True:
            try:
                message = self.receive()
            except WebSocketClosed:
                return
            if message is not None:
                yield message

    def send(self, message: str | bytes | bytearray | memoryview) -> None:
        """Send one message: a text frame for ``str``, a binary frame for bytes. Safe from any
        thread; the frame is written whole before another one starts.

        Raises:
            WebSocketClosed: The socket is closed (or the peer stopped reading).
            TypeError: ``message`` is neither text nor bytes.
        """
        if isinstance(message, str):
            event: TextMessage | BytesMessage = TextMessage(data=message)
        elif isinstance(message, bytes | bytearray | memoryview):
            event = BytesMessage(data=bytes(message))
        else:
            raise TypeError(
                f"a WebSocket sends str or bytes, not {type(message).__name__} "
                "(send_json() sends JSON)"
            )
        self._send_whole(lambda: self._conn.send(event))

    def _service(self) -> None:
        """When no thread is receiving: handle what arrived (pings, a close; messages are kept
        for a later :meth:`receive`, up to ``max_message_size`` bytes) and send the keep-alive
        pings, without waiting."""
        if not self._reader.acquire(blocking=False):
            return
        try:
            self._keep_alive()
            while (
                not self._closed
                and self._failure is None
                and self._queued < self.max_message_size
                and self._poll.poll(0)
            ):
                self._read()
        finally:
            self._reader.release()

    def send_prepared(self, frame: bytes) -> None:
        """Send a complete frame made by :func:`prepare` (a message encoded once and sent to
        many sockets). Safe from any thread.

        Raises:
            WebSocketClosed: The socket is closed (or the peer stopped reading).
        """
        deflater = self._deflater
        self._send_whole(lambda: frame if deflater is None else _deflated(frame, deflater))

    def queue_prepared(self, frame: bytes) -> bool:
        """Send a complete frame made by :func:`prepare` without waiting: what the peer cannot
        take yet waits in the socket's backlog. Safe from any thread.

        Returns:
            ``False`` when the socket is closed, or when this frame would take the backlog
            past ``max_queue`` messages or ``max_queue_bytes`` bytes: the peer is then too slow
            and the socket is closed with 1008 ("slow consumer").
        """
        with self._lock:
            if self._closed or self._conn.state is not ConnectionState.OPEN:
                return False
            if self._deflater is not None:
                frame = _deflated(frame, self._deflater)
            if self._backlog and (
                self._backlog_messages >= self.max_queue
                or self._backlog_bytes + len(frame) > self.max_queue_bytes
            ):
                self._slow()
                return False
            try:
                self._write(frame, message=True)
            except WebSocketClosed:
                return False
        return True

    def _send_whole(self, make: Callable[[], bytes]) -> None:
        """Write the frame ``make()`` returns (under the lock: the protocol state changes),
        then wait until the peer took it, at most ``ping_timeout`` without progress."""
        with self._lock:
            if self._closed or self._conn.state is not ConnectionState.OPEN:
                raise WebSocketClosed(self._code, self._reason)
            self._write(make(), message=True)
            target = self._accepted if self._backlog else 0
        if target:
            self._wait_written(target)
        now = monotonic()
        if now >= self._next_service:  # a handler that only sends still answers the peer
            self._next_service = now + _SERVICE_INTERVAL
            self._service()

    def _wait_written(self, target: int) -> None:
        with self._waiting:
            while True:
                with self._lock:
                    if self._written < target and not self._dropped and self._backlog:
                        self._drain()
                    if self._written >= target:
                        return
                    if self._dropped or not self._backlog:
                        raise WebSocketClosed(self._code, self._reason)
                    left = self._moved + self.ping_timeout - monotonic()
                    if left <= 0:
                        self._slow()
                        raise WebSocketClosed(self._code, self._reason)
                if self._poll_out is None:
                    self._poll_out = select.poll()
                    self._poll_out.register(self._sock, select.POLLOUT)
                self._poll_out.poll(left * 1000)

    def send_json(self, data: Any) -> None:
        """Send ``data`` as JSON in a text frame."""
        self.send(self._json(data))

    def close(self, code: int = 1000, reason: str = "", *, wait: bool = True) -> None:
        """Close the socket: send a close frame with ``code`` and ``reason``, then wait (at most
        ``ping_timeout``) for the peer's answer when no other thread is receiving.

        Args:
            wait: ``False`` returns at once: the thread serving the connection sees the answer
                (or gives up on it after ``ping_timeout``).
        """
        with self._lock:
            if self._closed:
                return
            self._send_close(code, reason)
            if self._failure is not None:  # the peer broke the protocol: no answer awaited
                self._closed = True
        if not wait:
            if not self._closed:  # the thread serving it sees the answer; else, give up then
                if self._flushed_by is None:
                    self._flushed_by = backlog.flusher()
                self._flushed_by.call_at(monotonic() + self.ping_timeout, self._give_up)
            return
        if self._reader.acquire(blocking=False):
            try:
                while not self._closed:
                    left = self._keep_alive()
                    if left > 0 and self._poll.poll(left * 1000):
                        self._read()
            finally:
                self._reader.release()
        elif not self._closed:
            # Another thread is receiving and sees the answer; if none comes in time, that
            # thread may be waiting for longer (until its next ping): wake it then.
            timer = threading.Timer(self.ping_timeout, self._give_up)
            timer.daemon = True
            timer.start()

    def _give_up(self) -> None:
        if not self._closed:
            self.abort()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<wtf.WebSocket {self.name!r} {state}>"

    # The I/O loop.

    def _read(self) -> None:
        """Read what arrived and handle the protocol events it makes."""
        try:
            data: bytes | None = self._sock.recv(_READ_SIZE)
        except (BlockingIOError, InterruptedError, TimeoutError):
            return
        except OSError:
            data = b""
        with self._lock:
            if self._closed or self._failure is not None:
                return
            self._heard = monotonic()
            self._pinged = None
            self._conn.receive_data(data or None)  # None: the connection was lost
            self._handle_events()

    def _handle_events(self) -> None:  # holds self._lock
        for event in self._conn.events():
            if isinstance(event, TextMessage | BytesMessage):
                if self._closing is not None:
                    continue  # after our close frame, data is dropped (RFC 6455 §1.4)
                self._size += _byte_size(event.data)
                if self._size > self.max_message_size:
                    self._fail(1009, f"a message over {self.max_message_size} bytes")
                    return
                self._parts.append(event.data)
                if event.message_finished:
                    joined = "".join if isinstance(event, TextMessage) else b"".join
                    message = joined(self._parts)
                    self._messages.append((message, self._size))
                    self._queued += self._size
                    self._parts = []
                    self._size = 0
            elif isinstance(event, Ping):
                if self._conn.state is ConnectionState.OPEN:  # not once we sent our close
                    self._write(self._conn.send(event.response()))
            elif isinstance(event, CloseConnection):
                self._on_close(event)
                return

    def _on_close(self, event: CloseConnection) -> None:  # holds self._lock
        state = self._conn.state
        if state is ConnectionState.REMOTE_CLOSING:  # the peer closes: echo its code
            self.close_code = None if event.code == 1005 else int(event.code)
            self.close_reason = event.reason or ""
            self._code, self._reason = int(event.code), event.reason or ""
            with contextlib.suppress(WebSocketClosed):
                self._write(self._conn.send(event.response()))
            self._closed = True
        elif state is ConnectionState.CLOSED:
            if event.code == 1006 and self._closing is None:  # lost, no close frame
                self._code, self._reason = 1006, "the connection was lost"
            else:  # the answer to our close
                self.close_code = None if event.code == 1005 else int(event.code)
                self.close_reason = event.reason or ""
            self._closed = True
        elif self._messages:  # a protocol error: deliver the messages before it, then fail
            self._failure = (int(event.code), event.reason or "a protocol error")
        else:  # still open: wsproto failed to parse what the peer sent
            self._fail(int(event.code), event.reason or "a protocol error")

    def _keep_alive(self) -> float:
        """Send a ping when due, give up on a silent peer; return the seconds until the next
        check."""
        with self._lock:
            if self._closed:
                return 0.0
            now = monotonic()
            if self._closing is not None:
                left = self._closing + self.ping_timeout - now
                if left <= 0:
                    self._closed = True  # the peer never answered our close
                return max(left, 0.0)
            if self._pinged is not None:
                left = self._pinged + self.ping_timeout - now
                if left <= 0:
                    self._fail(1011, f"no answer to a ping in {self.ping_timeout:g} s")
                    return 0.0
                return left
            if self.ping_interval is None:
                return _NO_PINGS
            idle = now - self._heard
            if idle >= self.ping_interval:
                try:
                    self._write(self._conn.send(Ping()))
                except WebSocketClosed:
                    return 0.0
                self._pinged = now
                return self.ping_timeout
            return self.ping_interval - idle

    def _send_close(self, code: int, reason: str) -> None:  # holds self._lock
        self._code, self._reason = code, reason
        if self._conn.state in (ConnectionState.OPEN, ConnectionState.REMOTE_CLOSING):
            try:
                self._write(self._conn.send(CloseConnection(code=code, reason=reason)))
            except WebSocketClosed:
                return
        if self._conn.state is ConnectionState.CLOSED:
            self._closed = True
        else:
            self._closing = monotonic()

    def _fail(self, code: int, reason: str) -> None:  # holds self._lock
        """Close after a fault of the peer's: say why, and stop reading."""
        log.info("closing WebSocket %s: %s (%d)", self.name, reason, code)
        self._send_close(code, reason)
        self._closed = True

    def _write(self, data: bytes, message: bool = False) -> None:  # holds self._lock
        """Write ``data`` whole: now what the kernel takes, the rest from the backlog.

        Raises:
            WebSocketClosed: The connection was lost.
        """
        if not self._backlog:
            try:
                sent = self._sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self._lose()
                raise WebSocketClosed(1006, "the connection was lost") from None
            if sent == len(data):
                return
            self._moved = monotonic()
            self._queue(memoryview(data)[sent:], message, sent > 0)
            if self._flushed_by is None:
                self._flushed_by = backlog.flusher()
            self._flushed_by.watch(self, self._sock.fileno(), self._flush, self._overdue)
            return
        self._queue(memoryview(data), message, False)

    def _queue(self, view: memoryview, message: bool, started: bool) -> None:  # holds lock
        self._backlog.append([view, message, started])
        self._backlog_bytes += len(view)
        self._accepted += len(view)
        self._backlog_messages += message

    def _drain(self) -> None:  # holds self._lock
        """Write from the backlog what the kernel takes now."""
        queued = self._backlog
        moved = False
        while queued:
            entry = queued[0]
            view = entry[0]
            try:
                sent = self._sock.send(view)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._lose()
                raise WebSocketClosed(1006, "the connection was lost") from None
            moved = True
            self._written += sent
            self._backlog_bytes -= sent
            if sent < len(view):
                entry[0] = view[sent:]
                entry[2] = True
                break
            queued.popleft()
            self._backlog_messages -= entry[1]
        if moved:
            self._moved = monotonic()

    def _clear_backlog(self) -> None:  # holds self._lock
        self._backlog.clear()
        self._backlog_bytes = self._backlog_messages = 0

    def _lose(self) -> None:  # holds self._lock
        self._closed = True
        self._code, self._reason = 1006, "the connection was lost"
        self._clear_backlog()

    def _slow(self) -> None:  # holds self._lock
        """The peer reads too slowly: drop what waits for it (a frame it has begun to get is
        finished) and close with 1008; the close frame gets ``ping_timeout`` to go out."""
        if self._dropped:
            return
        log.warning(
            "closing WebSocket %s: slow consumer (%d messages, %d bytes waiting)",
            self.name,
            self._backlog_messages,
            self._backlog_bytes,
        )
        head = self._backlog[0] if self._backlog and self._backlog[0][2] else None
        self._clear_backlog()
        if head is not None:
            self._backlog.append(head)
            self._backlog_bytes = len(head[0])
            self._backlog_messages = head[1]
        self._dropped = True
        self._moved = monotonic()
        self._send_close(1008, "slow consumer")

    # The flushing thread's side (wtf.realtime.backlog).

    def _flush(self) -> bool:
        """Write what the backlog holds, without waiting; ``True`` when nothing is left."""
        with self._lock:
            if self._backlog:
                with contextlib.suppress(WebSocketClosed):
                    self._drain()
            return not self._backlog

    def _overdue(self, now: float) -> bool:
        """Close the socket if its backlog has not moved for ``ping_timeout``: with 1008 if
        it is open (the close frame gets ``ping_timeout`` more), else abort it. ``True`` when
        there is nothing left to write."""
        with self._lock:
            if not self._backlog:
                return True
            if now - self._moved < self.ping_timeout:
                return False
            if not self._dropped and self._conn.state is ConnectionState.OPEN:
                self._slow()
                return False
            self._closed = True
            self._clear_backlog()
        with contextlib.suppress(OSError):  # wakes the thread waiting in receive()
            self._sock.shutdown(socket.SHUT_RDWR)
        return True

    def abort(self) -> None:
        """End the connection now, without waiting for the peer: the socket is shut down (not
        closed: the WSGI server still owns it), so a thread waiting in :meth:`receive` wakes
        and finds it closed."""
        with self._lock:
            if not self._closed:
                self._closed = True
                if self._code == 1000 and self._closing is None:
                    self._code, self._reason = 1006, "aborted"
            self._clear_backlog()
        self._stop_flushing()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        """Mark the socket closed for good (the connection goes back to the server)."""
        with self._lock:
            self._closed = True
            if self._backlog:  # the last frames (a close), if the peer has room for them
                with contextlib.suppress(WebSocketClosed):
                    self._drain()
            self._clear_backlog()
        self._stop_flushing()
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._poll.unregister(self._sock)

    def _stop_flushing(self) -> None:
        if self._flushed_by is not None:
            self._flushed_by.forget(self)

    @property
    def end_code(self) -> int:
        """Why the socket closed: the code either side sent (1006: lost)."""
        return self._code
