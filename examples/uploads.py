"""Resumable uploads and downloads: ``wtf.ChunkedUpload`` and ``Response.send_from_directory``.

    python -m wtf serve examples.uploads:app
    curl -X PUT localhost:8000/uploads/abc -H 'Content-Range: bytes 0-4/11' --data-binary hello
    curl -X PUT localhost:8000/uploads/abc -H 'Content-Range: bytes 5-10/11' --data-binary ' world'
    curl localhost:8000/files/abc                   # hello world (Range requests work too)

The files live in ``$WTF_UPLOADS_DIR`` (default ``./uploads``).
"""

from __future__ import annotations

import os

import wtf
from wtf.uploads import Upload

UPLOADS = os.environ.get("WTF_UPLOADS_DIR", "uploads")

app = wtf.Server()


ELF = b"\x7fELF"


def check_chunk(upload: Upload) -> wtf.ChunkAction:
    """Refuse uploads whose first bytes are an executable; finish when the size is reached.

    Chunks arrive in order but may be of any size, so the head is checked whenever a chunk
    touched it (the first four bytes may come in several chunks)."""
    if upload.first < len(ELF):
        with open(upload.path, "rb") as file:
            if file.read(len(ELF)) == ELF:
                upload.reason = "executables are not accepted"
                return wtf.ChunkAction.ABORT
    if upload.total is not None and upload.received == upload.total:
        upload.result = {"download": f"/files/{upload.id}"}
        return wtf.ChunkAction.DONE
    return wtf.ChunkAction.NEXT


uploads = wtf.ChunkedUpload(UPLOADS, on_chunk=check_chunk, max_size=100 << 20)
app.put("/uploads/:upload_id", max_body_size=4 << 20, **uploads.doc)(uploads.receive)


@app.get("/files/:name", responses={404: "No such file"})
def download(name: str, resp: wtf.Response) -> None:
    """A completed upload (``send_from_directory`` keeps ``..`` and friends out)."""
    if name.endswith((".part", ".json")):
        raise wtf.HTTPError(404, "no such file")
    resp.send_from_directory(UPLOADS, name, as_attachment=True)
