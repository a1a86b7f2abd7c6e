"""The smallest wtf app: ``make serve`` (or ``gunicorn examples.hello:app``)."""

from __future__ import annotations

import wtf

app = wtf.Server()


@app.get("/")
def index() -> str:
    """Plain text."""
    return "Hello from wtf\n"


@app.get("/hello/:who")
def hello(who: str, resp: wtf.Response) -> None:
    """A route parameter by name, and the response writer."""
    resp.write_string(f"Hello, {who}\n")


@app.get("/user/:uid")
def user(uid: int) -> dict[str, int]:
    """A typed route parameter: ``/user/abc`` answers 404."""
    return {"uid": uid}
