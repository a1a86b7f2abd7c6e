"""Finding the app a command names: ``module:attribute`` (attribute defaults to ``app``)."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
import types
from typing import Any

__all__ = ["AppNotFound", "check_target", "load_app", "served_callable", "source_files"]


class AppNotFound(Exception):
    """The target does not name an importable WSGI application; the message says why."""


def _split(target: str) -> tuple[str, str]:
    module, _, attribute = target.partition(":")
    if not module or not all(part.isidentifier() for part in module.split(".")):
        raise AppNotFound(f"{target!r} is not MODULE:APP (e.g. examples.notes:app)")
    attribute = attribute or "app"
    if not attribute.isidentifier():
        raise AppNotFound(f"{attribute!r} in {target!r} is not a Python name")
    return module, attribute


def _with_cwd_on_path() -> None:
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)


def check_target(target: str) -> None:
    """Check that ``target``'s module can be found, without importing it."""
    module, _ = _split(target)
    _with_cwd_on_path()
    try:
        found = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:
        raise AppNotFound(f"cannot find module {module!r}: {exc}") from None
    if found is None:
        raise AppNotFound(f"cannot find module {module!r} (from {os.getcwd()})")


def load_app(target: str) -> Any:
    """Import ``target`` and return the WSGI application; a :class:`wtf.Server` is compiled.

    Raises:
        AppNotFound: The module cannot be imported, lacks the attribute, or it is not callable.
    """
    module_name, attribute = _split(target)
    _with_cwd_on_path()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and module_name != missing and not module_name.startswith(missing + "."):
            raise AppNotFound(
                f"cannot import {module_name!r}: it needs {missing!r}, which is not installed "
                f"(pip install {missing.split('.')[0]})"
            ) from None
        raise AppNotFound(f"cannot import {module_name!r}: {exc}") from None
    except ImportError as exc:
        raise AppNotFound(f"cannot import {module_name!r}: {exc}") from None
    except SyntaxError as exc:  # Python's own account: the file, the line, and a caret
        shown = "".join(traceback.format_exception_only(exc)).rstrip()
        raise AppNotFound(f"importing {module_name!r} failed:\n{shown}") from None
    except Exception as exc:  # the module itself failed: say where, not a whole traceback
        where = traceback.extract_tb(exc.__traceback__)[-1]
        raise AppNotFound(
            f"importing {module_name!r} failed: {type(exc).__name__}: {exc} "
            f"(at {where.filename}, line {where.lineno})"
        ) from None
    app = getattr(module, attribute, None)
    if app is None:
        raise AppNotFound(f"module {module_name!r} has no attribute {attribute!r}")
    if not callable(app):
        raise AppNotFound(f"{target!r} is a {type(app).__name__}, not a WSGI application")
    compile_ = getattr(app, "compile", None)
    if callable(compile_):
        compile_()
    return app


def served_callable(app: Any) -> Any:
    """What a WSGI server should call for ``app``: the bound ``__call__`` of an object whose
    class defines it in Python (a :class:`wtf.Server`), else ``app`` itself. PERF: calling
    such an object goes through its type's call slot, which looks the method up and packs the
    arguments again on every request (~80 ns); the bound method is called directly."""
    method = next((vars(c)["__call__"] for c in type(app).__mro__ if "__call__" in vars(c)), None)
    if isinstance(method, types.FunctionType):
        return app.__call__
    return app


def source_files(target: str) -> list[str]:
    """The ``.py`` files of ``target``'s module and its directory (without importing it), for
    a reloader to watch even while the module fails to import."""
    module, _ = _split(target)
    _with_cwd_on_path()
    try:
        found = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return []
    if found is None or not found.origin or not found.origin.endswith(".py"):
        return []
    folder = os.path.dirname(found.origin)
    return sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".py"))
