"""The echo servers ``bench/websocket.py`` compares: wtf, flask-sock (simple-websocket), and
the ``websockets`` library's own threaded server (``python -m bench.ws_apps PORT``)."""

from __future__ import annotations

import sys
from typing import Any

import wtf
from wtf.realtime import Hub

wtf_app = wtf.Server()


@wtf_app.websocket("/echo", ping_interval=None)
def echo(ws: wtf.WebSocket) -> None:
    for message in ws:
        ws.send(message)


def _flask_app() -> Any:
    from flask import Flask
    from flask_sock import Sock

    app = Flask(__name__)
    sock = Sock(app)

    @sock.route("/echo")
    def flask_echo(ws: Any) -> None:
        while True:
            ws.send(ws.receive())

    return app


flask_app = _flask_app()


def serve_websockets(port: int) -> None:
    """The ``websockets`` library's threaded server (a thread per connection)."""
    from websockets.sync.server import serve

    def handler(ws: Any) -> None:
        for message in ws:
            ws.send(message)

    with serve(handler, "127.0.0.1", port, ping_interval=None, max_size=None) as server:
        server.serve_forever()


if __name__ == "__main__":
    serve_websockets(int(sys.argv[1]))


# --- the Hub, and python-socketio (threading mode, simple-websocket) ---------------------------

hub_app = wtf.Server()


def _hub() -> Any:
    hub = Hub(ping_interval=None)
    hub.event("tick")

    @hub.method("echo")
    def hub_echo(x: str) -> str:
        return x

    @hub.method("fanout")
    def fanout(room: str, h: Hub) -> bool:
        h.emit("tick", room, "x")
        return True

    return hub


hub_app.websocket("/rt")(_hub())


def _socketio_app() -> Any:
    import socketio

    sio = socketio.Server(async_mode="threading")

    @sio.event
    def echo(sid: str, data: str) -> str:
        return data

    @sio.event
    def join(sid: str, room: str) -> bool:
        sio.enter_room(sid, room)
        return True

    @sio.event
    def fanout(sid: str, room: str) -> bool:
        sio.emit("tick", "x", room=room)
        return True

    return socketio.WSGIApp(sio)


socketio_app = _socketio_app()
