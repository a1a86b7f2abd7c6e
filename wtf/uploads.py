"""Resumable chunked uploads over plain HTTP: ``Content-Range`` PUTs.

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

Examples:
    >>> uploads = ChunkedUpload("/var/uploads")                  # doctest: +SKIP
    >>> app.put("/uploads/:upload_id", max_body_size=4 << 20)(uploads.receive)
"""

from __future__ import annotations

import enum
import fcntl
import hashlib
import json
import os
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any

from .constraints import Pattern
from .errors import HTTPError, RegistrationError
from .request import Request
from .response import Response
from .route_doc import DocOptions

__all__ = ["ChunkAction", "ChunkedUpload", "Upload"]

_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
#: An upload's id, as the route parameter binds it (another answers 422, and the OpenAPI
#: document gives the pattern).
UploadId = Annotated[str, Pattern(r"^[A-Za-z0-9_-]{1,128}$")]
_RANGE = re.compile(r"bytes (?:(\d{1,18})-(\d{1,18})|\*)/(\d{1,18}|\*)")
_STRIPES = 64
_SWEPT = frozenset(("part", "json", "receipt", "tmp"))


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

    Every chunk is handled under a lock on the upload's id (a ``flock`` on one of 64 lock files
    in ``directory/.locks``, stable files never renamed or deleted), from the completion check
    to the final rename, so concurrent chunks of one upload, in any thread or process, are
    applied one at a time. A refused chunk creates nothing; the state file is replaced
    atomically; abandoned uploads expire.

    Args:
        directory: Where partial and complete files live (created if missing).
        on_chunk: Called after every chunk with the :class:`Upload`; returns a
            :class:`ChunkAction`. Default: :func:`complete_when_whole`.
        max_size: Largest total size accepted, in bytes (default 1 GiB). Over it: 413.
        max_pending: Bytes all unfinished uploads may hold on disk together (default 10 GiB).
            A chunk that would go over it: 507. Completed files do not count (they are the
            application's to move or delete).
        expire_after: Seconds after its last chunk an unfinished upload is deleted (default
            one day); swept at most every ``expire_after / 10`` seconds while chunks of any
            upload arrive, or by calling :meth:`sweep`.
        clock: Wall-clock seconds (for tests), compared with file modification times.

    Raises:
        RegistrationError: A limit that is not a positive number.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        on_chunk: Hook | None = None,
        max_size: int = 1 << 30,
        max_pending: int = 10 << 30,
        expire_after: float = 86400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        for name, value in (("max_size", max_size), ("max_pending", max_pending)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise RegistrationError(f"{name} must be a positive int, not {value!r}")
        if (
            not isinstance(expire_after, int | float)
            or isinstance(expire_after, bool)
            or not expire_after > 0
        ):
            raise RegistrationError(
                f"expire_after must be a positive number of seconds, not {expire_after!r}"
            )
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._locks = self.directory / ".locks"
        self._locks.mkdir(exist_ok=True)
        self.on_chunk: Hook = on_chunk or complete_when_whole
        self.max_size = max_size
        self.max_pending = max_pending
        self.expire_after = float(expire_after)
        self.clock = clock
        self._swept = clock()
        self._sweep_lock = threading.Lock()

    @property
    def doc(self) -> DocOptions:
        """How :meth:`receive` appears in the OpenAPI document: the ``Content-Range`` header it
        requires, the raw chunk as the body, and its answers. Pass it on with the route:
        ``app.put("/uploads/:upload_id", **uploads.doc)(uploads.receive)``."""
        progress = {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "received": {"type": "integer"},
                "total": {"type": ["integer", "null"]},
                "done": {"type": "boolean"},
            },
        }
        content = {"application/json": {"schema": progress}}
        return {
            "summary": "Receive one chunk of a resumable upload (RFC 9110 Content-Range)",
            "responses": {
                200: {"description": "Status of the upload", "content": content},
                201: {"description": "The upload is complete", "content": content},
                202: {"description": "Chunk stored, more expected", "content": content},
                400: "A bad upload id or Content-Range",
                409: "A gap, different bytes, or an upload already complete",
                413: "Over the size limit",
                422: "Refused by the on_chunk hook",
                507: "No room for more pending uploads",
            },
            "openapi_extra": {
                "parameters": [
                    {
                        "name": "Content-Range",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "pattern": _RANGE.pattern},
                        "description": "bytes FIRST-LAST/TOTAL, or bytes */TOTAL to ask",
                    }
                ],
                "requestBody": {
                    "required": False,
                    "content": {"application/octet-stream": {"schema": {}}},
                },
            },
        }

    def receive(self, upload_id: UploadId, request: Request, response: Response) -> dict[str, Any]:
        """The handler: register it for ``PUT`` on a pattern with ``:upload_id``.

        Raises:
            HTTPError: 400 bad id or ``Content-Range``; 409 a gap, bytes that differ from
                those received, a total below them, damaged state, or an upload already done;
                413 over ``max_size``; 422 aborted by the hook; 507 over ``max_pending``.
        """
        if not _ID.fullmatch(upload_id):
            raise HTTPError(400, "an upload id is 1-128 letters, digits, '-' or '_'")
        first, last, total = _content_range(request.headers.get("Content-Range"))
        if total is not None and total > self.max_size:
            raise HTTPError(413, f"the upload is over {self.max_size} bytes")
        data = b""
        if first is not None:
            got = request.get_data()
            data = got.encode() if isinstance(got, str) else got  # bytes; narrows the type
            if last is not None and len(data) != last - first + 1:
                raise HTTPError(
                    400,
                    f"the chunk has {len(data)} bytes but Content-Range announces "
                    f"{last - first + 1}",
                )
        self._maybe_sweep()
        with self._locked(upload_id):
            return self._apply(upload_id, first, total, data, response)

    def _apply(
        self,
        upload_id: str,
        first: int | None,
        total: int | None,
        data: bytes,
        response: Response,
    ) -> dict[str, Any]:
        """One chunk (or status query), under the upload's lock. Nothing is written to disk
        before every check passed."""
        done = self.directory / upload_id
        part = self.directory / f"{upload_id}.part"
        meta = self.directory / f"{upload_id}.json"
        receipt = self.directory / f"{upload_id}.receipt"
        if receipt.exists() or done.exists():
            return self._repeat(receipt, upload_id, first, total, data, response)
        known = self._read_total(meta, part)
        try:
            received = part.stat().st_size
        except FileNotFoundError:
            received = 0
        if known is not None and total is not None and known != total:
            raise HTTPError(400, f"the total changed from {known} to {total}")
        if total is not None and total < received:
            raise HTTPError(
                409,
                f"the total {total} is below the {received} bytes already received",
                [("Range", _range(received))],
            )
        total = total if total is not None else known
        if first is None:  # "bytes */total": a status query
            if received:
                self._save_total(meta, known, total)
            return self._progress(response, upload_id, received, total, 200)
        if first > received:
            raise HTTPError(
                409,
                f"the chunk starts at {first} but {received} bytes were received",
                [("Range", _range(received))] if received else [],
            )
        end = first + len(data)
        if first < received:  # overlaps what was received: the same bytes, or a conflict
            with open(part, "rb") as file:
                file.seek(first)
                have = file.read(min(end, received) - first)
            if have != data[: len(have)]:
                raise HTTPError(
                    409,
                    f"the chunk's bytes {first}-{first + len(have) - 1} differ from those "
                    "already received",
                    [("Range", _range(received))],
                )
        if end <= received:  # already have it: a retried chunk, answered again
            return self._progress(response, upload_id, received, total, 202)
        if end > self.max_size:
            raise HTTPError(413, f"the upload is over {self.max_size} bytes")
        pending = self.pending_bytes()
        if pending + end - received > self.max_pending:
            raise HTTPError(
                507, "the server holds too much unfinished upload data; try again later"
            )
        with open(part, "ab") as file:
            file.write(data[received - first :])
        self._save_total(meta, known, total)
        upload = Upload(upload_id, part, end, total, first)
        try:
            action = self.on_chunk(upload)
        except BaseException:
            self._discard(part, meta)  # a failed hook leaves nothing half-checked behind
            raise
        if action is ChunkAction.ABORT:
            self._discard(part, meta)
            raise HTTPError(422, upload.reason)
        if action is ChunkAction.DONE:
            if upload.path == part and part.exists():
                part.rename(done)
            meta.unlink(missing_ok=True)
            body = self._progress(response, upload_id, end, total, 201)
            body["done"] = True
            if upload.result is not None:
                body["result"] = upload.result
            self._save_receipt(receipt, [first, len(data), total], data, body)
            return body
        if action is not ChunkAction.NEXT:
            self._discard(part, meta)
            raise TypeError(f"on_chunk returned {action!r}; return a ChunkAction")
        return self._progress(response, upload_id, end, total, 202)

    def _save_receipt(
        self, receipt: Path, chunk: list[int | None], data: bytes, body: dict[str, Any]
    ) -> None:
        """Remember the completing chunk and the answer, so that an identical retry (the 201
        was lost) gets the same answer; swept like unfinished uploads."""
        record = {"chunk": chunk, "sha256": hashlib.sha256(data).hexdigest(), "body": body}
        try:
            text = json.dumps(record)
        except (TypeError, ValueError):  # a hook result JSON cannot hold: answer without it
            record["body"] = {k: v for k, v in body.items() if k != "result"}
            text = json.dumps(record)
        _write_atomically(receipt, text)

    def _repeat(
        self,
        receipt: Path,
        upload_id: str,
        first: int | None,
        total: int | None,
        data: bytes,
        response: Response,
    ) -> dict[str, Any]:
        """A chunk for a complete upload: the completing chunk again gets the first answer
        (201); a status query gets it with 200; anything else is a 409."""
        try:
            record = json.loads(receipt.read_text())
            body: dict[str, Any] = record["body"]
            chunk = record["chunk"]
            digest = record["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            raise HTTPError(409, f"upload {upload_id} is already complete") from None
        if first is None:
            response.write_header(200)
        elif chunk == [first, len(data), total] and digest == hashlib.sha256(data).hexdigest():
            response.write_header(201)
        else:
            raise HTTPError(409, f"upload {upload_id} is already complete")
        received = body.get("received")
        if isinstance(received, int) and received:
            response.headers["Range"] = _range(received)
        return body

    def pending_bytes(self) -> int:
        """Bytes held by unfinished uploads (their ``.part`` files)."""
        size = 0
        with os.scandir(self.directory) as entries:
            for entry in entries:
                if entry.name.endswith(".part"):
                    with suppress(FileNotFoundError):  # finished or swept meanwhile
                        size += entry.stat().st_size
        return size

    def sweep(self) -> list[str]:
        """Delete the unfinished uploads whose last chunk is older than ``expire_after``.

        Returns:
            The ids deleted.
        """
        cutoff = self.clock() - self.expire_after
        stale = set()
        with os.scandir(self.directory) as entries:
            for entry in entries:
                stem, dot, suffix = entry.name.rpartition(".")
                stem = stem.removesuffix(".json").removesuffix(".receipt")  # their .tmp files
                if dot and suffix in _SWEPT and _ID.fullmatch(stem):
                    try:
                        if entry.stat().st_mtime < cutoff:
                            stale.add(stem)
                    except FileNotFoundError:
                        pass
        swept = []
        for upload_id in sorted(stale):
            with self._locked(upload_id):
                part = self.directory / f"{upload_id}.part"
                meta = self.directory / f"{upload_id}.json"
                receipt = self.directory / f"{upload_id}.receipt"
                try:  # a chunk may have arrived since the scan
                    newest = max(p.stat().st_mtime for p in (part, meta, receipt) if p.exists())
                except ValueError:
                    newest = 0.0
                if newest < cutoff:
                    self._discard(part, meta)
                    for leftover in (receipt, *self.directory.glob(f"{upload_id}.*.tmp")):
                        leftover.unlink(missing_ok=True)
                    swept.append(upload_id)
        return swept

    def _maybe_sweep(self) -> None:
        now = self.clock()
        if now - self._swept < self.expire_after / 10:
            return
        if not self._sweep_lock.acquire(blocking=False):
            return  # another thread is sweeping
        try:
            self._swept = now
            self.sweep()
        finally:
            self._sweep_lock.release()

    @contextmanager
    def _locked(self, upload_id: str) -> Iterator[None]:
        """Hold the upload's lock: one of 64 stable files, so ids share locks but a lock's
        inode never changes while someone waits on it."""
        stripe = zlib.crc32(upload_id.encode()) % _STRIPES
        with open(self._locks / f"{stripe:02d}", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield  # closing the file releases the lock

    def _read_total(self, meta: Path, part: Path) -> int | None:
        """The announced total saved for an upload; damaged state resets the upload (409)."""
        try:
            total = json.loads(meta.read_text())["total"]
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError, UnicodeError):
            total = None
        if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
            return total
        self._discard(part, meta)
        raise HTTPError(
            409, "the upload's saved state was damaged and has been reset; start again at byte 0"
        )

    def _save_total(self, meta: Path, known: int | None, total: int | None) -> None:
        """Write the total once it is known, atomically (a torn write is never seen)."""
        if total is None or known == total:
            return
        _write_atomically(meta, json.dumps({"total": total}))

    @staticmethod
    def _discard(part: Path, meta: Path) -> None:
        part.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)

    def _progress(
        self, response: Response, upload_id: str, received: int, total: int | None, status: int
    ) -> dict[str, Any]:
        response.write_header(status)
        if received:
            response.headers["Range"] = _range(received)
        return {"id": upload_id, "received": received, "total": total, "done": False}


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old content or the new, never a torn
    one: a ``.tmp`` file beside it, then a rename."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


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
