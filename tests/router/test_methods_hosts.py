"""Method and virtual-host filters, HEAD, and ``allowed()``."""

from __future__ import annotations

import pytest

from wtf.router import STANDARD_METHODS, Router


def target(r: Router, method: str, path: str, host: str | None = None) -> object:
    m = r.match(method, path, host)
    return None if m is None else m.target


def test_methods_case_insensitive_and_any_token() -> None:
    r = Router()
    r.add("/x", "purge", methods=["purge"])
    r.add("/x", "get", methods="Get")
    assert target(r, "PURGE", "/x") == "purge"
    assert target(r, "purge", "/x") == "purge"
    assert target(r, "get", "/x") == "get"
    assert target(r, "POST", "/x") is None


@pytest.mark.parametrize("methods", [None, "all", ["ALL"], ["All", "GET"]])
def test_all_methods(methods: object) -> None:
    r = Router()
    r.add("/x", "any", methods=methods)  # type: ignore[arg-type]
    assert [target(r, m, "/x") for m in ("GET", "DELETE", "BREW")] == ["any"] * 3


def test_route_for_other_method_is_invisible() -> None:
    r = Router()
    r.add("/user/9999", "post-exact", methods=["POST"])
    r.add("/user/:id", "get-named", methods=["GET"])
    m = r.match("GET", "/user/9999")
    assert m is not None and (m.target, m.params.get("id")) == ("get-named", "9999")
    assert target(r, "POST", "/user/9999") == "post-exact"


def test_get_answers_head_explicit_head_wins() -> None:
    r = Router()
    r.add("/a", "get-a", methods=["GET"])
    r.add("/b/:x", "get-b", methods=["GET"])
    r.add("/b/:x", "head-b", methods=["HEAD"])  # not a duplicate of the GET route
    assert target(r, "HEAD", "/a") == "get-a"
    assert target(r, "HEAD", "/b/1") == "head-b"
    assert target(r, "GET", "/b/1") == "get-b"


def test_allowed() -> None:
    r = Router()
    r.add("/x/:id", "g", methods=["GET"])
    r.add("/x/:id", "p", methods=["POST", "purge"])
    r.add("/any", "a")
    assert r.allowed("/x/1") == {"GET", "HEAD", "POST", "PURGE"}
    assert r.allowed("/any") == STANDARD_METHODS
    assert r.allowed("/nothing") == frozenset()
    assert "OPTIONS" not in r.allowed("/x/1")


def test_hosts_exact_wildcard_and_fallback() -> None:
    r = Router()
    r.add("/", "exact", hosts=["api.example.com"])
    r.add("/", "wild", hosts=["*.example.com"])
    r.add("/", "deep-wild", hosts=["*.eu.example.com"])
    r.add("/", "none")
    r.add("/only-default", "default")
    assert target(r, "GET", "/", "api.example.com") == "exact"
    assert target(r, "GET", "/", "API.Example.COM:8443") == "exact"
    assert target(r, "GET", "/", "www.example.com") == "wild"
    assert target(r, "GET", "/", "a.b.example.com") == "wild"
    assert target(r, "GET", "/", "x.eu.example.com") == "deep-wild"
    assert target(r, "GET", "/", "example.com") == "none"
    assert target(r, "GET", "/", "other.org") == "none"
    assert target(r, "GET", "/", None) == "none"
    assert target(r, "GET", "/only-default", "api.example.com") == "default"


def test_host_routes_need_a_host() -> None:
    r = Router()
    r.add("/h", "hosted", hosts="localhost")
    assert target(r, "GET", "/h", None) is None
    assert target(r, "GET", "/h", "localhost:8000") == "hosted"
    assert r.allowed("/h", None) == frozenset()
    assert r.allowed("/h", "localhost") == STANDARD_METHODS


def test_host_method_miss_falls_back_to_default() -> None:
    r = Router()
    r.add("/x", "host-post", methods=["POST"], hosts=["a.com"])
    r.add("/x", "default-get", methods=["GET"])
    assert target(r, "GET", "/x", "a.com") == "default-get"
    assert r.allowed("/x", "a.com") == {"POST", "GET", "HEAD"}


def test_ipv6_host() -> None:
    r = Router()
    r.add("/", "v6", hosts=["[::1]"])
    assert target(r, "GET", "/", "[::1]:8080") == "v6"
