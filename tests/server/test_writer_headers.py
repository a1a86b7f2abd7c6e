"""BufferWriter's header helpers (what midware use): case-insensitive, duplicates dropped."""

from __future__ import annotations

import pytest

from wtf.writer import BufferWriter


def writer(*pairs: tuple[str, str]) -> BufferWriter:
    w = BufferWriter()
    w.header_list.extend(pairs)
    return w


@pytest.mark.parametrize(
    ("before", "name", "expected"),
    [
        pytest.param([], "X-A", None, id="empty"),
        pytest.param([("x-a", "1")], "X-A", "1", id="case"),
        pytest.param([("X-AB", "1"), ("X-A", "2")], "x-a", "2", id="prefix-is-not-a-match"),
        pytest.param([("X-A", "1"), ("X-A", "2")], "X-A", "1", id="first"),
    ],
)
def test_header(before: list[tuple[str, str]], name: str, expected: str | None) -> None:
    assert writer(*before).header(name) == expected


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param([], [("X-A", "9")], id="added"),
        pytest.param([("Y", "1"), ("x-a", "0")], [("Y", "1"), ("X-A", "9")], id="replaced"),
        pytest.param(
            [("X-A", "0"), ("Y", "1"), ("x-a", "2"), ("Z", "3"), ("X-A", "4")],
            [("X-A", "9"), ("Y", "1"), ("Z", "3")],
            id="duplicates-dropped",
        ),
    ],
)
def test_set_header(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> None:
    w = writer(*before)
    w.set_header("X-A", "9")
    assert w.header_list == after


def test_remove_header_and_crlf() -> None:
    w = writer(("X-A", "1"), ("Y", "2"), ("x-a", "3"))
    w.remove_header("X-A")
    assert w.header_list == [("Y", "2")]
    with pytest.raises(ValueError, match="cannot be sent"):
        w.set_header("Y", "a\r\nInjected: 1")


CT, CL = "Content-Type", "Content-Length"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param([], [(CT, "text/plain"), (CL, "5")], id="empty"),
        pytest.param(
            [("X-A", "1")], [("X-A", "1"), (CT, "text/plain"), (CL, "5")], id="others-kept"
        ),
        pytest.param([("content-type", "text/html")], [("content-type", "text/html"), (CL, "5")]),
        pytest.param([(CL, "99"), ("X-A", "1")], [("X-A", "1"), (CT, "text/plain"), (CL, "5")]),
        pytest.param(
            [("content-length", "1"), ("X-A", "1"), ("Content-Length", "2")],
            [("X-A", "1"), (CT, "text/plain"), (CL, "5")],
            id="duplicate-lengths",
        ),
        pytest.param(
            [("Content-Typo", "x"), ("Content-Lengths", "x")],
            [("Content-Typo", "x"), ("Content-Lengths", "x"), (CT, "text/plain"), (CL, "5")],
            id="near-names",
        ),
    ],
)
def test_set_body_headers(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> None:
    w = writer(*before)
    w.set_body_headers("text/plain", 5)
    assert w.header_list == after
