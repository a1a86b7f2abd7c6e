"""Encoding response bodies: JSON (pluggable), MessagePack (optional extra) and XML.

``Server(json_encoder=...)`` takes any ``fn(obj) -> bytes``. The default, :func:`encode_json`, is
the standard library's, compact and UTF-8, and also serializes dataclasses, pydantic models,
UUIDs, datetimes (ISO 8601), enums (their value), decimals (as strings) and sets. With the
``fast`` extra, :func:`orjson_encoder` does the same several times faster.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .errors import RegistrationError

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = [
    "JSON",
    "MSGPACK",
    "OCTET",
    "TEXT",
    "XML",
    "encode_json",
    "encode_msgpack",
    "encode_xml",
    "is_model_instance",
    "orjson_encoder",
    "require_msgpack",
    "to_builtin",
    "wants_msgpack",
]

TEXT = "text/plain; charset=utf-8"
OCTET = "application/octet-stream"
JSON = "application/json"
MSGPACK = "application/msgpack"
XML = "application/xml; charset=utf-8"
_OFFERS = [JSON, MSGPACK, "application/x-msgpack"]
_WANTS: dict[str, bool] = {}


def is_model_instance(obj: Any) -> bool:
    """Whether ``obj`` is a dataclass instance or a pydantic model (sent as JSON)."""
    return (dataclasses.is_dataclass(obj) and not isinstance(obj, type)) or callable(
        getattr(obj, "model_dump", None)
    )


def to_builtin(obj: Any) -> Any:
    """The JSON-compatible form of what ``json`` cannot encode itself (a ``default=`` hook).

    Raises:
        TypeError: ``obj`` has no such form.
    """
    dump = getattr(obj, "model_dump", None)
    if dump is not None and not isinstance(obj, type):
        return dump(mode="json")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, uuid.UUID | decimal.Decimal):
        return str(obj)
    if isinstance(obj, datetime.date | datetime.time):  # datetime is a date
        return obj.isoformat()
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=to_builtin)
_ascii_encoder = json.JSONEncoder(separators=(",", ":"), default=to_builtin)


def encode_json(obj: Any) -> bytes:
    """Compact UTF-8 JSON (the default ``json_encoder``).

    Raises:
        TypeError: A value that cannot be encoded.
    """
    try:
        return _encoder.encode(obj).encode()
    except UnicodeEncodeError:  # a lone surrogate (JSON input may carry "\ud800"): escape it
        return _ascii_encoder.encode(obj).encode()


def orjson_encoder() -> Callable[[Any], bytes]:
    """An orjson-based ``json_encoder`` (``pip install wtf[fast]``): same output types.

    Raises:
        RegistrationError: orjson is not installed.
    """
    try:
        import orjson
    except ImportError:
        raise RegistrationError("orjson_encoder needs orjson: pip install 'wtf[fast]'") from None
    dumps = orjson.dumps
    options = orjson.OPT_NON_STR_KEYS
    refused = orjson.JSONEncodeError

    def encode(obj: Any) -> bytes:
        try:
            return dumps(obj, default=to_builtin, option=options)
        except refused:  # lone surrogates, ints over 64 bits...: the stdlib encoder decides
            return encode_json(obj)

    return encode


def require_msgpack() -> None:
    """Check that the ``msgpack`` extra is installed.

    Raises:
        RegistrationError: It is not.
    """
    try:
        import msgpack  # noqa: F401
    except ImportError:
        raise RegistrationError("msgpack=True needs msgpack: pip install 'wtf[msgpack]'") from None


def encode_msgpack(obj: Any) -> bytes:
    """MessagePack, with the same conversions as JSON."""
    import msgpack

    packed: bytes = msgpack.packb(obj, default=to_builtin, use_bin_type=True)
    return packed


def wants_msgpack(environ: WSGIEnvironment) -> bool:
    """Whether the request's ``Accept`` prefers MessagePack to JSON (RFC 9110 §12.5.1)."""
    accept = environ.get("HTTP_ACCEPT")
    if not accept or "msgpack" not in accept:
        return False
    wanted = _WANTS.get(accept)
    if wanted is None:
        best = parse_accept_header(accept, MIMEAccept).best_match(_OFFERS, default=JSON)
        wanted = best != JSON
        if len(_WANTS) >= 1024:  # bounded: arbitrary headers cannot grow it
            _WANTS.clear()
        _WANTS[accept] = wanted
    return wanted


def encode_xml(
    data: ElementTree.Element | Mapping[str, Any] | str | bytes, root: str = "root"
) -> bytes:
    """XML bytes (UTF-8, with a declaration) for an ``Element``, a mapping, or ready text.

    A mapping becomes ``<root><key>value</key>...</root>``; lists repeat their parent's tag.
    """
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode()
    if isinstance(data, Mapping):
        data = _element(root, data)
    body: bytes = ElementTree.tostring(data, encoding="utf-8", xml_declaration=True)
    return body


def _element(tag: str, value: Any) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            if isinstance(child, list | tuple):
                for item in child:
                    element.append(_element(str(key), item))
            else:
                element.append(_element(str(key), child))
    elif value is not None:
        if isinstance(value, bool):
            value = "true" if value else "false"
        element.text = str(value)
    return element
