"""Types for injection tests, at module level so ``eval_str`` annotations resolve."""

from __future__ import annotations


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
