"""``Router.finders``: the compiled per-method lookups a framework may keep and call."""

from __future__ import annotations

from wtf.router import Router


def test_finders_is_one_live_mapping_filled_on_compile_and_emptied_by_add() -> None:
    router = Router()
    finders = router.finders
    router.add("/user/:id", "user", methods=["GET"])
    assert dict(finders) == {}  # not compiled yet: callers fall back to find()
    router.compile()
    assert router.finders is finders
    assert set(finders) == {"GET", "HEAD"}
    route, values = finders["GET"]("/user/7") or (None, ())
    assert route is not None and (route.target, tuple(values)) == ("user", ("7",))
    assert finders["GET"]("/nope") is None
    router.add("/team/:id", "team", methods=["GET"])
    assert dict(finders) == {}  # stale lookups are dropped at once
    assert router.find("GET", "/team/3") is not None  # compiles again
    assert router.finders is finders
    found = finders["GET"]("/team/3")
    assert found is not None and found[0].target == "team"


def test_finders_stay_empty_while_a_route_has_a_host_filter() -> None:
    router = Router()
    router.add("/", "any-host", methods=["GET"])
    router.add("/", "api-host", methods=["GET"], hosts=["api.example.com"])
    router.compile()
    assert dict(router.finders) == {}
    found = router.find("GET", "/", "api.example.com")
    assert found is not None and found[0].target == "api-host"


def test_unregistered_method_case_is_left_to_find() -> None:
    router = Router()
    router.add("/x", "x", methods=["GET"])
    router.compile()
    assert "get" not in router.finders
    found = router.find("get", "/x")
    assert found is not None and found[0].target == "x"
