"""The docs page: the document as one self-contained HTML page, rendered on the server.

No script, no CDN, no vendored renderer: it works offline and behind any content security
policy. Operations are grouped by tag; ``$ref`` links jump to the shared schemas below them.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

__all__ = ["render_docs"]

_STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60em;padding:1em 2em;"
    "color:#222}h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;"
    "margin-top:2em}section.op{border:1px solid #ddd;border-radius:6px;margin:1em 0;"
    "padding:.6em 1em}.m{display:inline-block;min-width:4.5em;font-weight:700;"
    "text-transform:uppercase}.get{color:#1a6}.post{color:#16a}.put,.patch{color:#a61}"
    ".delete{color:#b22}code,pre{font:13px ui-monospace,monospace}pre{background:#f6f6f6;"
    "padding:.6em;overflow:auto}table{border-collapse:collapse}td,th{padding:.2em .8em "
    ".2em 0;text-align:left;vertical-align:top}.dep{text-decoration:line-through}"
)
_REF = re.compile(r'"\$ref": "#/components/schemas/([^"]+)"')


def render_docs(document: dict[str, Any], json_path: str) -> str:
    """The HTML page of ``document`` (served next to it at ``json_path``)."""
    info = document.get("info", {})
    title = escape(str(info.get("title", "API")))
    out = [
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
        f"<meta name=viewport content='width=device-width'><style>{_STYLE}</style></head><body>",
        f"<h1>{title} <small>{escape(str(info.get('version', '')))}</small></h1>",
        f"<p>OpenAPI {escape(str(document.get('openapi', '')))}: "
        f"<a href='{escape(json_path)}'>{escape(json_path)}</a></p>",
    ]
    if info.get("description"):
        out.append(f"<p>{escape(info['description'])}</p>")
    for tag, operations in _by_tag(document.get("paths", {})).items():
        out.append(f"<h2>{escape(tag)}</h2>")
        out.extend(_operation(method, path, op) for method, path, op in operations)
    realtime = document.get("x-wtf-realtime")
    if realtime:
        out.append("<h2>Realtime (WebSocket)</h2>")
        out.append(f"<pre>{_json(realtime)}</pre>")
    schemas = document.get("components", {}).get("schemas", {})
    if schemas:
        out.append("<h2>Schemas</h2>")
        for name, schema in schemas.items():
            out.append(
                f"<h3 id='schema-{escape(name)}'>{escape(name)}</h3><pre>{_json(schema)}</pre>"
            )
    out.append("</body></html>\n")
    return "\n".join(out)


def _by_tag(paths: dict[str, Any]) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    groups: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in paths.items():
        for method, op in item.items():
            if method.startswith("x-"):
                continue
            for tag in op.get("tags") or ["Operations"]:
                groups.setdefault(tag, []).append((method, path, op))
    return groups


def _operation(method: str, path: str, op: dict[str, Any]) -> str:
    dep = " dep" if op.get("deprecated") else ""
    parts = [
        f"<section class=op id='op-{escape(op.get('operationId', ''))}'>"
        f"<div class='{dep}'><span class='m {escape(method)}'>{escape(method)}</span> "
        f"<code>{escape(path)}</code> {escape(op.get('summary', ''))}</div>"
    ]
    if op.get("description"):
        parts.append(f"<p>{escape(op['description'])}</p>")
    params = op.get("parameters", [])
    if params:
        rows = "".join(
            f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
            f"<td>{'required' if p.get('required') else 'optional'}</td>"
            f"<td><code>{_json(p.get('schema', {}), compact=True)}</code></td></tr>"
            for p in params
        )
        parts.append(f"<table><tr><th>parameter</th><th>in</th><th></th><th>schema</th></tr>"
                     f"{rows}</table>")  # fmt: skip
    body = op.get("requestBody")
    if body:
        for media, content in body.get("content", {}).items():
            parts.append(
                f"<p>Body, <code>{escape(media)}</code>:</p>"
                f"<pre>{_json(content.get('schema', {}))}</pre>"
            )
    rows = "".join(
        f"<tr><td><b>{escape(status)}</b></td><td>{escape(answer.get('description', ''))}</td>"
        f"<td>{_media(answer)}</td></tr>"
        for status, answer in op.get("responses", {}).items()
    )
    parts.append(f"<table><tr><th>status</th><th></th><th>body</th></tr>{rows}</table>")
    parts.append("</section>")
    return "".join(parts)


def _media(answer: dict[str, Any]) -> str:
    return "<br>".join(
        f"<code>{escape(media)}</code> {_json(content.get('schema', {}), compact=True)}"
        for media, content in answer.get("content", {}).items()
    )


def _json(value: Any, compact: bool = False) -> str:
    """Escaped JSON whose ``$ref``s link to the schema they name."""
    text = escape(
        json.dumps(value, separators=(", ", ": ")) if compact else json.dumps(value, indent=2),
        quote=False,
    )
    return _REF.sub(
        lambda m: (
            f'"$ref": "<a href=\'#schema-{m.group(1)}\'>#/components/schemas/{m.group(1)}</a>"'
        ),
        text,
    )
