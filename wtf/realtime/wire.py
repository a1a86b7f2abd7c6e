"""The Hub's wire format: one message per frame, JSON text or MessagePack binary.

In: ``{"m": method, "p": params, "i": id}`` (no ``i``: a notification). Out: ``{"i", "r"}``,
``{"i", "e": {"c", "m", "d"}}`` and events ``{"v", "c", "r"}``. Decoding never raises: a bad
message becomes a :class:`Malformed` carrying the id when one could be read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..rendering import encode_msgpack
from ..request import lone_surrogate
from .websocket import prepare

__all__ = ["JSON", "MAX_ID", "MSGPACK", "Incoming", "Malformed", "Wire", "decode"]

JSON = "wtf.json"
MSGPACK = "wtf.msgpack"
#: Ids are integers a JavaScript number holds exactly (beyond, the id cannot be read).
MAX_ID = 2**53 - 1
_MAX_DEPTH = 64
_SURROGATE_MSG = "a string with a lone UTF-16 surrogate is not valid text"


@dataclass(frozen=True, slots=True)
class Incoming:
    """A well-formed call (``id`` set) or notification (``id`` is None)."""

    method: str
    params: dict[str, Any] | None
    id: int | None
    files: Any = None


@dataclass(frozen=True, slots=True)
class Malformed:
    """A message that is no call; ``id`` when one could be read (then it gets an answer);
    ``data``: the error's ``d`` (field errors, in the 422 shape), if any."""

    reason: str
    id: int | None = None
    data: Any = None


def _read_id(value: Any) -> int | None:
    if type(value) is int and -MAX_ID <= value <= MAX_ID:
        return value
    return None


def decode(frame: str | bytes, msgpack: bool) -> Incoming | Malformed:
    """Decode one frame (text: JSON; binary: MessagePack, when the client chose it)."""
    if isinstance(frame, bytes):
        if not msgpack:
            return Malformed("a binary frame, but the connection speaks JSON (wtf.json)")
        try:
            import msgpack as packer  # the msgpack extra; checked when the Hub is mounted

            data = packer.unpackb(frame, raw=False, strict_map_key=True, max_bin_len=len(frame))
        except Exception as exc:  # msgpack raises many kinds
            return Malformed(f"not MessagePack: {type(exc).__name__}")
    else:
        try:
            data = json.loads(frame)
        except (ValueError, RecursionError) as exc:
            return Malformed(f"not JSON: {exc}"[:200])
    if type(data) is not dict:
        return Malformed(f"a message is an object, not {type(data).__name__}")
    raw_id = data.get("i")
    call_id = _read_id(raw_id)
    if raw_id is not None and call_id is None:
        return Malformed("'i' must be an integer within ±2**53-1")
    method = data.get("m")
    if type(method) is not str or not method:
        return Malformed("'m' (the method's name) must be a non-empty string", call_id)
    params = data.get("p")
    if params is not None and type(params) is not dict:
        return Malformed("'p' (the params) must be an object", call_id)
    if _too_deep(params):
        return Malformed(f"'p' is nested over {_MAX_DEPTH} levels", call_id)
    # A "\\udfff" escape is valid JSON but no valid text (MessagePack's strict UTF-8 cannot
    # carry one): refused as an HTTP JSON body is. PERF: only a frame with such an escape.
    if isinstance(frame, str) and ("\\ud" in frame or "\\uD" in frame):
        where = lone_surrogate(data)
        if where is not None:
            return Malformed(
                _SURROGATE_MSG,
                call_id,
                {"errors": [{"loc": where, "msg": _SURROGATE_MSG, "type": "string_unicode"}]},
            )
    return Incoming(method, params, call_id, data.get("f"))


def _too_deep(value: Any, depth: int = 0) -> bool:
    if depth > _MAX_DEPTH:
        return True
    if type(value) is dict:
        return any(_too_deep(v, depth + 1) for v in value.values())
    if type(value) is list:
        return any(_too_deep(v, depth + 1) for v in value)
    return False


class Wire:
    """Encodes outgoing messages for one format, once per message (emits reuse the frame)."""

    def __init__(self, msgpack: bool, json_encoder: Callable[[Any], bytes]) -> None:
        self.msgpack = msgpack
        self._json = json_encoder

    def encode(self, message: dict[str, Any]) -> bytes:
        """The complete WebSocket frame for ``message``: MessagePack in a binary frame, or
        JSON in a text frame (see :func:`~wtf.realtime.websocket.prepare`)."""
        if self.msgpack:
            return prepare(encode_msgpack(message), text=False)
        return prepare(self._json(message))
