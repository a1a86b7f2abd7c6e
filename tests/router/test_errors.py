"""Registration errors: raised at ``add()``, naming the pattern and the fix."""

from __future__ import annotations

import pytest

from wtf.router import DuplicateRouteError, PatternError, RouteError, Router


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("user/:id", "must start with '/'", id="no-leading-slash"),
        pytest.param("/a/(\\d+", "unbalanced '('", id="unclosed-paren"),
        pytest.param("/a/\\d+)", "unbalanced ')'", id="stray-close-paren"),
        pytest.param("/a/(?P<x>[)", "unterminated character class", id="open-class"),
        pytest.param("/a/(?P<x>\\d+{2,1})", "does not compile", id="bad-regex"),
        pytest.param("/file/:name.json", "'/file/(?P<name>[^/\\\\.]+).json'", id="named-then-dot"),
        pytest.param("/c/:", "must be followed by a parameter name", id="colon-no-name"),
        pytest.param("/time/12:30", "must be followed by a parameter name", id="colon-digit"),
        pytest.param("/s/*/x", "'*' must be the last piece", id="text-after-star"),
        pytest.param("/s/*:", "'*:' must be followed by a parameter name", id="star-colon"),
        pytest.param("/s/*:a/b", "'*:' must be followed", id="text-after-star-name"),
    ],
)
def test_pattern_errors(pattern: str, fragment: str) -> None:
    with pytest.raises(PatternError) as info:
        Router().add(pattern, "T")
    assert repr(pattern) in str(info.value)
    assert fragment in str(info.value)


def test_named_then_dot_suggestion_is_a_working_pattern() -> None:
    with pytest.raises(PatternError) as info:
        Router().add("/file/:name.json", "T")
    suggestion = str(info.value).split("e.g. ")[1].strip("'")
    r = Router()
    r.add(suggestion.replace("\\\\", "\\"), "T")
    m = r.match("GET", "/file/report.json")
    assert m is not None and m.params.get("name") == "report"


def text_of(exc: BaseException) -> str:
    return str(exc)


def show() -> None:
    """A target with a qualified name."""


def edit() -> None:
    """Another target."""


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(("/a/:x", None, None), ("/a/:x", ["GET"], None), id="all-vs-get"),
        pytest.param(("/a/*", ["GET"], None), ("/a/*:rest", ["get"], None), id="star-names"),
        pytest.param(
            ("/a", ["GET"], ["x.com"]), ("/a", ["GET", "POST"], ["x.com", "y.com"]), id="hosts"
        ),
    ],
)
def test_duplicates_name_both_targets(first: tuple, second: tuple) -> None:  # type: ignore[type-arg]
    r = Router()
    r.add(first[0], show, methods=first[1], hosts=first[2])
    with pytest.raises(DuplicateRouteError) as info:
        r.add(second[0], edit, methods=second[1], hosts=second[2])
    message = text_of(info.value)
    assert f"{__name__}.show" in message and f"{__name__}.edit" in message
    assert info.value.existing is show and info.value.new is edit
    assert len(r.routes) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(("/a/:x", None, None), ("/a/:y", None, None), id="different-names"),
        pytest.param(("/a", ["GET"], None), ("/a", ["HEAD"], None), id="get-and-head"),
        pytest.param(("/a", ["GET"], None), ("/a", ["GET"], ["x.com"]), id="host-vs-none"),
        pytest.param(("/a", ["GET"], ["x.com"]), ("/a", ["GET"], ["y.com"]), id="other-host"),
    ],
)
def test_not_duplicates(first: tuple, second: tuple) -> None:  # type: ignore[type-arg]
    r = Router()
    r.add(first[0], "1", methods=first[1], hosts=first[2])
    r.add(second[0], "2", methods=second[1], hosts=second[2])
    assert len(r.routes) == 2


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        pytest.param({"methods": []}, "methods=[]", id="no-methods"),
        pytest.param({"methods": ["GE T"]}, "invalid HTTP method 'GE T'", id="bad-token"),
        pytest.param({"hosts": []}, "hosts=[]", id="no-hosts"),
        pytest.param({"hosts": ["example.com:80"]}, "carries no port", id="host-port"),
        pytest.param({"hosts": ["exa mple.com"]}, "invalid host", id="host-space"),
        pytest.param({"hosts": ["a.*.com"]}, "invalid host", id="star-inside"),
    ],
)
def test_filter_errors(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(RouteError) as info:
        Router().add("/x", "T", **kwargs)  # type: ignore[arg-type]
    assert fragment in str(info.value)


def test_errors_are_value_errors() -> None:
    assert issubclass(RouteError, ValueError)
    assert issubclass(PatternError, RouteError) and issubclass(DuplicateRouteError, RouteError)
