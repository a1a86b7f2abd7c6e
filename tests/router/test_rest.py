"""``Rest``: ordered params."""

from __future__ import annotations

import pytest

from wtf.router import Rest


def test_get_first_of_repeated_name() -> None:
    rest = Rest([("x", "1"), ("y", "2"), ("x", "3")])
    assert (rest.get("x"), rest.get("y"), rest.get("z"), rest.get("z", "d")) == ("1", "2", "", "d")
    assert rest.as_dict() == {"x": "1", "y": "2"}
    assert list(rest) == [("x", "1"), ("y", "2"), ("x", "3")]
    assert len(rest) == 3 and "y" in rest and "z" not in rest


@pytest.mark.parametrize(
    ("index", "expected"), [(0, "a"), (1, "b"), (2, "dflt"), (-1, "dflt"), (99, "dflt")]
)
def test_get_index(index: int, expected: str) -> None:
    assert Rest([("", "a"), ("n", "b")]).get_index(index, "dflt") == expected


def test_equality_and_repr() -> None:
    assert Rest([("a", "1")]) == Rest.from_lists(("a",), ("1",))
    assert Rest([("a", "1")]) != Rest([("a", "2")])
    assert repr(Rest([("a", "1")])) == "Rest([('a', '1')])"
