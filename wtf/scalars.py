"""One rule for reading ints, floats and booleans from text: path parameters, query strings,
form fields and headers all use these, so ``+1``, `` 5`` or ``1_000`` are refused everywhere
(a 404 in a path, a 422 in a query or form, a 400 in a header).

- int: ASCII digits with an optional leading ``-``, at most 4300 digits (Python's own limit).
- float: a decimal number (optional ``-``, digits, an optional fraction and exponent); finite.
- bool: ``1/0``, ``true/false``, ``yes/no``, ``on/off``, in any case.

No whitespace is trimmed, Unicode digits and spaces included: a value is what was sent.
"""

from __future__ import annotations

import math
import re

__all__ = ["MAX_INT_DIGITS", "parse_bool", "parse_float", "parse_int"]

#: The most digits an int may have (``sys.get_int_max_str_digits()``'s default).
MAX_INT_DIGITS = 4300

_INT = re.compile(rf"-?[0-9]{{1,{MAX_INT_DIGITS}}}")
_FLOAT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,4})?")
_TRUE = frozenset(("1", "true", "yes", "on"))
_FALSE = frozenset(("0", "false", "no", "off"))


def parse_int(text: str) -> int | None:
    """The int ``text`` spells, or ``None``."""
    # PERF: isdigit() is ~25 ns against ~300 ns for the regex; isascii() keeps out '²' and co.
    if (text.isdigit() and text.isascii() and len(text) <= MAX_INT_DIGITS) or _INT.fullmatch(text):
        return int(text)
    return None


def parse_float(text: str) -> float | None:
    """The finite float ``text`` spells, or ``None``."""
    if not _FLOAT.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def parse_bool(text: str) -> bool | None:
    """The bool ``text`` spells, or ``None``."""
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None
