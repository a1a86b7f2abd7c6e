"""Shared fixtures: every test app is driven through wsgiref's PEP 3333 validator."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import wtf
from wtf.testing import Client


@pytest.fixture
def app() -> wtf.Server:
    """A fresh Server for one test."""
    return wtf.Server()


@pytest.fixture
def client(app: wtf.Server) -> Client:
    """A validating client of the ``app`` fixture."""
    return Client(app, validate=True)


@pytest.fixture
def client_for() -> Callable[[wtf.Server], Client]:
    """Build a validating client for any app."""
    return lambda app: Client(app, validate=True)
