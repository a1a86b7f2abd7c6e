"""The storage hook's three implementations, against the real thing: a dict, an SQLite file
shared by two processes, and a redis-server the suite starts itself."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import wtf
from wtf.realtime import Hub, MemoryStorage, RedisStorage, Session, SQLiteStorage, Storage
from wtf.testing import Client

pytestmark = pytest.mark.timeout(60)


class FakeSession:
    """What a storage reads of a session."""

    def __init__(self, sid: str, user: str | None, settings: dict[str, str]) -> None:
        self.id = sid
        self.user_id = user
        self.settings = settings
        self.ip = "127.0.0.1"


@pytest.fixture(params=["memory", "sqlite", "redis"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "memory":
        yield MemoryStorage()
        return
    made: SQLiteStorage | RedisStorage
    if request.param == "sqlite":
        made = SQLiteStorage(str(tmp_path / "s.db"))
    else:
        made = RedisStorage(request.getfixturevalue("redis_url"), prefix=f"t{time.monotonic_ns()}:")
    yield made
    made.close()


def test_store_query_delete_heartbeat(storage: Storage) -> None:
    assert isinstance(storage, Storage)
    assert storage.query("ann") is None
    storage.store(FakeSession("s1", "ann", {"theme": "dark"}))  # type: ignore[arg-type]
    assert storage.query("ann") == {"theme": "dark"}
    storage.store(FakeSession("s1", "ann", {"lang": "en"}))  # type: ignore[arg-type]
    assert storage.query("ann") == {"lang": "en"}  # replaced, not merged (the session merges)
    storage.store(FakeSession("s2", None, {"x": "y"}))  # type: ignore[arg-type]  # a guest
    storage.heartbeat(FakeSession("s1", "ann", {}))  # type: ignore[arg-type]
    storage.delete(FakeSession("s1", "ann", {}))  # type: ignore[arg-type]
    assert storage.query("ann") == {"lang": "en"}  # the user's settings outlive the session


def test_redis_settings_are_a_hash_with_a_ttl_the_heartbeat_refreshes(redis_url: str) -> None:
    import redis

    storage = RedisStorage(redis_url, ttl=100, prefix="ttl:")
    storage.store(FakeSession("s9", "bo", {"a": "1", "b": "2"}))  # type: ignore[arg-type]
    raw = redis.Redis.from_url(redis_url, decode_responses=True)
    assert raw.hgetall("ttl:settings:bo") == {"a": "1", "b": "2"}
    raw.expire("ttl:settings:bo", 5)
    storage.heartbeat(FakeSession("s9", "bo", {}))  # type: ignore[arg-type]
    assert 95 <= raw.ttl("ttl:settings:bo") <= 100
    assert raw.get("ttl:session:s9") == "bo"
    storage.delete(FakeSession("s9", "bo", {}))  # type: ignore[arg-type]
    assert raw.get("ttl:session:s9") is None
    raw.close()
    storage.close()


def test_a_hub_on_redis_restores_settings_on_a_new_connection(redis_url: str) -> None:
    app = wtf.Server()
    storage = RedisStorage(redis_url, prefix="hub:")
    hub = Hub(storage=storage)

    @hub.method("login")
    def login(user: str, session: Session) -> dict[str, str]:
        session.bind(user)
        return session.settings

    @hub.method("set")
    def set_setting(key: str, value: str, session: Session) -> None:
        session.set_setting(key, value)

    app.websocket("/rt")(hub)
    with Client(app).hub("/rt") as first:
        assert first.call("login", user="cy") == {}
        first.call("set", key="color", value="teal")
    with Client(app).hub("/rt") as second:
        assert second.call("login", user="cy") == {"color": "teal"}
    storage.close()


def _write_from_another_process(path: str, user: str, rounds: int, start_at: float) -> None:
    storage = SQLiteStorage(path)
    storage.query("connect first")
    time.sleep(max(0.0, start_at - time.time()))  # every writer starts at once
    for i in range(rounds):
        storage.store(FakeSession(f"{user}-{i}", user, {"n": str(i)}))  # type: ignore[arg-type]


def test_sqlite_is_shared_by_processes_writing_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    SQLiteStorage(path).query("warm-up")  # the tables exist before the writers race
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 3.0  # after the spawned interpreters are up
    writers = [
        context.Process(target=_write_from_another_process, args=(path, f"user{n}", 500, start_at))
        for n in range(4)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    assert [writer.exitcode for writer in writers] == [0, 0, 0, 0]  # no "database is locked"
    reader = SQLiteStorage(path)
    assert [reader.query(f"user{n}") for n in range(4)] == [{"n": "499"}] * 4


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_sqlite_connections_of_ended_threads_and_close_release_their_files(
    tmp_path: Path,
) -> None:
    storage = SQLiteStorage(str(tmp_path / "s.db"))
    storage.query("warm-up")  # this thread's connection (the file, its WAL and index)
    baseline = open_fds()
    for _ in range(5):  # five threads, each with a connection of its own, then ended
        worker = threading.Thread(target=storage.query, args=("u",))
        worker.start()
        worker.join(10)
    assert open_fds() > baseline  # their connections are still open...
    storage.query("u")  # ...until a thread opens one: those of ended threads are closed
    worker = threading.Thread(target=storage.query, args=("u",))
    worker.start()
    worker.join(10)
    assert open_fds() <= baseline + 3  # at most one more connection's files
    storage.close()
    assert open_fds() < baseline
    assert storage.query("u") is None  # usable again after close()
    del storage
    gc.collect()  # a collected storage closes what it opened (no ResourceWarning)
    assert open_fds() < baseline


def test_closing_redis_storage_and_bus_releases_their_connections_and_threads(
    redis_url: str,
) -> None:
    from wtf.realtime import RedisBus

    baseline, threads = open_fds(), threading.active_count()
    storage = RedisStorage(redis_url, prefix=f"c{time.monotonic_ns()}:")
    storage.store(FakeSession("s1", "ann", {"a": "1"}))  # type: ignore[arg-type]
    bus = RedisBus(redis_url, prefix=f"c{time.monotonic_ns()}:")
    bus.opened("s1")  # the node starts: its reader and writer threads, their connections
    bus.joined("e", "room")()  # returns once Redis confirmed the subscription
    assert open_fds() > baseline and threading.active_count() == threads + 2
    storage.close()
    bus.close()
    assert open_fds() == baseline  # every socket closed now, none left to the collector
    assert threading.active_count() == threads
