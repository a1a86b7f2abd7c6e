"""wtf's router dispatching inside Flask: one catch-all Flask route hands the path to it.

Run: ``flask --app examples.router_in_flask run`` (Flask is in the ``test`` extra).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, abort, request

from wtf.router import Rest, Router

router = Router()


def show_user(params: Rest) -> dict[str, Any]:
    """``/users/(?P<uid>\\d+)``: numeric ids first (regex before named)."""
    return {"user": int(params.get("uid"))}


def user_by_name(params: Rest) -> dict[str, Any]:
    """``/users/:name``: anything else in that segment."""
    return {"name": params.get("name")}


def static_file(params: Rest) -> str:
    """``/files/*:path``: the rest of the path."""
    return f"file {params.get('path')}"


router.add("/users/(?P<uid>\\d+)", show_user, methods=["GET"])
router.add("/users/:name", user_by_name, methods=["GET"])
router.add("/files/*:path", static_file, methods=["GET"])

app = Flask(__name__)


@app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
@app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def dispatch(path: str) -> Any:
    """Route every request through wtf's router."""
    match = router.match(request.method, request.path, request.host)
    if match is None:
        allowed = router.allowed(request.path, request.host)
        if allowed:
            return "method not allowed", 405, {"Allow": ", ".join(sorted(allowed))}
        abort(404)
    handler: Callable[[Rest], Any] = match.target
    return handler(match.params)
