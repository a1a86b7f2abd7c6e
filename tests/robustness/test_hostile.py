"""Hostile input against an app that reflects it, through a server as strict as gunicorn.

Every request goes through wsgiref's PEP 3333 validator and a ``start_response`` that refuses
what gunicorn refuses (:mod:`tests.strict`). Inputs: text with control characters, non-Latin-1
and (in JSON) lone surrogates, as escapes and as raw bytes; big arrays; valid multipart bodies;
MessagePack. After every request the ConcurrencyLimit slot and the ArgBuilder's resource are
released, exactly once. ``WTF_FUZZ_EXAMPLES`` sets the number of examples (default 1500).
"""

from __future__ import annotations

import io
import json
import os
from typing import Any
from urllib.parse import quote
from wsgiref.validate import validator

import msgpack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from ..strict import call_environ
from . import hostile_app

EXAMPLES = int(os.environ.get("WTF_FUZZ_EXAMPLES", "1500"))
APP = validator(hostile_app.app)
#: Routes whose handler puts its input where RFC 9110 forbids some characters: for those a 500
#: (the app's own mistake, logged) is a correct answer, a crash or a refused start_response not.
REFLECTING = {"/header", "/stream", "/status", "/redirect"}

controls = st.characters(min_codepoint=0, max_codepoint=0x20) | st.sampled_from("\x7f\x85\xa0")
texts = st.text(st.characters(exclude_categories=["Cs"]) | controls, max_size=12)
json_strings = st.text(st.characters() | controls, max_size=8)  # lone surrogates included


def values(strings: st.SearchStrategy[str], bits: int = 70) -> st.SearchStrategy[Any]:
    """JSON-like values whose strings come from ``strings`` (ints within ``bits``)."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | strings,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(strings, inner, max_size=4),
        max_leaves=12,
    )


def models(strings: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects shaped like (or nearly like) the app's ``Item``."""
    return st.fixed_dictionaries(
        {"name": strings, "qty": st.integers(-5, 5) | strings, "tags": st.lists(strings)}
    )


json_values = values(json_strings)
items = models(json_strings)


def json_body(value: Any, raw: bool) -> bytes:
    """JSON with surrogates as ``\\udXXX`` escapes, or as raw (invalid UTF-8) bytes."""
    if raw:
        return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return json.dumps(value).encode()


requests = st.one_of(
    st.builds(
        lambda path, value: {"path": f"{path}?v={quote(value, safe='', errors='strict')}"},
        st.sampled_from(["/header", "/cookie", "/stream"]),
        texts,
    ),
    st.builds(lambda code: {"path": f"/status?code={code}"}, st.integers(-1000, 1200)),
    st.builds(
        lambda path, to: {"path": f"{path}?to={quote(to, safe='')}"},
        st.sampled_from(["/redirect", "/local"]),
        st.sampled_from(["//evil.com", "/\\evil", "https://x.y/", "/ok?a=1"]) | texts,
    ),
    st.builds(
        lambda path, value, raw: {
            "path": path,
            "method": "POST",
            "data": json_body(value, raw),
            "content_type": "application/json",
        },
        st.sampled_from(["/json", "/item", "/items"]),
        json_values | items | st.lists(items, max_size=3),
        st.booleans(),
    ),
    st.builds(
        lambda n, what: {
            "path": "/items",
            "method": "POST",
            "data": json.dumps([what] * n).encode(),
            "content_type": "application/json",
        },
        st.integers(0, 20_000),
        st.sampled_from([0, "x", {"name": "a", "qty": "q", "tags": [1]}]),
    ),
    st.builds(
        lambda value: {
            "path": "/item",
            "method": "POST",
            "data": msgpack.packb(value),
            "content_type": "application/msgpack",
        },
        values(texts, bits=64) | models(texts),
    ),
    st.builds(
        lambda name, qty, payload, filename: {
            "path": "/upload",
            "method": "POST",
            "data": {"name": name, "qty": qty, "file": (io.BytesIO(payload), filename)},
        },
        texts,
        texts,
        st.binary(max_size=2048),
        st.text(
            st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
            min_size=1,
            max_size=10,
        ),
    ),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(requests, st.sampled_from([None, "gzip", "application/msgpack"]))
def test_hostile_requests_are_answered_and_release_everything(
    request: dict[str, Any], accept: str | None
) -> None:
    headers = {"Accept-Encoding": accept, "Accept": accept} if accept else {}
    environ = EnvironBuilder(headers=headers, **request).get_environ()
    seen = call_environ(APP, environ)
    assert seen.crashed is None, repr(seen.crashed)
    assert seen.refused == []
    path, _, query = request["path"].partition("?")
    if path == "/status":  # the status asked for when a response can carry it, else a 500
        code = int(query.removeprefix("code="))
        assert seen.status == (code if 200 <= code <= 599 else 500)
    elif seen.status >= 500:
        assert path in REFLECTING and seen.status == 500, (seen.status, seen.body[:300])
        assert seen.header("Content-Type") == "application/problem+json"
    assert b"Traceback" not in seen.body
    assert hostile_app.limit.in_use == 0
    assert hostile_app.open_resources == 0
