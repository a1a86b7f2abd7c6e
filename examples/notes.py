"""A notes API on SQLite: what ``make serve`` runs.

CRUD with typed route parameters, bodies bound to a dataclass and a TypedDict (422 lists each
bad field), query parameters with defaults, a connection ArgBuilder closed in its teardown,
errors as problem+json, a per-route body limit, a request deadline, CORS and Gzip, and its
OpenAPI document at ``/openapi.json`` (a docs page at ``/docs``). The database file is
``$WTF_NOTES_DB`` (default ``notes.db``).

    curl -s -X POST localhost:8000/notes -H 'Content-Type: application/json' \\
         -d '{"title": "milk", "body": "2 litres"}'
    curl -s localhost:8000/notes/1
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Annotated, TypedDict

from annotated_types import Ge, Le, MaxLen, MinLen

import wtf
from wtf.midware import CORS, Gzip

DB_PATH = os.environ.get("WTF_NOTES_DB", "notes.db")

app = wtf.Server(timeout=10.0)  # a request may take 10 s (Request-Timeout may lower it)
app.add_midware(
    CORS(
        "*", allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"], allow_headers=["Content-Type"]
    )
)
app.add_midware(Gzip())
app.openapi_route("/openapi.json", docs="/docs", title="Notes", version="1.0")

_open = 0
_open_lock = threading.Lock()


def open_connections() -> int:
    """Connections the builder opened and its teardown has not closed yet (for tests)."""
    return _open


_ready: set[str] = set()  # database files whose table exists


def init_db(path: str = DB_PATH) -> None:
    """Create the table (and switch to WAL, so readers don't wait for the writer)."""
    with contextlib.closing(sqlite3.connect(path)) as db, db:  # closed, not only committed
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS notes ("
            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " title TEXT NOT NULL,"
            " body TEXT NOT NULL DEFAULT '',"
            " created REAL NOT NULL)"
        )


@app.arg_builder
def connect() -> Iterator[sqlite3.Connection]:
    """One connection per request, closed once the response is done (also after errors)."""
    global _open
    if DB_PATH not in _ready:  # created on first use, not when the module is imported
        with _open_lock:
            if DB_PATH not in _ready:
                init_db(DB_PATH)
                _ready.add(DB_PATH)
    db = sqlite3.connect(DB_PATH, timeout=10)
    db.row_factory = sqlite3.Row
    with _open_lock:
        _open += 1
    try:
        yield db
    finally:
        db.close()  # uncommitted changes are rolled back
        with _open_lock:
            _open -= 1


class Note(TypedDict):
    """A stored note (``created``: seconds since the epoch)."""

    id: int
    title: str
    body: str
    created: float


def _note(row: sqlite3.Row) -> Note:
    return {"id": row["id"], "title": row["title"], "body": row["body"], "created": row["created"]}


#: A title: 1 to 200 characters, not only spaces, tabs or line breaks (checked while binding;
#: the OpenAPI document says so, so that clients and generated tests know it too). The class is
#: spelled out: ``\s`` means other characters in Python's regexes than in JSON Schema's.
Title = Annotated[str, MinLen(1), MaxLen(200), wtf.Pattern(r"[^ \t\r\n]")]
#: A body: at most 4,000 characters (in JSON, even escaped, within the 64 KiB a request may be).
Text = Annotated[str, MaxLen(4000)]


@dataclasses.dataclass
class NewNote:
    """The body of ``POST /notes`` (JSON)."""

    title: Title
    body: Text = ""


class NoteChanges(TypedDict, total=False):
    """The body of ``PUT /notes/:note_id``: any of the fields."""

    title: Title
    body: Text


_MAX_ID = 2**63 - 1  # SQLite INTEGER


def _find(db: sqlite3.Connection, note_id: int) -> sqlite3.Row:
    if not 0 < note_id <= _MAX_ID:  # no such row, and SQLite cannot even bind it
        raise wtf.HTTPError(404, f"note {note_id} not found")
    row = db.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
    if row is None:
        raise wtf.HTTPError(404, f"note {note_id} not found")
    return row  # type: ignore[no-any-return]


@app.get("/")
def index() -> dict[str, str]:
    """What this API offers."""
    return {"notes": "/notes", "note": "/notes/:id"}


@app.get("/notes")
def list_notes(
    db: sqlite3.Connection,
    q: Annotated[str, MaxLen(200)] = "",
    limit: Annotated[int, Ge(0), Le(1000)] = 100,
) -> list[Note]:
    """Notes, newest first: ``?q=`` filters by title, ``?limit=`` caps the count."""
    rows = db.execute(
        "SELECT * FROM notes WHERE title LIKE ? ORDER BY id DESC LIMIT ?", (f"%{q}%", limit)
    ).fetchall()
    return [_note(row) for row in rows]


# OpenAPI links: a client (or schemathesis' stateful phase) follows a new note's id.
_NOTE_ID = {"parameters": {"note_id": "$response.body#/id"}}
CREATED = {
    "description": "Created",
    "links": {
        "ShowNote": {"operationId": "show_note", **_NOTE_ID},
        "UpdateNote": {"operationId": "update_note", **_NOTE_ID},
        "DeleteNote": {"operationId": "delete_note", **_NOTE_ID},
    },
}


@app.post("/notes", max_body_size=64 * 1024, responses={201: CREATED})
def create_note(note: NewNote, db: sqlite3.Connection, resp: wtf.Response) -> tuple[Note, int]:
    """Create a note: 201 with ``Location``."""
    with db:
        cursor = db.execute(
            "INSERT INTO notes (title, body, created) VALUES (?, ?, ?)",
            (note.title, note.body, time.time()),
        )
    note_id = cursor.lastrowid or 0
    resp.headers["Location"] = f"/notes/{note_id}"
    return _note(_find(db, note_id)), 201


@app.get("/notes.ndjson")
def export_notes(db: sqlite3.Connection) -> Iterator[str]:
    """Every note as one JSON line, streamed while the cursor reads (the connection stays
    open until the stream ends or the client goes away)."""
    for row in db.execute("SELECT * FROM notes ORDER BY id"):
        yield json.dumps(_note(row)) + "\n"


_NOT_FOUND = {404: "No such note"}


@app.get("/notes/:note_id", responses=_NOT_FOUND)
def show_note(note_id: int, db: sqlite3.Connection) -> Note:
    """One note; 404 when there is none (``/notes/abc`` too: the id is an int)."""
    return _note(_find(db, note_id))


@app.put("/notes/:note_id", max_body_size=64 * 1024, responses=_NOT_FOUND)
def update_note(note_id: int, data: NoteChanges, db: sqlite3.Connection) -> Note:
    """Change a note's title and/or body."""
    row = _find(db, note_id)
    with db:
        db.execute(
            "UPDATE notes SET title = ?, body = ? WHERE id = ?",
            (data.get("title", row["title"]), data.get("body", row["body"]), note_id),
        )
    return _note(_find(db, note_id))


@app.delete("/notes/:note_id", responses={204: "Deleted", **_NOT_FOUND})
def delete_note(note_id: int, db: sqlite3.Connection, resp: wtf.Response) -> None:
    """Delete a note: 204."""
    _find(db, note_id)
    with db:
        db.execute("DELETE FROM notes WHERE id = ?", (note_id,))
    resp.write_header(204)
