"""Reading the positional arguments of ``app.handle`` / ``app.route``: methods, ``all``, hosts."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .router import STANDARD_METHODS

__all__ = ["split_tokens"]

_IPV6 = re.compile(r"\[[0-9A-Fa-f:.]+\](:\d+)?")


def _is_host(token: str) -> bool:
    return (
        "." in token
        or ":" in token
        or token.startswith("*.")
        or token.lower() == "localhost"
        or bool(_IPV6.fullmatch(token))
    )


def split_tokens(
    tokens: Iterable[str],
    methods: Iterable[str] | str | None = None,
    hosts: Iterable[str] | str | None = None,
) -> tuple[list[str] | None, list[str] | None]:
    """Sort positional strings into methods and hosts, merged with the keyword arguments.

    A token is a standard method name in any case, ``"all"``, or a host (it contains ``.`` or
    ``:``, starts with ``*.``, is ``localhost`` or a bracketed IPv6 literal).

    Returns:
        ``(methods, hosts)``; ``None`` means every method / every host.

    Raises:
        ValueError: A token that is none of these, naming it, so that a misspelt method never
            silently becomes a host.
    """
    found_methods: list[str] = []
    found_hosts: list[str] = []
    every = False
    for token in tokens:
        if not isinstance(token, str):
            raise TypeError(f"route arguments are method or host strings, not {token!r}")
        if token.lower() == "all":
            every = True
        elif token.upper() in STANDARD_METHODS:
            found_methods.append(token.upper())
        elif _is_host(token):
            found_hosts.append(token)
        else:
            raise ValueError(
                f"{token!r} is neither a standard HTTP method "
                f"({', '.join(sorted(STANDARD_METHODS))}), 'all', nor a host (hosts contain "
                "'.' or start with '*.', or are 'localhost'); for another method use "
                f"methods=[{token!r}]"
            )
    if methods is not None:
        if isinstance(methods, str):
            methods = [methods]
        for method in methods:
            if isinstance(method, str) and method.lower() == "all":
                every = True
            else:
                found_methods.append(method)
    if hosts is not None:
        found_hosts.extend([hosts] if isinstance(hosts, str) else hosts)
    if every:
        return None, found_hosts or None
    return (found_methods or None), (found_hosts or None)
