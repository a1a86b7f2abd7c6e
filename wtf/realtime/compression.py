"""permessage-deflate (RFC 7692) for WebSocket routes.

Negotiation is wsproto's (:class:`wsproto.extensions.PerMessageDeflate`); the data path is
wtf's, for three things wsproto's does not do: inflating is bounded by the route's
``max_message_size`` (a small frame may not inflate to gigabytes), messages under a threshold
go uncompressed (deflate makes small messages bigger and costs more than it saves), and the
compressor's window and memory level are set, since they are most of the memory a connection
costs.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import CloseReason, FrameDecoder, FrameProtocol, Opcode, RsvBits

__all__ = ["DEFAULT_DEFLATE", "Deflate", "Deflater", "negotiate"]

_TAIL = b"\x00\x00\xff\xff"  # what each compressed message ends with, and leaves out
_PARAMS = frozenset(
    (
        "client_max_window_bits",
        "server_max_window_bits",
        "client_no_context_takeover",
        "server_no_context_takeover",
    )
)
_NO_RSV = RsvBits(False, False, False)


@dataclass(frozen=True, slots=True)
class Deflate:
    """permessage-deflate settings of a WebSocket route (``app.websocket(..., compression=
    Deflate(...))``; ``compression=None`` turns it off).

    The defaults cost about 80 KiB per connection that compresses (a 4 KiB compression
    window with memory level 5, and the client's window of up to 32 KiB to inflate), and only
    once the first message big enough is sent or a compressed one is received.

    Args:
        threshold: Messages under this many bytes are sent uncompressed.
        level: zlib compression level, 1 (fastest) to 9 (smallest).
        window_bits: The compression window, 2**bits bytes (9..15); smaller saves memory.
        mem_level: zlib's memory level for compressing (1..9); smaller saves memory.
        client_window_bits: The window asked of a client that lets the server choose (9..15).
    """

    threshold: int = 256
    level: int = 6
    window_bits: int = 12
    mem_level: int = 5
    client_window_bits: int = 15

    def __post_init__(self) -> None:
        for name, value, low, high in (
            ("threshold", self.threshold, 0, 1 << 62),
            ("level", self.level, 1, 9),
            ("window_bits", self.window_bits, 9, 15),
            ("mem_level", self.mem_level, 1, 9),
            ("client_window_bits", self.client_window_bits, 9, 15),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(f"Deflate({name}=...) is an int from {low} to {high}")


#: What WebSocket routes use unless told otherwise.
DEFAULT_DEFLATE = Deflate()


class Deflater(PerMessageDeflate):
    """One connection's permessage-deflate: wsproto's extension, negotiating as it does, with
    a bounded, thresholded data path (:func:`negotiate` makes it)."""

    def __init__(self, settings: Deflate, max_message_size: int) -> None:
        super().__init__(client_max_window_bits=settings.client_window_bits)
        self.settings = settings
        self.max_message_size = max_message_size
        self.compress_with: zlib._Compress | None = None
        self.inflate_with: zlib._Decompress | None = None
        self.control = False  # the frame being read is a control frame (inside a message)
        self.compressed: bool | None = None  # the message being read was compressed
        self.inflated = 0  # bytes the message being read inflated to so far

    def frame_inbound_header(
        self,
        proto: FrameDecoder | FrameProtocol,
        opcode: Opcode,
        rsv: RsvBits,
        payload_length: int,
    ) -> CloseReason | RsvBits:
        """A frame starts: a data frame that starts a message says whether it is compressed."""
        self.control = opcode.iscontrol()
        if self.control:
            return _NO_RSV  # RSV1 on a control frame is a protocol error (wsproto says so)
        if opcode is Opcode.CONTINUATION:
            return CloseReason.PROTOCOL_ERROR if rsv.rsv1 else _NO_RSV
        self.compressed = rsv.rsv1
        self.inflated = 0
        if rsv.rsv1 and self.inflate_with is None:
            self.inflate_with = zlib.decompressobj(-self.client_max_window_bits)
        return RsvBits(True, False, False)

    def frame_inbound_payload_data(
        self, proto: FrameDecoder | FrameProtocol, data: bytes
    ) -> bytes | CloseReason:
        """Inflate a compressed message's bytes, never past ``max_message_size``."""
        if self.control or not self.compressed:
            return data
        return self._inflate(data)

    def frame_inbound_complete(
        self, proto: FrameDecoder | FrameProtocol, fin: bool
    ) -> bytes | CloseReason | None:
        """A frame ended; at the end of a compressed message, inflate its tail."""
        if self.control or not fin:
            return None
        compressed, self.compressed = self.compressed, None
        if not compressed:
            return None
        rest = self._inflate(_TAIL)
        if self.client_no_context_takeover:
            self.inflate_with = None
        return rest

    def _inflate(self, data: bytes) -> bytes | CloseReason:
        assert self.inflate_with is not None
        room = self.max_message_size - self.inflated
        try:
            out = self.inflate_with.decompress(data, room + 1)
        except zlib.error:
            return CloseReason.INVALID_FRAME_PAYLOAD_DATA
        if len(out) > room:
            return CloseReason.MESSAGE_TOO_BIG
        self.inflated += len(out)
        return out

    def frame_outbound(
        self,
        proto: FrameDecoder | FrameProtocol,
        opcode: Opcode,
        rsv: RsvBits,
        data: bytes,
        fin: bool,
    ) -> tuple[RsvBits, bytes]:
        """Compress a whole message at or over the threshold (wtf sends messages whole)."""
        if opcode.iscontrol() or not fin:
            return rsv, data
        deflated = self.deflate(data)
        if deflated is None:
            return rsv, data
        return RsvBits(True, rsv.rsv2, rsv.rsv3), deflated

    def deflate(self, payload: bytes | memoryview) -> bytes | None:
        """A whole message's payload compressed (to send with RSV1 set), or ``None`` when it
        is under the threshold (send it as it is)."""
        if len(payload) < self.settings.threshold:
            return None
        compressor = self.compress_with
        if compressor is None:
            bits = min(self.settings.window_bits, self.server_max_window_bits)
            compressor = zlib.compressobj(
                self.settings.level, zlib.DEFLATED, -bits, self.settings.mem_level
            )
        out = compressor.compress(payload) + compressor.flush(zlib.Z_SYNC_FLUSH)
        self.compress_with = None if self.server_no_context_takeover else compressor
        return out[:-4]


def negotiate(
    header: str | None, settings: Deflate | None, max_message_size: int
) -> tuple[Deflater, str] | None:
    """Accept the first ``permessage-deflate`` offer of a ``Sec-WebSocket-Extensions`` header
    that is valid (RFC 7692 §5: unknown or repeated parameters, or bad values, decline that
    offer): the extension for the connection and the header value to answer with; ``None``
    when compression is off or nothing acceptable was offered."""
    if settings is None or not header:
        return None
    for offer in header.split(","):
        name, *params = (part.strip() for part in offer.split(";"))
        if name.lower() != "permessage-deflate" or not _valid(params):
            continue
        extension = Deflater(settings, max_message_size)
        answer = extension.accept(offer)
        if answer is None or answer is False:
            continue
        return extension, f"permessage-deflate; {answer}" if answer else "permessage-deflate"
    return None


def _valid(params: list[str]) -> bool:
    seen: set[str] = set()
    for param in params:
        key, has_value, value = (s.strip() for s in param.partition("="))
        if key not in _PARAMS or key in seen:
            return False
        seen.add(key)
        if key.endswith("context_takeover"):
            if has_value:
                return False
        elif (has_value or key == "server_max_window_bits") and not (
            value.isdigit() and 8 <= int(value) <= 15
        ):
            return False
    return True
