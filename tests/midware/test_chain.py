"""The midware chain: order, scopes, stopping, writer wrapping, afterware."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import wtf
from wtf.midware import WriterWrapper
from wtf.testing import Client


def recorder(log: list[str], name: str) -> object:
    def proc(ctx: wtf.Context) -> wtf.Context:
        log.append(name)
        return ctx

    return proc


@pytest.mark.parametrize(
    ("spec", "path", "expected"),
    [
        pytest.param([("a", 50, "/"), ("b", 10, "/")], "/x", ["b", "a"], id="priority"),
        pytest.param([("a", 20, "/"), ("b", 20, "/")], "/x", ["a", "b"], id="tie-insertion"),
        pytest.param(
            [("deep", 20, "/p/"), ("global", 20, "/")], "/p/x", ["global", "deep"], id="tie-shallow"
        ),
        pytest.param(
            [("deep", 10, "/p/q/"), ("mid", 10, "/p/"), ("g", 10, "/")],
            "/p/q/r",
            ["g", "mid", "deep"],
            id="tie-depth-order",
        ),
        pytest.param(
            [("p", 5, "/p/"), ("g", 50, "/")], "/p/x", ["p", "g"], id="priority-beats-depth"
        ),
        pytest.param([("p", 5, "/p/")], "/p", [], id="slash-scope-not-parent"),
        pytest.param([("p", 5, "/p/")], "/p/", ["p"], id="slash-scope-itself"),
        pytest.param([("e", 5, "/exact")], "/exact", ["e"], id="exact-scope"),
        pytest.param([("e", 5, "/exact")], "/exact/x", [], id="exact-scope-not-below"),
        pytest.param(
            [("neg", -5, "/"), ("big", 500, "/"), ("z", 0, "/")],
            "/x",
            ["neg", "z", "big"],
            id="clamped",
        ),
    ],
)
def test_order(spec: list[tuple[str, int, str]], path: str, expected: list[str]) -> None:
    log: list[str] = []
    app = wtf.Server()
    for name, priority, scope in spec:
        app.add_midware(recorder(log, name), path=scope, priority=priority)  # type: ignore[arg-type]
    app.handle(lambda: "ok", "/*")
    Client(app, validate=True).get(path)
    assert log == expected


def test_order_independent_of_route_registration() -> None:
    log: list[str] = []
    app = wtf.Server()
    app.add_midware(recorder(log, "late"), priority=30)  # type: ignore[arg-type]
    app.handle(lambda: "ok", "/a")
    app.add_midware(recorder(log, "early"), priority=10)  # type: ignore[arg-type]
    Client(app).get("/a")
    assert log == ["early", "late"]


def test_midware_runs_for_404_and_its_headers_stay(app: wtf.Server, client: Client) -> None:
    def tag(ctx: wtf.Context) -> wtf.Context:
        ctx.response.headers["X-Tag"] = "1"
        return ctx

    app.add_midware(tag, priority=1)

    @app.get("/x")
    def x() -> str:
        return "x"

    for path, method, status in [("/nope", "GET", 404), ("/x", "DELETE", 405), ("/x", "GET", 200)]:
        response = client.open(path, method=method)
        assert (response.status_code, response.headers["X-Tag"]) == (status, "1")


def test_stop_the_chain(app: wtf.Server, client: Client) -> None:
    ran: list[str] = []

    def gate(ctx: wtf.Context) -> wtf.Context | None:
        if ctx.request.args.get("token") != "ok":
            ctx.response.write_header(401)
            return None
        return ctx

    app.add_midware(gate, priority=5)
    app.add_midware(recorder(ran, "after-gate"), priority=6)  # type: ignore[arg-type]

    @app.get("/secret")
    def secret() -> str:
        ran.append("handler")
        return "secret"

    response = client.get("/secret")
    assert (response.status_code, response.data, ran) == (401, b"", [])
    assert client.get("/secret?token=ok").text == "secret"
    assert ran == ["after-gate", "handler"]


class Upper(WriterWrapper):
    flushes = 0

    def write(self, data: bytes) -> int:
        return self.inner.write(data.upper())

    def flush(self) -> None:
        Upper.flushes += 1
        super().flush()


class Counting(WriterWrapper):
    inner_flushes = 0

    def flush(self) -> None:
        if not self._flushed:
            Counting.inner_flushes += 1
        super().flush()


def test_writer_wrapping_and_flush_once(app: wtf.Server, client: Client) -> None:
    Upper.flushes = Counting.inner_flushes = 0
    app.add_midware(lambda ctx: ctx.clone(writer=Counting(ctx.writer)), priority=1)
    app.add_midware(lambda ctx: ctx.clone(writer=Upper(ctx.writer)), priority=2)

    @app.get("/")
    def index(resp: wtf.Response) -> None:
        resp.write_string("hello")
        resp.write_header(500)  # too late: ignored

    response = client.get("/")
    assert (response.status_code, response.text) == (200, "HELLO")
    assert Counting.inner_flushes == 1


def test_streaming_passes_the_wrappers_chunk_by_chunk(app: wtf.Server) -> None:
    seen: list[bytes] = []

    class Spy(WriterWrapper):
        def write(self, data: bytes) -> int:
            seen.append(data)
            return self.inner.write(data)

    app.add_midware(lambda ctx: ctx.clone(writer=Spy(ctx.writer)), priority=1)
    produced: list[int] = []

    @app.get("/s")
    def stream() -> Iterator[bytes]:
        for i in range(3):
            produced.append(i)
            yield f"{i};".encode()

    response = Client(app, validate=True).get("/s", buffered=False)
    body = response.iter_encoded()
    assert next(body) == b"0;" and produced == [0]
    assert next(body) == b"1;" and produced == [0, 1]
    assert list(body) == [b"2;"]
    response.close()
    assert seen == [b"0;", b"1;", b"2;"]


def test_afterware_order_and_runs_when_stopped(app: wtf.Server, client: Client) -> None:
    log: list[str] = []

    def after(name: str) -> object:
        def fn(resp: wtf.Response) -> None:
            log.append(f"{name}:{resp.status}")

        fn.__qualname__ = name
        return fn

    app.add_afterware(after("global-1"))  # type: ignore[arg-type]
    app.add_afterware(after("api"), path="/api/")  # type: ignore[arg-type]
    app.add_afterware(after("global-2"))  # type: ignore[arg-type]

    @app.get("/api/x")
    def x() -> tuple[str, int]:
        return "x", 201

    client.get("/api/x")
    assert log == ["api:201", "global-2:201", "global-1:201"]
    log.clear()

    def stop(ctx: wtf.Context) -> None:
        ctx.response.write_header(403)

    app.add_midware(stop, priority=1)
    assert client.get("/api/x").status_code == 403
    assert log == ["api:403", "global-2:403", "global-1:403"]


def test_afterware_sees_errors(app: wtf.Server, client: Client) -> None:
    log: list[int] = []

    def after(resp: wtf.Response) -> None:
        log.append(resp.status)

    app.add_afterware(after)
    client.get("/missing")
    assert log == [404]


def test_midware_exception_is_500(app: wtf.Server, client: Client) -> None:
    def broken(ctx: wtf.Context) -> wtf.Context:
        raise RuntimeError("midware broke")

    app.add_midware(broken)
    app.handle(lambda: "x", "/")
    response = client.get("/")
    assert response.status_code == 500 and "midware broke" not in response.text


@pytest.mark.parametrize(
    ("midware", "kwargs", "fragment"),
    [
        pytest.param(object(), {}, "is not midware", id="not-midware"),
        pytest.param(lambda ctx: ctx, {"path": "private"}, "starts with '/'", id="bad-scope"),
    ],
)
def test_registration_errors(midware: object, kwargs: dict[str, str], fragment: str) -> None:
    with pytest.raises(wtf.RegistrationError, match=fragment):
        wtf.Server().add_midware(midware, **kwargs)  # type: ignore[arg-type]


def test_context_clone_shares_values(app: wtf.Server, client: Client) -> None:
    def setter(ctx: wtf.Context) -> wtf.Context:
        ctx.set("user", "ann")
        return ctx.clone()

    app.add_midware(setter)

    @app.get("/")
    def index(ctx: wtf.Context) -> str:
        return ctx.get_str("user")

    assert client.get("/").text == "ann"


def test_describe_routes_lists_midware_in_order(app: wtf.Server) -> None:
    from wtf.midware import CORS, Gzip

    app.add_midware(Gzip())
    app.add_midware(CORS("*"))
    app.add_midware(lambda ctx: ctx, path="/admin/", priority=1)

    @app.get("/admin/users/:id", "admin.example.com")
    def users(id: int) -> str:
        return ""

    @app.post("/public")
    def public() -> str:
        return ""

    admin, pub = app.describe_routes()
    assert (admin.pattern, admin.methods, admin.hosts) == (
        "/admin/users/:id",
        ("GET",),
        ("admin.example.com",),
    )
    assert admin.handler.endswith("test_describe_routes_lists_midware_in_order.<locals>.users")
    assert admin.midware[0].startswith("<midware")
    assert admin.midware[1:] == (
        "CORS(allow_origins='*', priority=10)",
        "Gzip(min_size=500, level=6, priority=40)",
    )
    assert len(pub.midware) == 2


def test_midware_added_after_requests_joins_the_chain(app: wtf.Server, client: Client) -> None:
    def tag(name: str) -> wtf.midware.Midware:
        def proc(ctx: wtf.Context) -> wtf.Context:
            ctx.base_writer.headers.add("X-Ran", name)
            return ctx

        return proc  # type: ignore[return-value]

    @app.get("/x/y")
    def y() -> str:
        return "y"

    app.add_midware(tag("global"), priority=10)
    assert client.get("/x/y").headers.getlist("X-Ran") == ["global"]
    assert client.get("/other").headers.getlist("X-Ran") == ["global"]  # the 404 too
    app.add_midware(tag("scoped"), path="/x/", priority=20)
    app.add_midware(tag("late"), priority=30)
    assert client.get("/x/y").headers.getlist("X-Ran") == ["global", "scoped", "late"]
    assert client.get("/other").headers.getlist("X-Ran") == ["global", "late"]


class Mark(WriterWrapper):
    """Puts ``mark`` after each chunk."""

    def __init__(self, inner: wtf.midware.Writer, mark: bytes) -> None:
        super().__init__(inner)
        self.mark = mark

    def write(self, data: bytes) -> int:
        return self.inner.write(data + self.mark)


class Marker:
    """A body filter that appends ``mark`` to a complete body, and to each chunk of a stream
    (through a ``Mark`` wrapper); it says which it was asked."""

    def __init__(self, mark: bytes, calls: list[str]) -> None:
        self.mark = mark
        self.calls = calls
        self.priority = 10

    def proc(self, ctx: wtf.Context) -> wtf.Context:
        ctx.base_writer.add_filter(self)
        return ctx

    def whole(self, ctx: wtf.Context, base: wtf.midware.BufferWriter, body: bytes) -> bytes:
        self.calls.append(f"whole {body.decode()}")
        return body + self.mark

    def stream(self, ctx: wtf.Context, base: wtf.midware.BufferWriter) -> Mark:
        self.calls.append("stream")
        return Mark(base, self.mark)


def filtered_app(calls: list[str]) -> wtf.Server:
    app = wtf.Server()
    app.add_midware(Marker(b"!", calls), priority=10)  # the first registered: the innermost
    app.add_midware(Marker(b"?", calls), priority=20)
    app.add_midware(lambda ctx: ctx.clone(writer=Upper(ctx.writer)), priority=30)

    @app.get("/returned")
    def returned() -> str:
        return "hi"

    @app.get("/written")
    def written(resp: wtf.Response) -> None:
        resp.write_string("h")
        resp.write_string("i")

    @app.get("/streamed")
    def streamed(resp: wtf.Response) -> None:
        resp.write(b"a")  # written before the stream begins: it goes through the filters too
        resp.write_stream(iter([b"b", b"c"]))

    return app


@pytest.mark.parametrize("path", ["/returned", "/written"])
def test_a_body_filter_sees_each_complete_body_once_after_every_wrapper(path: str) -> None:
    calls: list[str] = []
    response = Client(filtered_app(calls), validate=True).get(path)
    # the wrapper upper-cased the body; the last registered filter went first
    assert (response.data, response.headers["Content-Length"]) == (b"HI?!", "4")
    assert calls == ["whole HI", "whole HI?"]


def test_a_body_filter_wraps_a_stream_under_every_other_wrapper() -> None:
    calls: list[str] = []
    response = Client(filtered_app(calls), validate=True).get("/streamed")
    # each chunk: upper-cased by the app's wrapper, then "?" then "!" (the innermost)
    assert response.data == b"A?!B?!C?!"
    assert calls == ["stream", "stream"]
    assert "Content-Length" not in response.headers
