"""An app with a slow endpoint, for the graceful-shutdown test."""

from __future__ import annotations

import time

import wtf

app = wtf.Server()


@app.get("/slow")
def slow() -> str:
    time.sleep(1.5)
    return "done"


@app.get("/fast")
def fast() -> str:
    return "fast"
