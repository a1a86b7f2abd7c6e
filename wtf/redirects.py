"""Redirect targets: refusing ones that would be rewritten, and keeping them on this site."""

from __future__ import annotations

import re

__all__ = ["check_location", "local_url"]

# C0 controls, SP and DEL: URL parsers drop or split on them (Python's urlsplit removes tabs
# and newlines, so "/\\t/evil.com" would become "//evil.com"), browsers too.
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def check_location(location: str) -> str:
    """Return ``location`` unchanged if it has no control character or space.

    Raises:
        ValueError: Naming what was found; nothing is stripped or rewritten.
    """
    if not isinstance(location, str):
        raise ValueError(f"a redirect location is a str, not {type(location).__name__}")
    found = _CONTROL.search(location)
    if found is not None:
        raise ValueError(
            f"a redirect location must not contain control characters or spaces "
            f"(found {found.group()!r}); percent-encode it or refuse the target"
        )
    return location


def local_url(target: str | None, fallback: str = "/") -> str:
    """``target`` if it is a path on this site, otherwise ``fallback``.

    A path on this site starts with one ``/`` and is followed by neither ``/`` nor ``\\\\``
    (``//evil.com`` and ``/\\\\evil.com`` are other sites to browsers), has no scheme, and no
    control character or space. Use it for ``?next=`` style parameters before
    :meth:`wtf.Response.redirect`.

    Examples:
        >>> local_url("/notes/1?x=2")
        '/notes/1?x=2'
        >>> local_url("//evil.com"), local_url("https://evil.com"), local_url("/\\\\evil")
        ('/', '/', '/')
    """
    if (
        not isinstance(target, str)
        or not target.startswith("/")
        or target[1:2] in ("/", "\\")
        or "\\" in target
        or _CONTROL.search(target) is not None
    ):
        return fallback
    return target
