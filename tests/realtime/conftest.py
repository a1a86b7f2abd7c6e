"""Fixtures of the realtime tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.realtime.redis_server import redis_server


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A fresh redis-server on a free 127.0.0.1 port for the module, stopped by PID after it."""
    with redis_server() as url:
        yield url
