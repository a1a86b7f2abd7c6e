"""HTTP features whose serving differs between WSGI servers: limits, deadlines, streaming,
file responses (wsgi.file_wrapper), uploads, HEAD, slow requests for graceful shutdown."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator

import wtf

app = wtf.Server(max_body_size=64 * 1024)
BIG = os.path.join(tempfile.mkdtemp(prefix="wtf-features-"), "big.bin")
with open(BIG, "wb") as handle:
    handle.write(bytes(range(256)) * 4096)  # 1 MiB


@app.get("/hello")
def hello() -> str:
    return "Hello"


@app.post("/echo")
def echo(req: wtf.Request) -> bytes:
    return req.get_data()


@app.post("/big-echo", max_body_size=2 * 1024 * 1024)
def big_echo(req: wtf.Request) -> dict[str, object]:
    data = req.get_data()
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


@app.get("/late", timeout=0.2)
def late(deadline: wtf.Deadline) -> str:
    time.sleep(0.4)
    deadline.check()
    return "never"


@app.get("/stream")
def stream() -> Iterator[str]:
    for i in range(5):
        yield f"chunk {i}\n"


@app.get("/file")
def file(resp: wtf.Response, req: wtf.Request) -> None:
    resp.headers["X-File-Wrapper"] = str("wsgi.file_wrapper" in req.environ)
    resp.send_file(BIG, mimetype="application/octet-stream")


@app.post("/upload")
def upload(req: wtf.Request) -> dict[str, object]:
    uploaded = req.files["doc"]
    data = uploaded.read()
    return {
        "name": uploaded.filename,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


@app.get("/slow")
def slow() -> str:
    time.sleep(1.5)
    return "done"
