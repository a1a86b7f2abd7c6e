"""Files: send_file with Range and conditional requests, send_from_directory, uploads."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

import wtf
from wtf.midware import Gzip
from wtf.testing import Client

from ..binding.models import Attachment

CONTENT = b"0123456789" * 100  # 1000 bytes


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "data.txt").write_bytes(CONTENT)
    (tmp_path / "secret.txt").write_text("secret")
    return tmp_path


def make_app(root: Path, **kwargs: Any) -> wtf.Server:
    app = wtf.Server(**kwargs)

    @app.get("/file")
    def file(resp: wtf.Response) -> None:
        resp.send_file(root / "public" / "data.txt")

    @app.get("/download")
    def download(resp: wtf.Response) -> None:
        resp.send_file(root / "public" / "data.txt", as_attachment=True, download_name="d.txt")

    @app.get("/missing")
    def missing(resp: wtf.Response) -> None:
        resp.send_file(root / "nope.txt")

    @app.get("/buffer")
    def buffer(resp: wtf.Response) -> None:
        resp.send_file(io.BytesIO(b"in memory"), mimetype="text/plain", etag=False)

    @app.get("/static/*:path")
    def static(path: str, resp: wtf.Response) -> None:
        resp.send_from_directory(root / "public", path)

    @app.post("/attach")
    def attach(a: wtf.Form[Attachment]) -> dict[str, Any]:
        return {"title": a.title, "name": a.file.filename, "size": len(a.file.read())}

    @app.post("/upload")
    def upload(req: wtf.Request) -> dict[str, int]:
        return {name: len(f.read()) for name, f in req.files.items()}

    return app


@pytest.fixture()
def client(files: Path) -> Client:
    return Client(make_app(files), validate=True)


def test_whole_file(client: Client) -> None:
    response = client.get("/file")
    assert response.status_code == 200
    assert response.data == CONTENT
    assert response.headers["Content-Length"] == "1000"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] and response.headers["Last-Modified"]


@pytest.mark.parametrize(
    ("range_", "start", "end"),
    [
        pytest.param("bytes=2-5", 2, 6, id="slice"),
        pytest.param("bytes=990-", 990, 1000, id="open-ended"),
        pytest.param("bytes=-3", 997, 1000, id="suffix"),
        pytest.param("bytes=995-5000", 995, 1000, id="past-the-end"),
    ],
)
def test_range(client: Client, range_: str, start: int, end: int) -> None:
    response = client.get("/file", headers={"Range": range_})
    assert response.status_code == 206
    assert response.data == CONTENT[start:end]
    assert response.headers["Content-Range"] == f"bytes {start}-{end - 1}/1000"
    assert response.headers["Content-Length"] == str(end - start)


def test_unsatisfiable_range(client: Client) -> None:
    response = client.get("/file", headers={"Range": "bytes=2000-3000"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */1000"


def test_conditional_requests(client: Client) -> None:
    first = client.get("/file")
    again = client.get("/file", headers={"If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.data) == (304, b"")
    since = client.get("/file", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    stale = client.get("/file", headers={"Range": "bytes=0-1", "If-Range": '"other"'})
    assert (stale.status_code, len(stale.data)) == (200, 1000)  # If-Range mismatch: everything


def test_head_sends_headers_only(client: Client) -> None:
    response = client.head("/file")
    assert (response.status_code, response.data) == (200, b"")
    assert response.headers["Content-Length"] == "1000"


def test_attachment_and_file_objects(client: Client) -> None:
    assert client.get("/download").headers["Content-Disposition"] == "attachment; filename=d.txt"
    assert client.get("/buffer").data == b"in memory"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/static/data.txt", 200, id="inside"),
        pytest.param("/static/../secret.txt", 404, id="dot-dot"),
        pytest.param("/static/%2e%2e/secret.txt", 404, id="encoded-dot-dot"),
        pytest.param("/static//etc/passwd", 404, id="absolute"),
        pytest.param("/static/nope.txt", 404, id="missing"),
        pytest.param("/static/", 404, id="directory"),
    ],
)
def test_send_from_directory_stays_inside(client: Client, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    if status == 404:
        assert b"secret" not in response.data


@pytest.mark.parametrize("where", ["file", "directory"])
def test_a_symlink_out_of_the_directory_is_a_404_unless_allowed(files: Path, where: str) -> None:
    public = files / "public"
    if where == "file":
        (public / "link.txt").symlink_to(files / "secret.txt")
        path = "/static/link.txt"
    else:
        (files / "outside").mkdir()
        (files / "outside" / "secret.txt").write_text("secret")
        (public / "sub").symlink_to(files / "outside")
        path = "/static/sub/secret.txt"
    (public / "inner.txt").symlink_to(public / "data.txt")  # a link that stays inside
    app = make_app(files)

    @app.get("/trusting/*:path")
    def trusting(path: str, resp: wtf.Response) -> None:
        resp.send_from_directory(public, path, follow_links=True)

    client = Client(app, validate=True)
    refused = client.get(path)
    assert refused.status_code == 404 and b"secret" not in refused.data
    assert client.get("/static/inner.txt").data == CONTENT
    assert client.get("/trusting" + path.removeprefix("/static")).data == b"secret"


def test_missing_file_is_a_404(client: Client) -> None:
    response = client.get("/missing")
    assert (response.status_code, response.json["detail"]) == (404, "no such file")  # type: ignore[index]


def test_gzip_compresses_whole_files_but_not_ranges(files: Path) -> None:
    app = make_app(files)
    app.add_midware(Gzip())
    client = Client(app, validate=True)
    whole = client.get("/file", headers={"Accept-Encoding": "gzip"})
    assert whole.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(whole.data) == CONTENT
    assert "Content-Length" not in whole.headers  # the identity length is dropped: streamed
    part = client.get("/file", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.data == CONTENT[:10]


def test_file_bound_into_a_dataclass(client: Client) -> None:
    data = {"title": "cv", "file": (io.BytesIO(b"pdf bytes"), "cv.pdf")}
    assert client.post("/attach", data=data).json == {"title": "cv", "name": "cv.pdf", "size": 9}
    wrong = client.post("/attach", data={"title": "cv", "file": "not a file"})
    assert [(e["loc"], e["type"]) for e in wrong.json["errors"]] == [  # type: ignore[index]
        (["body", "file"], "file_type")
    ]


def uploads(count: int, size: int = 10) -> dict[str, Any]:
    return {f"f{i}": (io.BytesIO(b"x" * size), f"{i}.bin") for i in range(count)}


@pytest.mark.parametrize(
    ("count", "size", "status", "detail"),
    [
        pytest.param(3, 10, 200, "", id="within"),
        pytest.param(4, 10, 413, "too many files in the form (the limit is 3)", id="too-many"),
        pytest.param(1, 2000, 200, "", id="big-file-at-limit"),
        pytest.param(1, 2001, 413, "the file '0.bin' is over 2000 bytes", id="file-too-big"),
    ],
)
def test_multipart_file_limits(
    files: Path, count: int, size: int, status: int, detail: str
) -> None:
    app = make_app(files, limits=wtf.Limits(max_files=3, max_file_size=2000))
    response = Client(app, validate=True).post("/upload", data=uploads(count, size))
    assert response.status_code == status
    if status == 200:
        assert response.json == {f"f{i}": size for i in range(count)}
    else:
        assert response.json["detail"] == detail  # type: ignore[index]


@pytest.mark.parametrize(
    "range_", ["bytes=0-1,5-6", "bytes=0-1, 900-", "bytes=abc", "items=0-1", "bytes=5-1", "bytes="]
)
def test_a_range_we_cannot_serve_as_asked_gets_the_whole_file(client: Client, range_: str) -> None:
    response = client.get("/file", headers={"Range": range_})
    assert (response.status_code, response.data) == (200, CONTENT)
    assert "Content-Range" not in response.headers


def test_the_servers_file_wrapper_is_handed_back_and_its_close_ends_the_request(
    tmp_path: Path,
) -> None:
    from wsgiref.util import FileWrapper

    target = tmp_path / "data.bin"
    target.write_bytes(b"0123456789" * 1000)
    events: list[str] = []
    app = wtf.Server()

    @app.arg_builder
    def resource() -> Iterator[FileResource]:
        yield FileResource()
        events.append("torn down")

    @app.get("/f")
    def send(resp: wtf.Response, res: FileResource) -> None:
        resp.send_file(str(target))

    environ = EnvironBuilder(path="/f").get_environ()
    environ["wsgi.file_wrapper"] = FileWrapper
    started: list[str] = []
    body = app(environ, lambda status, headers, exc=None: started.append(status))
    assert isinstance(body, FileWrapper)  # the server may sendfile() it
    assert started == ["200 OK"] and events == []
    assert b"".join(body) == target.read_bytes()
    body.close()
    assert events == ["torn down"]


def test_a_file_wrapper_that_is_a_function_is_used_as_an_iterable(tmp_path: Path) -> None:
    """PEP 3333 allows any callable as wsgi.file_wrapper; wtf cannot recognise what a
    function returns, so it streams it (it used to crash: isinstance() of a function)."""
    target = tmp_path / "data.bin"
    target.write_bytes(b"0123456789" * 1000)
    app = wtf.Server()

    @app.get("/f")
    def send(resp: wtf.Response) -> None:
        resp.send_file(str(target))

    wrapped: list[object] = []

    class Blocks:
        def __init__(self, file: Any, block_size: int) -> None:
            self.file, self.block_size = file, block_size

        def __iter__(self) -> Iterator[bytes]:
            return iter(lambda: self.file.read(self.block_size), b"")

        def close(self) -> None:  # PEP 3333: the wrapper closes the file
            self.file.close()

    def file_wrapper(file: Any, block_size: int = 8192) -> Blocks:
        wrapped.append(file)
        return Blocks(file, block_size)

    environ = EnvironBuilder(path="/f").get_environ()
    environ["wsgi.file_wrapper"] = file_wrapper
    started: list[str] = []
    body = app(environ, lambda status, headers, exc=None: started.append(status))
    assert started == ["200 OK"] and len(wrapped) == 1
    assert b"".join(body) == target.read_bytes()
    body.close()  # type: ignore[attr-defined]
    assert wrapped[0].closed  # type: ignore[attr-defined]


class FileResource:
    """Built per request, torn down after it (the file-wrapper test)."""
