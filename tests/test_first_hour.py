"""What a newcomer meets first: the command, errors for common mistakes, empty answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

import wtf
from wtf.cli import main
from wtf.testing import Client


def test_version_and_a_missing_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as shown:
        main(["--version"])
    assert shown.value.code == 0 and capsys.readouterr().out == f"wtf {wtf.__version__}\n"
    assert wtf.__version__ != "0+unknown"  # read from the installed wtf-web distribution
    assert main([]) == 2
    expected = "wtf: choose a command: serve, dev, routes, openapi, typescript (see 'wtf --help')\n"
    assert capsys.readouterr().err == expected


def test_a_bad_option_points_at_the_right_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve"])
    assert "(see 'wtf serve --help')" in capsys.readouterr().err


async def coroutine_handler() -> str:
    return "never"


async def async_generator() -> AsyncIterator[str]:
    yield "never"


@pytest.mark.parametrize("fn", [coroutine_handler, async_generator])
def test_async_handlers_are_refused_at_registration(fn: Any) -> None:
    app = wtf.Server()
    with pytest.raises(wtf.HandlerError, match="is 'async def', but wtf serves WSGI"):
        app.get("/")(fn)
    with pytest.raises(wtf.HandlerError, match="plain 'def'"):
        app.arg_builder(fn)


def test_upload_is_exported() -> None:
    from wtf.uploads import Upload

    assert wtf.Upload is Upload


@pytest.mark.parametrize("body", ["", b"", {}, [], None])
@pytest.mark.parametrize("status", [204, 304])
def test_no_content_means_no_content_headers(body: Any, status: int) -> None:
    app = wtf.Server()

    @app.get("/")
    def empty() -> tuple[Any, int]:
        return body, status

    response = Client(app, validate=True).get("/")  # the validator refuses Content-Type here
    assert response.status_code == status and response.data == b""
    assert "Content-Type" not in response.headers and "Content-Length" not in response.headers


@pytest.mark.parametrize(
    ("pattern", "advice"),
    [
        ("/d/<int:id>", "use '/d/:id' and annotate the parameter 'id: int'"),
        ("/f/<path:rest>", "use '/f/*:rest'"),
        ("/u/<name>/x", "use '/u/:name/x'"),
    ],
)
def test_flask_style_patterns_get_wtf_advice(pattern: str, advice: str) -> None:
    with pytest.raises(wtf.RouteError, match="is Flask's syntax") as raised:
        wtf.Server().get(pattern)(lambda: "x")
    assert advice in str(raised.value)


def test_a_regex_group_name_is_not_mistaken_for_flask() -> None:
    app = wtf.Server()

    @app.get("/d/(?P<id>\\d+)")
    def show(id: int) -> str:
        return str(id)

    assert Client(app).get("/d/12").text == "12"


def test_a_bare_dict_or_list_parameter_suggests_body() -> None:
    def takes_dict(payload: dict[str, int]) -> str:
        return ""

    def takes_list(ids: list[int]) -> str:
        return ""

    with pytest.raises(wtf.HandlerError, match=r"'payload: wtf.Body\[dict\[str, int\]\]'"):
        wtf.Server().post("/")(takes_dict)
    with pytest.raises(wtf.HandlerError, match=r"'ids: wtf.Query\[list\[int\]\]'"):
        wtf.Server().post("/")(takes_list)


def test_a_busy_port_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert main(["serve", "examples.hello:app", "--bind", f"127.0.0.1:{port}"]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"wtf: cannot listen on 127.0.0.1:{port}" in err
        assert "(choose another with --bind)" in err


def test_a_missing_dependency_is_named(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from wtf.loading import AppNotFound, load_app

    (tmp_path / "needs_dep.py").write_text("import not_installed_pkg\napp = None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(AppNotFound, match=r"it needs 'not_installed_pkg', which is not installed"):
        load_app("needs_dep:app")


def test_importing_the_notes_example_creates_no_database(tmp_path: Any) -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-c", "import examples.notes"], cwd=tmp_path, env=env, check=True
    )
    assert list(tmp_path.iterdir()) == []
