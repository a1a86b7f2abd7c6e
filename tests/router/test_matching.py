"""Matching order and params: every row of API.md §1, mixed segments and fall-back."""

from __future__ import annotations

import pytest

from wtf.router import Router


def contract_router() -> Router:
    r = Router()
    r.add("/user/:id", "A")
    r.add("/user/9999", "B")
    r.add("/user/(?P<id>\\d+)", "C")
    r.add("/user/*", "D")
    r.add("/*", "E")
    return r


@pytest.mark.parametrize(
    ("path", "target", "params"),
    [
        pytest.param("/user/who", "A", [("id", "who")], id="named"),
        pytest.param("/user/9999", "B", [], id="exact-text-first"),
        pytest.param("/user/1234", "C", [("id", "1234")], id="regex-before-named"),
        pytest.param("/user/1234x", "A", [("id", "1234x")], id="regex-fails-falls-to-named"),
        pytest.param("/user/a/b", "D", [("", "a/b")], id="wildcard-crosses-slash"),
        pytest.param("/user/9999/x", "D", [("", "9999/x")], id="text-fails-deeper"),
        pytest.param("/user", "E", [("", "user")], id="root-wildcard"),
    ],
)
def test_contract_examples(path: str, target: str, params: list[tuple[str, str]]) -> None:
    m = contract_router().match("GET", path)
    assert m is not None
    assert (m.target, list(m.params)) == (target, params)


def test_registration_order_does_not_change_ranking() -> None:
    r = Router()
    r.add("/*", "E")
    r.add("/user/*", "D")
    r.add("/user/(?P<id>\\d+)", "C")
    r.add("/user/9999", "B")
    r.add("/user/:id", "A")
    got = [r.match("GET", p).target for p in ("/user/who", "/user/9999", "/user/1", "/user/a/b")]  # type: ignore[union-attr]
    assert got == ["A", "B", "C", "D"]


@pytest.mark.parametrize(
    ("pattern", "path", "params"),
    [
        pytest.param("/user-:id", "/user-42", [("id", "42")], id="text-then-named"),
        pytest.param("/v(?P<ver>\\d+)/x", "/v12/x", [("ver", "12")], id="text-regex-text"),
        pytest.param(
            "/r/(?P<a>\\d+)-(?P<b>\\d+)", "/r/3-4", [("a", "3"), ("b", "4")], id="two-regexes"
        ),
        pytest.param("/f/(\\w+)", "/f/abc", [("", "abc")], id="unnamed-regex"),
        pytest.param("/p/(?P<all>.+)", "/p/a/b/c", [("all", "a/b/c")], id="regex-crosses-slash"),
        pytest.param("/s/*:path", "/s/", [("path", "")], id="wildcard-empty"),
        pytest.param("/a/:x/b/:x", "/a/1/b/2", [("x", "1"), ("x", "2")], id="repeated-name"),
        pytest.param("/(?P<v>a(?=b))b", "/ab", [("v", "a")], id="lookahead"),
        pytest.param("/é/:n", "/é/ü", [("n", "ü")], id="unicode"),
    ],
)
def test_mixed_pieces(pattern: str, path: str, params: list[tuple[str, str]]) -> None:
    r = Router()
    r.add(pattern, "T")
    m = r.match("GET", path)
    assert m is not None and list(m.params) == params


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        pytest.param("/user/:id", "/user/", id="named-needs-a-character"),
        pytest.param("/user/:id", "/user/1/", id="named-stops-at-slash"),
        pytest.param("/x/(?P<v>a*)", "/x/", id="regex-must-consume"),
        pytest.param("/x/(?P<v>\\d+)", "/x/12a", id="regex-tried-once-then-end-required"),
        pytest.param("/q/(?<=q/)(?P<v>a)", "/q/a", id="regex-cannot-look-behind"),
        pytest.param("/user", "/user/", id="trailing-slash-matters"),
        pytest.param("/user/", "/user", id="missing-slash-matters"),
        pytest.param("/User", "/user", id="case-sensitive"),
        pytest.param("/*", "", id="empty-path"),
        pytest.param("/*", "*", id="no-leading-slash"),
    ],
)
def test_no_match(pattern: str, path: str) -> None:
    r = Router()
    r.add(pattern, "T")
    assert r.match("GET", path) is None


def test_regex_caret_anchors_at_piece_position() -> None:
    r = Router()
    r.add("/a/(?P<v>^b)", "T")
    m = r.match("GET", "/a/b")
    assert m is not None and m.params.get("v") == "b"


def test_fallback_at_every_ancestor() -> None:
    r = Router()
    r.add("/a/:x/c/:y/z", "deep")
    r.add("/a/(?P<r>\\d+)/c/*", "regex-wild")
    r.add("/*", "root")
    assert r.match("GET", "/a/1/c/2/z").target == "regex-wild"  # type: ignore[union-attr]
    r2 = Router()
    r2.add("/a/(?P<r>\\d+)/c/q", "regex")
    r2.add("/a/:x/c/:y", "named")
    assert r2.match("GET", "/a/1/c/q").target == "regex"  # type: ignore[union-attr]
    assert r2.match("GET", "/a/1/c/w").target == "named"  # type: ignore[union-attr]
    assert r2.match("GET", "/a/1/c/w").params.as_dict() == {"x": "1", "y": "w"}  # type: ignore[union-attr]


def test_named_siblings_in_registration_order() -> None:
    r = Router()
    r.add("/n/:a/x", "ax")
    r.add("/n/:b", "b")
    r.add("/n/:a/y", "ay")  # shares the :a node, which keeps its first place
    assert r.match("GET", "/n/1/y").target == "ay"  # type: ignore[union-attr]
    assert r.match("GET", "/n/1").target == "b"  # type: ignore[union-attr]


def test_first_registered_named_wins() -> None:
    r = Router()
    r.add("/a/:x", "x")
    r.add("/a/:y", "y")
    m = r.match("GET", "/a/1")
    assert m is not None and (m.target, m.params.get("x")) == ("x", "1")


def test_regex_siblings_in_registration_order() -> None:
    r = Router()
    r.add("/r/(?P<w>\\w+)", "word")
    r.add("/r/(?P<d>\\d+)", "digits")
    assert r.match("GET", "/r/123").target == "word"  # type: ignore[union-attr]


def test_endpoint_before_empty_wildcard() -> None:
    r = Router()
    r.add("/s/*", "wild")
    r.add("/s/", "exact")
    assert r.match("GET", "/s/").target == "exact"  # type: ignore[union-attr]
    assert r.match("GET", "/s/x").target == "wild"  # type: ignore[union-attr]


def test_longer_text_before_shorter() -> None:
    r = Router()
    r.add("/user:x", "short")
    r.add("/users", "long")
    r.add("/users/:id", "nested")
    assert r.match("GET", "/users").target == "long"  # type: ignore[union-attr]
    assert r.match("GET", "/userz").target == "short"  # type: ignore[union-attr]
    assert r.match("GET", "/users/1").target == "nested"  # type: ignore[union-attr]


@pytest.mark.parametrize("count", [3, 5, 60])
def test_wide_tables(count: int) -> None:
    """Wide fan-outs go through dict dispatch; every route stays reachable."""
    r = Router()
    for i in range(count):
        r.add(f"/res{i}/:id", f"param{i}")
        r.add(f"/res{i}/:id/sub/:sid", f"two{i}")
        r.add(f"/x/:k/lit{i}", f"lit{i}")
        r.add(f"/y/:k/lit{i}/", f"slash{i}")
    for i in range(count):
        assert r.match("GET", f"/res{i}/7").target == f"param{i}"  # type: ignore[union-attr]
        m = r.match("GET", f"/res{i}/7/sub/8")
        assert m is not None and (m.target, m.params.values) == (f"two{i}", ("7", "8"))
        assert r.match("GET", f"/x/k/lit{i}").target == f"lit{i}"  # type: ignore[union-attr]
        assert r.match("GET", f"/y/k/lit{i}/").target == f"slash{i}"  # type: ignore[union-attr]
    assert r.match("GET", f"/res{count}/7") is None


def test_deep_pattern_compiles() -> None:
    pattern = "".join(f"/s{i}/:p{i}" for i in range(60))
    path = "".join(f"/s{i}/{i}" for i in range(60))
    r = Router()
    r.add(pattern, "deep")
    m = r.match("GET", path)
    assert m is not None and m.params.get("p59") == "59" and len(m.params) == 60


def test_deep_pattern_in_position_mode_compiles() -> None:
    """Text and a piece in one segment switch the emitter to position mode from there on."""
    pattern = "".join(f"/s{i}-:p{i}" for i in range(60))
    r = Router()
    r.add(pattern, "deep")
    m = r.match("GET", "".join(f"/s{i}-{i}" for i in range(60)))
    assert m is not None and m.params.get("p59") == "59" and len(m.params) == 60
    assert r.match("GET", "".join(f"/s{i}-{i}" for i in range(59))) is None
    assert r.match("GET", "".join(f"/s{i}-{i}" for i in range(59)) + "/s59-") is None
    assert r.finder_source("GET").count("segs[") == 1  # only the first segment's split


@pytest.mark.parametrize("count", [9, 60])
def test_wide_fan_out_in_position_mode_falls_back(count: int) -> None:
    r = Router()
    for i in range(count):
        r.add(f"/w-{i}-:v/(?P<n>[0-9]+)/tail{i}", f"w{i}")
    r.add("/w-:any/:n/tail", "fallback")
    for i in range(count):
        m = r.match("GET", f"/w-{i}-x/12/tail{i}")
        assert m is not None and (m.target, m.params_dict) == (f"w{i}", {"v": "x", "n": "12"})
        m = r.match("GET", f"/w-{i}-x/12/tail")  # deep inside the i-th branch: a miss
        assert m is not None and (m.target, m.params_dict) == (
            "fallback",
            {"any": f"{i}-x", "n": "12"},
        )
    assert r.match("GET", f"/w-{count}-x/1/tail{count}") is None


def test_route_added_after_matching() -> None:
    r = Router()
    r.add("/a", "a")
    assert r.match("GET", "/b") is None
    r.add("/b", "b")
    assert r.match("GET", "/b").target == "b"  # type: ignore[union-attr]


def test_match_exposes_pattern_and_route() -> None:
    r = Router()
    route = r.add("/u/:id", "T", methods=["get"])
    m = r.match("GET", "/u/1")
    assert m is not None
    assert (m.pattern, m.route, r.routes) == ("/u/:id", route, (route,))
    assert r.find("GET", "/u/1") == (route, ("1",))


def test_the_longer_literal_inside_a_segment_is_tried_first() -> None:
    r = Router()
    r.add("/a(?P<rest>.+)", "short")
    r.add("/ab(?P<rest>.+)", "long")
    m = r.match("GET", "/abc")
    assert m is not None and (m.target, m.params.get("rest")) == ("long", "c")
    m = r.match("GET", "/ac")
    assert m is not None and (m.target, m.params.get("rest")) == ("short", "c")


@pytest.mark.parametrize("count", [3, 10, 30])
def test_fall_back_out_of_a_wide_literal_fan_out(count: int) -> None:
    """Above 8 siblings, literal segments dispatch through generated sub-functions; a miss
    deeper inside one must still fall back to the named sibling."""
    r = Router()
    for i in range(count):
        r.add(f"/lit{i}/:v/x", f"lit{i}")
    r.add("/:name/:v/y", "named")
    last = count - 1
    m = r.match("GET", f"/lit{last}/1/y")
    assert m is not None and (m.target, dict(m.params)) == (
        "named",
        {"name": f"lit{last}", "v": "1"},
    )
    m = r.match("GET", f"/lit{last}/1/x")
    assert m is not None and m.target == f"lit{last}"
    for i in range(count):  # the mixed-segment dispatch (position mode) too
        r.add(f"/m{i}-:v/x", f"m{i}")
    r.add("/(?P<any>[a-z0-9-]+)/y", "regex")
    m = r.match("GET", f"/m{last}-1/y")
    assert m is not None and m.target == "regex"


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/static/list", "/static/list", {}),
        ("/u/:id", "/u/7", {"id": "7"}),
        ("/q/:a/sub/:b", "/q/x/sub/y", {"a": "x", "b": "y"}),
        ("/r/(?P<id>\\d+)", "/r/12", {"id": "12"}),
        ("/f/*:rest", "/f/a/b", {"rest": "a/b"}),
        ("/w/*", "/w/a", {"": "a"}),
        ("/it's/:x", "/it's/1", {"x": "1"}),
    ],
)
def test_params_dict_is_a_fresh_dict_of_the_params(
    pattern: str, path: str, expected: dict[str, str]
) -> None:
    r = Router()
    r.add(pattern, "t")
    m = r.match("GET", path)
    assert m is not None and m.params_dict == expected == dict(m.params)
    m.params_dict["extra"] = "x"  # a new dict each time: the caller may change it
    assert m.params_dict == expected


def test_the_generated_lookup_can_be_read() -> None:
    r = Router()
    r.add("/u/:id", "A")
    r.add("/static", "B")
    source = r.finder_source("GET")
    assert source.startswith("def find(path):") and "segs[2]" in source
    compile(source, "<finder>", "exec")  # it is the Python that runs
    static_only = Router()
    static_only.add("/a", "A")
    assert "static" in static_only.finder_source("GET")


def test_match_dict_agrees_with_match() -> None:
    r = Router()
    r.add("/static/list", "S")
    r.add("/u/:id", "U", methods=["GET"])
    r.add("/q/:a/sub/:b", "Q")
    r.add("/r/(?P<id>\\d+)", "R")
    r.add("/f/*:rest", "F")
    r.add("/h/:x", "H", hosts=["example.com"])
    paths = ["/static/list", "/u/7", "/q/x/sub/y", "/r/12", "/r/ab", "/f/a/b", "/nope", "/h/1"]
    for method in ("GET", "POST", "get"):
        for host in (None, "example.com", "other.org"):
            for path in paths:
                m = r.match(method, path, host)
                expected = None if m is None else (m.target, m.params_dict)
                assert r.match_dict(method, path, host) == expected, (method, path, host)
    first = r.match_dict("GET", "/u/7")
    assert first is not None
    first[1]["changed"] = "yes"  # a new dict each time
    assert r.match_dict("GET", "/u/7") == ("U", {"id": "7"})
    r.add("/u/:id/more", "M")  # adding a route recompiles
    assert r.match_dict("GET", "/u/7/more") == ("M", {"id": "7"})
