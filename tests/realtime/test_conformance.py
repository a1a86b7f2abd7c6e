"""The core case groups of the Autobahn test suite, driven with hand-made frames.

Autobahn's package (autobahntestsuite) is Python 2 and does not run here, so its case groups
(https://github.com/crossbario/autobahn-testsuite, "Test Cases") are written out: 1 framing,
2 pings/pongs, 3 reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8, 7 close handling, plus
unmasked client frames. Each case sends raw bytes to the echo route and checks what comes back:
the echo, the pongs, or the close code. The test ids start with the group.
"""

from __future__ import annotations

import os
import struct

import pytest

from wtf.testing import Client, TestWebSocket

from .ws_app import app

pytestmark = pytest.mark.timeout(30)

TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


def frame(
    opcode: int, payload: bytes = b"", fin: bool = True, rsv: int = 0, mask: bool = True
) -> bytes:
    """One frame as a client writes it (masked unless ``mask=False``)."""
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    size = len(payload)
    bit = 0x80 if mask else 0
    if size < 126:
        head += bytes([bit | size])
    elif size < 65536:
        head += bytes([bit | 126]) + struct.pack("!H", size)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", size)
    if not mask:
        return head + payload
    key = os.urandom(4)
    stream = (key * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(size, "big")
    return head + key + masked


def close_payload(code: int, reason: bytes = b"") -> bytes:
    return struct.pack("!H", code) + reason


def run(frames: list[bytes], expect_messages: int = 0) -> tuple[list[str | bytes], TestWebSocket]:
    """Send ``frames`` to the echo route; read the echoes (then close), or until it closes."""
    ws = Client(app).websocket("/ws/large", timeout=5)
    ws.send_raw(b"".join(frames))
    messages: list[str | bytes] = []
    try:
        while len(messages) < expect_messages or not expect_messages:
            messages.append(ws.receive(timeout=2 if expect_messages else 1))
    except Exception:  # closed (the case's close code) or nothing more came
        pass
    ws.close()
    return messages, ws


# Echoed as sent: (id, frames, the messages expected back).
ECHOES = [
    *[
        (f"1.1-text-{n}", [frame(TEXT, b"*" * n)], ["*" * n])
        for n in (0, 125, 126, 127, 128, 65535, 65536)
    ],
    *[
        (f"1.2-binary-{n}", [frame(BINARY, b"\xfe" * n)], [b"\xfe" * n])
        for n in (0, 125, 126, 65535, 65536)
    ],
    ("2.5-unsolicited-pong", [frame(PONG, b"x"), frame(TEXT, b"after")], ["after"]),
    ("5.1-two-fragments", [frame(TEXT, b"frag", fin=False), frame(CONT, b"ment")], ["fragment"]),
    (
        "5.2-binary-fragments",
        [frame(BINARY, b"\x01", fin=False), frame(CONT, b"\x02")],
        [b"\x01\x02"],
    ),
    (
        "5.3-ping-between-fragments",
        [frame(TEXT, b"a", fin=False), frame(PING, b"p"), frame(CONT, b"b")],
        ["ab"],
    ),
    (
        "5.4-hundred-fragments",
        [frame(TEXT, b"x", fin=False), *[frame(CONT, b"x", fin=False)] * 98, frame(CONT, b"x")],
        ["x" * 100],
    ),
    (
        "5.5-empty-fragments",
        [frame(TEXT, b"", fin=False), frame(CONT, b""), frame(TEXT, b"z")],
        ["", "z"],
    ),
    ("6.1-multibyte", [frame(TEXT, "κόσμε €𝄞".encode())], ["κόσμε €𝄞"]),
    (
        "6.2-code-point-split-across-fragments",
        [frame(TEXT, "€".encode()[:1], fin=False), frame(CONT, "€".encode()[1:])],
        ["€"],
    ),
    ("6.3-max-code-point", [frame(TEXT, "\U0010ffff".encode())], ["\U0010ffff"]),
]

# Answered with a close code: (id, frames, the code).
CLOSES = [
    ("2.3-ping-payload-126", [frame(PING, b"p" * 126)], 1002),
    ("3.1-rsv1-on-text", [frame(TEXT, b"x", rsv=4)], 1002),
    ("3.2-rsv2-on-binary", [frame(BINARY, b"x", rsv=2)], 1002),
    ("3.3-rsv3-on-ping", [frame(PING, b"", rsv=1)], 1002),
    *[(f"4.1-reserved-data-opcode-{op}", [frame(op, b"x")], 1002) for op in (3, 4, 5, 6, 7)],
    *[(f"4.2-reserved-control-opcode-{op}", [frame(op, b"")], 1002) for op in (11, 12, 13, 14, 15)],
    ("5.6-continuation-without-start", [frame(CONT, b"x")], 1002),
    ("5.7-fragmented-ping", [frame(PING, b"a", fin=False), frame(CONT, b"b")], 1002),
    (
        "5.8-new-message-inside-a-fragmented-one",
        [frame(TEXT, b"a", fin=False), frame(TEXT, b"b")],
        1002,
    ),
    (
        "6.4-invalid-utf8",
        [frame(TEXT, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80")],
        1007,
    ),
    (
        "6.5-invalid-utf8-across-fragments",
        [frame(TEXT, b"\xce", fin=False), frame(CONT, b"\x41")],
        1007,
    ),
    ("6.6-overlong-encoding", [frame(TEXT, b"\xc0\xaf")], 1007),
    ("6.7-surrogate", [frame(TEXT, b"\xed\xa0\x80")], 1007),
    ("6.8-beyond-max-code-point", [frame(TEXT, b"\xf4\x90\x80\x80")], 1007),
    ("7.1-close-1000-echoed", [frame(CLOSE, close_payload(1000))], 1000),
    ("7.2-close-reason-echoed", [frame(CLOSE, close_payload(3000, b"bye"))], 3000),
    ("7.3-close-4999", [frame(CLOSE, close_payload(4999))], 4999),
    ("7.4-close-one-byte-payload", [frame(CLOSE, b"\x03")], 1002),
    *[
        (f"7.5-invalid-close-code-{code}", [frame(CLOSE, close_payload(code))], 1002)
        for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000)
    ],
    ("7.6-close-reason-invalid-utf8", [frame(CLOSE, close_payload(1000, b"\xff"))], 1007),
    ("8.1-unmasked-client-frame", [frame(TEXT, b"x", mask=False)], 1002),
]


@pytest.mark.parametrize(
    ("frames", "expected"), [c[1:] for c in ECHOES], ids=[c[0] for c in ECHOES]
)
def test_echoes(frames: list[bytes], expected: list[str | bytes]) -> None:
    messages, ws = run(frames, expect_messages=len(expected))
    assert messages == expected
    assert ws.close_code == 1000  # then a clean close


@pytest.mark.parametrize(("frames", "code"), [c[1:] for c in CLOSES], ids=[c[0] for c in CLOSES])
def test_closes_with_the_right_code(frames: list[bytes], code: int) -> None:
    messages, ws = run(frames)
    assert messages == []
    assert ws.close_code == code


# The protocol errors among them (not the peer's own clean closes).
FAILURES = [c for c in CLOSES if not c[0].startswith(("7.1-", "7.2-", "7.3-"))]


@pytest.mark.parametrize(
    ("frames", "code"), [c[1:] for c in FAILURES], ids=[c[0] for c in FAILURES]
)
def test_a_message_before_a_protocol_error_is_delivered_first(
    frames: list[bytes], code: int
) -> None:
    # Autobahn 3.2, 4.1.3, 5.15...: both in one read; the handler gets (and echoes) the valid
    # message, then the socket fails (RFC 6455 §7.1.7 fails what follows, not what came before).
    messages, ws = run([frame(TEXT, b"before"), *frames, frame(PING, b"after")])
    assert messages == ["before"]
    assert ws.close_code == code
    assert ws.pongs == []  # nothing after the error is handled


@pytest.mark.parametrize("size", [0, 1, 125])
def test_2_1_pings_are_answered_with_their_payload(size: int) -> None:
    payload = bytes(range(size))
    _, ws = run([frame(PING, payload), frame(TEXT, b"done")], expect_messages=1)
    assert ws.pongs == [payload]


def test_2_4_ten_pings_ten_pongs() -> None:
    _, ws = run([frame(PING, str(i).encode()) for i in range(10)] + [frame(TEXT, b"done")], 1)
    assert ws.pongs == [str(i).encode() for i in range(10)]


def test_7_7_close_without_code_is_answered_without_code() -> None:
    messages, ws = run([frame(CLOSE, b"")])
    assert (messages, ws.close_code) == ([], 1005)  # 1005: "no status" (nothing on the wire)


def test_7_8_data_after_close_is_not_answered() -> None:
    messages, ws = run([frame(CLOSE, close_payload(1000)), frame(TEXT, b"late")])
    assert (messages, ws.close_code) == ([], 1000)


def test_8_2_garbage_bytes_close_the_socket_and_the_app_keeps_serving() -> None:
    messages, ws = run([b"\xff\xff\xff\xff\xff\xff"])
    assert ws.close_code == 1002
    messages, ws = run([frame(TEXT, b"next")], expect_messages=1)
    assert messages == ["next"]
