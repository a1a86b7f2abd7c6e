"""A redis-py client with a bounded connection pool, for wtf's Redis parts (the bus, the rate
store, the session storage).

redis-py's default pool opens a connection for each thread (or greenlet) that needs one at
once, without limit: a burst of thousands of WebSockets opening on a gevent worker would open
thousands of connections and meet Redis's ``maxclients``. A blocking pool caps them; a caller
past the cap waits for a free connection (at most ``timeout``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_CONNECTIONS", "bounded_client"]

#: Connections one process opens to one Redis at most (per client).
MAX_CONNECTIONS = 32


def bounded_client(
    url: str,
    timeout: float = 5.0,
    max_connections: int = MAX_CONNECTIONS,
    decode_responses: bool = False,
) -> Any:
    """A ``redis.Redis`` for ``url`` whose pool holds at most ``max_connections``; a call
    waits at most ``timeout`` for a connection, to connect, and for an answer. Its
    ``close()`` closes every connection of its pool.

    Raises:
        ValueError: A URL redis-py cannot read.
    """
    import redis  # the redis extra

    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        decode_responses=decode_responses,
    )
    client = redis.Redis(connection_pool=pool)
    # The pool is this client's alone: its close() closes the pool's connections too (what
    # redis-py's own from_url does; a client given a pool leaves it open by default).
    client.auto_close_connection_pool = True
    return client
