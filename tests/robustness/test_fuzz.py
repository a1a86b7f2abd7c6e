"""Bad input never reaches a 500: arbitrary raw WSGI requests against the example apps.

Paths (real routes, random segments incl. '..', '//', invalid UTF-8, up to 9000 characters),
methods (lowercase and unknown tokens), Host headers, query strings, bodies that do and do not
match their Content-Type and Content-Length, and header values up to 64 KiB. Each request goes
through wsgiref's PEP 3333 validator where the request itself is valid PEP 3333; every answer
must be below 500 with no traceback text, and the app keeps answering. 2000 examples per run;
``WTF_FUZZ_EXAMPLES=20000 make test`` runs it longer.
"""

from __future__ import annotations

import io
import os
import string
from typing import Any
from wsgiref.validate import validator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examples import notes, tour, uploads

from ..strict import call_environ

EXAMPLES = int(os.environ.get("WTF_FUZZ_EXAMPLES", "2000"))
RAW = {"notes": notes.app, "tour": tour.app, "uploads": uploads.app}
APPS = {name: validator(app) for name, app in RAW.items()}

segments = st.one_of(
    st.sampled_from(["notes", "1", "0", "-1", "abc", "id", "user", "hello", "club", "..", ".", ""]),
    st.text(alphabet=string.printable, max_size=8),
    st.text(max_size=6),  # any Unicode
)
KNOWN = [
    "/", "/notes", "/notes/1", "/notes/2", "/notes/abc", "/notes/99999999999999999999",
    "/notes.ndjson",
    "/hello", "/user/a/book/b", "/id/0", "/id/12", "/id/x", "/id/a/b", "/method", "/any",
    "/site", "/whoami", "/club/room", "/notes?limit=x", "/uploads/u1", "/uploads/a.b",
    "/files/u1", "/files/u1.part", "/files/..%2f..%2fetc", "/echo",
]  # fmt: skip
paths = st.one_of(
    st.sampled_from(KNOWN),
    st.builds(lambda segs: "/" + "/".join(segs), st.lists(segments, max_size=5)),
    st.builds(lambda n, c: "/" + c * n, st.integers(1000, 9000), st.sampled_from("a/%.")),
)
# PATH_INFO as a server passes it: bytes seen as latin-1, often not valid UTF-8.
raw_paths = st.builds(lambda b: "/" + b.decode("latin-1"), st.binary(max_size=12))
STANDARD = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"]
methods = st.one_of(
    st.sampled_from(STANDARD), st.sampled_from(["get", "post", "PURGE", "BREW", "M-SEARCH"])
)
hosts = st.one_of(
    st.none(),
    st.sampled_from(["example.com", "a.example.com:80", "[::1]:8000", "localhost", "EXAMPLE.COM."]),
    st.text(alphabet=string.printable.strip(), max_size=20),
)
bodies = st.one_of(
    st.just(b""),
    st.sampled_from(
        [
            b'{"title": "t"}',
            b'{"title": 1}',
            b"[1, 2",
            b"{}",
            b"null",
            b'{"title": "x", "body": "y"}',
        ]
    ),
    st.binary(max_size=64),
)
ctypes = st.sampled_from(
    [None, "application/json", "application/json; charset=latin-1", "text/plain",
     "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "garbage/;;",
     "application/msgpack"]
)  # fmt: skip


def encode_path(path: str) -> str:
    """PEP 3333: PATH_INFO is the UTF-8 bytes decoded as latin-1."""
    return path.encode("utf-8", "surrogatepass").decode("latin-1")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.sampled_from(sorted(APPS)),
    st.one_of(paths.map(lambda p: encode_path(p)), raw_paths),
    methods,
    hosts,
    st.text(alphabet=string.printable, max_size=30),
    bodies,
    ctypes,
    st.one_of(st.none(), st.sampled_from(["0", "5", "99999", "-3", "abc"])),
    st.sampled_from([None, "*/*", "text/html", "application/json", "gzip"]),
    st.one_of(st.none(), st.builds(lambda n: "v" * n, st.integers(1, 65536))),
    st.sampled_from(
        [None, "bytes 0-4/10", "bytes */10", "bytes 5-1/3", "bytes 0-0/*", "junk", "0.001", "-1"]
    ),
)
def test_raw_requests_never_fail(
    name: str,
    path: str,
    method: str,
    host: str | None,
    query: str,
    body: bytes,
    ctype: str | None,
    length: str | None,
    accept: str | None,
    big_header: str | None,
    extra: str | None,
) -> None:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)) if length is None else length,
    }
    if ctype is not None:
        environ["CONTENT_TYPE"] = ctype
    if host is not None:
        environ["HTTP_HOST"] = host
    if accept is not None:
        environ["HTTP_ACCEPT"] = accept
        environ["HTTP_ACCEPT_ENCODING"] = accept
    if big_header is not None:
        environ["HTTP_X_BIG"] = big_header
        environ["HTTP_ORIGIN"] = big_header[:4096]
    if extra is not None:  # ChunkedUpload's and the deadline's headers
        environ["HTTP_CONTENT_RANGE"] = environ["HTTP_REQUEST_TIMEOUT"] = extra
    # The validator refuses a malformed CONTENT_LENGTH and warns on methods outside its list
    # (servers such as gunicorn answer 400 for the first themselves): call the app directly.
    # Either way start_response is as strict as gunicorn's (tests/strict.py).
    valid = environ["CONTENT_LENGTH"].isdigit() and method in STANDARD
    app = APPS[name] if valid else RAW[name]
    seen = call_environ(app, environ)
    assert seen.crashed is None and seen.refused == [], (seen.crashed, seen.refused)
    if seen.status >= 500:  # only the route that reflects the query into a header may 500
        assert (name, seen.status) == ("tour", 500) and path == "/echo", seen.body[:300]
        assert seen.header("Content-Type") == "application/problem+json"
    assert 200 <= seen.status < 600, seen.status
    assert b"Traceback" not in seen.body
