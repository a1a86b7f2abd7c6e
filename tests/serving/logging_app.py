"""An app with the access-log midware and a failing route, for the logging test."""

from __future__ import annotations

import wtf
from wtf.midware import Logger

app = wtf.Server()
app.add_midware(Logger())


@app.get("/ok")
def ok() -> str:
    return "ok"


@app.get("/fail")
def fail() -> str:
    raise RuntimeError("the database is down")
