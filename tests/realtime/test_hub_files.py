"""Chunked file upload over a Hub connection (MessagePack calls carrying ``f``)."""

from __future__ import annotations

import errno
import glob
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from wtf.realtime import Code
from wtf.testing import Client, HubClient

from .hub_app import SEEN_PATHS, app

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def rt() -> Iterator[HubClient]:
    SEEN_PATHS.clear()
    with Client(app).hub("/rt-files", msgpack=True) as client:
        yield client


def leftovers() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "wtf-upload-*")))


def chunk(data: bytes, file_id: str, total: int, index: int, name: str = "a.bin") -> dict[str, Any]:
    return {"b": data, "i": file_id, "p": [total, index], "n": name}


def send(rt: HubClient, call_id: int, files: dict[str, Any], **params: Any) -> dict[str, Any]:
    rt.send_message(
        {"m": "save" if "doc" in files else "many", "p": params, "i": call_id, "f": files}
    )
    return rt.reply(call_id)


def test_chunks_stream_to_a_file_the_method_gets_whole(rt: HubClient) -> None:
    before = leftovers()
    payload = bytes(range(256)) * 10  # 2,560 bytes in 3 chunks of at most 1 KiB
    pieces = [payload[:1024], payload[1024:2048], payload[2048:]]
    assert send(rt, 1, {"doc": [chunk(pieces[0], "f1", 3, 0)]}, title="t") == {
        "i": 1,
        "r": {"progress": {"f1": [1, 3]}},
    }
    assert send(rt, 2, {"doc": [chunk(pieces[1], "f1", 3, 1)]})["r"] == {"progress": {"f1": [2, 3]}}
    assert SEEN_PATHS == []  # the method waits for the last chunk
    reply = send(rt, 3, {"doc": [chunk(pieces[2], "f1", 3, 2)]}, title="t")
    assert reply["r"] == {"title": "t", "name": "a.bin", "size": 2560, "sum": sum(payload) % 65521}
    assert not os.path.exists(SEEN_PATHS[0])  # removed when the call ended
    assert leftovers() == before


def test_several_files_in_one_field(rt: HubClient) -> None:
    files = {"parts": [chunk(b"one", "x", 1, 0, "x.txt"), chunk(b"three", "y", 1, 0, "y.txt")]}
    assert send(rt, 1, files)["r"] == [["x.txt", 3], ["y.txt", 5]]
    assert all(not os.path.exists(path) for path in SEEN_PATHS)


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ({"doc": [chunk(b"", "e", 1, 0)]}, Code.FILE_EMPTY),
        ({"doc": [chunk(b"x" * 1025, "big", 1, 0)]}, Code.FILE_TOO_LARGE),
        ({"doc": [chunk(b"x", "late", 2, 1)]}, Code.FILE_RETRY),
        ({"doc": [{"b": "text", "i": "s", "p": [1, 0]}]}, Code.INVALID),
        ({"doc": [chunk(b"x", "bad", 1, 1)]}, Code.INVALID),
        ({"doc": "not a list"}, Code.INVALID),
    ],
)
def test_bad_chunks(rt: HubClient, files: dict[str, Any], code: int) -> None:
    assert send(rt, 1, files)["e"]["c"] == code
    assert send(rt, 2, {"doc": [chunk(b"ok", "fine", 1, 0)]})["r"]["size"] == 2  # still serving


def test_a_file_over_the_limit_and_a_repeated_chunk(rt: HubClient) -> None:
    before = leftovers()
    for index in range(4):
        assert "r" in send(rt, index + 1, {"doc": [chunk(b"x" * 1024, "f", 5, index)]})
    assert send(rt, 9, {"doc": [chunk(b"x" * 1024, "f", 5, 4)]})["e"]["c"] == Code.FILE_TOO_LARGE
    assert leftovers() == before  # the partial file went with the error
    assert "r" in send(rt, 10, {"doc": [chunk(b"a", "g", 2, 0)]})
    retry = send(rt, 11, {"doc": [chunk(b"a", "g", 2, 0)]})
    assert (retry["e"]["c"], retry["e"]["d"]) == (Code.FILE_RETRY, {"expected": 1})


def test_unfinished_uploads_are_removed_when_the_socket_closes() -> None:
    before = leftovers()
    with Client(app).hub("/rt-files", msgpack=True) as rt:
        assert "r" in send(rt, 1, {"doc": [chunk(b"half", "h", 2, 0)]})
        assert len(leftovers() - before) == 1
    assert leftovers() == before


def test_files_need_msgpack() -> None:
    with Client(app).hub("/rt-files") as rt:
        rt.send_message({"m": "save", "i": 1, "f": {"doc": []}})
        assert rt.reply(1)["e"]["c"] == Code.INVALID


@pytest.mark.parametrize(
    ("error", "text"),
    [(errno.ENOSPC, "No space left on device"), (errno.EMFILE, "Too many open files")],
)
def test_a_disk_or_fd_failure_is_an_error_answer_and_frees_the_budget(
    rt: HubClient, monkeypatch: pytest.MonkeyPatch, error: int, text: str
) -> None:
    before = leftovers()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    reply = send(rt, 1, {"doc": [chunk(b"x" * 100, "f", 2, 0)]})
    assert reply["e"] == {
        "c": Code.RESOURCE_EXHAUSTED,
        "m": f"the upload could not be stored ({text})",
        "d": None,
    }
    monkeypatch.undo()
    # Nothing was kept: the same id starts again at chunk 0, and the bytes were given back.
    assert send(rt, 2, {"doc": [chunk(b"x" * 1024, "f", 1, 0)]})["r"]["size"] == 1024
    assert leftovers() == before


def test_chunks_are_all_checked_before_any_is_written(rt: HubClient) -> None:
    before = leftovers()
    files = {"doc": [chunk(b"fine", "a", 1, 0)], "parts": [chunk(b"", "b", 1, 0)]}
    rt.send_message({"m": "save", "p": {}, "i": 1, "f": files})
    assert rt.reply(1)["e"]["c"] == Code.FILE_EMPTY
    assert leftovers() == before  # "a" was well-formed but not written either
