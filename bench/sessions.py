"""What the session storage hook costs per bind (query + store) and per settings change
(store), for each shipped storage: MemoryStorage, SQLiteStorage (a file, WAL) and RedisStorage
(a redis-server started here on a free 127.0.0.1 port, stopped by PID). ``make bench-sessions``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.realtime.redis_server import redis_server
from wtf.realtime import MemoryStorage, RedisStorage, SQLiteStorage


class _Session:
    def __init__(self, n: int) -> None:
        self.id = f"session-{n}"
        self.user_id = f"user-{n % 100}"
        self.ip = "127.0.0.1"
        self.settings = {"theme": "dark", "lang": "en", "n": str(n)}


def per_op(storage: Any, what: str, count: int, repeats: int) -> float:
    """Median microseconds per operation."""
    sessions = [_Session(n) for n in range(count)]
    results = []
    for _ in range(repeats):
        began = time.perf_counter()
        for session in sessions:
            if what == "bind":
                storage.query(session.user_id)
            storage.store(session)
        results.append((time.perf_counter() - began) / count * 1e6)
    return statistics.median(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"# session storage, µs per operation (median of {args.repeats} x {args.count})")
    print("| storage | bind (query + store) | settings change (store) |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp, redis_server() as url:
        storages = {
            "MemoryStorage": MemoryStorage(),
            "SQLiteStorage (WAL, synchronous=NORMAL)": SQLiteStorage(str(Path(tmp) / "s.db")),
            "RedisStorage (loopback)": RedisStorage(url),
        }
        for name, storage in storages.items():
            bind = per_op(storage, "bind", args.count, args.repeats)
            change = per_op(storage, "set", args.count, args.repeats)
            print(f"| {name} | {bind:,.1f} | {change:,.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
