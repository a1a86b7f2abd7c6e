"""Security schemes: ArgBuilders that extract credentials, for the app's own builder to verify.

Register one, then ask for what it builds in the builder that checks it::

    app.arg_builder(HTTPBearer())          # builds wtf.security.Bearer


    @app.arg_builder
    def current_user(token: Bearer) -> User:  # verifies it (401 when it does not hold)
        ...

A missing or malformed credential answers 401 with the scheme's ``WWW-Authenticate``
challenge before any handler runs. The OpenAPI document lists each registered scheme under
``components.securitySchemes``, and ``security`` on exactly the operations whose handler needs
it (through any chain of ArgBuilders), so the interactive docs page can authorize.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from .errors import HTTPError
from .realtime.handshake import is_upgrade, offered_token
from .request import Request

__all__ = [
    "APIKey",
    "ApiKey",
    "BasicCredentials",
    "Bearer",
    "HTTPBasic",
    "HTTPBearer",
    "SecurityScheme",
    "security_scheme_of",
]


class Bearer(str):
    """A bearer token, as sent in ``Authorization: Bearer <token>`` (not verified)."""

    __slots__ = ()


class ApiKey(str):
    """An API key, as sent in its header, query parameter or cookie (not verified)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class BasicCredentials:
    """``Authorization: Basic`` credentials (not verified)."""

    username: str
    password: str


class SecurityScheme:
    """What the schemes share: a name in the OpenAPI document and its description there.

    Attributes:
        scheme_name: The key under ``components.securitySchemes``.
    """

    scheme_name: str
    challenge: str

    def openapi(self) -> dict[str, Any]:
        """The scheme's entry in ``components.securitySchemes``."""
        raise NotImplementedError

    def refuse(self, why: str) -> HTTPError:
        """The 401 that answers a missing or malformed credential."""
        return HTTPError(401, why, [("WWW-Authenticate", self.challenge)])


class HTTPBearer(SecurityScheme):
    """Builds :class:`Bearer` from ``Authorization: Bearer <token>``; on a WebSocket upgrade
    without that header, from the ``wtf.token.<base64url>`` subprotocol that browsers' clients
    send instead (wtf's JavaScript client's ``token`` option).

    Args:
        name: The scheme's name in the OpenAPI document.
        bearer_format: A hint for clients (``"JWT"``), documented as ``bearerFormat``.
        realm: The realm of the ``WWW-Authenticate`` challenge.
    """

    def __init__(
        self, name: str = "bearer", *, bearer_format: str | None = None, realm: str = "api"
    ) -> None:
        self.scheme_name = name
        self.bearer_format = bearer_format
        self.challenge = f'Bearer realm="{_quoted(realm)}"'

    def __call__(self, req: Request) -> Bearer:
        """The token (401 when there is none, or the header is another scheme's)."""
        header = req.headers.get("Authorization")
        if header is None:
            offered = offered_token(req.environ) if is_upgrade(req.environ) else None
            if offered:
                return Bearer(offered)
            raise self.refuse("this needs a bearer token (Authorization: Bearer ...)")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise self.refuse("the Authorization header is not 'Bearer <token>'")
        return Bearer(token)

    def openapi(self) -> dict[str, Any]:
        """``{"type": "http", "scheme": "bearer"}`` (with ``bearerFormat`` when given)."""
        out: dict[str, Any] = {"type": "http", "scheme": "bearer"}
        if self.bearer_format:
            out["bearerFormat"] = self.bearer_format
        return out


class HTTPBasic(SecurityScheme):
    """Builds :class:`BasicCredentials` from ``Authorization: Basic <base64>`` (RFC 7617,
    UTF-8).

    Args:
        name: The scheme's name in the OpenAPI document.
        realm: The realm of the ``WWW-Authenticate`` challenge.
    """

    def __init__(self, name: str = "basic", *, realm: str = "api") -> None:
        self.scheme_name = name
        self.challenge = f'Basic realm="{_quoted(realm)}", charset="UTF-8"'

    def __call__(self, req: Request) -> BasicCredentials:
        """The user name and password (401 when absent or malformed)."""
        header = req.headers.get("Authorization")
        if header is None:
            raise self.refuse("this needs a user name and password (Authorization: Basic ...)")
        scheme, _, encoded = header.strip().partition(" ")
        if scheme.lower() != "basic":
            raise self.refuse("the Authorization header is not 'Basic <credentials>'")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise self.refuse("the Basic credentials are not base64 of UTF-8 text") from None
        username, colon, password = decoded.partition(":")
        if not colon:
            raise self.refuse("the Basic credentials are not 'user:password'")
        return BasicCredentials(username, password)

    def openapi(self) -> dict[str, Any]:
        """``{"type": "http", "scheme": "basic"}``."""
        return {"type": "http", "scheme": "basic"}


class APIKey(SecurityScheme):
    """Builds :class:`ApiKey` from one header, query parameter or cookie.

    Args:
        header: The header that carries it (``"X-API-Key"``)...
        query: ... or the query parameter ...
        cookie: ... or the cookie (give exactly one).
        name: The scheme's name in the OpenAPI document.

    Raises:
        ValueError: Not exactly one of ``header``, ``query``, ``cookie``.
    """

    def __init__(
        self,
        *,
        header: str | None = None,
        query: str | None = None,
        cookie: str | None = None,
        name: str = "apiKey",
    ) -> None:
        given = [(where, key) for where, key in (("header", header), ("query", query),
                                                  ("cookie", cookie)) if key]  # fmt: skip
        if len(given) != 1:
            raise ValueError("APIKey takes exactly one of header=, query= or cookie= (a name)")
        self.where, self.key = given[0]
        self.scheme_name = name
        self.challenge = f'ApiKey {self.where}="{_quoted(self.key)}"'

    def __call__(self, req: Request) -> ApiKey:
        """The key (401 when it is missing or empty)."""
        if self.where == "header":
            value = req.headers.get(self.key)
        elif self.where == "query":
            value = req.args.get(self.key)
        else:
            value = req.cookies.get(self.key)
        if not value:
            raise self.refuse(f"this needs an API key (the {self.key!r} {self.where})")
        return ApiKey(value)

    def openapi(self) -> dict[str, Any]:
        """``{"type": "apiKey", "in": ..., "name": ...}``."""
        return {"type": "apiKey", "in": self.where, "name": self.key}


def security_scheme_of(builder_fn: Any) -> SecurityScheme | None:
    """The scheme an ArgBuilder is, if it is one (the OpenAPI document asks)."""
    return builder_fn if isinstance(builder_fn, SecurityScheme) else None


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
