"""The OpenAPI 3.1 document of a :class:`wtf.Server`: every HTTP route, with shared components.

Built from what registration decided (routes, plans, documentation options); building it reads
no request and changes nothing the request path uses.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import RegistrationError
from .operation import Operation, error_name, problem_components, problem_response
from .paths import template
from .realtime import realtime_extension
from .schemas import Schemas

if TYPE_CHECKING:
    from ..server import Server

__all__ = ["build_document"]

#: Methods OpenAPI has operations for (others, such as PURGE, are left out); a route
#: registered without methods answers every one of them (HEAD as GET does).
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_NAMES = re.compile(r"\{[^{}]*\}")


def _methods(methods: frozenset[str] | None) -> list[str]:
    """The operations of a route's methods; GET answers HEAD, so HEAD is not a second one."""
    out = [m for m in METHODS if methods is None or m.upper() in methods]
    return [m for m in out if m != "head"] if "get" in out else out


def _fall_back(first: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    """``first``'s operation, widened by ``then``'s (the route the router falls back to):
    path values either accepts, responses either gives."""
    out = dict(first)
    params = {(p["name"], p["in"]): p for p in first.get("parameters", [])}
    for param in then.get("parameters", []):
        key = (param["name"], param["in"])
        mine = params.get(key)
        if mine is None:
            params[key] = {**param, "required": False} if param["in"] != "path" else param
        elif param["in"] == "path" and param["schema"] != mine["schema"]:
            params[key] = {**mine, "schema": _either(mine["schema"], param["schema"])}
    if params:
        out["parameters"] = list(params.values())
    responses = dict(first["responses"])
    for status, answer in then["responses"].items():
        mine = responses.get(status)
        if mine is None:
            responses[status] = answer
        elif "content" in mine and "content" in answer and mine != answer:
            content = dict(mine["content"])
            for media, body in answer["content"].items():
                old = content.get(media)
                content[media] = (
                    body if old is None else {"schema": _either(old["schema"], body["schema"])}
                )
            responses[status] = {**mine, "content": content}
    out["responses"] = responses
    return out


def _either(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    if a == b:
        return a
    options = [
        *a.get("anyOf", [a]),
        *(s for s in b.get("anyOf", [b]) if s not in a.get("anyOf", [a])),
    ]
    return {"anyOf": options}


def build_document(
    app: Server,
    *,
    title: str,
    version: str,
    description: str | None = None,
    servers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app``'s routes.

    Args:
        app: The server.
        title: ``info.title``.
        version: ``info.version`` (the API's version, not OpenAPI's).
        description: ``info.description``.
        servers: The ``servers`` list (default: none, i.e. the document's own origin).

    Raises:
        RegistrationError: Two operations were given the same ``operation_id``.
    """
    schemas = Schemas(forbid_extra=app.injector.forbid_extra)
    # Routes whose templates differ only in parameter names ("/id/{num}", "/id/{word}": the
    # router falls back from one to the next) are one path to OpenAPI (§4.8.8.1: such paths
    # are identical), documented as one path item accepting what any of them accepts.
    shapes: dict[str, list[Any]] = {}
    for route in app.router.routes:
        endpoint = route.target
        if endpoint.websocket is None and endpoint.doc.include_in_schema:
            path, path_params = template(route.pieces)
            shapes.setdefault(_NAMES.sub("{}", path), []).append((route, path, path_params))
    paths: dict[str, dict[str, Any]] = {}
    ids: dict[str, str] = {}
    schemes: dict[str, Any] = {}
    for group in shapes.values():
        path, names = group[0][1], [p.name for p in group[0][2]]
        item = paths[path] = {}
        hosts: list[str] = []
        for route, _, path_params in group:
            endpoint = route.target
            methods = _methods(route.methods)
            for method in methods:
                operation = Operation(
                    endpoint.fn,
                    endpoint.doc,
                    endpoint.plan.parameters,
                    endpoint.plan.parts,
                    [replace(p, name=name) for p, name in zip(path_params, names, strict=True)],
                    schemas,
                    msgpack=app.msgpack,
                    timed=endpoint.timed,
                )
                for scheme in operation.security:
                    schemes[scheme.scheme_name] = scheme.openapi()
                if method in item:  # a route of the same shape answers this method too
                    item[method] = _fall_back(item[method], operation.build(""))
                else:
                    operation_id = _operation_id(endpoint, method, len(methods), ids, route.pattern)
                    item[method] = operation.build(operation_id)
            hosts.extend(route.hosts or ())
        if hosts:
            item["x-wtf-hosts"] = hosts
    info: dict[str, Any] = {"title": title, "version": version}
    if description:
        info["description"] = description
    document: dict[str, Any] = {"openapi": "3.1.0", "info": info}
    if servers:
        document["servers"] = servers
    document["paths"] = paths
    realtime = realtime_extension(app, schemas, schemes)
    if realtime:
        document["x-wtf-realtime"] = realtime
    document["components"] = {
        "schemas": {**problem_components(), **schemas.components},
        "responses": _error_responses(document["paths"]),
    }
    if schemes:
        document["components"]["securitySchemes"] = dict(sorted(schemes.items()))
    return document


def _error_responses(paths: dict[str, Any]) -> dict[str, Any]:
    """The shared problem+json responses the operations refer to."""
    used = sorted(
        {
            int(status)
            for item in paths.values()
            for method, operation in item.items()
            if not method.startswith("x-")
            for status, answer in operation["responses"].items()
            if "$ref" in answer
        }
    )
    return {error_name(status): problem_response(status) for status in used}


def _operation_id(endpoint: Any, method: str, count: int, ids: dict[str, str], pattern: str) -> str:
    """The operation's id: the route's own, or the handler's name, made unique."""
    own: str | None = endpoint.doc.operation_id
    where = f"{method.upper()} {pattern}"
    if own is not None:
        if count > 1:
            own = f"{own}_{method}"
        if own in ids:
            raise RegistrationError(
                f"operation_id {own!r} of {where} is also the id of {ids[own]}; give each "
                "route its own"
            )
        ids[own] = where
        return own
    base = re.sub(r"[^A-Za-z0-9_.\-]", "_", str(getattr(endpoint.fn, "__name__", "operation")))
    if count > 1 or base in ids:
        base = f"{base}_{method}"
    candidate, n = base, 2
    while candidate in ids:
        candidate, n = f"{base}_{n}", n + 1
    ids[candidate] = where
    return candidate
