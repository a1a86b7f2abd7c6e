"""Chunked file upload over a Hub connection (mego's RawFile).

A MessagePack call may carry ``"f": {field: [{"b": bytes, "i": file_id, "p": [total, index],
"n": name}]}``: one chunk of each file. Chunks go straight to a temporary file (a file is never
held in memory); until every file of the call is complete the call is answered with progress
and the method does not run; with the last chunk the method gets :class:`File` objects. The
temporary files are removed when the call ends, or when the socket closes with uploads
unfinished.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from dataclasses import dataclass
from typing import IO, Any

from .codes import Code, RPCError

__all__ = ["File", "Uploads"]


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


class _Upload:
    def __init__(self, field: str, name: str, total: int) -> None:
        self.field = field
        self.name = name
        self.total = total
        self.next = 0
        self.size = 0
        handle, self.path = tempfile.mkstemp(prefix="wtf-upload-")
        self.file: IO[bytes] | None = os.fdopen(handle, "wb")

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def _chunk_fields(chunk: Any) -> tuple[bytes, str, int, int, str]:
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
    return data, str(file_id), position[0], position[1], name or ""


class Uploads:
    """The unfinished uploads of one connection."""

    def __init__(self, max_chunk_size: int, max_file_size: int) -> None:
        self.max_chunk_size = max_chunk_size
        self.max_file_size = max_file_size
        self._open: dict[str, _Upload] = {}
        self._lock = threading.Lock()

    def receive(self, files: Any) -> tuple[dict[str, list[File]] | None, dict[str, Any]]:
        """Write the chunks a call carries.

        Returns:
            ``(complete, progress)``: once every file this call carries is complete, all the
            complete files of the connection by field (handed over: removed when the call
            ends), else ``None``; and ``{file_id: [chunks received, total]}``.

        Raises:
            RPCError: ``INVALID`` (a malformed ``f``), ``FILE_EMPTY``, ``FILE_TOO_LARGE``,
                ``FILE_RETRY`` (a chunk out of order: ``d`` says which index comes next).
        """
        if type(files) is not dict or not files:
            raise RPCError(Code.INVALID, "'f' is an object {field: [chunk, ...]}")
        progress: dict[str, Any] = {}
        with self._lock:
            for field, chunks in files.items():
                if type(field) is not str or type(chunks) is not list or not chunks:
                    raise RPCError(Code.INVALID, "'f' maps a field name to a list of chunks")
                for chunk in chunks:
                    data, file_id, total, index, name = _chunk_fields(chunk)
                    upload = self._write(field, data, file_id, total, index, name)
                    progress[file_id] = [upload.next, upload.total]
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

    def _write(
        self, field: str, data: bytes, file_id: str, total: int, index: int, name: str
    ) -> _Upload:
        if not data:
            raise RPCError(Code.FILE_EMPTY, f"chunk {index} of file {file_id!r} is empty")
        if len(data) > self.max_chunk_size:
            raise RPCError(Code.FILE_TOO_LARGE, f"a chunk is over {self.max_chunk_size} bytes")
        upload = self._open.get(file_id)
        if upload is None:
            if index != 0:
                raise RPCError(
                    Code.FILE_RETRY, f"file {file_id!r} starts at chunk 0", {"expected": 0}
                )
            upload = self._open[file_id] = _Upload(field, name, total)
        if index != upload.next or total != upload.total:
            raise RPCError(
                Code.FILE_RETRY,
                f"chunk {index} of file {file_id!r} is out of order",
                {"expected": upload.next},
            )
        if upload.size + len(data) > self.max_file_size:
            self._open.pop(file_id).discard()
            raise RPCError(Code.FILE_TOO_LARGE, f"a file is over {self.max_file_size} bytes")
        assert upload.file is not None
        upload.file.write(data)
        upload.size += len(data)
        upload.next += 1
        if upload.next == upload.total:
            upload.file.close()
            upload.file = None
        return upload

    def discard_all(self) -> None:
        """Remove every unfinished upload (the socket closed)."""
        with self._lock:
            uploads, self._open = list(self._open.values()), {}
        for upload in uploads:
            upload.discard()


def remove(files: dict[str, list[File]]) -> None:
    """Remove the temporary files of a finished call."""
    for file_list in files.values():
        for file in file_list:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(file.path)
