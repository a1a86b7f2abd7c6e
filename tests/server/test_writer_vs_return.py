"""A handler that writes through ``wtf.Response`` and one that returns the same content give
byte-identical responses — status line, header list, body — with and without each midware
that wraps the writer or filters the body, for any request: a faster path may not drift from
the other. Each side has its fast and its general path (no midware or some; a body in one
write or two; a returning handler with or without a Context), and every pair is compared."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

import wtf
from wtf.midware import CORS, Gzip, StatusCode

MIDWARE: dict[str, Callable[[], Any]] = {
    "gzip": lambda: Gzip(min_size=100),
    "cors": lambda: CORS(["https://a.example"]),
    "status": StatusCode,
    "passing": lambda: lambda ctx: ctx,  # any midware: the request goes through the chain
}
HEADER_VALUES = (
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["x" * 700, "hé" * 400]  # past Gzip's min_size
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


def pair(
    kind: str,
    status: int,
    headers: dict[str, str],
    body: Any,
    midware: tuple[str, ...],
    split: bool = False,
    context: bool = False,
):
    """Two apps answering ``/x``: one writes the content (in two writes when ``split``), the
    other returns it (from a handler taking the Context when ``context``: another path)."""
    writer, returner = wtf.Server(), wtf.Server()
    for app in (writer, returner):
        for name in midware:
            app.add_midware(MIDWARE[name]())

    @writer.route("/x")
    def write(resp: wtf.Response) -> None:
        for name, value in headers.items():
            resp.headers[name] = value
        resp.write_header(status)
        half = len(body) // 2 if split else len(body)
        if kind == "text":
            resp.write_string(body[:half])
            resp.write_string(body[half:])
        elif kind == "json":
            resp.write_json(body)
        else:
            resp.write(body[:half])
            resp.write(body[half:])

    if context:

        @returner.route("/x")
        def give_in_context(ctx: wtf.Context) -> tuple[Any, int, dict[str, str]]:
            return body, status, headers

    else:

        @returner.route("/x")
        def give() -> tuple[Any, int, dict[str, str]]:
            return body, status, headers

    return writer, returner


def answer(app: wtf.Server, method: str, request_headers: dict[str, str]) -> tuple[Any, ...]:
    environ = EnvironBuilder(path="/x", method=method, headers=request_headers).get_environ()
    body, status, headers = run_wsgi_app(app, environ)
    try:
        data = b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    return status, headers.to_wsgi_list(), data


BASE: dict[str, Any] = {
    "kind": "text",
    "status": 200,
    "headers": {},
    "text": "",
    "value": None,
    "midware": (),
    "method": "GET",
    "gzip_ok": False,
    "origin": False,
    "split": False,
    "context": False,
}


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["text", "json", "bytes", "octets"]),  # octets: bytes, untyped
    status=st.sampled_from([200, 201, 202, 400, 404, 418, 500, 503]),
    headers=st.dictionaries(
        st.sampled_from(["X-A", "X-B", "Cache-Control", "ETag", "Vary"]), HEADER_VALUES, max_size=3
    ),
    text=TEXT,
    value=JSON_VALUES,
    midware=st.lists(st.sampled_from(sorted(MIDWARE)), unique=True, max_size=3).map(tuple),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
    gzip_ok=st.booleans(),
    origin=st.booleans(),
    split=st.booleans(),
    context=st.booleans(),
)
# compressed on both paths
@example(**{**BASE, "text": "x" * 700, "midware": ("gzip",), "gzip_ok": True, "split": True})
# an empty 404, rendered
@example(**{**BASE, "status": 404, "midware": ("status",), "context": True})
@example(**{**BASE, "kind": "json", "headers": {"Vary": "Origin"}, "value": {"a": 1},
            "midware": ("cors", "gzip"), "method": "HEAD", "gzip_ok": True,
            "origin": True})  # fmt: skip
# both fast paths: no midware, the tuple sent without a Context
@example(**{**BASE, "status": 201, "headers": {"X-A": "1"}, "text": "hello", "split": True})
# bytes written without a type: the default type and the length in the same order
@example(**{**BASE, "kind": "octets", "text": "abc", "split": True})
# through the chain, from a handler taking the Context
@example(**{**BASE, "kind": "bytes", "text": "hé", "midware": ("passing",), "method": "POST",
            "split": True, "context": True})  # fmt: skip
def test_writing_and_returning_the_same_content_answer_the_same_bytes(
    kind: str,
    status: int,
    headers: dict[str, str],
    text: str,
    value: Any,
    midware: tuple[str, ...],
    method: str,
    gzip_ok: bool,
    origin: bool,
    split: bool,
    context: bool,
) -> None:
    if kind == "text":
        body: Any = text
    elif kind == "json":
        body = value if isinstance(value, dict | list) else {"v": value}
    else:
        body = text.encode()
        if kind == "bytes":
            headers = {**headers, "Content-Type": "application/octet-stream"}
        elif not body:  # a writer that got no bytes cannot tell their type: text/plain, empty
            body = b"x"
    writer, returner = pair(kind, status, headers, body, midware, split, context)
    request_headers = {}
    if gzip_ok:
        request_headers["Accept-Encoding"] = "gzip"
    if origin:
        request_headers["Origin"] = "https://a.example"
    written = answer(writer, method, request_headers)
    returned = answer(returner, method, request_headers)
    assert written == returned
    if kind == "json" and method != "HEAD" and "gzip" not in midware:
        assert json.loads(written[2]) == body


@pytest.mark.parametrize("midware", [(), ("passing",)], ids=["no-midware", "chain"])
@pytest.mark.parametrize("announced", ["99", "2", "x"])
def test_a_content_length_given_is_replaced_by_the_body_s_on_both_paths(
    midware: tuple[str, ...], announced: str
) -> None:
    headers = {"Content-Length": announced, "X-A": "1"}
    writer, returner = pair("text", 200, headers, "hi", midware)
    written = answer(writer, "GET", {})
    assert written == answer(returner, "GET", {})
    assert written[1] == [
        ("X-A", "1"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", "2"),
    ]
