"""Which WebSocket routes of an app must be served by one process: those whose handler keeps
its deliveries in that process (a Hub on a :class:`~wtf.realtime.bus.LocalBus`). Served by
several workers, each worker would be a separate hub: clients on different workers would
never hear each other."""

from __future__ import annotations

from typing import Any

__all__ = ["one_process_routes"]


def one_process_routes(app: Any) -> list[str]:
    """The patterns of ``app``'s WebSocket routes whose handler delivers within one process."""
    router = getattr(app, "router", None)
    if router is None:
        return []
    return [
        route.pattern
        for route in router.routes
        if getattr(route.target, "websocket", None) is not None
        and getattr(getattr(route.target, "fn", None), "one_process", False) is True
    ]
