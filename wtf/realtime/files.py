"""Chunked file upload over a Hub connection.

A MessagePack call may carry ``"f": {field: [{"b": bytes, "i": file_id, "p": [total, index],
"n": name}]}``: one chunk of each file. Chunks go straight to a temporary file (a file is never
held in memory); until every file of the call is complete the call is answered with progress
and the method does not run; with the last chunk the method gets :class:`File` objects. The
temporary files are removed when the call ends, or when the socket closes with uploads
unfinished.

Nothing is written before every check that could refuse it passed: the method exists and takes
files, the Hub's midware admitted the call, every chunk is well-formed and in order, and the
caps hold (unfinished uploads and bytes per connection, bytes per worker). Files are closed
between chunks, so unfinished uploads hold no file descriptors.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from typing import IO, Any

from .codes import Code, RPCError

__all__ = ["File", "UploadBudget", "Uploads"]

log = logging.getLogger("wtf.realtime")


@dataclass(frozen=True, slots=True)
class File:
    """A file uploaded through a Hub call, complete.

    Attributes:
        name: The name the client gave (``n``).
        size: Its size in bytes.
        path: Where it is, until the call ends (then it is removed: move it to keep it).
    """

    name: str
    size: int
    path: str

    def open(self) -> IO[bytes]:
        """Open it for reading (binary)."""
        return open(self.path, "rb")

    def read_bytes(self) -> bytes:
        """The whole content."""
        with self.open() as handle:
            return handle.read()


class UploadBudget:
    """Bytes of Hub uploads on disk in this worker, against ``Hub(max_worker_upload_bytes=)``
    (shared by every connection of the Hub)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        """Count ``size`` more bytes, unless that goes over the limit."""
        with self._lock:
            if self.used + size > self.limit:
                return False
            self.used += size
            return True

    def give(self, size: int) -> None:
        """``size`` bytes were removed."""
        with self._lock:
            self.used -= size


class _Upload:
    """One file being received: a temporary file, closed between chunks (an unfinished
    upload holds no file descriptor)."""

    def __init__(self, field: str, name: str, total: int) -> None:
        self.field = field
        self.name = name
        self.total = total
        self.next = 0
        self.size = 0
        handle, self.path = tempfile.mkstemp(prefix="wtf-upload-")
        os.close(handle)

    def append(self, data: bytes) -> None:
        with open(self.path, "ab") as handle:
            handle.write(data)
        self.size += len(data)
        self.next += 1

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


@dataclass(frozen=True, slots=True)
class _Chunk:
    field: str
    data: bytes
    file_id: str
    total: int
    index: int
    name: str


def _chunk(field: str, chunk: Any) -> _Chunk:
    if type(chunk) is not dict:
        raise RPCError(Code.INVALID, "a file chunk is an object {b, i, p, n}")
    data, file_id, position, name = chunk.get("b"), chunk.get("i"), chunk.get("p"), chunk.get("n")
    if type(data) is not bytes:
        raise RPCError(Code.INVALID, "a file chunk's 'b' is bytes (MessagePack bin)")
    if type(file_id) not in (str, int) or file_id == "":
        raise RPCError(Code.INVALID, "a file chunk's 'i' (the file's id) is a string or an int")
    if (
        type(position) is not list
        or len(position) != 2
        or not all(type(n) is int for n in position)
        or not 0 <= position[1] < position[0]
    ):
        raise RPCError(
            Code.INVALID, "a file chunk's 'p' is [total_chunks, index], 0 <= index < total"
        )
    if name is not None and type(name) is not str:
        raise RPCError(Code.INVALID, "a file chunk's 'n' (the name) is a string")
    return _Chunk(field, data, str(file_id), position[0], position[1], name or "")


def _chunks(files: Any) -> list[_Chunk]:
    """Every chunk of a call's ``f``, checked before any is written."""
    if type(files) is not dict or not files:
        raise RPCError(Code.INVALID, "'f' is an object {field: [chunk, ...]}")
    found: list[_Chunk] = []
    for field, chunks in files.items():
        if type(field) is not str or type(chunks) is not list or not chunks:
            raise RPCError(Code.INVALID, "'f' maps a field name to a list of chunks")
        found.extend(_chunk(field, chunk) for chunk in chunks)
    return found


class Uploads:
    """The uploads of one connection: unfinished ones, and complete ones a call holds.

    Args:
        max_chunk_size: The largest chunk (``FILE_TOO_LARGE``).
        max_file_size: The largest file (``FILE_TOO_LARGE``).
        max_uploads: Unfinished uploads at once (``RESOURCE_EXHAUSTED``).
        max_bytes: Bytes on disk for this connection at once (``RESOURCE_EXHAUSTED``).
        budget: The worker's bytes on disk, shared (``RESOURCE_EXHAUSTED``).
    """

    def __init__(
        self,
        max_chunk_size: int,
        max_file_size: int,
        max_uploads: int = 0,
        max_bytes: int = 0,
        budget: UploadBudget | None = None,
    ) -> None:
        self.max_chunk_size = max_chunk_size
        self.max_file_size = max_file_size
        self.max_uploads = max_uploads
        self.max_bytes = max_bytes
        self.budget = budget if budget is not None else UploadBudget(0)
        self.stored = 0  # bytes on disk: unfinished uploads, and complete ones not yet removed
        self._open: dict[str, _Upload] = {}
        self._closed = False
        self._lock = threading.Lock()

    def receive(self, files: Any) -> tuple[dict[str, list[File]] | None, dict[str, Any]]:
        """Write the chunks a call carries, once all of them passed every check.

        Returns:
            ``(complete, progress)``: once every file this call carries is complete, all the
            complete files of the connection by field (handed over: pass them to
            :meth:`finish` when the call ends), else ``None``; and ``{file_id: [chunks
            received, total]}``.

        Raises:
            RPCError: ``INVALID`` (a malformed ``f``), ``FILE_EMPTY``, ``FILE_TOO_LARGE``,
                ``FILE_RETRY`` (a chunk out of order: ``d`` says which index comes next),
                ``RESOURCE_EXHAUSTED`` (over the uploads or bytes allowed, or the disk
                refused).
        """
        chunks = _chunks(files)
        with self._lock:
            if self._closed:
                raise RPCError(Code.ERROR, "the connection closed")
            reserved = self._admit(chunks)
            progress: dict[str, Any] = {}
            for chunk in chunks:
                try:
                    upload = self._write(chunk)
                except RPCError:
                    self._release(reserved)  # what was reserved and not written
                    raise
                reserved -= len(chunk.data)
                progress[chunk.file_id] = [upload.next, upload.total]
            if any(received < total for received, total in progress.values()):
                return None, progress
            complete: dict[str, list[File]] = {}
            for file_id, upload in list(self._open.items()):
                if upload.next == upload.total:
                    del self._open[file_id]
                    complete.setdefault(upload.field, []).append(
                        File(upload.name, upload.size, upload.path)
                    )
        return complete, progress

    def _admit(self, chunks: list[_Chunk]) -> int:  # holds self._lock
        """Every check that needs no writing: sizes, order, and the caps; reserve the bytes
        the chunks bring (returned)."""
        expected = {file_id: upload.next for file_id, upload in self._open.items()}
        sizes = {file_id: upload.size for file_id, upload in self._open.items()}
        incoming = 0
        for chunk in chunks:
            file_id = chunk.file_id
            if not chunk.data:
                raise RPCError(Code.FILE_EMPTY, f"chunk {chunk.index} of file {file_id!r} is empty")
            if len(chunk.data) > self.max_chunk_size:
                raise RPCError(Code.FILE_TOO_LARGE, f"a chunk is over {self.max_chunk_size} bytes")
            upload = self._open.get(file_id)
            if upload is not None and chunk.total != upload.total:
                raise RPCError(
                    Code.FILE_RETRY,
                    f"file {file_id!r} has {upload.total} chunks, not {chunk.total}",
                    {"expected": upload.next},
                )
            at = expected.get(file_id, 0)
            if chunk.index != at:
                raise RPCError(
                    Code.FILE_RETRY,
                    f"chunk {chunk.index} of file {file_id!r} is out of order",
                    {"expected": at},
                )
            expected[file_id] = at + 1
            sizes[file_id] = sizes.get(file_id, 0) + len(chunk.data)
            if sizes[file_id] > self.max_file_size:
                self._drop(file_id)
                raise RPCError(Code.FILE_TOO_LARGE, f"a file is over {self.max_file_size} bytes")
            incoming += len(chunk.data)
        unfinished = sum(1 for file_id in expected if file_id not in self._open) + len(self._open)
        if unfinished > self.max_uploads:
            raise RPCError(
                Code.RESOURCE_EXHAUSTED,
                f"over {self.max_uploads} unfinished uploads on this connection",
            )
        if self.stored + incoming > self.max_bytes:
            raise RPCError(
                Code.RESOURCE_EXHAUSTED,
                f"over {self.max_bytes} bytes of uploads on this connection",
            )
        if not self.budget.take(incoming):
            raise RPCError(Code.RESOURCE_EXHAUSTED, "the server holds all the uploads it can")
        self.stored += incoming
        return incoming

    def _write(self, chunk: _Chunk) -> _Upload:  # holds self._lock; _admit passed
        upload = self._open.get(chunk.file_id)
        try:
            if upload is None:
                upload = _Upload(chunk.field, chunk.name, chunk.total)
                self._open[chunk.file_id] = upload
            upload.append(chunk.data)
        except OSError as exc:  # the disk is full, no file descriptor is left...
            log.error("a Hub upload could not be stored: %s", exc)
            self._drop(chunk.file_id)
            raise RPCError(
                Code.RESOURCE_EXHAUSTED, f"the upload could not be stored ({exc.strerror})"
            ) from None
        return upload

    def _drop(self, file_id: str) -> None:  # holds self._lock
        upload = self._open.pop(file_id, None)
        if upload is not None:
            upload.discard()
            self._release(upload.size)

    def _release(self, size: int) -> None:
        self.stored -= size
        self.budget.give(size)

    def finish(self, files: dict[str, list[File]]) -> None:
        """Remove the complete files a call held (it ended)."""
        for file_list in files.values():
            for file in file_list:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(file.path)
                with self._lock:
                    self._release(file.size)

    def discard_all(self) -> None:
        """Remove every unfinished upload and take no more (the socket closed)."""
        with self._lock:
            self._closed = True
            for file_id in list(self._open):
                self._drop(file_id)
