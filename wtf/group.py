"""``app.group(prefix)``: routes under a prefix, with midware of their own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .context import Context
    from .midware_protocol import Midware
    from .router import Route
    from .server import Server

__all__ = ["RouteGroup"]

F = TypeVar("F", bound=Callable[..., Any])


class RouteGroup:
    """Routes registered under ``prefix`` (``/api/v1`` + ``/users`` = ``/api/v1/users``);
    midware and afterware added here apply to the paths under ``prefix/`` only.

    Made by :meth:`wtf.Server.group`; groups nest (``api.group("/admin")``).
    """

    def __init__(
        self,
        server: Server,
        prefix: str,
        hosts: Iterable[str] | str | None = None,
        tags: Iterable[str] | None = None,
    ) -> None:
        if not isinstance(prefix, str) or not prefix.startswith("/") or prefix == "/":
            from .errors import RegistrationError

            raise RegistrationError(
                f"a group prefix starts with '/' and names a path ('/api'), not {prefix!r}"
            )
        self.server = server
        self.prefix = prefix.rstrip("/")
        self.hosts = hosts
        #: OpenAPI tags of the group's routes, before each route's own ``tags=``.
        self.tags = tuple(tags or ())

    def handle(self, fn: Callable[..., Any], pattern: str, *args: str, **options: Any) -> Route:
        """:meth:`wtf.Server.handle` under the prefix (and the group's hosts by default)."""
        options.setdefault("hosts", self.hosts)
        if self.tags:
            options["tags"] = [
                *self.tags,
                *(t for t in options.get("tags") or () if t not in self.tags),
            ]
        return self.server.handle(fn, self._full(pattern), *args, **options)

    def route(self, pattern: str, *args: str, **options: Any) -> Callable[[F], F]:
        """:meth:`wtf.Server.route` under the prefix."""

        def register(fn: F) -> F:
            self.handle(fn, pattern, *args, **options)
            return fn

        return register

    def get(self, pattern: str, *args: str, **options: Any) -> Callable[[F], F]:
        """A GET (and HEAD) route under the prefix."""
        return self.route(pattern, *args, methods=["GET"], **options)

    def post(self, pattern: str, *args: str, **options: Any) -> Callable[[F], F]:
        """A POST route under the prefix."""
        return self.route(pattern, *args, methods=["POST"], **options)

    def put(self, pattern: str, *args: str, **options: Any) -> Callable[[F], F]:
        """A PUT route under the prefix."""
        return self.route(pattern, *args, methods=["PUT"], **options)

    def patch(self, pattern: str, *args: str, **options: Any) -> Callable[[F], F]:
        """A PATCH route under the prefix."""
        return self.route(pattern, *args, methods=["PATCH"], **options)

    def delete(self, pattern: str, *args: str, **options: Any) -> Callable[[F], F]:
        """A DELETE route under the prefix."""
        return self.route(pattern, *args, methods=["DELETE"], **options)

    def add_midware(
        self, midware: Midware | Callable[[Context], Context | None], priority: int | None = None
    ) -> Midware:
        """Midware for the paths under ``prefix/`` (see :meth:`wtf.Server.add_midware`)."""
        return self.server.add_midware(midware, path=self.prefix + "/", priority=priority)

    def add_afterware(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Afterware for the paths under ``prefix/``."""
        return self.server.add_afterware(fn, path=self.prefix + "/")

    def group(self, prefix: str, *, tags: Iterable[str] | None = None) -> RouteGroup:
        """A group nested in this one (``/api`` + ``/admin``), with its tags and this one's."""
        return RouteGroup(self.server, self._full(prefix), self.hosts, [*self.tags, *(tags or ())])

    def _full(self, pattern: str) -> str:
        if not pattern.startswith("/"):
            from .errors import RegistrationError

            raise RegistrationError(
                f"{pattern!r} in group {self.prefix!r}: patterns start with '/' "
                f"(did you mean '/{pattern}'?)"
            )
        return self.prefix + pattern

    def __repr__(self) -> str:
        return f"<RouteGroup {self.prefix}>"
