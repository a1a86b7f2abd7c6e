"""Injection by annotation: provided types, typed route params, ArgBuilders, overrides."""

from __future__ import annotations

import gc
import uuid
import weakref
from collections.abc import Iterator

import pytest
import werkzeug

import wtf
from wtf.midware import WriterWrapper
from wtf.testing import Client

from .helpers import Config, Session, User, track_sessions


def test_provided_types(app: wtf.Server, client: Client) -> None:
    seen: dict[str, object] = {}

    @app.get("/p/:id")
    def handler(
        ctx: wtf.Context,
        req: wtf.Request,
        resp: wtf.Response,
        rest: wtf.Rest,
        raw: werkzeug.Request,
        server: wtf.Server,
    ) -> str:
        seen.update(ctx=ctx, req=req, resp=resp, rest=rest, raw=raw, server=server)
        assert req is ctx.request  # one request object per request: it holds the parsed body
        resp.headers["X-Seen"] = "1"
        assert ctx.response.headers["X-Seen"] == "1"  # a facade over the same writer
        return req.args.get("q", "")

    response = client.get("/p/7?q=hi")
    assert (response.text, response.headers["X-Seen"]) == ("hi", "1")
    assert isinstance(seen["resp"], wtf.Response) and isinstance(seen["ctx"], wtf.Context)
    assert seen["raw"] is seen["req"].raw  # type: ignore[attr-defined]
    assert isinstance(seen["raw"], werkzeug.Request)
    assert list(seen["rest"]) == [("id", "7")]  # type: ignore[call-overload]
    assert seen["server"] is app


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        pytest.param("int", "42", "int:42", id="int"),
        pytest.param("int", "-3", "int:-3", id="negative-int"),
        pytest.param("int", "4x", None, id="int-bad"),
        pytest.param("int", " 4", None, id="int-space"),
        pytest.param("int", "1_000", None, id="int-underscore"),
        pytest.param("int", "9" * 5000, None, id="int-over-digit-limit"),
        pytest.param("float", "2.5", "float:2.5", id="float"),
        pytest.param("float", "abc", None, id="float-bad"),
        pytest.param("bool", "YES", "bool:True", id="bool-yes"),
        pytest.param("bool", "off", "bool:False", id="bool-off"),
        pytest.param("bool", "0", "bool:False", id="bool-0"),
        pytest.param("bool", "maybe", None, id="bool-bad"),
        pytest.param(
            "uuid",
            "12345678-1234-5678-1234-567812345678",
            "UUID:12345678-1234-5678-1234-567812345678",
            id="uuid",
        ),
        pytest.param("uuid", "nope", None, id="uuid-bad"),
        pytest.param("str", "x y", "str:x y", id="str"),
    ],
)
def test_typed_route_params(annotation: str, value: str, expected: str | None) -> None:
    app = wtf.Server()
    kinds = {"int": int, "float": float, "bool": bool, "uuid": uuid.UUID, "str": str}

    def handler(v):  # type: ignore[no-untyped-def]
        return f"{type(v).__name__}:{v}"

    handler.__annotations__ = {"v": kinds[annotation], "return": str}
    app.handle(handler, "/v/:v")
    response = Client(app, validate=True).get(f"/v/{value}")
    if expected is None:
        assert response.status_code == 404
        detail = response.json["detail"]  # type: ignore[index]
        assert detail.startswith(f"no route for /v/{value}: {value[:40]!r} is not a")
    else:
        assert (response.status_code, response.text) == (200, expected)


def test_unannotated_route_param_is_str(app: wtf.Server, client: Client) -> None:
    def handler(name):  # type: ignore[no-untyped-def]
        return f"hi {name}"

    app.handle(handler, "/hi/:name")
    assert client.get("/hi/bob").text == "hi bob"


def test_builders_depend_on_builders_and_run_once_per_request(
    app: wtf.Server, client: Client
) -> None:
    calls: list[str] = []

    @app.arg_builder
    def session(ctx: wtf.Context) -> Session:
        calls.append("session")
        return Session(ctx.request.args.get("db", "real"))

    @app.arg_builder
    def user(s: Session) -> User:
        calls.append("user")
        return User(s)

    @app.get("/me")
    def me(u: User, s: Session) -> str:
        return f"{u.session.name} same={u.session is s}"

    assert client.get("/me?db=test").text == "test same=True"
    assert calls == ["session", "user"]  # Session built once, though asked for twice
    assert client.get("/me").text == "real same=True"
    assert calls == ["session", "user", "session", "user"]


def test_generator_teardown_in_reverse_order(app: wtf.Server, client: Client) -> None:
    events: list[str] = []

    @app.arg_builder
    def session() -> Iterator[Session]:
        events.append("open session")
        yield Session()
        events.append("close session")

    @app.arg_builder
    def user(s: Session) -> Iterator[User]:
        events.append("open user")
        yield User(s)
        events.append("close user")

    @app.get("/")
    def handler(u: User) -> str:
        events.append("handler")
        return "ok"

    assert client.get("/").text == "ok"
    assert events == ["open session", "open user", "handler", "close user", "close session"]


def test_teardown_runs_when_the_handler_raised(app: wtf.Server, client: Client) -> None:
    sessions = track_sessions(app)

    @app.get("/boom")
    def boom(s: Session) -> str:
        raise RuntimeError("boom")

    assert client.get("/boom").status_code == 500
    assert sessions[0].closed


def test_teardown_after_stream_closed_early(app: wtf.Server) -> None:
    state = {"closed": False, "sent": 0, "generator_closed": False}

    @app.arg_builder
    def session() -> Iterator[Session]:
        yield Session()
        state["closed"] = True

    @app.get("/stream")
    def stream(s: Session) -> Iterator[bytes]:
        try:
            for i in range(1000):
                state["sent"] = i
                yield b"chunk\n"
        finally:
            state["generator_closed"] = True

    response = Client(app, validate=True).get("/stream", buffered=False)
    body = response.iter_encoded()
    assert next(body) == b"chunk\n"
    assert not state["closed"]
    response.close()
    assert state["closed"] and state["generator_closed"]
    assert state["sent"] < 999


def test_app_scope_builds_once(app: wtf.Server, client: Client) -> None:
    built: list[int] = []

    @app.arg_builder(scope="app")
    def config() -> Config:
        built.append(1)
        return Config(len(built))

    @app.get("/")
    def handler(c: Config) -> str:
        return str(c.n)

    assert [client.get("/").text for _ in range(3)] == ["1", "1", "1"]
    assert built == [1]


def test_app_scope_cannot_take_request_values(app: wtf.Server) -> None:
    def config(ctx: wtf.Context) -> Config:
        return Config(1)

    with pytest.raises(wtf.HandlerError, match="app-scoped"):
        app.arg_builder(config, scope="app")


def test_builder_http_error_skips_the_handler(app: wtf.Server, client: Client) -> None:
    called: list[bool] = []

    @app.arg_builder
    def user() -> User:
        raise wtf.HTTPError(401, "log in first")

    @app.get("/me")
    def me(u: User) -> str:
        called.append(True)
        return "me"

    response = client.get("/me")
    assert (response.status_code, response.json["detail"]) == (401, "log in first")  # type: ignore[index]
    assert called == []


def test_builder_exception_is_500(app: wtf.Server, client: Client) -> None:
    @app.arg_builder
    def user() -> User:
        raise KeyError("nope")

    @app.get("/me")
    def me(u: User) -> str:
        return "me"

    assert client.get("/me").status_code == 500


def test_builder_registered_twice(app: wtf.Server, client: Client) -> None:
    @app.arg_builder
    def first() -> Session:
        return Session("first")

    def second() -> Session:
        return Session("second")

    with pytest.raises(wtf.RegistrationError) as info:
        app.arg_builder(second)
    assert f"{__name__}" in str(info.value) and "replace=True" in str(info.value)

    @app.get("/")
    def handler(s: Session) -> str:
        return s.name

    assert client.get("/").text == "first"
    app.arg_builder(second, replace=True)
    assert client.get("/").text == "second"


def test_builder_needs_return_annotation(app: wtf.Server) -> None:
    def nameless():  # type: ignore[no-untyped-def]
        return Session()

    with pytest.raises(wtf.HandlerError, match="return annotation"):
        app.arg_builder(nameless)


def test_override_context_manager_and_plain_call(app: wtf.Server, client: Client) -> None:
    @app.arg_builder
    def session() -> Session:
        return Session("real")

    @app.arg_builder
    def user(s: Session) -> User:
        return User(s)

    @app.get("/")
    def handler(u: User) -> str:
        return u.session.name

    with app.override(Session, lambda: Session("fake")):
        assert client.get("/").text == "fake"  # also inside the User builder
    assert client.get("/").text == "real"
    app.override(Session, lambda: Session("plain"))
    assert client.get("/").text == "plain"
    app.reset_overrides()
    assert client.get("/").text == "real"


def test_override_needs_a_registered_builder(app: wtf.Server) -> None:
    with pytest.raises(wtf.RegistrationError, match="no ArgBuilder"):
        app.override(Session, lambda: Session())


class HoldsContext:
    """Built per request; refers back to the request's context (a reference cycle)."""

    def __init__(self, ctx: wtf.Context) -> None:
        self.ctx = ctx


def build_holder(ctx: wtf.Context) -> HoldsContext:
    return HoldsContext(ctx)


@pytest.mark.parametrize("middle", [False, True], ids=["no-midware", "midware"])
@pytest.mark.parametrize("result", ["text", "dict", "stream"])
def test_built_values_are_freed_without_the_cyclic_gc(middle: bool, result: str) -> None:
    app = wtf.Server()
    app.arg_builder(build_holder)
    if middle:
        app.add_midware(lambda ctx: ctx, priority=50)
    built: list[weakref.ref[HoldsContext]] = []

    @app.get("/")
    def index(holder: HoldsContext) -> object:
        built.append(weakref.ref(holder))
        if result == "stream":
            return iter(["a", "b"])
        return "text" if result == "text" else {"k": 1}

    gc.disable()
    try:
        response = Client(app).get("/")
        assert response.status_code == 200
        response.close()
        assert built and built[0]() is None  # refcounting alone freed it: no cycle was left
    finally:
        gc.enable()


class Boom(Exception):
    """Raised by a handler to reach an error handler."""


@pytest.mark.parametrize("cloning", [False, True], ids=["same-context", "cloned-context"])
def test_one_build_per_request_across_handler_afterware_and_error_handler(cloning: bool) -> None:
    app = wtf.Server()
    built: list[Session] = []
    seen: list[tuple[str, Session]] = []

    @app.arg_builder
    def session() -> Session:
        built.append(Session("db"))
        return built[-1]

    if cloning:  # a midware that wraps the writer hands a clone of the context on
        app.add_midware(lambda ctx: ctx.clone(writer=WriterWrapper(ctx.writer)), priority=50)

    @app.get("/ok")
    def ok(s: Session) -> str:
        seen.append(("handler", s))
        return "ok"

    @app.get("/fail")
    def fail(s: Session) -> str:
        seen.append(("handler", s))
        raise Boom()

    @app.on_error(Boom)
    def on_boom(exc: Boom, s: Session) -> str:
        seen.append(("error handler", s))
        return "handled"

    def after(s: Session) -> None:
        seen.append(("afterware", s))

    app.add_afterware(after)
    client = Client(app)
    for path, body in (("/ok", "ok"), ("/fail", "handled")):
        built.clear()
        seen.clear()
        assert client.get(path).text == body
        assert len(built) == 1, path
        assert [who for who, _ in seen] == (
            ["handler", "afterware"] if path == "/ok" else ["handler", "error handler", "afterware"]
        )
        assert all(s is built[0] for _, s in seen), path


def test_route_values_reach_the_right_parameters_whatever_their_order() -> None:
    app = wtf.Server()

    @app.get("/inorder/:a/:b")
    def in_order(a: str, b: str) -> str:
        return f"a={a} b={b}"

    @app.get("/swapped/:a/:b")
    def swapped(b: str, a: str) -> str:
        return f"a={a} b={b}"

    @app.get("/untyped/:a/:b")
    def untyped(a, b) -> str:  # type: ignore[no-untyped-def]
        return f"a={a} b={b}"

    @app.get("/keyword/:a/:b")
    def keyword(a: str, *, b: str) -> str:
        return f"a={a} b={b}"

    @app.get("/partial/:a/:b")
    def partial(b: str) -> str:
        return f"b={b}"

    @app.get("/wild/:a/*")
    def wild(a: str) -> str:
        return f"a={a}"

    client = Client(app)
    for prefix in ("inorder", "swapped", "untyped", "keyword"):
        assert client.get(f"/{prefix}/1/2").text == "a=1 b=2", prefix
    assert client.get("/partial/1/2").text == "b=2"
    assert client.get("/wild/1/x/y").text == "a=1"


@pytest.mark.parametrize("kind", ["bare", "with a parameter", "generator"])
def test_a_builder_that_failed_is_built_again_when_asked_again(app: wtf.Server, kind: str) -> None:
    """A failed build leaves nothing in the request's cache: an error handler asking for the
    same type gets a fresh build, not a cycle error (each kind of builder is built by other
    code: inline, through build(), through build() with a teardown)."""
    attempts: list[int] = []

    def make() -> Session:
        attempts.append(1)
        if len(attempts) == 1:
            raise LookupError("the pool was empty")
        return Session("second")

    if kind == "bare":
        app.arg_builder(make)
    elif kind == "with a parameter":

        def with_request(req: wtf.Request) -> Session:
            return make()

        app.arg_builder(with_request)
    else:

        def generator() -> Iterator[Session]:
            yield make()

        app.arg_builder(generator)

    @app.on_error(LookupError)
    def retry(exc: LookupError, s: Session) -> tuple[str, int]:
        return f"{exc}; then {s.name}", 503

    @app.get("/")
    def handler(s: Session) -> str:
        return s.name

    response = Client(app, validate=True).get("/")
    assert (response.status_code, response.text) == (503, "the pool was empty; then second")
    assert len(attempts) == 2


def test_nested_overrides_restore_in_turn(app: wtf.Server, client: Client) -> None:
    @app.arg_builder
    def session() -> Session:
        return Session("real")

    @app.get("/")
    def handler(s: Session) -> str:
        return s.name

    with app.override(Session, lambda: Session("outer")):
        with app.override(Session, lambda: Session("inner")):
            assert client.get("/").text == "inner"
        assert client.get("/").text == "outer"  # the outer override, not the registered one
    assert client.get("/").text == "real"
