"""Binding against small reference validators, on generated input."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

import wtf
from wtf.testing import Client

from .models import Line

app = wtf.Server()


@app.get("/page")
def page(page: int = 1, exact: bool = False) -> dict[str, Any]:
    return {"page": page, "exact": exact}


@app.post("/line")
def line(body: Line) -> dict[str, Any]:
    return {"sku": body.sku, "qty": body.qty}


client = Client(app)

# The one rule for ints (wtf.scalars): ASCII digits, an optional "-", nothing around them.
INT = re.compile(r"-?[0-9]{1,4300}", re.ASCII)
BOOLS = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


def reference_int(text: str) -> int | None:
    return int(text) if INT.fullmatch(text) else None


@settings(max_examples=300)
@given(
    st.one_of(
        st.text(max_size=12),
        st.integers().map(str),
        st.sampled_from(["+1", " 2", "٣", "0\x1f", "\xa05", "5\u2003", "0\x85", "1_0", "-0"]),
    )
)
def test_int_query_parameter_matches_reference(text: str) -> None:
    response = client.get(f"/page?page={quote(text, safe='')}")
    expected = reference_int(text)
    if expected is None:
        assert response.status_code == 422
        assert response.json["errors"][0]["loc"] == ["query", "page"]  # type: ignore[index]
    else:
        assert response.status_code == 200
        assert response.json["page"] == expected  # type: ignore[index]


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=6), st.sampled_from([*sorted(BOOLS), "TRUE", "Off", "2"])))
def test_bool_query_parameter_matches_reference(text: str) -> None:
    response = client.get(f"/page?exact={quote(text, safe='')}")
    expected = BOOLS.get(text.lower())
    if expected is None:
        assert response.status_code == 422
    else:
        assert response.json["exact"] is expected  # type: ignore[index]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def reference_line(value: Any) -> set[str] | None:
    """The names of bad fields of a Line, or None if it is valid."""
    if not isinstance(value, dict):
        return {"body"}
    bad = {k for k in value if k not in ("sku", "qty")}
    if not isinstance(value.get("sku"), str):
        bad.add("sku")
    qty = value.get("qty")
    is_int = type(qty) is int or (type(qty) is float and qty.is_integer())
    if not is_int:
        bad.add("qty")
    return bad or None


@settings(max_examples=300)
@given(
    st.one_of(
        JSON,
        st.fixed_dictionaries({"sku": JSON, "qty": JSON}),
        st.fixed_dictionaries({"sku": st.text(max_size=3), "qty": st.integers()}),
    )
)
def test_json_body_matches_reference(value: Any) -> None:
    response = client.post("/line", data=json.dumps(value), content_type="application/json")
    expected = reference_line(value)
    if expected is None:
        assert response.status_code == 200
        assert response.json == {"sku": value["sku"], "qty": int(value["qty"])}
    else:
        assert response.status_code == 422
        named = {str(e["loc"][-1]) for e in response.json["errors"]}  # type: ignore[index]
        assert named == expected
