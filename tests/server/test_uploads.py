"""Resumable chunked uploads: Content-Range PUTs and the next/done/abort hook."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import wtf
from wtf.testing import Client
from wtf.uploads import ChunkAction, ChunkedUpload, Upload


def make(tmp_path: Path, **kwargs: Any) -> tuple[Client, Path]:
    app = wtf.Server()
    uploads = ChunkedUpload(tmp_path, **kwargs)
    app.put("/up/:upload_id", max_body_size=64)(uploads.receive)
    return Client(app, validate=True), tmp_path


def files(root: Path) -> list[str]:
    """What an upload left in its directory (the stable lock files aside)."""
    return sorted(p.name for p in root.iterdir() if p.name != ".locks")


def put(client: Client, data: bytes, content_range: str | None, upload: str = "u1") -> Any:
    headers = {"Content-Range": content_range} if content_range else {}
    return client.put(f"/up/{upload}", data=data, headers=headers)


def test_two_chunks_complete_the_file(tmp_path: Path) -> None:
    client, root = make(tmp_path)
    first = put(client, b"hello", "bytes 0-4/11")
    assert first.status_code == 202
    assert first.json == {"id": "u1", "received": 5, "total": 11, "done": False}
    assert first.headers["Range"] == "bytes=0-4"
    last = put(client, b" world", "bytes 5-10/11")
    assert last.status_code == 201
    assert last.json == {"id": "u1", "received": 11, "total": 11, "done": True}
    assert (root / "u1").read_bytes() == b"hello world"
    assert files(root) == ["u1", "u1.receipt"]  # no .part or .json; the answer, for retries


def test_status_query_tells_where_to_resume(tmp_path: Path) -> None:
    client, root = make(tmp_path)
    unknown = put(client, b"", "bytes */11", upload="nobody")
    assert (unknown.status_code, unknown.json["received"]) == (200, 0)
    assert files(root) == []  # asking created nothing
    put(client, b"hello", "bytes 0-4/11")
    status = put(client, b"", "bytes */11")
    assert (status.status_code, status.json["received"], status.headers["Range"]) == (
        200,
        5,
        "bytes=0-4",
    )


def test_retried_and_overlapping_chunks(tmp_path: Path) -> None:
    client, root = make(tmp_path)
    put(client, b"hello", "bytes 0-4/11")
    retried = put(client, b"hello", "bytes 0-4/11")  # the response was lost: sent again
    assert (retried.status_code, retried.json["received"]) == (202, 5)
    overlap = put(client, b"lo wor", "bytes 3-8/11")
    assert overlap.json["received"] == 9
    assert put(client, b"ld", "bytes 9-10/11").status_code == 201
    assert (root / "u1").read_bytes() == b"hello world"


def test_a_gap_is_a_409_with_the_received_range(tmp_path: Path) -> None:
    client, _ = make(tmp_path)
    put(client, b"hello", "bytes 0-4/11")
    gap = put(client, b"rld", "bytes 8-10/11")
    assert gap.status_code == 409
    assert gap.headers["Range"] == "bytes=0-4"
    assert gap.json["detail"] == "the chunk starts at 8 but 5 bytes were received"


@pytest.mark.parametrize(
    ("data", "content_range", "status", "detail"),
    [
        pytest.param(b"x", None, 400, "expected Content-Range", id="missing"),
        pytest.param(b"x", "bytes=0-0/1", 400, "expected Content-Range", id="request-range-syntax"),
        pytest.param(b"x", "bytes 5-2/10", 400, "not a valid range", id="backwards"),
        pytest.param(b"x", "bytes 0-20/10", 400, "not a valid range", id="past-total"),
        pytest.param(b"", "bytes */*", 400, "says nothing", id="star-star"),
        pytest.param(b"xy", "bytes 0-4/10", 400, "the chunk has 2 bytes", id="short-chunk"),
        pytest.param(b"x", "bytes 0-0/2000", 413, "over 1000 bytes", id="total-too-big"),
        pytest.param(b"x" * 65, "bytes 0-64/100", 413, "over 64 bytes", id="chunk-too-big"),
    ],
)
def test_bad_chunks(
    tmp_path: Path, data: bytes, content_range: str | None, status: int, detail: str
) -> None:
    client, _ = make(tmp_path, max_size=1000)
    response = put(client, data, content_range)
    assert response.status_code == status
    assert detail in response.json["detail"]


def test_the_total_cannot_change(tmp_path: Path) -> None:
    client, _ = make(tmp_path)
    put(client, b"hello", "bytes 0-4/11")
    response = put(client, b" world!", "bytes 5-11/12")
    assert (response.status_code, response.json["detail"]) == (
        400,
        "the total changed from 11 to 12",
    )


@pytest.mark.parametrize("upload", ["a.b", "x" * 129, "caf%C3%A9"])
def test_bad_upload_ids(tmp_path: Path, upload: str) -> None:
    client, root = make(tmp_path)
    refused = put(client, b"x", "bytes 0-0/1", upload=upload)
    assert refused.status_code == 422  # the id's pattern, checked while binding
    assert refused.json["errors"][0]["type"] == "string_pattern_mismatch"
    assert files(root) == []


def test_a_complete_upload_is_not_overwritten(tmp_path: Path) -> None:
    client, root = make(tmp_path)
    put(client, b"hi", "bytes 0-1/2")
    again = put(client, b"yo", "bytes 0-1/2")
    assert (again.status_code, again.json["detail"]) == (409, "upload u1 is already complete")
    assert (root / "u1").read_bytes() == b"hi"


def test_abort_deletes_the_partial_data(tmp_path: Path) -> None:
    def refuse_zeros(upload: Upload) -> ChunkAction:
        if b"\0" in upload.path.read_bytes():
            upload.reason = "no zero bytes, please"
            return ChunkAction.ABORT
        return ChunkAction.NEXT

    client, root = make(tmp_path, on_chunk=refuse_zeros)
    assert put(client, b"ok", "bytes 0-1/10").status_code == 202
    aborted = put(client, b"\0\0", "bytes 2-3/10")
    assert (aborted.status_code, aborted.json["detail"]) == (422, "no zero bytes, please")
    assert files(root) == []
    assert put(client, b"ok", "bytes 0-1/10").json["received"] == 2  # starts over


def test_unknown_total_with_a_hook_that_decides(tmp_path: Path) -> None:
    def done_on_short_chunk(upload: Upload) -> ChunkAction:
        if upload.received - upload.first < 4:
            upload.result = {"size": upload.received}
            return ChunkAction.DONE
        return ChunkAction.NEXT

    client, root = make(tmp_path, on_chunk=done_on_short_chunk)
    assert put(client, b"abcd", "bytes 0-3/*").json["total"] is None
    done = put(client, b"ef", "bytes 4-5/*")
    assert (done.status_code, done.json["result"]) == (201, {"size": 6})
    assert (root / "u1").read_bytes() == b"abcdef"


def test_a_hook_returning_nonsense_is_a_500(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = make(tmp_path, on_chunk=lambda upload: "done")  # type: ignore[arg-type,return-value]
    response = put(client, b"x", "bytes 0-0/1")
    assert response.status_code == 500
    assert "on_chunk returned 'done'" in caplog.text


def test_concurrent_copies_of_a_chunk_are_written_once(tmp_path: Path) -> None:
    client, root = make(tmp_path)
    statuses: list[int] = []

    def send(upload: str, ready: threading.Barrier) -> None:
        ready.wait()  # all at once: without the lock, several would append
        response = put(Client(client.application), b"01234", "bytes 0-4/10", upload=upload)
        statuses.append(response.status_code)

    for round_ in range(5):  # several rounds, so an unlocked race shows up reliably
        ready = threading.Barrier(12)
        threads = [threading.Thread(target=send, args=(f"c{round_}", ready)) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert (root / f"c{round_}.part").read_bytes() == b"01234"
    assert statuses == [202] * 60


@pytest.mark.parametrize("bad", [0, -5, True, 1.5])
def test_max_size_must_be_positive(tmp_path: Path, bad: Any) -> None:
    with pytest.raises(wtf.RegistrationError, match="max_size must be a positive int"):
        ChunkedUpload(tmp_path, max_size=bad)


def test_racing_chunks_complete_an_upload_once(tmp_path: Path) -> None:
    """The completion check, the open and the rename happen under one lock: of a last chunk
    and a whole-file chunk with other bytes sent at once, exactly one completes the file."""
    client, root = make(tmp_path)
    for trial in range(40):
        upload = f"r{trial}"
        assert put(client, b"abcde", "bytes 0-4/10", upload=upload).status_code == 202
        rivals = [(b"fghij", "bytes 5-9/10"), (b"ABCDEFGHIJ", "bytes 0-9/10")]
        if trial % 2:
            rivals[1] = (b"abcdeZZZZZ", "bytes 0-9/10")  # same head, other tail
        ready = threading.Barrier(2)
        statuses: dict[bytes, int] = {}

        def send(
            data: bytes,
            content_range: str,
            upload: str,
            ready: threading.Barrier,
            statuses: dict[bytes, int],
        ) -> None:
            ready.wait()
            response = put(Client(client.application), data, content_range, upload)
            statuses[data] = response.status_code

        threads = [
            threading.Thread(target=send, args=(*rival, upload, ready, statuses))
            for rival in rivals
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses.values()) == [201, 409], statuses
        winner = next(data for data, status in statuses.items() if status == 201)
        content = (root / upload).read_bytes()
        assert content == (b"abcde" + winner if len(winner) == 5 else winner)
    assert files(root) == sorted(
        name for trial in range(40) for name in (f"r{trial}", f"r{trial}.receipt")
    )


def test_a_refused_chunk_creates_nothing(tmp_path: Path) -> None:
    client, root = make(tmp_path, max_size=1000)
    for n in range(30):
        assert put(client, b"x", "bytes 5-5/10", upload=f"g{n}").status_code == 409
        assert put(client, b"xy", "bytes 0-0/10", upload=f"h{n}").status_code == 400
        assert put(client, b"x", "bytes 0-0/99999", upload=f"i{n}").status_code == 413
    assert files(root) == []


def test_conflicting_bytes_are_a_409(tmp_path: Path) -> None:
    client, root = make(tmp_path)
    assert put(client, b"hello", "bytes 0-4/11").status_code == 202
    retried = put(client, b"HELLO", "bytes 0-4/11")  # a retry with other bytes
    assert (retried.status_code, retried.headers["Range"]) == (409, "bytes=0-4")
    assert retried.json["detail"] == "the chunk's bytes 0-4 differ from those already received"
    overlap = put(client, b"lO wo", "bytes 3-7/11")  # overlaps with one differing byte
    assert (overlap.status_code, overlap.json["detail"]) == (
        409,
        "the chunk's bytes 3-4 differ from those already received",
    )
    assert put(client, b"lo wo", "bytes 3-7/11").status_code == 202  # the same bytes extend
    assert put(client, b"rld", "bytes 8-10/11").status_code == 201
    assert (root / "u1").read_bytes() == b"hello world"


def test_a_total_below_what_was_received_is_refused(tmp_path: Path) -> None:
    client, _ = make(tmp_path, on_chunk=lambda u: ChunkAction.NEXT)
    assert put(client, b"x" * 20, "bytes 0-19/*").status_code == 202
    status = put(client, b"", "bytes */11")
    assert (status.status_code, status.json["detail"]) == (
        409,
        "the total 11 is below the 20 bytes already received",
    )
    assert put(client, b"", "bytes */21").json == {
        "id": "u1",
        "received": 20,
        "total": 21,
        "done": False,
    }
    assert put(client, b"x", "bytes 20-20/22").status_code == 400  # the total is now known
    assert put(client, b"y", "bytes 20-20/21").status_code == 202


def test_damaged_state_restarts_the_upload(tmp_path: Path) -> None:
    client, root = make(tmp_path)
    assert put(client, b"hello", "bytes 0-4/11").status_code == 202
    (root / "u1.json").write_text('{"tot')  # a torn write by something else
    damaged = put(client, b" world", "bytes 5-10/11")
    assert (damaged.status_code, damaged.json["detail"]) == (
        409,
        "the upload's saved state was damaged and has been reset; start again at byte 0",
    )
    assert files(root) == []
    assert put(client, b"hello", "bytes 0-4/11").status_code == 202  # not a permanent 500
    assert put(client, b" world", "bytes 5-10/11").status_code == 201


def test_state_is_replaced_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, root = make(tmp_path)
    replaced: list[tuple[str, str]] = []
    real = os.replace

    def spy(src: Any, dst: Any) -> None:
        replaced.append((Path(src).name, Path(dst).name))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    assert put(client, b"hello", "bytes 0-4/11").status_code == 202
    assert replaced == [("u1.json.tmp", "u1.json")]
    assert files(root) == ["u1.json", "u1.part"]


def test_abandoned_uploads_expire_when_any_upload_is_active(tmp_path: Path) -> None:
    now = [time.time()]
    client, root = make(tmp_path, expire_after=100, clock=lambda: now[0])
    assert put(client, b"hello", "bytes 0-4/11", upload="old").status_code == 202
    old = now[0] - 150
    for name in ("old.part", "old.json"):
        os.utime(root / name, (old, old))
    assert put(client, b"hi", "bytes 0-1/5", upload="new").status_code == 202
    assert files(root) == ["new.json", "new.part", "old.json", "old.part"]  # not swept yet
    now[0] += 11  # a tenth of expire_after later, any chunk sweeps
    assert put(client, b"!", "bytes 2-2/5", upload="new").status_code == 202
    assert files(root) == ["new.json", "new.part"]
    status = put(client, b"", "bytes */11", upload="old")
    assert (status.status_code, status.json["received"]) == (200, 0)


def test_unfinished_uploads_share_a_quota(tmp_path: Path) -> None:
    client, root = make(tmp_path, max_pending=10)
    assert put(client, b"12345678", "bytes 0-7/20", upload="a").status_code == 202
    over = put(client, b"123", "bytes 0-2/3", upload="b")
    assert over.status_code == 507
    assert files(root) == ["a.json", "a.part"]
    assert put(client, b"12", "bytes 0-1/2", upload="b").status_code == 201  # fits; done
    assert put(client, b"12", "bytes 0-1/2", upload="c").status_code == 201  # not counted


def test_a_resent_last_chunk_does_not_run_the_hook_again(tmp_path: Path) -> None:
    seen: list[int] = []

    def hook(upload: Upload) -> ChunkAction:
        seen.append(upload.received)
        return ChunkAction.NEXT

    client, _ = make(tmp_path, on_chunk=hook)
    assert put(client, b"abc", "bytes 0-2/10").status_code == 202
    assert put(client, b"abc", "bytes 0-2/10").status_code == 202
    assert put(client, b"bc", "bytes 1-2/10").status_code == 202
    assert seen == [3]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_pending": 0}, "max_pending must be a positive int"),
        ({"expire_after": 0}, "expire_after must be a positive number of seconds"),
        ({"expire_after": "1d"}, "expire_after must be a positive number of seconds"),
    ],
)
def test_bad_upload_settings(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(wtf.RegistrationError, match=message):
        ChunkedUpload(tmp_path, **kwargs)


@pytest.mark.parametrize(
    ("content_range", "status"),
    [
        ("bytes 0-9/9", 400),  # the last byte must be below the total
        ("bytes 0-8/9", 201),  # the whole file, exactly
        ("bytes 0-9/10", 201),
        ("bytes 1-0/9", 400),  # last before first
        ("bytes 0-0/1", 201),
        ("bytes 0-0/0", 400),  # an empty upload has no byte 0
    ],
)
def test_content_range_boundaries(tmp_path: Path, content_range: str, status: int) -> None:
    client, _ = make(tmp_path)
    first, last = (int(x) for x in content_range.split()[1].split("/")[0].split("-"))
    size = max(last - first + 1, 0)
    assert put(client, b"x" * size, content_range).status_code == status


def test_the_completing_chunk_again_gets_the_first_answer(tmp_path: Path) -> None:
    """The 201 was lost and the client sends its last chunk again: same answer, once."""
    seen: list[int] = []

    def hook(upload: Upload) -> ChunkAction:
        seen.append(upload.received)
        if upload.received == upload.total:
            upload.result = {"stored": upload.id}
            return ChunkAction.DONE
        return ChunkAction.NEXT

    client, root = make(tmp_path, on_chunk=hook)
    assert put(client, b"hello", "bytes 0-4/11").status_code == 202
    first = put(client, b" world", "bytes 5-10/11")
    again = put(client, b" world", "bytes 5-10/11")
    assert (first.status_code, again.status_code) == (201, 201)
    assert (
        first.json
        == again.json
        == {
            "id": "u1",
            "received": 11,
            "total": 11,
            "done": True,
            "result": {"stored": "u1"},
        }
    )
    assert again.headers["Range"] == "bytes=0-10"
    assert seen == [5, 11]  # the hook ran once for the last chunk
    other = put(client, b" WORLD", "bytes 5-10/11")  # other bytes: not a retry
    assert (other.status_code, other.json["detail"]) == (409, "upload u1 is already complete")
    assert put(client, b"hello", "bytes 0-4/11").status_code == 409
    status = put(client, b"", "bytes */11")
    assert (status.status_code, status.json["done"]) == (200, True)
    assert (root / "u1").read_bytes() == b"hello world"


def test_receipts_expire_with_the_sweep(tmp_path: Path) -> None:
    now = [time.time()]
    client, root = make(tmp_path, expire_after=100, clock=lambda: now[0])
    assert put(client, b"hi", "bytes 0-1/2").status_code == 201
    old = now[0] - 150
    os.utime(root / "u1.receipt", (old, old))
    uploads_swept = ChunkedUpload(root, expire_after=100, clock=lambda: now[0]).sweep()
    assert uploads_swept == ["u1"] and files(root) == ["u1"]  # the file itself stays
