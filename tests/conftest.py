"""Shared fixtures: every test app is driven through wsgiref's PEP 3333 validator."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

import wtf
from wtf.testing import Client

# Property tests are deterministic by default (the same examples every run, no example
# database), so CI never turns red on a case an earlier run happened to find. A long,
# randomised run is opt-in: WTF_HYPOTHESIS=long make test (then fix what it finds, and pin the
# case as an example).
settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("long", max_examples=5000, derandomize=False)
settings.load_profile(os.environ.get("WTF_HYPOTHESIS", "deterministic"))

# examples.notes creates its database when imported: never in the working tree during tests
# (subprocesses such as the live servers inherit this too).
_SCRATCH = Path(tempfile.mkdtemp(prefix="wtf-tests-"))
os.environ["WTF_NOTES_DB"] = str(_SCRATCH / "notes.db")
os.environ["WTF_UPLOADS_DIR"] = str(_SCRATCH / "uploads")  # examples.uploads


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
