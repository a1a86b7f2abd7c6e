"""What may go out in a response's status line and header fields (RFC 9110 §5.1, §5.5, §15).

WSGI servers refuse a bad field in ``start_response`` (gunicorn raises), and a response whose
``start_response`` failed cannot be answered cleanly any more. wtf checks every field itself
when it is set (``resp.headers``, a returned tuple's headers, ``BufferWriter.set_header``), so
that a bad value raises where it was set and is answered with a 500 problem logged with the
header's name, while the request's resources are released normally. ``BufferWriter.header_list``
is the raw list: code appending to it directly must append valid fields (if it does not, the
server refuses the response and wtf still releases everything, see ``StartResponseFailed``).
"""

from __future__ import annotations

import re

from .errors import WtfError

__all__ = ["InvalidHeader", "check_field", "check_status", "set_field"]

# RFC 9110 §5.6.2 token; §5.5 field-value: VCHAR, obs-text (\x80-\xff) and SP. HTAB, which
# RFC 9110 allows, is refused too: wsgiref's validator (and so wtf.testing.Client) refuses
# every C0 control, and a value must go out the same under every WSGI server. A character
# above \xff cannot go out at all (PEP 3333 headers are latin-1 strings).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(r"[ \x21-\x7e\x80-\xff]*")
#: Header names already found to be tokens.
_KNOWN_NAMES: set[str] = {"Content-Type", "Content-Length", "Vary", "Location", "ETag"}


class InvalidHeader(WtfError, ValueError):
    """A response header that cannot be sent: a name that is not a token, or a value with a
    control character (CR, LF, NUL, DEL...) or a character beyond latin-1.

    The message names the header (never its value, which may be sensitive)."""


def check_field(name: str, value: str) -> None:
    """Refuse a header RFC 9110 forbids, when it is set (so the error points at the code that
    set it). :class:`wtf.writer.BufferWriter` and the ``headers`` of a response call it.

    Raises:
        InvalidHeader: Naming the header.
    """
    # PERF: the common case without a regex: a name already seen valid and a printable ASCII
    # value (isprintable() is False for every C0 control and DEL).
    if name in _KNOWN_NAMES and type(value) is str and value.isascii() and value.isprintable():
        return
    if not (
        type(name) is str
        and type(value) is str
        and _TOKEN.fullmatch(name)
        and _VALUE.fullmatch(value)
    ):
        raise InvalidHeader(
            f"response header {name!r} cannot be sent: names are RFC 9110 tokens, values are "
            "str without control characters (CR, LF, tab, NUL, DEL...) or characters beyond "
            "latin-1; encode the value (percent- or base64-encoding) before setting it"
        )
    if len(_KNOWN_NAMES) < 1024:  # bounded: an app uses few names
        _KNOWN_NAMES.add(name)


def set_field(items: list[tuple[str, str]], name: str, value: str) -> None:
    """Set header ``name`` to ``value`` in the ``(name, value)`` list ``items``, checked as
    :func:`check_field` does: the first ``name`` (any case) is replaced where it stands, the
    others go; appended when absent.

    Raises:
        InvalidHeader: Naming the header.
    """
    # PERF: check_field's common case inline (a frame is a tenth of a small response).
    if not (
        name in _KNOWN_NAMES and type(value) is str and value.isascii() and value.isprintable()
    ):
        check_field(name, value)
    if not items:  # PERF: the first header has nothing to replace
        items.append((name, value))
        return
    size = len(name)
    lname = name.lower()
    found = -1
    for index, (key, _) in enumerate(items):  # PERF: one pass; names compared by length first
        if len(key) == size and (key == name or key.lower() == lname):
            if found >= 0:  # rare: duplicates to drop
                items[found + 1 :] = [i for i in items[found + 1 :] if i[0].lower() != lname]
                return
            found = index
            items[index] = (name, value)
    if found < 0:
        items.append((name, value))


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
