"""Generator ArgBuilders: the value they yield, and the teardown after their ``yield``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import HandlerError
from .naming import describe

__all__ = ["finish_builder", "first_value"]


def first_value(gen: Iterator[Any], fn: Any) -> Any:
    """The value a generator builder ``fn`` yields.

    Raises:
        HandlerError: ``fn`` returned without yielding.
    """
    try:
        return next(gen)
    except StopIteration:
        raise HandlerError(f"ArgBuilder {describe(fn)} returned without yielding a value") from None


def finish_builder(gen: Iterator[Any], fn: Any) -> None:
    """Run the code after a generator builder's ``yield`` (its teardown).

    Raises:
        HandlerError: ``fn`` yielded a second time (it is closed).
    """
    try:
        next(gen)
    except StopIteration:
        return
    close = getattr(gen, "close", None)
    if close is not None:
        close()
    raise HandlerError(f"ArgBuilder {describe(fn)} yielded more than once")
