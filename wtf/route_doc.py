"""What a route says about itself in documents (OpenAPI): ``@app.get(..., tags=[...])``.

Checked at registration, so a typo in a status code fails when the route is added, not when
the document is first built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from .errors import RegistrationError

__all__ = ["DocOptions", "RouteDoc", "route_doc"]


class DocOptions(TypedDict, total=False):
    """The documentation keywords of :meth:`wtf.Server.handle` and the method shortcuts."""

    summary: str | None
    description: str | None
    tags: Iterable[str] | None
    operation_id: str | None
    responses: Mapping[Any, str | Mapping[str, Any]] | None
    deprecated: bool
    include_in_schema: bool
    openapi_extra: Mapping[str, Any] | None


_RANGE = re.compile(r"[1-5]XX")
_OPERATION_ID = re.compile(r"[A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class RouteDoc:
    """A route's documentation options (see :meth:`wtf.Server.handle`).

    Attributes:
        summary: One line (default: the handler docstring's first line).
        description: More text (default: the rest of the docstring).
        tags: Groups the operation is listed under.
        operation_id: The operation's id (default: the handler's name, made unique).
        responses: More responses, by status (``404``, ``"4XX"``, ``"default"``): a
            description, or an OpenAPI Response Object merged over what wtf derives.
        deprecated: Marks the operation deprecated.
        include_in_schema: ``False`` leaves the route out of the document.
        openapi_extra: Merged over the generated Operation Object last (lists appended,
            objects merged): a header parameter an ArgBuilder reads, a media type, ``x-``
            fields.
    """

    summary: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    operation_id: str | None = None
    responses: Mapping[str, str | Mapping[str, Any]] = field(default_factory=dict)
    deprecated: bool = False
    include_in_schema: bool = True
    openapi_extra: Mapping[str, Any] = field(default_factory=dict)


def route_doc(
    where: str,
    *,
    summary: str | None = None,
    description: str | None = None,
    tags: Iterable[str] | None = None,
    operation_id: str | None = None,
    responses: Mapping[Any, str | Mapping[str, Any]] | None = None,
    deprecated: bool = False,
    include_in_schema: bool = True,
    openapi_extra: Mapping[str, Any] | None = None,
) -> RouteDoc:
    """Check and keep a route's documentation options.

    Raises:
        RegistrationError: An option of the wrong type, a status that is not ``100``-``599``,
            ``"1XX"``-``"5XX"`` or ``"default"``, or an ``operation_id`` with spaces.
    """
    for name, text in (("summary", summary), ("description", description)):
        if text is not None and not isinstance(text, str):
            raise RegistrationError(f"{where}: {name}= must be a string, not {text!r}")
    if isinstance(tags, str):
        raise RegistrationError(f"{where}: tags= is a list of names (tags=[{tags!r}])")
    tag_list = tuple(tags or ())
    if not all(isinstance(tag, str) and tag for tag in tag_list):
        raise RegistrationError(f"{where}: every tag must be a non-empty string ({tag_list!r})")
    if operation_id is not None and not (
        isinstance(operation_id, str) and _OPERATION_ID.fullmatch(operation_id)
    ):
        raise RegistrationError(
            f"{where}: operation_id= must be letters, digits, '_', '.' or '-' ({operation_id!r})"
        )
    checked: dict[str, str | Mapping[str, Any]] = {}
    for status, answer in (responses or {}).items():
        key = _status_key(where, status)
        if not isinstance(answer, str | Mapping):
            raise RegistrationError(
                f"{where}: responses[{status!r}] must be a description or a Response Object "
                f"(a dict), not {answer!r}"
            )
        checked[key] = answer
    if openapi_extra is not None and not isinstance(openapi_extra, Mapping):
        raise RegistrationError(
            f"{where}: openapi_extra= must be a dict (an Operation Object's fields), "
            f"not {openapi_extra!r}"
        )
    return RouteDoc(
        openapi_extra=dict(openapi_extra or {}),
        summary=summary,
        description=description,
        tags=tag_list,
        operation_id=operation_id,
        responses=checked,
        deprecated=bool(deprecated),
        include_in_schema=bool(include_in_schema),
    )


def _status_key(where: str, status: int | str) -> str:
    if isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599:
        return str(status)
    if isinstance(status, str):
        if status == "default" or _RANGE.fullmatch(status):
            return status
        if status.isdigit() and 100 <= int(status) <= 599:
            return status
    raise RegistrationError(
        f"{where}: responses= keys are statuses 100-599, '1XX'-'5XX' or 'default', not {status!r}"
    )
