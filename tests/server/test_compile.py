"""Compilation: explicit compile(), registration after serving started, from many threads."""

from __future__ import annotations

import threading

import wtf
from wtf.testing import Client


def test_compile_then_register_more(app: wtf.Server, client: Client) -> None:
    app.handle(lambda: "a", "/a")
    app.compile()
    assert client.get("/a").text == "a"
    assert client.get("/b").status_code == 404
    app.handle(lambda: "b", "/b")
    assert client.get("/b").text == "b"


def test_registering_while_serving_from_threads(app: wtf.Server) -> None:
    app.handle(lambda: "base", "/base")
    client = Client(app)
    errors: list[str] = []

    def answer(i: int) -> object:
        return lambda: str(i)

    def register(start: int) -> None:
        for i in range(start, start + 25):
            app.handle(answer(i), f"/r{i}/:x")  # type: ignore[arg-type]

    def serve() -> None:
        for _ in range(200):
            response = client.get("/base")
            if response.text != "base":
                errors.append(response.text)

    threads = [threading.Thread(target=register, args=(k * 25,)) for k in range(4)]
    threads += [threading.Thread(target=serve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(app.router.routes) == 101
    assert [client.get(f"/r{i}/x").text for i in (0, 57, 99)] == ["0", "57", "99"]
