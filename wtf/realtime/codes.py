"""The Hub's error codes and the errors methods raise."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

__all__ = ["Code", "EventDataMismatch", "RPCError", "UnknownEvent"]


class Code(IntEnum):
    """Error codes of a failed call (``{"i": id, "e": {"c": code, ...}}``)."""

    ERROR = -1000
    FULL = -1001
    EXISTS = -1002
    INVALID = -1003
    NOT_FOUND = -1004
    NOT_AUTHORIZED = -1005
    NO_PERMISSION = -1006
    UNIMPLEMENTED = -1007
    TOO_MANY_REQUESTS = -1008
    RESOURCE_EXHAUSTED = -1009
    BUSY = -1010
    FILE_RETRY = -1011
    FILE_EMPTY = -1012
    FILE_TOO_LARGE = -1013
    TIMEOUT = -1014


class RPCError(Exception):
    """Raise in a Hub method (or midware) to fail the call with ``code``.

    Args:
        code: A :class:`Code` (or another int the client understands).
        message: Shown to the client.
        data: Sent as the error's ``d`` (anything JSON can hold), or ``None``.
    """

    def __init__(self, code: int, message: str = "", data: Any = None) -> None:
        if not message:
            known = int(code) in Code._value2member_map_
            message = Code(code).name.lower().replace("_", " ") if known else "error"
        super().__init__(message)
        self.code = int(code)
        self.message = message
        self.data = data

    def wire(self) -> dict[str, Any]:
        """The ``e`` member of the reply."""
        return {"c": self.code, "m": self.message, "d": self.data}


class UnknownEvent(KeyError):
    """An event was emitted that the Hub did not declare with ``hub.event(name)``."""

    def __str__(self) -> str:
        return f"undeclared event {self.args[0]!r}: declare it with hub.event({self.args[0]!r})"


class EventDataMismatch(TypeError):
    """In debug mode, an emit's data does not fit the type its event declared
    (``hub.event(name, data=T)``).

    Attributes:
        event: The event's name.
        problems: Each wrong field, as ``"where: what"``.
    """

    def __init__(self, event: str, problems: list[str]) -> None:
        super().__init__(
            f"the data emitted as {event!r} does not fit its type: " + "; ".join(problems[:5])
        )
        self.event = event
        self.problems = problems
