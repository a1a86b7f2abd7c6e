"""``wtf.realtime.Call``: one call of a Hub method, injectable into it and into midware."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .codes import Code, RPCError

if TYPE_CHECKING:
    from .files import File
    from .hub import Hub
    from .session import Session

__all__ = ["Call"]


class Call:
    """One call (or notification) of a Hub method.

    Attributes:
        id: The call's ``i`` (``None`` for a notification).
        method: The method's name.
        session: The caller's session.
        hub: The Hub.
        params: The ``p`` the client sent (``None`` when absent).
        args: The bound params, in the method's order (set before the method runs).
        files: The complete files of a chunked upload, by field (``{}`` without one).
    """

    __slots__ = ("args", "files", "hub", "id", "method", "params", "session")

    def __init__(
        self,
        call_id: int | None,
        method: str,
        session: Session,
        hub: Hub,
        params: dict[str, Any] | None,
    ) -> None:
        self.id = call_id
        self.method = method
        self.session = session
        self.hub = hub
        self.params = params
        self.files: dict[str, list[File]] = {}
        self.args: tuple[Any, ...] = ()

    def file(self, field: str, many: bool = False) -> Any:
        """The uploaded file of ``field`` (``many``: the list of them).

        Raises:
            RPCError: ``INVALID`` when the call carried no complete file for ``field``.
        """
        found = self.files.get(field)
        if not found:
            raise RPCError(Code.INVALID, f"this method needs a file in 'f' for {field!r}")
        return list(found) if many else found[0]

    def emit(self, event: str, data: Any) -> None:
        """Send ``event`` to the caller only (``c`` is null; no subscription needed).

        Raises:
            UnknownEvent: ``event`` was not declared with ``hub.event``.
        """
        self.hub.emit_to(event, None, data, [self.session])

    def emit_others(self, event: str, channel: str, data: Any) -> None:
        """Send ``event`` to ``channel``'s subscribers, the caller excepted.

        Raises:
            UnknownEvent: ``event`` was not declared with ``hub.event``.
        """
        self.hub.emit(event, channel, data, exclude=self.session)

    def __repr__(self) -> str:
        return f"<wtf.realtime.Call {self.method!r} id={self.id}>"
