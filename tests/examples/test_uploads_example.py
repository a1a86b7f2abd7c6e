"""examples/uploads.py: a resumable upload, then its download with Range."""

from __future__ import annotations

import itertools
import uuid

from examples import uploads
from wtf.testing import Client

client = Client(uploads.app, validate=True)


def test_upload_in_chunks_then_download() -> None:
    name = uuid.uuid4().hex
    data = bytes(range(256)) * 40  # 10240 bytes, sent in 3 chunks
    cuts = [0, 4096, 8192, len(data)]
    for start, end in itertools.pairwise(cuts):
        response = client.put(
            f"/uploads/{name}",
            data=data[start:end],
            headers={"Content-Range": f"bytes {start}-{end - 1}/{len(data)}"},
        )
    assert response.status_code == 201
    assert response.json["result"] == {"download": f"/files/{name}"}  # type: ignore[index]
    whole = client.get(f"/files/{name}")
    assert whole.data == data
    assert whole.headers["Content-Disposition"] == f"attachment; filename={name}"
    part = client.get(f"/files/{name}", headers={"Range": "bytes=100-199"})
    assert (part.status_code, part.data) == (206, data[100:200])


def test_executables_are_refused_and_partial_files_hidden() -> None:
    name = uuid.uuid4().hex
    refused = client.put(
        f"/uploads/{name}", data=b"\x7fELF....", headers={"Content-Range": "bytes 0-7/100"}
    )
    assert (refused.status_code, refused.json["detail"]) == (  # type: ignore[index]
        422,
        "executables are not accepted",
    )
    client.put(f"/uploads/{name}", data=b"text", headers={"Content-Range": "bytes 0-3/100"})
    assert client.get(f"/files/{name}.part").status_code == 404
    assert client.get(f"/files/{name}").status_code == 404


def test_the_executable_check_sees_a_head_split_over_chunks() -> None:
    name = uuid.uuid4().hex
    for first, piece in enumerate([b"\x7f", b"E", b"L"]):
        response = client.put(
            f"/uploads/{name}", data=piece, headers={"Content-Range": f"bytes {first}-{first}/9"}
        )
        assert response.status_code == 202
    refused = client.put(
        f"/uploads/{name}", data=b"LF", headers={"Content-Range": "bytes 2-3/9"}
    )  # overlaps the third chunk, completes the head
    assert (refused.status_code, refused.json["detail"]) == (  # type: ignore[index]
        422,
        "executables are not accepted",
    )
