"""Realtime: WebSocket routes (API.md §6.1); the Hub and sessions build on them.

``import wtf.realtime`` loads only what it names; ``wtf.WebSocket`` is the same class.
"""

from __future__ import annotations

from .websocket import WebSocket, WebSocketClosed

__all__ = ["WebSocket", "WebSocketClosed"]
