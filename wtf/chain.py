"""Which midware and afterware apply to a path, in which order.

Order: ascending priority; ties broken by a shallower path scope first (global is
shallowest), then insertion order. A scope ending in ``/`` covers every path under it; one
without covers that exact path. Chains are computed per distinct set of matching scopes and
cached, so a request does not sort anything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import RegistrationError
from .midware_protocol import FunctionMidware, Midware

if TYPE_CHECKING:
    from .context import Context

__all__ = ["Afterware", "Chain", "Chains", "covers", "validate_scope"]


def validate_scope(path: str) -> str:
    """Check a midware path scope.

    Raises:
        RegistrationError: The scope does not start with ``/``.
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise RegistrationError(f"a midware path scope starts with '/', not {path!r}")
    return path


def covers(scope: str, path: str) -> bool:
    """Whether a scope applies to ``path`` (``/private/`` covers ``/private/x``)."""
    if scope.endswith("/"):
        return path.startswith(scope)
    return path == scope


def _depth(scope: str) -> int:
    return 0 if scope == "/" else scope.count("/")


class Afterware:
    """A function run after the handler (kami's afterware), injected like a handler."""

    __slots__ = ("fn", "invoke", "path")

    def __init__(self, fn: Callable[..., Any], invoke: Any, path: str) -> None:
        self.fn = fn
        self.invoke = invoke
        self.path = path


class Chain(NamedTuple):
    """The midware and afterware that apply to a path, in run order."""

    midware: tuple[Midware, ...]
    afterware: tuple[Afterware, ...]
    #: What to call for each midware: its ``proc``, or a plain function itself (PERF: no
    #: adapter frame).
    procs: tuple[Callable[[Context], Context | None], ...]


class Chains:
    """The registered midware and afterware, and the cached chain for each set of scopes."""

    def __init__(self) -> None:
        self._midware: list[tuple[int, int, int, str, Midware]] = []
        self._afterware: list[Afterware] = []
        self._scopes: tuple[str, ...] = ()
        self._cache: dict[tuple[str, ...], Chain] = {}
        self._lock = threading.Lock()
        self.empty = True
        #: PERF: the chain when every midware and afterware is global (one for every path),
        #: once :meth:`for_path` built it; else ``None``.
        self.everywhere: Chain | None = None

    def add_midware(self, midware: Midware, scope: str) -> None:
        """Add ``midware`` for ``scope`` (``"/"`` for every path)."""
        with self._lock:
            entry = (midware.priority, _depth(scope), len(self._midware), scope, midware)
            self._midware.append(entry)
            self._changed()

    def add_afterware(self, afterware: Afterware) -> None:
        """Add an afterware."""
        with self._lock:
            self._afterware.append(afterware)
            self._changed()

    def _changed(self) -> None:
        scopes = {entry[3] for entry in self._midware} | {a.path for a in self._afterware}
        self._scopes = tuple(sorted(scopes))
        self._cache = {}
        self.everywhere = None
        self.empty = False

    def for_path(self, path: str) -> Chain:
        """The midware (in run order) and afterware (in run order) for ``path``."""
        scopes, cache = self._scopes, self._cache  # one consistent view, even mid-change
        key = tuple(scope for scope in scopes if covers(scope, path))
        found = cache.get(key)
        if found is None:
            found = cache[key] = self._build(set(key))
        if scopes == ("/",):  # PERF: the same chain for every path from now on
            with self._lock:
                if self._cache is cache:
                    self.everywhere = found
        return found

    def _build(self, scopes: set[str]) -> Chain:
        midware = sorted(e for e in self._midware if e[3] in scopes)
        afterware = [a for a in self._afterware if a.path in scopes]
        # Deepest path first, then reverse registration order.
        order = sorted(range(len(afterware)), key=lambda i: (-_depth(afterware[i].path), -i))
        steps = tuple(e[4] for e in midware)
        procs = tuple(m.fn if type(m) is FunctionMidware else m.proc for m in steps)
        return Chain(steps, tuple(afterware[i] for i in order), procs)


def check_midware(midware: Any) -> None:
    """Raise a clear error for an object that is not midware."""
    if not callable(getattr(midware, "proc", None)) or not isinstance(
        getattr(midware, "priority", None), int
    ):
        raise RegistrationError(
            f"{midware!r} is not midware: it needs an int 'priority' and a 'proc(ctx)' method "
            "(or pass a plain function with priority=...)"
        )
