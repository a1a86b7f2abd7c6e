"""Route parameters converted by a handler's annotation (``def show(uid: int)``).

A value that does not convert is not this route's URL: it answers 404, like a path no route
matches.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from .errors import HTTPError
from .scalars import MAX_INT_DIGITS, parse_bool, parse_float, parse_int

__all__ = ["CONVERTERS", "RouteParamError", "to_bool", "to_float", "to_int", "to_uuid"]


class RouteParamError(HTTPError):
    """A route parameter that does not convert to its annotated type: answered as 404.

    Args:
        reason: What did not convert (``"'abc' is not an int"``), for the problem's detail.
    """

    def __init__(self, reason: str = "") -> None:
        super().__init__(404)
        self.reason = reason


def to_int(value: str) -> int:
    """An int route parameter (:func:`wtf.scalars.parse_int`); else 404."""
    # PERF: the common case inline: ASCII digits, no sign.
    if value.isdigit() and value.isascii() and len(value) <= MAX_INT_DIGITS:
        return int(value)
    number = parse_int(value)
    if number is None:
        raise RouteParamError(f"{value[:40]!r} is not an int")
    return number


def to_float(value: str) -> float:
    """A float route parameter (:func:`wtf.scalars.parse_float`); else 404."""
    number = parse_float(value)
    if number is None:
        raise RouteParamError(f"{value[:40]!r} is not a number")
    return number


def to_bool(value: str) -> bool:
    """A bool route parameter (:func:`wtf.scalars.parse_bool`); else 404."""
    flag = parse_bool(value)
    if flag is None:
        raise RouteParamError(f"{value[:40]!r} is not a boolean (true/false)")
    return flag


def to_uuid(value: str) -> uuid.UUID:
    """A UUID route parameter (any form ``uuid.UUID`` accepts); else 404."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise RouteParamError(f"{value[:40]!r} is not a UUID") from None


#: annotation -> the function converting a route value to it (``None``: the string itself)
CONVERTERS: dict[Any, Callable[[str], Any] | None] = {
    str: None,
    int: to_int,
    float: to_float,
    bool: to_bool,
    uuid.UUID: to_uuid,
}
