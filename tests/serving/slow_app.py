"""An app with a slow endpoint, for the graceful-shutdown test."""

from __future__ import annotations

import time

import wtf

app = wtf.Server()


@app.get("/slow")
def slow() -> str:
    time.sleep(2.5)
    return "done"


@app.get("/fast")
def fast() -> str:
    return "fast"


@app.get("/hang")
def hang() -> str:
    time.sleep(60)  # far past --timeout: gunicorn must kill and replace this worker
    return "never"


@app.get("/pid")
def pid() -> str:
    import os

    return str(os.getpid())
