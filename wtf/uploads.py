"""Resumable chunked uploads over plain HTTP (mego's chunk handler): ``Content-Range`` PUTs.

The client sends a file in pieces, each a ``PUT`` to the same URL::

    PUT /uploads/7f3a  Content-Range: bytes 0-1048575/5000000     (the first MiB)
    PUT /uploads/7f3a  Content-Range: bytes 1048576-2097151/5000000
    ...
    PUT /uploads/7f3a  Content-Range: bytes */5000000             (empty: how far did it get?)

Each chunk must start where the received data ends; a chunk already received is answered
again without writing (a retry after a lost response); one that starts past the end answers
409 with the received length. After each chunk the hook decides: ``NEXT`` (202, send more),
``DONE`` (201; the file is complete) or ``ABORT`` (422; the partial data is deleted). State
lives on disk (``<id>.part`` and ``<id>.json``), locked per upload, so any worker of any
process can take the next chunk.

Example:
    >>> uploads = ChunkedUpload("/var/uploads")                  # doctest: +SKIP
    >>> app.put("/uploads/:upload_id", max_body_size=4 << 20)(uploads.receive)
"""

from __future__ import annotations

import enum
import fcntl
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import HTTPError, RegistrationError
from .request import Request
from .response import Response

__all__ = ["ChunkAction", "ChunkedUpload", "Upload"]

_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_RANGE = re.compile(r"bytes (?:(\d{1,18})-(\d{1,18})|\*)/(\d{1,18}|\*)")


class ChunkAction(enum.Enum):
    """What the hook decides after a chunk."""

    NEXT = "next"  #: wait for more chunks (202)
    DONE = "done"  #: the upload is complete (201)
    ABORT = "abort"  #: refuse it: delete the partial data (422)


class Upload:
    """One upload, as the hook sees it after a chunk was appended.

    Attributes:
        id: The upload's id (the ``:upload_id`` route parameter).
        path: The file holding the data so far; on ``DONE`` it is renamed to ``id`` in the
            directory unless the hook moved it away.
        received: Bytes received so far.
        total: The announced size, or ``None`` while the client sends ``/*``.
        first: Offset of the chunk just written.
        result: Set by the hook on ``DONE``: sent back as ``"result"`` (JSON).
        reason: Set by the hook on ``ABORT``: the problem's detail.
    """

    __slots__ = ("first", "id", "path", "reason", "received", "result", "total")

    def __init__(self, id: str, path: Path, received: int, total: int | None, first: int) -> None:
        self.id = id
        self.path = path
        self.received = received
        self.total = total
        self.first = first
        self.result: Any = None
        self.reason = "the upload was aborted"

    def __repr__(self) -> str:
        return f"<Upload {self.id} {self.received}/{self.total if self.total is not None else '*'}>"


Hook = Callable[[Upload], ChunkAction]


def complete_when_whole(upload: Upload) -> ChunkAction:
    """The default hook: ``DONE`` once ``total`` bytes arrived, ``NEXT`` before."""
    if upload.total is not None and upload.received >= upload.total:
        return ChunkAction.DONE
    return ChunkAction.NEXT


class ChunkedUpload:
    """Receives resumable uploads into ``directory``.

    Args:
        directory: Where partial and complete files live (created if missing).
        on_chunk: Called after every chunk with the :class:`Upload`; returns a
            :class:`ChunkAction`. Default: :func:`complete_when_whole`.
        max_size: Largest total size accepted, in bytes (default 1 GiB). Over it: 413.

    Raises:
        RegistrationError: ``max_size`` is not a positive int.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        on_chunk: Hook | None = None,
        max_size: int = 1 << 30,
    ) -> None:
        if not isinstance(max_size, int) or isinstance(max_size, bool) or max_size < 1:
            raise RegistrationError(f"max_size must be a positive int, not {max_size!r}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.on_chunk: Hook = on_chunk or complete_when_whole
        self.max_size = max_size

    def receive(self, upload_id: str, request: Request, response: Response) -> dict[str, Any]:
        """The handler: register it for ``PUT`` on a pattern with ``:upload_id``.

        Raises:
            HTTPError: 400 bad id or ``Content-Range``; 409 a gap, or an upload already done;
                413 over ``max_size``; 422 aborted by the hook.
        """
        if not _ID.fullmatch(upload_id):
            raise HTTPError(400, "an upload id is 1-128 letters, digits, '-' or '_'")
        first, last, total = _content_range(request.headers.get("Content-Range"))
        if total is not None and total > self.max_size:
            raise HTTPError(413, f"the upload is over {self.max_size} bytes")
        done = self.directory / upload_id
        part = self.directory / f"{upload_id}.part"
        meta = self.directory / f"{upload_id}.json"
        if done.exists():
            raise HTTPError(409, f"upload {upload_id} is already complete")
        if first is None and not part.exists():  # a status query for an unknown upload
            return self._progress(response, upload_id, 0, total, 200)
        data = request.get_data() if first is not None else b""
        if isinstance(data, str):  # get_data() returns bytes; this narrows the type
            data = data.encode()
        if first is not None and last is not None and len(data) != last - first + 1:
            raise HTTPError(
                400,
                f"the chunk has {len(data)} bytes but Content-Range announces {last - first + 1}",
            )
        with open(part, "ab") as file:
            fcntl.flock(file, fcntl.LOCK_EX)  # one chunk at a time per upload, across workers
            known = _read_total(meta)
            if known is not None and total is not None and known != total:
                raise HTTPError(400, f"the total changed from {known} to {total}")
            total = total if total is not None else known
            if total is not None and known is None:
                meta.write_text(json.dumps({"total": total}))
            received = file.seek(0, os.SEEK_END)
            if first is None:  # "bytes */total": a status query
                return self._progress(response, upload_id, received, total, 200)
            if first > received:
                raise HTTPError(
                    409,
                    f"the chunk starts at {first} but {received} bytes were received",
                    [("Range", _range(received))] if received else [],
                )
            if first + len(data) <= received:  # already have it: a retried chunk
                return self._progress(response, upload_id, received, total, 202)
            if first + len(data) > self.max_size:
                raise HTTPError(413, f"the upload is over {self.max_size} bytes")
            file.write(data[received - first :])
            file.flush()
            received = first + len(data)
            upload = Upload(upload_id, part, received, total, first)
            action = self.on_chunk(upload)
            if action is ChunkAction.ABORT:
                part.unlink(missing_ok=True)
                meta.unlink(missing_ok=True)
                raise HTTPError(422, upload.reason)
            if action is ChunkAction.DONE:
                if upload.path == part and part.exists():
                    part.rename(done)
                meta.unlink(missing_ok=True)
                body = self._progress(response, upload_id, received, total, 201)
                body["done"] = True
                if upload.result is not None:
                    body["result"] = upload.result
                return body
            if action is not ChunkAction.NEXT:
                raise TypeError(f"on_chunk returned {action!r}; return a ChunkAction")
            return self._progress(response, upload_id, received, total, 202)

    def _progress(
        self, response: Response, upload_id: str, received: int, total: int | None, status: int
    ) -> dict[str, Any]:
        response.write_header(status)
        if received:
            response.headers["Range"] = _range(received)
        return {"id": upload_id, "received": received, "total": total, "done": False}


def _range(received: int) -> str:
    return f"bytes=0-{received - 1}"


def _content_range(header: str | None) -> tuple[int | None, int | None, int | None]:
    """``(first, last, total)`` of ``bytes first-last/total`` (RFC 9110 §14.4); first and last
    are None for ``bytes */total``, total for ``/*``."""
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None:
        raise HTTPError(400, "expected Content-Range: bytes FIRST-LAST/TOTAL (or bytes */TOTAL)")
    first_text, last_text, total_text = match.groups()
    total = None if total_text == "*" else int(total_text)
    if first_text is None:
        if total is None:
            raise HTTPError(400, "Content-Range 'bytes */*' says nothing")
        return None, None, total
    first, last = int(first_text), int(last_text)
    if last < first or (total is not None and last >= total):
        raise HTTPError(400, f"Content-Range {header!r} is not a valid range")
    return first, last, total


def _read_total(meta: Path) -> int | None:
    try:
        total = json.loads(meta.read_text()).get("total")
    except FileNotFoundError:
        return None
    except (ValueError, AttributeError):
        raise HTTPError(500, "the upload's state is damaged") from None
    return total if isinstance(total, int) else None
