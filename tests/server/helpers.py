"""Types for injection tests, at module level so ``eval_str`` annotations resolve."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class Session:
    """Stands in for a database session."""

    def __init__(self, name: str = "real") -> None:
        self.name = name
        self.closed = False


class User:
    """Built from a Session."""

    def __init__(self, session: Session) -> None:
        self.session = session


class Config:
    """An app-scoped value."""

    def __init__(self, n: int) -> None:
        self.n = n


def track_sessions(app: Any) -> list[Session]:
    """Register a generator ArgBuilder for ``Session`` on ``app``; its teardown closes the
    session. Returns the list of sessions built, to check them after the request."""
    sessions: list[Session] = []

    def session() -> Iterator[Session]:
        built = Session()
        sessions.append(built)
        yield built
        built.closed = True

    app.arg_builder(session)
    return sessions
