"""A WebSocket's outgoing backlog, on a socket pair: ``queue_prepared`` never waits and closes
a peer that does not read with 1008 at exactly ``max_queue`` messages or ``max_queue_bytes``
bytes; ``send`` waits for its frame (back-pressure) and gives up on a peer that stopped reading;
a peer that reads late gets the frames in order, none cut, then the close."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, CloseConnection

from wtf.realtime import WebSocket, WebSocketClosed
from wtf.realtime.websocket import prepare

pytestmark = pytest.mark.timeout(30)

FRAME = 1 << 20  # more than a socket pair's buffers take: each frame leaves a backlog


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server, peer = socket.socketpair()
    yield server, peer
    server.close()
    peer.close()


def frame(n: int, size: int = FRAME) -> bytes:
    return prepare(bytes([n]) * size, text=False)


def read_all(peer: socket.socket, timeout: float = 10.0) -> tuple[list[bytes], int | None, str]:
    """What a peer that starts reading now gets: whole messages, then the close."""
    conn = Connection(ConnectionType.CLIENT)
    messages: list[bytes] = []
    parts: list[bytes | bytearray] = []
    peer.settimeout(timeout)
    while True:
        conn.receive_data(peer.recv(1 << 16) or None)
        for event in conn.events():
            if isinstance(event, BytesMessage):
                parts.append(event.data)
                if event.message_finished:
                    messages.append(b"".join(parts))
                    parts = []
            elif isinstance(event, CloseConnection):
                return messages, event.code, event.reason or ""


@pytest.mark.parametrize("limit", [1, 3])
def test_max_queue_messages_wait_and_the_next_one_closes_with_1008(
    pair: tuple[socket.socket, socket.socket], limit: int
) -> None:
    server, peer = pair
    ws = WebSocket(server, max_queue=limit, max_queue_bytes=1 << 30, ping_interval=None)
    # The first frame is partly written and its rest waits: `limit` messages may wait.
    accepted = [ws.queue_prepared(frame(n)) for n in range(limit)]
    assert accepted == [True] * limit
    assert ws.queue_prepared(frame(99)) is False  # one over: a slow consumer
    assert ws.queue_prepared(frame(100)) is False  # and closed for good
    messages, code, reason = read_all(peer)
    # The frame it had begun to get is finished (never cut); the waiting ones were dropped.
    assert [m[:1] for m in messages] == [b"\x00"]
    assert len(messages[0]) == FRAME
    assert (code, reason) == (1008, "slow consumer")
    ws.finish()


def test_max_queue_bytes_is_a_limit_on_what_waits(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server, peer = pair
    ws = WebSocket(server, max_queue=1000, max_queue_bytes=2 * len(frame(0)), ping_interval=None)
    assert ws.queue_prepared(frame(0)) is True  # what the kernel did not take waits
    assert ws.queue_prepared(frame(1)) is True  # still within the bytes
    assert ws.queue_prepared(frame(2)) is False  # over them
    messages, code, _ = read_all(peer)
    assert [m[:1] for m in messages] == [b"\x00"] and code == 1008
    ws.finish()


def test_a_peer_that_reads_late_gets_everything_in_order(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server, peer = pair
    ws = WebSocket(server, max_queue=50, ping_interval=None)
    small = [prepare(f"{n:06d}".encode() * 2000, text=False) for n in range(40)]  # 12 KB each
    began = time.monotonic()
    assert all(ws.queue_prepared(f) for f in small)
    assert time.monotonic() - began < 5  # never waited for the peer (it is not reading)
    ws.close(1000, "done", wait=False)
    messages, code, _ = read_all(peer)  # the flushing thread writes as the peer reads
    assert [m[:6] for m in messages] == [f"{n:06d}".encode() for n in range(40)]
    assert code == 1000
    ws.finish()


def test_send_waits_for_the_peer_and_gives_up_on_one_that_stopped_reading(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server, peer = pair
    ws = WebSocket(server, ping_interval=None, ping_timeout=0.5)
    got: list[tuple[list[bytes], int | None, str]] = []
    reader = threading.Timer(0.3, lambda: got.append(read_all(peer)))
    reader.start()
    ws.send(b"\x01" * (4 * FRAME))  # returns once the peer has taken it all
    assert ws.closed is False
    ws.close(1000, wait=False)
    reader.join(10)
    assert [len(m) for m in got[0][0]] == [4 * FRAME]
    ws.finish()


def test_send_to_a_peer_that_never_reads_raises_after_ping_timeout(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server, _ = pair  # the peer never reads
    ws = WebSocket(server, ping_interval=None, ping_timeout=0.3)
    began = time.monotonic()
    with pytest.raises(WebSocketClosed) as closed:
        ws.send(b"\x02" * (4 * FRAME))
    assert 0.3 <= time.monotonic() - began < 5
    assert closed.value.code == 1008
    ws.finish()


def test_a_close_the_peer_never_answers_is_given_up_after_ping_timeout(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server, _ = pair  # the peer never answers
    ws = WebSocket(server, ping_interval=None, ping_timeout=0.3)
    ended: list[int] = []

    def receive() -> None:
        with pytest.raises(WebSocketClosed) as closed:
            ws.receive()
        ended.append(closed.value.code)

    waiting = threading.Thread(target=receive)
    waiting.start()
    time.sleep(0.1)  # it is receiving: the close from this thread does not wait
    began = time.monotonic()
    ws.close(4000, "bye", wait=False)
    assert time.monotonic() - began < 0.2
    waiting.join(5)  # woken when the close went unanswered for ping_timeout
    assert ended == [4000] and ws.closed
    ws.finish()
