"""``wtf.realtime.Call``: one call of a Hub method, injectable into it and into midware."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
        files: What the call carried in ``f`` (chunked uploads).
    """

    __slots__ = ("args", "files", "hub", "id", "method", "params", "session")

    def __init__(
        self,
        call_id: int | None,
        method: str,
        session: Session,
        hub: Hub,
        params: dict[str, Any] | None,
        files: Any = None,
    ) -> None:
        self.id = call_id
        self.method = method
        self.session = session
        self.hub = hub
        self.params = params
        self.files = files
        self.args: tuple[Any, ...] = ()

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
