"""Planted bugs: does the test suite catch them? (``make mutate``; not part of ``make test``.)

Each mutation replaces one snippet of ``wtf/`` (it must occur exactly once) with a small,
realistic bug, runs the tests expected to catch it, and, when they do not, the whole suite
(without the live-server tests, which take minutes). The file is restored afterwards, whatever
happens. Prints one line per mutation and the score; exits non-zero below ``--target``.

    .venv/bin/python -m tests.mutate                 # all
    .venv/bin/python -m tests.mutate --only cors     # names containing "cors"
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutation:
    """One planted bug and the tests expected to catch it."""

    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


M = Mutation
MUTATIONS = [
    M("router: in-segment literals shortest first (segment mode)", "wtf/router/compiler.py",
      "for child in sorted(plain, key=lambda c: -len(_text(c))):",
      "for child in sorted(plain, key=lambda c: len(_text(c))):",
      ("tests/router/test_matching.py", "tests/router/test_properties.py")),
    M("router: in-segment literals shortest first (position mode)", "wtf/router/compiler.py",
      "for length in sorted({len(_text(c)) for c in plain}, reverse=True):",
      "for length in sorted({len(_text(c)) for c in plain}):",
      ("tests/router/test_properties.py",)),
    M("router: no fall-back out of a generated sub-function", "wtf/router/compiler.py",
      'out.append(f"{pad}if r{u} is not None:")', 'out.append(f"{pad}if True:")',
      ("tests/router/test_matching.py", "tests/router/test_properties.py")),
    M("router: '*.x.com' matches '.x.com'", "wtf/router/router.py",
      'return len(name) > suffix and name[-suffix - 1] != "."', "return len(name) >= suffix",
      ("tests/server/test_scalars.py", "tests/router")),
    M("builders: a failed build stays in the request cache", "wtf/builders.py",
      "    except BaseException:\n        del cache[slot]\n        raise",
      "    except BaseException:\n        raise",
      ("tests/server/test_injection.py",)),
    M("builders: leaving a nested override restores the registered builder",
      "wtf/builders.py",
      "self._slot.current = self._previous", "self._slot.current = self._slot.registered",
      ("tests/server/test_injection.py",)),
    M("injection: builders cannot take a Deadline", "wtf/injection.py",
      '    Deadline: Provided("ctx.deadline"),\n', "",
      ("tests/server/test_paths_agree.py", "tests/server/test_deadline.py")),
    M("sending: a status-only body has no Content-Length", "wtf/sending.py",
      "if chunks or length is None:", "if chunks:",
      ("tests/server/test_responses.py",)),
    M("sending: a 204 keeps its Content-Type", "wtf/sending.py",
      '        base.remove_header("Content-Type")\n', "",
      ("tests/server/test_responses.py", "tests/server/test_paths_agree.py")),
    M("sending: a refused start_response skips the teardowns", "wtf/sending.py",
      "    except BaseException as exc:\n        ctx.close()\n",
      "    except BaseException as exc:\n",
      ("tests/server/test_fields.py",)),
    M("sending: ints MessagePack cannot hold are a 500", "wtf/sending.py",
      "            except (TypeError, ValueError, OverflowError):\n"
      "                pass  # what MessagePack cannot hold (an int over 64 bits...): JSON can",
      "            except (TypeError, ValueError, OverflowError):\n                raise",
      ("tests/server/test_rendering.py",)),
    M("context: a plain result skips pending teardowns", "wtf/context.py",
      "        if shared is not None and (shared.teardowns or shared.closers):\n"
      "            return None\n        base = self._base",
      "        base = self._base",
      ("tests/server/test_injection.py", "tests/server/test_paths_agree.py")),
    M("cycle: the fast path skips pending teardowns", "wtf/cycle.py",
      "                    or ctx._shared is not None\n", "",
      ("tests/server/test_injection.py", "tests/server/test_paths_agree.py")),
    M("context: a plain result keeps uploaded temp files open", "wtf/context.py",
      "        if request is not None:\n            request.close()",
      "        pass",
      ("tests/binding/test_body.py",)),
    M("websocket: the peer's close code is not echoed", "wtf/realtime/websocket.py",
      "self._write(self._conn.send(event.response()))\n            self._closed = True",
      "self._write(self._conn.send(CloseConnection(code=1000)))\n            self._closed = True",
      ("tests/realtime/test_conformance.py",)),
    M("websocket: messages have no size limit", "wtf/realtime/websocket.py",
      "if self._size > self.max_message_size:", "if False:",
      ("tests/realtime/test_websocket.py",)),
    M("websocket: an unanswered ping never closes", "wtf/realtime/websocket.py",
      "                if left <= 0:\n                    self._fail(1011",
      "                if False:\n                    self._fail(1011",
      ("tests/realtime/test_websocket.py",)),
    M("handshake: cross-site origins pass", "wtf/realtime/handshake.py",
      "    raise HTTPError(\n        403,\n        f\"a WebSocket from origin",
      "    return\n    raise HTTPError(\n        403,\n        f\"a WebSocket from origin",
      ("tests/realtime/test_websocket.py",)),
    M("route: a closed socket keeps its max_connections slot", "wtf/realtime/route.py",
      "            process_capacity.give()\n            options.free_slot()",
      "            process_capacity.give()",
      ("tests/realtime/test_websocket.py",)),
    M("route: teardowns skipped when the socket ends", "wtf/realtime/route.py",
      "        ctx.close()  # ArgBuilder teardowns", "        pass  # ArgBuilder teardowns",
      ("tests/realtime/test_websocket.py",)),
    M("shutdown: SIGTERM leaves sockets open", "wtf/realtime/shutdown.py",
      "        try:\n            _close_all_soon()", "        try:\n            pass",
      ("tests/realtime/test_live.py::test_sigterm_closes_open_sockets_with_1001",)),
    M("hub: notifications are answered", "wtf/realtime/hub.py",
      "        if call.id is not None:\n            self._reply(session, call.id, result=result)",
      "        self._reply(session, call.id or 0, result=result)",
      ("tests/realtime/test_hub.py",)),
    M("hub: emit_others reaches the caller too", "wtf/realtime/local_sessions.py",
      "            targets = [s for s in targets if s.id != delivery.exclude]", "            pass",
      ("tests/realtime/test_hub.py",)),
    M("hub: the subscription hook is ignored", "wtf/realtime/hub.py",
      "if hook is not None and not hook(", "if False and not hook(",
      ("tests/realtime/test_hub.py",)),
    M("hub: per-call builders are never torn down", "wtf/realtime/hub.py",
      "        finally:\n            work.close()",
      "        finally:\n            pass",
      ("tests/realtime/test_hub.py",)),
    M("wire: huge ids are read", "wtf/realtime/wire.py",
      "if type(value) is int and -MAX_ID <= value <= MAX_ID:", "if type(value) is int:",
      ("tests/realtime/test_hub.py",)),
    M("files: chunks out of order are accepted", "wtf/realtime/files.py",
      "            if chunk.index != at:", "            if False:",
      ("tests/realtime/test_hub_files.py",)),
    M("files: a chunk is written before the midware admitted the call", "wtf/realtime/hub.py",
      "        def proceed() -> Any:\n            if method is None:",
      "        if files is not None and method is not None and method.takes_files:\n"
      "            call.session.uploads.receive(files)\n\n"
      "        def proceed() -> Any:\n            if method is None:",
      ("tests/realtime/test_hub_uploads_live.py",)),
    M("files: unfinished uploads are not capped", "wtf/realtime/files.py",
      "        if unfinished > self.max_uploads:", "        if False:",
      ("tests/realtime/test_hub_uploads_live.py",)),
    M("files: a finished call keeps its bytes in the worker's budget", "wtf/realtime/files.py",
      "                with self._lock:\n                    self._release(file.size)",
      "                pass",
      ("tests/realtime/test_hub_uploads_live.py",)),
    M("files: an OSError escapes", "wtf/realtime/files.py",
      "        except OSError as exc:  # the disk is full",
      "        except KeyError as exc:  # the disk is full",
      ("tests/realtime/test_hub_files.py",)),
    M("websocket: text size counted in characters", "wtf/realtime/websocket.py",
      "    if not isinstance(data, str) or data.isascii():", "    if True:",
      ("tests/realtime/test_live.py",)),
    M("websocket: a protocol error drops the messages before it", "wtf/realtime/websocket.py",
      "        elif self._messages:  # a protocol error", "        elif False:  # a protocol error",
      ("tests/realtime/test_conformance.py",)),
    M("compression: inflating is not bounded", "wtf/realtime/compression.py",
      "out = self.inflate_with.decompress(data, room + 1)",
      "out = self.inflate_with.decompress(data)",
      ("tests/realtime/test_compression_live.py",)),
    M("compression: small messages compressed too", "wtf/realtime/compression.py",
      "        if len(payload) < self.settings.threshold:", "        if False:",
      ("tests/realtime/test_compression_live.py",)),
    M("compression: unknown offer parameters accepted", "wtf/realtime/compression.py",
      "        if key not in _PARAMS or key in seen:", "        if key in seen:",
      ("tests/realtime/test_compression_live.py",)),
    M("wire: lone surrogates in params pass", "wtf/realtime/wire.py",
      "        where = lone_surrogate(data)", "        where = None",
      ("tests/realtime/test_hub_live.py",)),
    M("capacity: no reserve of threads for HTTP", "wtf/realtime/capacity.py",
      "    return max(1, min(MAX_RESERVE, threads // 4))", "    return 0",
      ("tests/realtime/test_live.py",)),
    M("binding: a JSON model takes forms", "wtf/binding.py",
      "    if mimetype in _FORMS:\n        raise HTTPError(",
      "    if False:\n        raise HTTPError(",
      ("tests/binding/test_body.py",)),
    M("same site: Sec-Fetch-Site same-site passes", "wtf/same_site.py",
      'in ("same-origin", "none"):', 'in ("same-origin", "same-site", "none"):',
      ("tests/binding/test_body.py",)),
    M("gzip: a 304 says no Vary", "wtf/midware/gzip.py",
      "            return\n        add_vary(base, \"Accept-Encoding\")\n        etag",
      "            return\n        etag",
      ("tests/serving/test_secure_live.py",)),
    M("storage: connections of ended threads stay open", "wtf/realtime/storage.py",
      "                ended = [pair for pair in self._connections if _ended(pair[0])]",
      "                ended = []",
      ("tests/realtime/test_storage.py",)),
    M("redis bus: a node hears its own deliveries again", "wtf/realtime/redis_bus.py",
      "            if message[\"o\"] == self._node:\n                return",
      "            if False:\n                return",
      ("tests/realtime/test_redis_bus_live.py",)),
    M("redis bus: a killed node's sessions count", "wtf/realtime/redis_bus.py",
      "if mark is not None}", "if mark is not None or True}",
      ("tests/realtime/test_redis_bus_live.py",)),
    M("redis bus: sessions not written again on reconnecting", "wtf/realtime/redis_bus.py",
      "                self._refresh()\n                self._register_all()",
      "                self._refresh()",
      ("tests/realtime/test_redis_bus_live.py",)),
    M("backlog: the message limit is off by one", "wtf/realtime/websocket.py",
      "self._backlog_messages >= self.max_queue", "self._backlog_messages > self.max_queue",
      ("tests/realtime/test_backlog.py",)),
    M("backlog: a frame begun is dropped with the rest", "wtf/realtime/websocket.py",
      "head = self._backlog[0] if self._backlog and self._backlog[0][2] else None",
      "head = None",
      ("tests/realtime/test_backlog.py",)),
    M("backlog: the flushing thread never writes", "wtf/realtime/websocket.py",
      "            if self._backlog:\n                with contextlib.suppress(WebSocketClosed):\n"
      "                    self._drain()\n            return not self._backlog",
      "            return not self._backlog",
      ("tests/realtime/test_backlog.py",)),
    M("backlog: deliveries wait on the peer", "wtf/realtime/session.py",
      "        return self.ws.queue_prepared(frame)",
      "        try:\n            self.ws.send_prepared(frame)\n        except Exception:\n"
      "            return False\n        return True",
      ("tests/realtime/test_slow_consumer_live.py",)),
    M("backlog: an unanswered cross-thread close is never given up", "wtf/realtime/websocket.py",
      "                self._flushed_by.call_at(monotonic() + self.ping_timeout, self._give_up)",
      "                pass",
      ("tests/realtime/test_backlog.py",)),
    M("rate store: the limit itself is refused", "wtf/rate_store.py",
      "if int(count) <= limit:", "if int(count) < limit:",
      ("tests/realtime/test_rate_limits_live.py",)),
    M("rate store: the Hub's key is ignored with a store", "wtf/realtime/hub_midware.py",
      "counted = self.key(call) if self.key is not None else call.session.id",
      "counted = call.session.id",
      ("tests/realtime/test_rate_limits_live.py",)),
    M("rate limit: keyed windows never slide", "wtf/realtime/hub_midware.py",
      "            while times and now - times[0] >= self.period:\n                times.popleft()",
      "            while False:\n                times.popleft()",
      ("tests/realtime/test_hub.py",)),
    M("redis bus: dead nodes' entries are never swept", "wtf/realtime/redis_bus.py",
      "                    self._register_all()\n                self._sweep()",
      "                    self._register_all()",
      ("tests/realtime/test_redis_bus_live.py",)),
    M("redis bus: drops are not counted", "wtf/realtime/redis_bus.py",
      "                self.dropped += 1", "                pass",
      ("tests/realtime/test_redis_bus_live.py",)),
    M("history: the missed events are not replayed", "wtf/realtime/hub.py",
      "            found.events,\n            found.epoch,",
      "            [],\n            found.epoch,",
      ("tests/realtime/test_history.py",)),
    M("history: a history that no longer reaches back is replayed", "wtf/realtime/history.py",
      "if not missed or missed[0][0] != since + 1 or missed[-1][0] != top:",
      "if not missed or missed[-1][0] != top:",
      ("tests/realtime/test_history.py",)),
    M("history: another epoch is recovered from", "wtf/realtime/history.py",
      "(client_epoch is not None and client_epoch != epoch) or since > top", "since > top",
      ("tests/realtime/test_history.py",)),
    M("history: the ttl is ignored", "wtf/realtime/history.py",
      "if offset > since and (ttl is None or now - when <= ttl)", "if offset > since",
      ("tests/realtime/test_history.py",)),
    M("history: a node skips its own kept events", "wtf/realtime/redis_bus.py",
      'if message["o"] == self._node and not kept:', 'if message["o"] == self._node:',
      ("tests/realtime/test_history_live.py",)),
    M("redis bus: only a channel's first subscriber waits for Redis",
      "wtf/realtime/local_sessions.py",
      "            ready = self._ready.get((event, channel))\n",
      "            ready = None\n",
      ("tests/realtime/test_redis_bus_live.py",)),
    M("session: stored settings win over the session's own", "wtf/realtime/session.py",
      "self._settings = {**stored, **self._settings}",
      "self._settings = {**self._settings, **stored}",
      ("tests/realtime/test_sessions.py",)),
    M("hub: on_disconnect runs for refused sessions too", "wtf/realtime/hub.py",
      "            if connected:\n                self._disconnect(session)",
      "            self._disconnect(session)",
      ("tests/realtime/test_sessions.py",)),
    M("hub: send_user reaches every session", "wtf/realtime/local_sessions.py",
      "targets = list(self._users.get(delivery.user, {}).values())",
      "targets = list(self._sessions.values())",
      ("tests/realtime/test_sessions.py",)),
    M("storage: SQLite without a busy timeout", "wtf/realtime/storage.py",
      "timeout=self.busy_timeout,", "timeout=0,",
      ("tests/realtime/test_storage.py",)),
    M("fields: control characters pass the fast check", "wtf/fields.py",
      "and value.isascii() and value.isprintable():", "and value.isascii():",
      ("tests/server/test_fields.py",)),
    M("fields: statuses outside 200..599 go out", "wtf/fields.py",
      "not 200 <= code <= 599:", "not 100 <= code <= 999:",
      ("tests/server/test_fields.py",)),
    M("cycle: the first handler for a base class wins over the subclass's", "wtf/cycle.py",
      "if exc_type is cls:", "if issubclass(cls, exc_type):",
      ("tests/server/test_errors.py",)),
    M("cycle: Request-Timeout is not checked without midware", "wtf/cycle.py",
      '                    if endpoint.timed or "HTTP_REQUEST_TIMEOUT" in environ:\n'
      "                        # A deadline",
      "                    if endpoint.timed:\n                        # A deadline",
      ("tests/server/test_deadline.py", "tests/server/test_paths_agree.py")),
    M("scalars: whitespace around an int is accepted", "wtf/scalars.py",
      "or _INT.fullmatch(text):", "or _INT.fullmatch(text.strip()):",
      ("tests/server/test_scalars.py", "tests/binding/test_properties.py")),
    M("scalars: no digit bound on ints", "wtf/scalars.py",
      'rf"-?[0-9]{{1,{MAX_INT_DIGITS}}}"', 'r"-?[0-9]+"',
      ("tests/server/test_scalars.py",)),
    M("validation: error lists are unbounded", "wtf/validation.py",
      "MAX_ERRORS = 50", "MAX_ERRORS = 10**9",
      ("tests/binding/test_body.py",)),
    M("request: escaped lone surrogates reach handlers", "wtf/request.py",
      'if detected or (b"\\\\u" in body and (b"\\\\ud" in body or b"\\\\uD" in body)):',
      "if detected:",
      ("tests/server/test_request.py", "tests/binding/test_body.py")),
    M("request: msgpack ignores max_json_depth", "wtf/request.py",
      "        if _depth(value) > limit:\n            raise HTTPError(400, f\"the MessagePack",
      "        if False:\n            raise HTTPError(400, f\"the MessagePack",
      ("tests/binding/test_body.py",)),
    M("uploads: no lock around a chunk", "wtf/uploads.py",
      "        with self._locked(upload_id):\n            return self._apply(",
      "        if True:\n            return self._apply(",
      ("tests/server/test_uploads.py",)),
    M("uploads: the last byte may equal the total", "wtf/uploads.py",
      "(total is not None and last >= total)", "(total is not None and last > total)",
      ("tests/server/test_uploads.py",)),
    M("uploads: a resent last chunk runs the hook again", "wtf/uploads.py",
      "if end <= received:  # already have it", "if end < received:  # already have it",
      ("tests/server/test_uploads.py",)),
    M("uploads: overlapping bytes are not compared", "wtf/uploads.py",
      "if have != data[: len(have)]:", "if False:",
      ("tests/server/test_uploads.py",)),
    M("uploads: the sweep deletes fresh uploads", "wtf/uploads.py",
      "                if newest < cutoff:", "                if newest > cutoff:",
      ("tests/server/test_uploads.py",)),
    M("uploads: no quota", "wtf/uploads.py",
      "if pending + end - received > self.max_pending:", "if False:",
      ("tests/server/test_uploads.py",)),
    M("gzip: '*' overrides an explicit gzip;q=0", "wtf/midware/gzip.py",
      "return explicit if explicit is not None else star",
      "return max(explicit or 0.0, star)",
      ("tests/midware/test_gzip.py",)),
    M("gzip: a written body is decided on its first chunk", "wtf/midware/gzip.py",
      "if self._held_size >= self._gzip.min_size:", "if True:",
      ("tests/midware/test_gzip.py",)),
    M("cors: origins compared after trimming", "wtf/midware/cors.py",
      "    return origin.lower()", '    return origin.strip().lower().rstrip("/")',
      ("tests/midware/test_cors.py",)),
    M("cors: a handler's Vary drops Origin", "wtf/vary.py",
      "    if base.vary is not None:\n        for token", "    if False:\n        for token",
      ("tests/midware/test_cors.py",)),
    M("cors: a preflight forgets credentials", "wtf/midware/cors.py",
      '        headers["Access-Control-Max-Age"] = self._max_age\n        if self.credentials:\n'
      '            headers["Access-Control-Allow-Credentials"] = "true"\n',
      '        headers["Access-Control-Max-Age"] = self._max_age\n',
      ("tests/midware/test_cors.py",)),
    M("cors: a preflight lists only the configured headers", "wtf/midware/cors.py",
      'headers["Access-Control-Allow-Headers"] = ", ".join(sorted(wanted))',
      'headers["Access-Control-Allow-Headers"] = ", ".join(sorted(self.headers))',
      ("tests/midware/test_cors.py",)),
    M("response: links out of the directory are served", "wtf/response.py",
      "if os.path.commonpath((real_root, real)) != real_root:", "if False:",
      ("tests/server/test_files.py",)),
    M("response: several ranges are a 416", "wtf/response.py",
      'if ranges is None or ranges.units != "bytes" or len(ranges.ranges) != 1:',
      "if ranges is None:",
      ("tests/server/test_files.py",)),
    M("response: cookie control characters left raw", "wtf/response.py",
      'self.headers.add("Set-Cookie", _CONTROL.sub(_octal, header))',
      'self.headers.add("Set-Cookie", header)',
      ("tests/server/test_responses.py",)),
    M("redirects: control characters pass", "wtf/redirects.py",
      "    found = _CONTROL.search(location)", "    found = None",
      ("tests/server/test_responses.py",)),
    M("redirects: '//host' counts as local", "wtf/redirects.py",
      '        or target[1:2] in ("/", "\\\\")\n', "",
      ("tests/server/test_responses.py",)),
    M("openapi: float documented as integer", "wtf/openapi/schemas.py",
      '    float: {"type": "number"},', '    float: {"type": "integer"},',
      ("tests/openapi/test_schema_property.py",)),
    M("openapi: a model's required fields not listed", "wtf/openapi/schemas.py",
      "            if needed:\n                required.append(field)", "            pass",
      ("tests/openapi/test_document.py",)),
    M("openapi: a recursive type is defined again instead of referenced", "wtf/openapi/schemas.py",
      "        name = self._names.get(tp)", "        name = None",
      ("tests/openapi/test_document.py",)),
    M("openapi: ':name' documented as any text, '/' included", "wtf/openapi/paths.py",
      'PathParam(name, len(params), "^[^/]+$", 1)', "PathParam(name, len(params), None, 1)",
      ("tests/openapi/test_document.py",)),
    M("openapi: a bound body documents no 415", "wtf/openapi/operation.py",
      "self.errors |= {400, 413, 415, 422}", "self.errors |= {400, 413, 422}",
      ("tests/openapi/test_document.py",)),
    M("openapi: fall-back routes keep only the first route's path values",
      "wtf/openapi/document.py",
      'params[key] = {**mine, "schema": _either(mine["schema"], param["schema"])}',
      "pass", ("tests/openapi/test_document.py",)),
    M("openapi: the docs page does not escape", "wtf/openapi/docs_page.py",
      "from html import escape",
      "def escape(text: str, quote: bool = True) -> str:\n    return text",
      ("tests/openapi/test_served.py",)),
    M("serving: gunicorn's default request line", "wtf/serving.py",
      '"limit_request_line": GUNICORN_MAX_REQUEST_LINE,', "",
      ("tests/serving/test_live.py::test_long_urls_reach_wtf",)),
    M("sending: a function as wsgi.file_wrapper reaches isinstance()", "wtf/sending.py",
      "isinstance(file_wrapper, type) and isinstance(chunks, file_wrapper)",
      "file_wrapper is not None and isinstance(chunks, file_wrapper)",
      ("tests/server/test_files.py",)),
]  # fmt: skip

FAST_SUITE = ("tests", "--ignore=tests/serving", "-p", "no:cacheprovider")


def run(args: tuple[str, ...], timeout: float) -> bool:
    """Whether pytest failed (the mutation was caught)."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *args]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return True  # a hang fails CI too
    return done.returncode != 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the mutations whose name contains this")
    parser.add_argument("--target", type=float, default=0.9, help="score to reach (0..1)")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if args.only in m.name]
    caught = 0
    began = time.monotonic()
    for mutation in chosen:
        path = ROOT / mutation.path
        original = path.read_text()
        if original.count(mutation.old) != 1:
            print(f"STALE   {mutation.name}: the snippet is not in {mutation.path} exactly once")
            return 2
        try:
            path.write_text(original.replace(mutation.old, mutation.new))
            how = "expected tests" if run(mutation.tests, 300) else ""
            if not how and run(FAST_SUITE, 900):
                how = "another test"
        finally:
            path.write_text(original)
        caught += bool(how)
        print(f"{'caught' if how else 'MISSED':<7} {mutation.name}" + (f" ({how})" if how else ""))
    score = caught / len(chosen) if chosen else 1.0
    minutes = (time.monotonic() - began) / 60
    print(f"{caught}/{len(chosen)} planted bugs caught ({score:.0%}) in {minutes:.1f} min")
    return 0 if score >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
