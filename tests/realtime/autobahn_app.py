"""The echo server Autobahn|Testsuite's fuzzing client checks (its cases send up to 16 MiB)."""

from __future__ import annotations

import wtf

app = wtf.Server()


@app.websocket("/echo", max_message_size=64 << 20, ping_interval=None)
def echo(ws: wtf.WebSocket) -> None:
    """Send each message back as it came."""
    for message in ws:
        ws.send(message)
