"""``wtf.Request``: the request as handlers see it, backed by werkzeug.

Building a werkzeug request costs microseconds, so it is built on first use of a parsing
feature (``args``, ``form``, ``json``...); cheap facts (``method``, ``path``) come straight
from the WSGI environ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request as WerkzeugRequest

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.datastructures import (
        FileStorage,
        Headers,
        ImmutableMultiDict,
        MultiDict,
    )

__all__ = ["Request"]


class Request:
    """The request of one WSGI call.

    Attributes:
        environ: The WSGI environ.
        path: The decoded path the router matched (UTF-8).

    Everything werkzeug's request offers is reachable through :attr:`raw` (and the common
    parts directly): ``args``, ``form``, ``files``, ``json``, ``headers``, ``cookies``,
    ``get_data()``, ``get_json()``.
    """

    __slots__ = ("_raw", "environ", "path")

    _raw: WerkzeugRequest  # set on first use of raw

    def __init__(self, environ: WSGIEnvironment, path: str) -> None:
        self.environ = environ
        self.path = path

    @property
    def raw(self) -> WerkzeugRequest:
        """The werkzeug request (built once, on first use)."""
        try:
            return self._raw
        except AttributeError:  # PERF: no store in __init__ for what most requests never use
            # populate_request=False: no environ["werkzeug.request"] -> request cycle for the GC
            raw = self._raw = WerkzeugRequest(self.environ, populate_request=False)
            return raw

    @property
    def method(self) -> str:
        """The request method, upper-case."""
        return str(self.environ.get("REQUEST_METHOD", "GET")).upper()

    @property
    def query_string(self) -> bytes:
        """The raw query string."""
        return str(self.environ.get("QUERY_STRING", "")).encode("latin-1")

    @property
    def args(self) -> MultiDict[str, str]:
        """The parsed query string."""
        return self.raw.args

    @property
    def form(self) -> ImmutableMultiDict[str, str]:
        """Form fields of a urlencoded or multipart body."""
        return self.raw.form

    @property
    def files(self) -> ImmutableMultiDict[str, FileStorage]:
        """Uploaded files of a multipart body."""
        return self.raw.files

    @property
    def headers(self) -> Headers:
        """The request headers (case-insensitive)."""
        return self.raw.headers

    @property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        """The request cookies."""
        return self.raw.cookies

    @property
    def json(self) -> Any:
        """The body parsed as JSON (werkzeug answers 415/400 when it is not JSON)."""
        return self.raw.json

    @property
    def content_type(self) -> str | None:
        """The ``Content-Type`` header."""
        return self.raw.content_type

    def get_data(self, as_text: bool = False) -> bytes | str:
        """The raw body (bytes, or str with ``as_text=True``)."""
        if as_text:
            return self.raw.get_data(as_text=True)
        return self.raw.get_data()

    def get_json(self, silent: bool = False) -> Any:
        """The body parsed as JSON; ``None`` on failure with ``silent=True``."""
        return self.raw.get_json(silent=silent)

    def __getattr__(self, name: str) -> Any:
        # Anything else werkzeug's request has (host, url, accept_mimetypes, ...).
        if name.startswith("_"):
            raise AttributeError(name)  # includes _raw before it is built
        return getattr(self.raw, name)

    def __repr__(self) -> str:
        return f"<wtf.Request {self.method} {self.path!r}>"
