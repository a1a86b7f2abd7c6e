"""Which WebSocket routes of an app must be served by one process: those whose handler keeps
its deliveries in that process (a Hub on a :class:`~wtf.realtime.bus.LocalBus`). Served by
several workers, each worker would be a separate hub: clients on different workers would
never hear each other."""

from __future__ import annotations

from typing import Any

__all__ = ["one_process_routes", "websocket_handlers"]


def websocket_handlers(app: Any) -> list[tuple[str, Any]]:
    """``(pattern, handler)`` of each of ``app``'s WebSocket routes."""
    router = getattr(app, "router", None)
    if router is None:
        return []
    return [
        (route.pattern, getattr(route.target, "fn", None))
        for route in router.routes
        if getattr(route.target, "websocket", None) is not None
    ]


def one_process_routes(app: Any) -> list[str]:
    """The patterns of ``app``'s WebSocket routes whose handler delivers within one process."""
    return [
        pattern
        for pattern, handler in websocket_handlers(app)
        if getattr(handler, "one_process", False) is True
    ]
