"""Uploads over a Hub connection cannot exhaust a real gunicorn worker: nothing is written
before the method, its file params and the Hub's midware admitted the call; unfinished uploads
and bytes are capped per connection and per worker; a disk that refuses is an error answer;
nothing stays on disk and no file descriptor stays open."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.realtime.test_hub_live import Peer, peer
from tests.serving.live import Server, serving
from wtf.realtime import Code

pytestmark = pytest.mark.timeout(120)

MIB = 1 << 20
CHUNK = MIB - 1024  # the biggest chunk a message of at most 1 MiB carries


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="wtf-upload-tests-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def server(scratch: Path) -> Iterator[Server]:
    tmp = scratch / "tmp"
    tmp.mkdir()
    with serving(
        "tests.realtime.hub_app:app", "--workers", "1", env={"TMPDIR": str(tmp)}
    ) as running:
        yield running


def worker_pid(server: Server) -> int:
    """The one worker's pid (gunicorn listens before its worker is up: wait, bounded)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    settle(lambda: len(children.read_text().split()) == 1)
    return int(children.read_text().split()[0])


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def uploads_on_disk(scratch: Path) -> list[str]:
    return [name for name in os.listdir(scratch / "tmp") if name.startswith("wtf-upload-")]


def chunk(data: bytes, file_id: str, total: int = 1, index: int = 0) -> dict[str, Any]:
    return {"b": data, "i": file_id, "p": [total, index], "n": f"{file_id}.bin"}


def call(p: Peer, call_id: int, method: str, files: dict[str, Any]) -> dict[str, Any]:
    p.send({"m": method, "p": {}, "i": call_id, "f": files})
    reply = p.receive()
    assert reply["i"] == call_id
    return reply


def settle(check: Any, seconds: float = 5.0) -> None:
    """Wait (bounded) until ``check()`` holds: the worker cleans up after a close."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the worker did not clean up in time"
        time.sleep(0.02)


def test_thousands_of_upload_ids_in_one_message_open_nothing(server: Server, scratch: Path) -> None:
    pid = worker_pid(server)
    with peer(server, True, "/rt-guarded") as p:
        p.send({"m": "ping", "i": 1})
        assert p.receive() == {"i": 1, "r": "pong"}
        fds = open_fds(pid)
        files = {"doc": [chunk(b"x", f"id{n}", total=2) for n in range(3000)]}
        error = call(p, 3, "save", files)["e"]
        assert error["c"] == Code.RESOURCE_EXHAUSTED
        assert "over 4 unfinished uploads" in error["m"]
        assert uploads_on_disk(scratch) == []
        # Before: 3,000 files opened. The worker's own fds may move by one or two meanwhile
        # (another test's socket closing, gunicorn's housekeeping): none per upload id.
        assert open_fds(pid) <= fds + 2
        p.send({"m": "ping", "i": 4})
        assert p.receive() == {"i": 4, "r": "pong"}  # the connection goes on


def test_unknown_methods_and_methods_without_files_write_nothing(
    server: Server, scratch: Path
) -> None:
    with peer(server, True, "/rt-guarded") as p:
        codes = [  # 40 MiB offered to a method that does not exist, through RateLimit(12, 60)
            call(p, n, "nothing", {"doc": [chunk(b"y" * CHUNK, f"u{n}")]})["e"]["c"]
            for n in range(40)
        ]
        assert codes == [Code.NOT_FOUND] * 12 + [Code.TOO_MANY_REQUESTS] * 28
    with peer(server, True, "/rt-guarded") as p:
        error = call(p, 99, "ping", {"doc": [chunk(b"z" * 10, "p")]})["e"]
        assert (error["c"], error["m"]) == (Code.INVALID, "'ping' takes no files ('f')")
        error = call(p, 100, "$subscribe", {"doc": [chunk(b"z" * 10, "s")]})["e"]
        assert (error["c"], error["m"]) == (Code.INVALID, "$subscribe takes no files ('f')")
    assert uploads_on_disk(scratch) == []


def test_the_rate_limit_comes_before_a_byte_is_written(server: Server, scratch: Path) -> None:
    with peer(server, True, "/rt-guarded") as p:
        codes = []
        for n in range(20):  # RateLimit(12, 60): the first of two chunks of 20 files
            reply = call(p, n, "save", {"doc": [chunk(b"r" * 100, f"r{n}", total=2)]})
            codes.append(reply["r"]["progress"][f"r{n}"] if "r" in reply else reply["e"]["c"])
        # Four unfinished uploads at most, then RESOURCE_EXHAUSTED, until the rate limit.
        assert codes == [[1, 2]] * 4 + [Code.RESOURCE_EXHAUSTED] * 8 + [Code.TOO_MANY_REQUESTS] * 8
        assert len(uploads_on_disk(scratch)) == 4  # unfinished, held until the socket ends
    settle(lambda: uploads_on_disk(scratch) == [])


def test_bytes_are_capped_per_connection_and_per_worker(server: Server, scratch: Path) -> None:
    pid = worker_pid(server)
    fds = open_fds(pid)
    with peer(server, True, "/rt-guarded") as a, peer(server, True, "/rt-guarded") as b:
        big = b"a" * CHUNK
        for n, name in enumerate(("a1", "a2", "a3")):  # nearly 3 MiB: this connection's cap
            assert call(a, n, "save", {"doc": [chunk(big, name, total=4)]})["r"]
        error = call(a, 9, "save", {"doc": [chunk(b"!" * 8192, "a4", total=4)]})["e"]
        assert (error["c"], error["m"]) == (
            Code.RESOURCE_EXHAUSTED,
            f"over {3 * MIB} bytes of uploads on this connection",
        )
        for n, name in enumerate(("b1", "b2")):  # nearly 5 MiB in the worker: its cap
            assert call(b, n, "save", {"doc": [chunk(big, name, total=4)]})["r"]
        error = call(b, 9, "save", {"doc": [chunk(b"!" * 8192, "b3", total=4)]})["e"]
        assert (error["c"], error["m"]) == (
            Code.RESOURCE_EXHAUSTED,
            "the server holds all the uploads it can",
        )
        assert len(uploads_on_disk(scratch)) == 5
        assert open_fds(pid) <= fds + 2  # the two sockets; no file is held open
    settle(lambda: uploads_on_disk(scratch) == [])
    with peer(server, True, "/rt-guarded") as c:  # the budget was given back...
        for n in range(7):  # ...and finished calls give theirs back: 7 MiB in all goes through
            reply = call(c, n, "save", {"doc": [chunk(b"c" * CHUNK, f"c{n}")]})
            assert reply["r"]["size"] == CHUNK
    settle(lambda: open_fds(pid) <= fds)


def test_a_disk_that_refuses_is_an_error_answer(server: Server, scratch: Path) -> None:
    tmp = scratch / "tmp"
    with peer(server, True, "/rt-guarded") as p:
        assert call(p, 1, "save", {"doc": [chunk(b"k" * 10, "k1", total=2)]})["r"]
        shutil.rmtree(tmp)  # the worker's temporary directory is gone
        try:
            for call_id, files in (
                (2, {"doc": [chunk(b"k" * 10, "k1", total=2, index=1)]}),  # appending
                (3, {"doc": [chunk(b"n" * 10, "n1", total=2)]}),  # creating
            ):
                error = call(p, call_id, "save", files)["e"]
                assert error["c"] == Code.RESOURCE_EXHAUSTED
                assert error["m"] == "the upload could not be stored (No such file or directory)"
        finally:
            tmp.mkdir()
        reply = call(p, 4, "save", {"doc": [chunk(b"fine", "f1")]})  # the worker goes on
        assert reply["r"]["size"] == 4
    assert "a Hub upload could not be stored" in server_log(server)


def server_log(server: Server) -> str:
    server.log.flush()
    server.log.seek(0)
    text = server.log.read()
    server.log.seek(0, os.SEEK_END)
    return text
