"""Realtime: WebSocket routes, and the Hub: RPC, events and channels, sessions bound to users.

``wtf.WebSocket`` is :class:`wtf.realtime.WebSocket`.
"""

from __future__ import annotations

from ..rate_store import RateStore, RedisStore
from .bus import Bus, Delivery, LocalBus
from .call import Call
from .codes import Code, EventDataMismatch, RPCError, UnknownEvent
from .compression import Deflate
from .files import File
from .hub import Hub
from .hub_midware import AccessLog, HubMidware, RateLimit, Recovery, RequestLimit
from .redis_bus import RedisBus
from .session import Session
from .storage import MemoryStorage, RedisStorage, SQLiteStorage, Storage
from .websocket import WebSocket, WebSocketClosed

__all__ = [
    "AccessLog",
    "Bus",
    "Call",
    "Code",
    "Deflate",
    "Delivery",
    "EventDataMismatch",
    "File",
    "Hub",
    "HubMidware",
    "LocalBus",
    "MemoryStorage",
    "RPCError",
    "RateLimit",
    "RateStore",
    "Recovery",
    "RedisBus",
    "RedisStorage",
    "RedisStore",
    "RequestLimit",
    "SQLiteStorage",
    "Session",
    "Storage",
    "UnknownEvent",
    "WebSocket",
    "WebSocketClosed",
]
