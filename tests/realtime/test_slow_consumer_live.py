"""Slow consumers through a real gunicorn: a client that stops reading is closed with 1008
once its outgoing queue is full, while the publisher never waits on it, a reading client on
the same channel receives every event in order, and the worker's memory stays flat."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator

import pytest
import websocket

from tests.serving.live import Server, post_json, serving

pytestmark = pytest.mark.timeout(60)

EVENT = 16 << 10  # bytes of padding per event


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving("tests.realtime.slow_app:app", "--threads", "16") as running:
        yield running


def subscribed(server: Server, room: str, rcvbuf: int | None = None) -> websocket.WebSocket:
    options = [] if rcvbuf is None else [(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)]
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/rt",
        timeout=20,
        subprotocols=["wtf.json"],
        sockopt=options,
        enable_multithread=True,
    )
    ws.send(json.dumps({"m": "$subscribe", "p": {"event": "tick", "channel": room}, "i": 1}))
    assert json.loads(ws.recv()) == {"i": 1, "r": True}
    return ws


def hang_up(ws: websocket.WebSocket) -> None:
    with contextlib.suppress(Exception):
        ws.close(timeout=1)
    ws.shutdown()  # the socket too, when the close handshake could not be done


def emit(server: Server, room: str, count: int, first: int = 0) -> None:
    status, _, body = post_json(
        server.port, f"/emit/{room}?count={count}&size={EVENT}&first={first}", None
    )
    assert status == 200, body


def rss(server: Server) -> int:
    status, _, body = server.get("/rss")
    assert status == 200
    return int(json.loads(body)["kib"])


class Reader(threading.Thread):
    """Reads events until it has ``expected`` of them."""

    def __init__(self, ws: websocket.WebSocket, expected: int) -> None:
        super().__init__(daemon=True)
        self.ws, self.expected, self.numbers = ws, expected, list[int]()
        self.changed = threading.Condition()

    def run(self) -> None:
        while len(self.numbers) < self.expected:
            number = json.loads(self.ws.recv())["r"]["n"]
            with self.changed:
                self.numbers.append(number)
                self.changed.notify_all()

    def wait_for(self, count: int) -> None:
        """Until it has read ``count`` events (a burst is absorbed before the next)."""
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.numbers) >= count, 20), self.numbers


def bursts(server: Server, room: str, reader: Reader, count: int, burst: int = 100) -> None:
    """``count`` events in bursts a reading client absorbs (its kernel buffers, then its
    queue), each burst sent once the reader has read the one before."""
    for first in range(0, count, burst):
        emit(server, room, burst, first)
        reader.wait_for(first + burst)


def drain(ws: websocket.WebSocket) -> tuple[list[int], int | None, str]:
    """Everything a stuck client finds once it reads: the events, then the close."""
    numbers: list[int] = []
    while True:
        opcode, frame = ws.recv_data_frame(True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            data = frame.data
            code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            return numbers, code, data[2:].decode()
        numbers.append(json.loads(frame.data)["r"]["n"])


def test_a_stuck_reader_is_closed_and_holds_up_nobody(server: Server) -> None:
    stuck = subscribed(server, "r", rcvbuf=4096)
    reading = subscribed(server, "r")
    reader = Reader(reading, expected=400)
    reader.start()
    try:
        # 400 events of 16 KiB: far past the stuck client's queue (64 messages, 256 KiB).
        # Were the publisher to wait on it, this would take ping_timeout (120 s): the
        # test's timeout would fail it first.
        bursts(server, "r", reader, 400)
        assert reader.numbers == list(range(400))  # every one, in order
        numbers, code, reason = drain(stuck)
        assert (code, reason) == (1008, "slow consumer")
        # What it got is the beginning, in order, none twice; the rest was dropped.
        assert numbers == list(range(len(numbers)))
        assert len(numbers) < 400
    finally:
        for ws in (stuck, reading):
            hang_up(ws)


def test_memory_stays_flat_while_stuck_readers_are_closed(server: Server) -> None:
    before = rss(server)
    stuck = [subscribed(server, f"m{n}", rcvbuf=4096) for n in range(8)]
    try:
        for n in range(8):  # 8 x 500 x 16 KiB = 64 MiB, were the queues unbounded
            emit(server, f"m{n}", 500)
        grown = rss(server) - before
        assert grown < 24 << 10, f"the worker grew by {grown} KiB"
        for ws in stuck:
            numbers, code, _ = drain(ws)
            assert code == 1008 and numbers == list(range(len(numbers)))
    finally:
        for ws in stuck:
            hang_up(ws)


def test_a_reader_that_keeps_up_is_never_closed(server: Server) -> None:
    ws = subscribed(server, "steady")
    reader = Reader(ws, expected=800)
    reader.start()
    try:
        bursts(server, "steady", reader, 800)  # 12.5 MiB: far more than one queue
        assert reader.numbers == list(range(800))
    finally:
        hang_up(ws)
