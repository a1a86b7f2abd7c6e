"""Gzip: q-values, sizes, types, HEAD/204/304, Vary, ETag, complete streams, chunking."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator

import pytest

import wtf
from wtf.midware import CORS, Gzip, WriterWrapper
from wtf.testing import Client

from ..server.helpers import Session, track_sessions

BIG = "a" * 2000


def gzip_app(**options: object) -> wtf.Server:
    app = wtf.Server()
    app.add_midware(Gzip(**options))  # type: ignore[arg-type]

    @app.get("/text")
    def text() -> str:
        return BIG

    @app.get("/small")
    def small() -> str:
        return "tiny"

    @app.get("/typed/:kind")
    def typed(kind: str, resp: wtf.Response) -> None:
        resp.headers["Content-Type"] = kind.replace("~", "/")
        resp.write(BIG)

    @app.get("/status/:code")
    def status(code: int, resp: wtf.Response) -> None:
        resp.write_header(code)

    @app.get("/etag")
    def etag(resp: wtf.Response) -> str:
        resp.headers["ETag"] = '"v1"'
        return BIG

    @app.get("/encoded")
    def encoded(resp: wtf.Response) -> bytes:
        resp.headers["Content-Encoding"] = "br"
        resp.headers["Content-Type"] = "text/plain"
        return b"x" * 2000

    return app


@pytest.mark.parametrize(
    ("accept", "compressed"),
    [
        pytest.param("gzip", True, id="gzip"),
        pytest.param("GZIP", True, id="case"),
        pytest.param("x-gzip", True, id="x-gzip"),
        pytest.param("deflate, gzip;q=0.5", True, id="q"),
        pytest.param("gzip;q=0", False, id="q0"),
        pytest.param("*", True, id="star"),
        pytest.param("*;q=0", False, id="star-q0"),
        pytest.param("br", False, id="other"),
        pytest.param(None, False, id="none"),
    ],
)
def test_accept_encoding(accept: str | None, compressed: bool) -> None:
    headers = {"Accept-Encoding": accept} if accept is not None else {}
    response = Client(gzip_app(), validate=True).get("/text", headers=headers)
    assert response.headers.get("Content-Encoding") == ("gzip" if compressed else None)
    body = gzip.decompress(response.data) if compressed else response.data
    assert body == BIG.encode()
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert response.headers["Vary"] == "Accept-Encoding"  # could have been compressed


@pytest.mark.parametrize(
    ("path", "compressed", "vary"),
    [
        pytest.param("/small", False, False, id="under-min-size"),
        pytest.param("/typed/application~json", True, True, id="json"),
        pytest.param("/typed/application~problem+json", True, True, id="plus-json"),
        pytest.param("/typed/image~svg+xml", True, True, id="svg"),
        pytest.param("/typed/image~png", False, False, id="png"),
        pytest.param("/typed/application~zip", False, False, id="zip"),
        pytest.param("/typed/text~event-stream", False, False, id="event-stream"),
        pytest.param("/encoded", False, False, id="already-encoded"),
    ],
)
def test_what_gets_compressed(path: str, compressed: bool, vary: bool) -> None:
    response = Client(gzip_app(), validate=True).get(path, headers={"Accept-Encoding": "gzip"})
    assert (response.headers.get("Content-Encoding") == "gzip") is compressed
    assert ("Accept-Encoding" in response.headers.get("Vary", "")) is vary


@pytest.mark.parametrize("code", [204, 304, 201, 404])
def test_status_without_body_stays(code: int) -> None:
    response = Client(gzip_app(), validate=True).get(
        f"/status/{code}", headers={"Accept-Encoding": "gzip"}
    )
    # A status set by the handler without a body goes out as it is, 404 included.
    assert (response.status_code, response.data) == (code, b"")
    assert "Content-Encoding" not in response.headers


def test_head_is_not_compressed() -> None:
    response = Client(gzip_app(), validate=True).head("/text", headers={"Accept-Encoding": "gzip"})
    assert (response.status_code, response.data) == (200, b"")
    assert "Content-Encoding" not in response.headers
    assert response.headers["Content-Length"] == str(len(BIG))


def test_etag_weakened() -> None:
    response = Client(gzip_app(), validate=True).get("/etag", headers={"Accept-Encoding": "gzip"})
    assert response.headers["ETag"] == 'W/"v1"'


def test_content_types_replace_default() -> None:
    app = gzip_app(content_types=["image/"])
    client = Client(app, validate=True)
    assert (
        client.get("/typed/image~png", headers={"Accept-Encoding": "gzip"}).headers.get(
            "Content-Encoding"
        )
        == "gzip"
    )
    assert (
        "Content-Encoding" not in client.get("/text", headers={"Accept-Encoding": "gzip"}).headers
    )


def test_vary_never_twice(app: wtf.Server, client: Client) -> None:
    app.add_midware(Gzip())

    @app.get("/")
    def index(resp: wtf.Response) -> str:
        resp.headers["Vary"] = "accept-encoding"
        return BIG

    assert client.get("/", headers={"Accept-Encoding": "gzip"}).headers["Vary"] == "accept-encoding"


def test_stream_is_compressed_chunk_by_chunk(app: wtf.Server) -> None:
    app.add_midware(Gzip(min_size=10_000))  # a stream has no size: min_size does not apply
    produced: list[int] = []

    @app.get("/events")
    def events() -> Iterator[str]:
        for i in range(3):
            produced.append(i)
            yield f"line {i}\n"

    response = Client(app, validate=True).get(
        "/events", headers={"Accept-Encoding": "gzip"}, buffered=False
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in response.headers
    decoder = zlib.decompressobj(31)
    chunks = response.iter_encoded()
    assert decoder.decompress(next(chunks)) == b"line 0\n" and produced == [0]
    assert decoder.decompress(next(chunks)) == b"line 1\n" and produced == [0, 1]
    rest = b"".join(chunks)
    response.close()
    assert decoder.decompress(rest) == b"line 2\n" and decoder.eof  # the trailer arrived


@pytest.mark.parametrize("accepts", [True, False], ids=["gzip", "identity"])
def test_an_error_body_under_gzip_is_compressed_as_any_body_and_labelled_as_sent(
    app: wtf.Server, client: Client, accepts: bool
) -> None:
    app.add_midware(Gzip(min_size=0))
    headers = {"Accept-Encoding": "gzip"} if accepts else {}
    response = client.get("/missing/" + "x" * 600, headers=headers)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers.get("Content-Encoding") == ("gzip" if accepts else None)
    assert int(response.headers["Content-Length"]) == len(response.data)
    body = gzip.decompress(response.data) if accepts else response.data
    assert json.loads(body)["detail"] == "no route for /missing/" + "x" * 600


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        pytest.param({"min_size": -1}, "min_size", id="min-size"),
        pytest.param({"level": 0}, "level", id="level"),
        pytest.param({"content_types": "text/"}, "content_types", id="string-types"),
    ],
)
def test_bad_configuration(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        Gzip(**kwargs)  # type: ignore[arg-type]


def test_close_of_a_gzip_stream_reaches_generator_and_teardown(app: wtf.Server) -> None:
    state = {"generator_closed": False}
    sessions = track_sessions(app)
    app.add_midware(Gzip())

    @app.get("/feed")
    def feed(s: Session) -> Iterator[str]:
        try:
            for i in range(10_000):
                yield f"row {i}\n"
        finally:
            state["generator_closed"] = True

    response = Client(app, validate=True).get(
        "/feed", headers={"Accept-Encoding": "gzip"}, buffered=False
    )
    next(response.iter_encoded())
    assert not sessions[0].closed
    response.close()  # the client went away
    assert state["generator_closed"] and sessions[0].closed


class Tap(WriterWrapper):
    """A user wrapper: records the bytes that pass through it."""

    def __init__(self, inner: wtf.midware.Writer, seen: list[bytes]) -> None:
        super().__init__(inner)
        self.seen = seen

    def write(self, data: bytes) -> int:
        self.seen.append(data)
        return self.inner.write(data)


@pytest.mark.parametrize("tap_priority", [30, 50], ids=["registered-before", "registered-after"])
def test_gzip_encodes_what_every_wrapper_passed_on_whatever_their_order(tap_priority: int) -> None:
    app = gzip_app()
    seen: list[bytes] = []

    def tap(ctx: wtf.Context) -> wtf.Context:
        return ctx.clone(writer=Tap(ctx.writer, seen))

    app.add_midware(tap, priority=tap_priority)
    response = Client(app, validate=True).get("/text", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert gzip.decompress(response.data) == BIG.encode()
    assert b"".join(seen) == BIG.encode()  # the wrapper saw the identity bytes


def test_gzip_keeps_headers_set_by_other_midware_on_a_small_body() -> None:
    app = gzip_app()
    app.add_midware(CORS("*"))
    response = Client(app, validate=True).get(
        "/small", headers={"Accept-Encoding": "gzip", "Origin": "https://a.example"}
    )
    assert (response.data, response.headers["Access-Control-Allow-Origin"]) == (b"tiny", "*")
    assert response.headers["Content-Length"] == "4"
    assert "Content-Encoding" not in response.headers and "Vary" not in response.headers


@pytest.mark.parametrize(
    ("header", "compressed"),
    [
        ("gzip;q=0, *", False),
        ("*, gzip;q=0", False),
        ("*;q=0.5, gzip;q=0", False),
        ("x-gzip;q=0, gzip", True),
        ("*", True),
        ("br, *;q=0", False),
        ("gzip;q=abc", False),
        ("gzip;q=0.001", True),
    ],
)
def test_an_explicit_weight_for_gzip_wins_over_the_wildcard(header: str, compressed: bool) -> None:
    response = Client(gzip_app(), validate=True).get("/text", headers={"Accept-Encoding": header})
    assert (response.headers.get("Content-Encoding") == "gzip") is compressed


@pytest.mark.parametrize(("size", "compressed"), [(99, False), (100, True), (150, True)])
@pytest.mark.parametrize("pieces", [1, 3])
def test_min_size_counts_a_written_body_whole(size: int, compressed: bool, pieces: int) -> None:
    app = wtf.Server()
    app.add_midware(Gzip(min_size=100))

    @app.get("/written")
    def written(resp: wtf.Response) -> None:
        resp.headers["Content-Type"] = "text/plain"
        body = b"w" * size
        step = -(-size // pieces)
        for at in range(0, size, step):
            resp.write(body[at : at + step])

    response = Client(app, validate=True).get("/written", headers={"Accept-Encoding": "gzip"})
    assert (response.headers.get("Content-Encoding") == "gzip") is compressed
    data = gzip.decompress(response.data) if compressed else response.data
    assert data == b"w" * size
    assert response.headers["Vary"] == "Accept-Encoding" if compressed else True


def test_a_304_answers_the_variant_the_client_holds(tmp_path: object) -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "page.txt"
    path.write_text("x" * 2000)
    app = wtf.Server()
    app.add_midware(Gzip())

    @app.get("/page")
    def page(resp: wtf.Response) -> None:
        resp.send_file(path)

    client = Client(app, validate=True)
    full = client.get("/page", headers={"Accept-Encoding": "gzip"})
    assert full.headers["ETag"].startswith("W/") and full.headers["Vary"] == "Accept-Encoding"
    again = client.get(
        "/page", headers={"Accept-Encoding": "gzip", "If-None-Match": full.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.headers["ETag"] == full.headers["ETag"]
    assert again.headers["Vary"] == "Accept-Encoding"
    plain = client.get("/page")
    assert not plain.headers["ETag"].startswith("W/")  # the identity variant keeps it strong
    plain_again = client.get("/page", headers={"If-None-Match": plain.headers["ETag"]})
    assert (plain_again.status_code, plain_again.headers["ETag"]) == (304, plain.headers["ETag"])
