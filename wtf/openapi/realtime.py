"""``x-wtf-realtime``: WebSocket routes and Hub methods, which OpenAPI has no operations for.

Shape::

    {"websockets": [{"path": "/echo", "handler": "app.echo", "subprotocols": [...]}],
     "hubs": [{"path": "/hub", "methods": {"add": {"params": {...}, "result": {...},
               "summary": "..."}}, "events": ["message"],
               "history": {"message": {"size": 100, "ttl": 300}},
               "eventData": {"message": {"$ref": "#/components/schemas/Message"}}}]}

``eventData`` gives the payload's schema of each event declared with one
(``hub.event(name, data=T)``). ``history`` lists the events that keep each channel's last
events (``size``, ``ttl`` seconds or ``null``), which a client may resubscribe to ``since`` an
offset.

Params and results are JSON Schemas with the document's shared components. Every Hub's own
methods, ``$subscribe`` and ``$unsubscribe``, are listed before the app's.
"""

from __future__ import annotations

import inspect
import typing
from typing import TYPE_CHECKING, Any

from ..annotations import model_fields
from .operation import schemes_needed
from .paths import template
from .schemas import Schemas

if TYPE_CHECKING:
    from ..server import Server

__all__ = ["realtime_extension"]


_EVENT_CHANNEL = {
    "event": {"type": "string", "description": "A declared event's name."},
    "channel": {"type": "string", "description": "Any string: a room, a topic, a user..."},
}

#: Every Hub's own methods, documented beside the app's.
BUILT_IN_METHODS: dict[str, Any] = {
    "$subscribe": {
        "summary": "Receive an event on a channel (after the app's on_subscribe hook "
        "allowed it); with since (and epoch), first what was missed since that offset.",
        "params": {
            "type": "object",
            "properties": {
                **_EVENT_CHANNEL,
                "data": {"description": "Given to the app's on_subscribe hook."},
                "since": {"type": "integer", "minimum": 0, "description": "The last offset seen."},
                "epoch": {"type": "string", "description": "The epoch of that offset."},
            },
            "required": ["event", "channel"],
        },
        "result": {
            "anyOf": [
                {"const": True, "description": "Subscribed (an event without history)."},
                {
                    "type": "object",
                    "description": "Subscribed to an event with history: where it is.",
                    "properties": {
                        "offset": {"type": "integer"},
                        "epoch": {"type": "string"},
                        "recovered": {"type": "boolean"},
                    },
                    "required": ["offset", "epoch"],
                },
            ]
        },
    },
    "$unsubscribe": {
        "summary": "Stop receiving an event on a channel.",
        "params": {
            "type": "object",
            "properties": _EVENT_CHANNEL,
            "required": ["event", "channel"],
        },
        "result": {"type": "boolean", "description": "Whether it was subscribed."},
    },
}


def realtime_extension(
    app: Server, schemas: Schemas, security_schemes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The extension's value, or ``{}`` when ``app`` has no WebSocket route; the security
    schemes a Hub's upgrade needs (``Hub(user=...)``) are added to ``security_schemes``."""
    sockets: list[dict[str, Any]] = []
    hubs: list[dict[str, Any]] = []
    for route in app.router.routes:
        endpoint = route.target
        options = endpoint.websocket
        if options is None:
            continue
        path, _ = template(route.pieces)
        describe = getattr(endpoint.fn, "describe", None)
        if callable(describe):  # a Hub
            methods, events = describe()
            history_of = getattr(endpoint.fn, "history_of", None)
            kept = {
                event: {"size": found[0], "ttl": found[1]}
                for event in events
                if callable(history_of) and (found := history_of(event)) is not None
            }
            data_type = getattr(endpoint.fn, "data_type", None)
            payloads = {
                event: schemas.of(found)
                for event in events
                if callable(data_type) and (found := data_type(event)) is not None
            }
            needed = schemes_needed(getattr(endpoint.fn, "user_parameters", ()))
            if security_schemes is not None:
                for scheme in needed:
                    security_schemes[scheme.scheme_name] = scheme.openapi()
            hubs.append(
                {
                    "path": path,
                    "subprotocols": list(options.subprotocols),
                    "methods": {
                        **BUILT_IN_METHODS,
                        **{
                            name: _method(fn, params_type, schemas)
                            for name, (params_type, fn) in methods.items()
                        },
                    },
                    "events": list(events),
                    "history": kept,
                    "eventData": payloads,
                    **(
                        {"security": [{scheme.scheme_name: [] for scheme in needed}]}
                        if needed
                        else {}
                    ),
                }
            )
        else:
            sockets.append(
                {
                    "path": path,
                    "handler": endpoint.name,
                    "subprotocols": list(options.subprotocols),
                    "maxMessageSize": options.max_message_size,
                }
            )
    out: dict[str, Any] = {}
    if sockets:
        out["websockets"] = sockets
    if hubs:
        out["hubs"] = hubs
    return out


def _method(fn: Any, params_type: Any, schemas: Schemas) -> dict[str, Any]:
    out: dict[str, Any] = {"params": _params(params_type, schemas)}
    try:
        result = typing.get_type_hints(fn, include_extras=True).get("return")
    except (NameError, TypeError):
        result = None
    if result is not None:
        out["result"] = schemas.of(result)
    doc = inspect.getdoc(fn)
    if doc:
        out["summary"] = " ".join(doc.partition("\n\n")[0].split())
    return out


def _params(params_type: Any, schemas: Schemas) -> dict[str, Any]:
    """An inline object schema (a method's params have no name of their own to share)."""
    fields = model_fields(params_type)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: schemas.of(annotation) for name, (annotation, _) in fields.items()},
    }
    required = [name for name, (_, needed) in fields.items() if needed]
    if required:
        schema["required"] = required
    return schema
