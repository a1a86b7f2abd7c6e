"""The ``Router``: registration, duplicate detection, compilation and lookup."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from .compiler import Finder, compile_finder, finder_source
from .errors import DuplicateRouteError
from .hosts import normalize_hosts, request_host
from .methods import STANDARD_METHODS, normalize_methods
from .route import Match, Route, new_match
from .tree import Node

__all__ = ["Router"]

_Found = tuple[Route, tuple[str, ...]]


class Router:
    """A reusable HTTP router with go_wtf's matching order.

    At every branch point of the pattern tree, exact text is tried first, then regex pieces
    (registration order), then ``:named`` pieces (registration order), then ``*``; a failure
    deeper down falls back to the next alternative. Only routes whose method and host filters
    admit the request take part.

    The table compiles lazily and thread-safely on the first lookup after a change; call
    :meth:`compile` to do it up front (before a pre-forking server forks, say).

    Examples:
        >>> r = Router()
        >>> _ = r.add("/user/:id", "show-user", methods=["GET"])
        >>> m = r.match("GET", "/user/42")
        >>> m.target, m.params.get("id")
        ('show-user', '42')
    """

    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._by_key: dict[tuple[tuple[str, str], ...], list[Route]] = {}
        self._lock = threading.RLock()
        self._compiled: _Compiled | None = None
        # PERF: the default group's finders, read directly by find() (and by frameworks through
        # `finders`); emptied in place by add() so that the next lookup takes the slow path,
        # which compiles; left empty while any route has a host filter.
        self._finders: dict[str, Finder] = {}
        # The default group's dict-answering finders used so far (match_dict); None after add().
        self._dict_compiled: dict[str, DictFinder] | None = None

    @property
    def finders(self) -> Mapping[str, Finder]:
        """The compiled lookups, for frameworks that call the router on every request.

        A live, read-only mapping ``method -> finder``, where ``finder(path)`` returns what
        :meth:`find` would for a request without a host filter to apply: ``(route, values)``
        or ``None``. It only holds exact-case methods that have routes, is empty until the
        table compiles and while any route has a host filter; for a method not in it, call
        :meth:`find`. It is the same object for the router's lifetime, so it can be kept::

            finder = router.finders.get(method)
            found = finder(path) if finder else router.find(method, path, host)
        """
        return self._finders

    @property
    def routes(self) -> tuple[Route, ...]:
        """Every registered route, in registration order."""
        return tuple(self._routes)

    def add(
        self,
        pattern: str,
        target: Any,
        methods: str | Iterable[str] | None = None,
        hosts: str | Iterable[str] | None = None,
    ) -> Route:
        """Register ``pattern`` leading to ``target``.

        Args:
            pattern: The route pattern (see the package documentation for the syntax).
            target: Any object; :meth:`match` returns it.
            methods: Methods the route answers (any case, any RFC 9110 token); ``None`` or
                ``"all"`` for every method. A GET route also answers HEAD.
            hosts: Hosts the route answers (no port; ``*.example.com`` for subdomains);
                ``None`` for requests on any host that no host-specific route answers.

        Returns:
            The new :class:`Route`.

        Raises:
            PatternError: The pattern is malformed; the message names it and the fix.
            DuplicateRouteError: A route with the same pattern, overlapping methods and
                overlapping hosts exists; the message names both targets.
            RouteError: ``methods=[]``, ``hosts=[]``, a bad method token or host.
        """
        norm_methods = normalize_methods(methods)
        norm_hosts = normalize_hosts(hosts)
        with self._lock:
            route = Route(pattern, target, norm_methods, norm_hosts, len(self._routes))
            for other in self._by_key.get(route.key, ()):
                overlap = _overlap(route, other)
                if overlap:
                    raise DuplicateRouteError(pattern, other.target, target, overlap)
            self._routes.append(route)
            self._by_key.setdefault(route.key, []).append(route)
            self._compiled = None
            self._finders.clear()
            self._dict_compiled = None
        return route

    def compile(self) -> None:
        """Compile the route table now instead of on the first lookup."""
        self._compile()

    def find(self, method: str, path: str, host: str | None = None) -> _Found | None:
        """Low-level lookup: ``(route, values)`` or ``None``; no :class:`Match` is built.

        Args:
            method: The request method (any case).
            path: The decoded path (``PATH_INFO``).
            host: The request's Host header (a port is ignored), or ``None``.
        """
        # PERF: the common case is one dict lookup and one call of generated code.
        finder = self._finders.get(method)
        if finder is None:
            return self._find_slow(method, path, host)
        return finder(path)

    def _find_slow(self, method: str, path: str, host: str | None) -> _Found | None:
        compiled = self._compile()
        if host is not None and compiled.host_groups:
            return compiled.find_on_host(method, path, host)
        return compiled.default.finder(method)(path)

    def match(self, method: str, path: str, host: str | None = None) -> Match | None:
        """Return the :class:`Match` for a request, or ``None`` when no admitted route matches.

        Args:
            method: The request method (any case).
            path: The decoded path (``PATH_INFO``). Trailing slashes matter.
            host: The request's Host header (a port is ignored), or ``None`` for no Host:
                only routes registered without hosts take part then.
        """
        finder = self._finders.get(method)
        found = self._find_slow(method, path, host) if finder is None else finder(path)
        if found is None or type(found) is Match:
            return found
        return new_match(found)

    def match_dict(
        self, method: str, path: str, host: str | None = None
    ) -> tuple[Any, dict[str, str]] | None:
        """``(target, {name: value})`` for a request, or ``None``: what another framework
        needs to call its handler with keyword arguments, from generated code that builds the
        dict itself (a new dict each time; the caller may change it).

        Same matching as :meth:`match`.
        """
        compiled = self._dict_compiled
        if compiled is None or host is not None:
            return self._match_dict_slow(method, path, host)
        finder = compiled.get(method)
        if finder is None:
            return self._match_dict_slow(method, path, host)
        return finder(path)

    def _match_dict_slow(
        self, method: str, path: str, host: str | None
    ) -> tuple[Any, dict[str, str]] | None:
        compiled = self._compile()
        if host is not None and compiled.host_groups:
            m = self.match(method, path, host)
            return None if m is None else (m.target, m.params_dict)
        finder = compiled.default.dict_finder(method)
        if self._dict_compiled is None:
            self._dict_compiled = {}
        if len(self._dict_compiled) < 64:
            self._dict_compiled[method] = finder
        return finder(path)

    def finder_source(self, method: str, host: str | None = None) -> str:
        """The Python source wtf generated to look up ``method`` requests (on ``host``'s
        routes, or the host-less ones), for debugging a surprising match.

        Examples:
            >>> print(router.finder_source("GET"))  # doctest: +SKIP
        """
        compiled = self._compile()
        group = compiled.default
        if host is not None:
            name = request_host(host)
            group = compiled.host_groups.get(name, group)
        return finder_source(group.finder(method))

    def allowed(self, path: str, host: str | None = None) -> frozenset[str]:
        """Return the methods for which :meth:`match` would find a route for ``path``.

        A GET route adds HEAD; an all-methods route adds the nine standard methods. Used to
        answer 405 with ``Allow`` (RFC 9110 §15.5.6).
        """
        compiled = self._compiled
        if compiled is None:
            compiled = self._compile()
        out: set[str] = set()
        for group in compiled.groups_for(host):
            out |= group.allowed(path)
        return frozenset(out)

    def _compile(self) -> _Compiled:
        compiled = self._compiled
        if compiled is not None:
            return compiled
        with self._lock:
            if self._compiled is None:
                compiled = self._compiled = _Compiled(list(self._routes))
                if not compiled.host_groups:
                    self._finders.update(compiled.default.finders)
            return self._compiled


def _overlap(a: Route, b: Route) -> str:
    """Describe where two routes with the same pattern overlap, or ``""`` when they don't."""
    if a.methods is None or b.methods is None:
        methods = "all methods" if a.methods is None else ",".join(sorted(a.methods))
    else:
        common = a.methods & b.methods
        if not common:
            return ""
        methods = ",".join(sorted(common))
    if a.hosts is None and b.hosts is None:
        return f"methods {methods}"
    if a.hosts is None or b.hosts is None:
        return ""
    hosts = sorted(set(a.hosts) & set(b.hosts))
    if not hosts:
        return ""
    return f"methods {methods} on hosts {','.join(hosts)}"


#: A compiled lookup answering ``(target, {name: value})`` (see :meth:`Router.match_dict`).
DictFinder = Callable[[str], tuple[Any, dict[str, str]] | None]


class _Group:
    """The finders of the routes registered for one host key (or for no host)."""

    __slots__ = ("_member", "_tree", "any", "dict_finders", "finders", "methods")

    def __init__(self, tree: Node, member: Callable[[Route], bool], routes: list[Route]) -> None:
        self._tree = tree
        self._member = member
        #: Finders answering ``(target, {name: value})``, compiled on first use per method.
        self.dict_finders: dict[str, DictFinder] = {}
        mine = [r for r in routes if member(r)]
        self.methods: frozenset[str] = frozenset(
            m for r in mine if r.methods is not None for m in r.methods
        )
        if "GET" in self.methods:
            self.methods |= {"HEAD"}
        self.finders: dict[str, Finder] = {
            m: compile_finder(tree, _selector(member, m)) for m in self.methods
        }
        self.any: Finder = compile_finder(tree, _selector(member, None))

    def finder(self, method: str) -> Finder:
        """The finder for a method that has no exact-case entry (``get``, ``PURGE``...)."""
        return self.finders.get(method.upper(), self.any)

    def dict_finder(self, method: str) -> DictFinder:
        """The dict-answering finder for ``method`` (compiled now if it is the first ask)."""
        found = self.dict_finders.get(method)
        if found is None:
            key = method.upper() if method.upper() in self.methods else None
            found = cast(
                DictFinder,
                compile_finder(self._tree, _selector(self._member, key), as_dict=True),
            )
            if len(self.dict_finders) < 64:  # bounded: methods are few, tokens could be many
                self.dict_finders[method] = found
        return found

    def find(self, method: str, path: str) -> _Found | None:
        finder = self.finders.get(method) or self.finder(method)
        return finder(path)

    def allowed(self, path: str) -> set[str]:
        """The methods whose finder matches ``path`` in this group."""
        out = set()
        for method, finder in self.finders.items():
            found = finder(path)
            # An all-methods route contributes the standard methods, below, not every token.
            if found is not None and found[0].methods is not None:
                out.add(method)
        if self.any(path) is not None:
            out |= STANDARD_METHODS
        return out


def _selector(
    member: Callable[[Route], bool], method: str | None
) -> Callable[[list[Route]], Route | None]:
    """Pick the route a finder for ``method`` (``None``: unregistered methods) answers with."""

    def select(routes: list[Route]) -> Route | None:
        fallback = None
        for route in routes:
            if not member(route):
                continue
            if route.methods is None or (method is not None and method in route.methods):
                return route
            if method == "HEAD" and "GET" in route.methods:
                fallback = route  # an explicit HEAD route on the same pattern wins
        return fallback

    return select


def _on_host(host: str) -> Callable[[Route], bool]:
    """The membership test of a host group."""
    return lambda route: route.hosts is not None and host in route.hosts


class _Compiled:
    """Everything a lookup needs, built once per change of the table."""

    def __init__(self, routes: list[Route]) -> None:
        tree = Node()
        for route in routes:
            tree.insert(route)
        self.default = _Group(tree, lambda r: r.hosts is None, routes)
        hosts = {h for r in routes if r.hosts is not None for h in r.hosts}
        self.host_groups: dict[str, _Group] = {h: _Group(tree, _on_host(h), routes) for h in hosts}
        # An exact host first, then "*." hosts, the longest (most specific) suffix first.
        self.wild: list[tuple[str, _Group]] = sorted(
            ((h[1:], g) for h, g in self.host_groups.items() if h.startswith("*.")),
            key=lambda item: -len(item[0]),
        )

    def groups_for(self, host: str | None) -> list[_Group]:
        """The groups a request on ``host`` tries, in order."""
        if host is None or not self.host_groups:
            return [self.default]
        name = request_host(host)
        groups: list[_Group] = []
        exact = self.host_groups.get(name)
        if exact is not None and not name.startswith("*."):
            groups.append(exact)
        # "*.example.com" wants one or more labels before ".example.com".
        groups.extend(
            g
            for suffix, g in self.wild
            if name.endswith(suffix) and _label_before(name, len(suffix))
        )
        groups.append(self.default)
        return groups

    def find_on_host(self, method: str, path: str, host: str) -> _Found | None:
        for group in self.groups_for(host):
            found = group.find(method, path)
            if found is not None:
                return found
        return None


def _label_before(name: str, suffix: int) -> bool:
    """Whether ``name`` has a non-empty label before its last ``suffix`` characters (the
    ``.example.com`` of ``*.example.com``): ``a.example.com`` does, ``.example.com`` and
    ``a..example.com`` do not."""
    return len(name) > suffix and name[-suffix - 1] != "."
