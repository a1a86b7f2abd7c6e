"""``wtf typescript MODULE:APP``: the TypeScript description of an app's Hubs.

Written from the app's OpenAPI document (its ``x-wtf-realtime`` section and the shared
schemas), so that a type is described to TypeScript exactly as it is to OpenAPI: every Hub
method's params and result and every event's payload (``hub.event(name, data=T)``), from the
Python annotations. With the JavaScript client (``wtf-realtime.d.ts``)::

    import { connect } from "/wtf-realtime.js";
    import type { Hub } from "./hub";       // this module's output
    const client = connect<Hub>("/rt");     // client.call("chat.send", {...}) is now checked
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..server import Server

__all__ = ["hub_typescript", "schema_to_typescript"]

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_REF = "#/components/schemas/"
_SCALARS = {
    "string": "string",
    "integer": "number",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
}


def hub_typescript(app: Server, source: str = "") -> str:
    """The ``.d.ts`` text describing every Hub of ``app``: an interface per shared schema, and
    ``Hub`` (or ``Hub_<path>`` for each when there are several) with ``methods`` (``params``,
    ``result``) and ``events`` (the payloads; ``unknown`` for an event declared without
    ``data=``)."""
    document = app.openapi()
    hubs = document.get("x-wtf-realtime", {}).get("hubs", [])
    components: dict[str, Any] = document.get("components", {}).get("schemas", {})
    used: set[str] = set()
    blocks: list[str] = []
    for hub in hubs:
        name = "Hub" if len(hubs) == 1 else "Hub_" + _identifier_of(hub["path"])
        blocks.append(_hub_interface(name, hub, used))
    shared: list[str] = []
    done: set[str] = set()
    while used - done:
        ref = sorted(used - done)[0]
        done.add(ref)
        schema = components.get(ref, {})
        doc = _comment(schema.get("description"), "")
        shared.append(f"{doc}export type {_identifier_of(ref)} = {_ts(schema, used, '')};\n")
    by = f" by `wtf typescript {source}`" if source else " by `wtf typescript`"
    header = f"// Written{by} from the app's Hub: do not edit, write it again.\n"
    if hubs:
        first = "Hub" if len(hubs) == 1 else "Hub_" + _identifier_of(hubs[0]["path"])
        header += f'// Use it with the JavaScript client: connect<{first}>("{hubs[0]["path"]}").\n'

    if not hubs:
        header += "// This app has no Hub.\n"
    return header + "\n" + "\n".join(shared + blocks)


def _hub_interface(name: str, hub: dict[str, Any], used: set[str]) -> str:
    lines = [f"/** The Hub at {hub['path']}. */", f"export interface {name} {{", "  methods: {"]
    for method, described in sorted(hub.get("methods", {}).items()):
        schema = described.get("params", {})
        # No params: nothing may be sent (the Hub refuses unknown params), or none at all.
        none = not schema.get("properties")
        params = "Record<string, never>" if none else _ts(schema, used, "      ")
        result = _ts(described["result"], used, "      ") if "result" in described else "unknown"
        lines.append(_comment(described.get("summary"), "    ").rstrip("\n"))
        lines.append(f"    {_key(method)}: {{")
        lines.append(f"      params: {params};")
        lines.append(f"      result: {result};")
        lines.append("    };")
    lines.append("  };")
    lines.append("  events: {")
    payloads = hub.get("eventData", {})
    for event in hub.get("events", []):
        payload = _ts(payloads[event], used, "    ") if event in payloads else "unknown"
        lines.append(f"    {_key(event)}: {payload};")
    lines.append("  };")
    lines.append("}")
    return "\n".join(line for line in lines if line) + "\n"


def schema_to_typescript(schema: dict[str, Any]) -> str:
    """The TypeScript type of a JSON Schema (references stay names: ``Note`` for
    ``#/components/schemas/Note``)."""
    return _ts(schema, set(), "")


def _ts(schema: Any, used: set[str], indent: str) -> str:
    if schema is True or schema == {}:
        return "unknown"
    if schema is False:
        return "never"
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF):
        used.add(ref[len(_REF) :])
        return _identifier_of(ref[len(_REF) :])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"]) or "never"
    for combiner, joiner in (("anyOf", " | "), ("oneOf", " | "), ("allOf", " & ")):
        if combiner in schema:
            parts = _unique(_wrap(_ts(s, used, indent)) for s in schema[combiner])
            return joiner.join(parts) or "unknown"
    kinds = schema.get("type")
    if isinstance(kinds, list):
        parts = _unique(_wrap(_ts({**schema, "type": k}, used, indent)) for k in kinds)
        return " | ".join(parts)
    if kinds == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(_ts(s, used, indent) for s in schema["prefixItems"]) + "]"
        return _wrap(_ts(schema.get("items", {}), used, indent)) + "[]"
    if kinds == "object" or "properties" in schema:
        return _object(schema, used, indent)
    if isinstance(kinds, str):
        return _SCALARS.get(kinds, "unknown")
    return "unknown"


def _object(schema: dict[str, Any], used: set[str], indent: str) -> str:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    inner = indent + "  "
    members = []
    documented = False
    for name, sub in properties.items():
        optional = "" if name in required else "?"
        doc = _comment(sub.get("description") if isinstance(sub, dict) else None, inner)
        documented = documented or bool(doc)
        members.append((doc, f"{_key(name)}{optional}: {_ts(sub, used, inner)};"))
    extra = schema.get("additionalProperties")
    if extra is not None and extra is not False:
        value = "unknown" if extra is True else _ts(extra, used, inner)
        if properties:  # an index signature must admit the named members too
            value = "unknown"
        members.append(("", f"[key: string]: {value};"))
    if not members:
        return "Record<string, never>" if extra is False else "{ [key: string]: unknown }"
    one_line = "{ " + " ".join(member for _, member in members)[:-1] + " }"
    if not documented and len(one_line) + len(indent) <= 80 and "\n" not in one_line:
        return one_line
    return "{\n" + "\n".join(f"{doc}{inner}{m}" for doc, m in members) + f"\n{indent}}}"


def _wrap(ts: str) -> str:
    """Parenthesized when it is a union or intersection (``(A | B)[]``)."""
    depth = 0
    for char in ts:
        depth += char in "{[(<"
        depth -= char in "}])>"
        if depth == 0 and char in "|&":
            return f"({ts})"
    return ts


def _unique(parts: Any) -> list[str]:
    return list(dict.fromkeys(parts))


def _key(name: str) -> str:
    return name if _IDENTIFIER.fullmatch(name) else json.dumps(name)


def _identifier_of(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_$]", "_", text).strip("_") or "root"
    return cleaned if not cleaned[0].isdigit() else "_" + cleaned


def _comment(text: Any, indent: str) -> str:
    if not isinstance(text, str) or not text.strip():
        return ""
    safe = " ".join(text.split()).replace("*/", "* /")
    return f"{indent}/** {safe} */\n"
