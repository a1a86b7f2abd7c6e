"""Virtual-host filters: validating registered hosts and normalizing a request's Host."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import RouteError

__all__ = ["normalize_hosts", "request_host"]

_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")
_IPV6 = re.compile(r"\[[0-9a-f:.]+\]")


def normalize_hosts(hosts: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Validate and lower-case registered hosts.

    Args:
        hosts: ``None`` for "any host", one host, or an iterable of hosts. A host is a DNS name,
            ``localhost``, an IP address (IPv6 in brackets) or ``*.`` followed by a DNS name.

    Returns:
        The lower-cased hosts without duplicates, or ``None``.

    Raises:
        RouteError: An empty list, a host carrying a port, or a malformed host.
    """
    if hosts is None:
        return None
    if isinstance(hosts, str):
        hosts = [hosts]
    out: list[str] = []
    for host in hosts:
        if not isinstance(host, str):
            raise RouteError(f"invalid host {host!r}: a host is a string")
        norm = host.strip().lower().rstrip(".")
        bare = norm[2:] if norm.startswith("*.") else norm
        if _IPV6.fullmatch(bare) and bare is norm:
            pass
        elif ":" in bare:
            raise RouteError(
                f"invalid host {host!r}: a registered host carries no port "
                "(the request's port is ignored when matching)"
            )
        elif not _NAME.fullmatch(bare):
            raise RouteError(
                f"invalid host {host!r}: expected a DNS name, 'localhost', an IP address, "
                "or '*.' followed by a DNS name"
            )
        if norm not in out:
            out.append(norm)
    if not out:
        raise RouteError("hosts=[] admits no request; pass None for every host")
    return tuple(out)


def request_host(host: str) -> str:
    """Return a request's Host header without its port, lower-cased (``[::1]:80`` -> ``[::1]``)."""
    if host.startswith("["):
        end = host.find("]")
        host = host[: end + 1] if end > 0 else host
    else:
        colon = host.find(":")
        if colon >= 0:
            host = host[:colon]
    return host.lower().rstrip(".")
