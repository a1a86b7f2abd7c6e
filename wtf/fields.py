"""What may go out in a response's status line and header fields (RFC 9110 §5.1, §5.5, §15).

WSGI servers refuse a bad field in ``start_response`` (gunicorn raises), and a response whose
``start_response`` failed cannot be answered cleanly any more. wtf checks every field itself
just before ``start_response``, so that a bad value is a 500 problem of its own, logged with the
header's name, while the request's resources are still released normally.
"""

from __future__ import annotations

import re

from .errors import WtfError

__all__ = ["InvalidHeader", "check_field", "check_fields", "check_status"]

# RFC 9110 §5.6.2 token; §5.5 field-value: VCHAR, obs-text (\x80-\xff) and SP. HTAB, which
# RFC 9110 allows, is refused too: wsgiref's validator (and so wtf.testing.Client) refuses
# every C0 control, and a value must go out the same under every WSGI server. A character
# above \xff cannot go out at all (PEP 3333 headers are latin-1 strings).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(r"[ \x21-\x7e\x80-\xff]*")


class InvalidHeader(WtfError, ValueError):
    """A response header that cannot be sent: a name that is not a token, or a value with a
    control character (CR, LF, NUL, DEL...) or a character beyond latin-1.

    The message names the header (never its value, which may be sensitive)."""


def check_field(name: str, value: str) -> None:
    """Refuse one header that RFC 9110 forbids (when it is set, so the error points there).

    Raises:
        InvalidHeader: Naming the header.
    """
    if not (
        type(name) is str
        and type(value) is str
        and _TOKEN.fullmatch(name)
        and _VALUE.fullmatch(value)
    ):
        raise _invalid([name])


def _invalid(names: list[str]) -> InvalidHeader:
    listed = ", ".join(repr(name) for name in names)
    return InvalidHeader(
        f"response header {listed} cannot be sent: names are RFC 9110 tokens, values are "
        "str without control characters (CR, LF, tab, NUL, DEL...) or characters beyond latin-1; "
        "encode the value (percent- or base64-encoding) before setting it"
    )


def check_fields(header_list: list[tuple[str, str]]) -> None:
    """Refuse the headers that RFC 9110 forbids, removing them from ``header_list``.

    The bad ones are removed first, so that an error response built on the same list (keeping
    what midware set, like CORS) does not fail again.

    Raises:
        InvalidHeader: Naming every refused header.
    """
    bad = [
        name
        for name, value in header_list
        if not (
            type(name) is str
            and type(value) is str
            and _TOKEN.fullmatch(name)
            and _VALUE.fullmatch(value)
        )
    ]
    if not bad:
        return
    header_list[:] = [pair for pair in header_list if pair[0] not in bad]
    raise _invalid(bad)


def check_status(code: object) -> int:
    """Return ``code`` if a WSGI response can carry it: an int from 200 to 599 (1xx are interim
    responses, which a WSGI application cannot send).

    Raises:
        ValueError: Naming the value and what a status is.
    """
    if type(code) is not int or not 200 <= code <= 599:
        interim = type(code) is int and 100 <= code < 200
        note = " (1xx are interim responses a WSGI app cannot send)" if interim else ""
        raise ValueError(f"a response status is an int from 200 to 599, not {code!r}{note}")
    return code
