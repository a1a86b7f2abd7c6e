"""``wtf.Limits``: how much of a request the app accepts, each with a clear answer."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Request limits of a :class:`wtf.Server`.

    Attributes:
        max_body_size: Bytes of request body (default 1 MiB). Over it: 413, answered from
            ``Content-Length`` before anything is read (RFC 9110 §15.5.14).
        max_url_length: Characters of path plus query string (default 8192). Over it: 414
            (RFC 9110 §15.5.15). gunicorn refuses request lines over 4094 bytes itself.
        max_query_params: Parameters in the query string (default 1000). Over it: 400.
        max_form_parts: Fields plus files of a multipart body (default 1000; werkzeug's).
            Over it: 413. A urlencoded form is bounded by ``max_body_size``.
        max_json_depth: Nesting of arrays and objects in a JSON body (default 100). Over
            it: 400.
        max_files: Uploaded files in one multipart body (default 100). Over it: 413.
        max_file_size: Bytes of one uploaded file (default: no limit of its own; the whole
            body is bounded by ``max_body_size``). Over it: 413, naming the field.

    Raises:
        ValueError: A limit that is not a positive int.
    """

    max_body_size: int = 1 << 20
    max_url_length: int = 8192
    max_query_params: int = 1000
    max_form_parts: int = 1000
    max_json_depth: int = 100
    max_files: int = 100
    max_file_size: int | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None and field.name == "max_file_size":
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Limits.{field.name} is a positive int, not {value!r}")


DEFAULT_LIMITS = Limits()
