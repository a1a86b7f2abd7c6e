"""Routes for the live checks of cross-site forms and of Gzip's conditional answers."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import wtf
from wtf.midware import Gzip

app = wtf.Server()
app.add_midware(Gzip())
PAGE = os.path.join(tempfile.mkdtemp(prefix="wtf-secure-"), "page.txt")
with open(PAGE, "w") as handle:
    handle.write("a page worth compressing " * 100)
SIGNUPS: list[str] = []


@dataclass
class Signup:
    email: str


@app.get("/page")
def page(resp: wtf.Response) -> None:
    resp.send_file(PAGE)


@app.post("/signups")
def sign_up_json(signup: Signup) -> dict[str, int]:
    SIGNUPS.append(signup.email)
    return {"count": len(SIGNUPS)}


@app.post("/signup-form")
def sign_up_form(signup: wtf.Form[Signup]) -> dict[str, int]:
    SIGNUPS.append(signup.email)
    return {"count": len(SIGNUPS)}


@app.get("/count")
def count() -> dict[str, int]:
    return {"count": len(SIGNUPS)}
