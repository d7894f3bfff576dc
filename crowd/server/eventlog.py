"""The durable event log: SQLite in WAL mode, one writer task, group commit.

Inputs are acknowledged only after the transaction holding their events committed, so an
acknowledged vote survives `kill -9`. Batching many inputs into one transaction (every
few milliseconds or every N events) is what makes durability cheap at thousands of
inputs per second. `append` enqueues synchronously, so the log order is exactly the order
in which the engine applied the events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiosqlite

from crowd.errors import Unavailable
from crowd.events import Event

log = logging.getLogger(__name__)

#: Each entry upgrades the schema by one version (PRAGMA user_version).
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        room TEXT NOT NULL,
        type TEXT NOT NULL,
        client TEXT,
        seq INTEGER,
        data BLOB NOT NULL
    );
    CREATE INDEX events_room ON events (room, id);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(slots=True)
class _Batch:
    events: list[Event]
    done: asyncio.Future[None]
    queued_at: float = field(default_factory=time.monotonic)


class EventLog:
    def __init__(self, path: str | Path, *, commit_interval: float = 0.005,
                 max_batch: int = 2000, synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        self.commit_interval = commit_interval
        self.max_batch = max_batch
        self.synchronous = synchronous
        self._db: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[_Batch | None] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self.committed = 0
        self.last_commit_ms = 0.0

    async def open(self) -> None:
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute(f"PRAGMA synchronous={self.synchronous}")
        await self._migrate()
        self._writer = asyncio.create_task(self._write_loop(), name="eventlog-writer")

    async def _migrate(self) -> None:
        assert self._db is not None
        async with self._db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        version = row[0] if row else 0
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} has schema {version}, newer than this crowd "
                               f"({SCHEMA_VERSION}): upgrade crowd")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self._db.executescript(f"BEGIN; {script}; PRAGMA user_version={number}; COMMIT;")
            log.info("event log migrated to schema %d", number)

    async def close(self) -> None:
        if self._writer is not None:
            await self._queue.put(None)
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
        if self._db is not None:
            await self._db.close()
            self._db = None

    # ------------------------------------------------------------ meta

    async def get_meta(self, key: str) -> str | None:
        assert self._db is not None
        async with self._db.execute("SELECT value FROM meta WHERE key=?", (key,)) as cur:
            row = await cur.fetchone()
        return None if row is None else str(row[0])

    async def set_meta(self, key: str, value: str) -> None:
        assert self._db is not None
        await self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                               (key, value))

    # ------------------------------------------------------------ events

    def append(self, events: list[Event]) -> asyncio.Future[None]:
        """Queue events now (order is kept); the future resolves once they are committed."""
        if self._writer is None or self._writer.done():
            raise Unavailable("the event log is not running")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Batch(events, done))
        return done

    @property
    def lag(self) -> float:
        """Pending inputs waiting for a commit: an operator's early warning."""
        return float(self._queue.qsize())

    async def read(self, room: str | None = None, chunk: int = 20_000) -> AsyncIterator[Event]:
        """Every event in log order (optionally of one room), streamed in chunks."""
        async for events in self.read_chunks(room, chunk):
            for event in events:
                yield event

    async def read_chunks(self, room: str | None = None,
                          chunk: int = 50_000) -> AsyncIterator[list[Event]]:
        """The log in order, a list of events at a time (replay at start-up uses this:
        no per-event await, and never the whole log in memory)."""
        assert self._db is not None
        sql = "SELECT type, room, data, ts, client, seq FROM events"
        args: tuple[str, ...] = ()
        if room is not None:
            sql += " WHERE room=?"
            args = (room,)
        from_row = Event.from_row
        async with self._db.execute(sql + " ORDER BY id", args) as cur:
            while rows := await cur.fetchmany(chunk):
                yield [from_row(*row) for row in rows]

    async def count(self) -> int:
        assert self._db is not None
        async with self._db.execute("SELECT count(*) FROM events") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def _write_loop(self) -> None:
        assert self._db is not None
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            batches = [first]
            size = len(first.events)
            # Let concurrent inputs join this transaction: that is the group commit.
            if self.commit_interval > 0:
                await asyncio.sleep(self.commit_interval)
            while size < self.max_batch and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                batches.append(item)
                size += len(item.events)
            started = time.perf_counter()
            try:
                rows = [(e.ts, e.room, e.type, e.client, e.seq, e.pack_data())
                        for b in batches for e in b.events]
                await self._db.execute("BEGIN")
                await self._db.executemany(
                    "INSERT INTO events (ts, room, type, client, seq, data) "
                    "VALUES (?, ?, ?, ?, ?, ?)", rows)
                await self._db.execute("COMMIT")
            except Exception as exc:  # disk full, I/O error: refuse, never pretend
                log.exception("event log commit failed")
                with contextlib.suppress(Exception):
                    await self._db.execute("ROLLBACK")
                for b in batches:
                    if not b.done.done():
                        b.done.set_exception(Unavailable(f"could not store: {exc}"))
                continue
            self.last_commit_ms = (time.perf_counter() - started) * 1000
            self.committed += len(rows)
            for b in batches:
                if not b.done.done():
                    b.done.set_result(None)


# ---------------------------------------------------------------- read-only access for tools
# The timelapse, the exports and the benchmarks read a log (live or a copy) in a child
# process or a command, without an event loop: a plain read-only sqlite3 connection, the
# same rows and decoding as `EventLog.read`, at about half the CPU of aiosqlite.


def connect_readonly(db: str | Path) -> sqlite3.Connection:
    """A read-only connection: reading never migrates, never writes, never blocks the hub."""
    path = Path(db).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no event log at {path}")
    con = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        con.close()
        raise RuntimeError(f"{path} has schema {version}, newer than this crowd "
                           f"({SCHEMA_VERSION}): upgrade crowd")
    return con


def _where(rooms: list[str] | None) -> tuple[str, list[str]]:
    if not rooms:
        return "", []
    return f" WHERE room IN ({','.join('?' * len(rooms))})", list(rooms)


def iter_events_file(db: str | Path, rooms: list[str] | None = None) -> Iterator[Event]:
    """Events in log order from the SQLite file (live or a copy), on a connection of our own.

    The same rows and decoding as `EventLog.read`, without an event loop: the replay
    child, the CLI and the benchmark read a million events at half the CPU of aiosqlite.
    """
    con = connect_readonly(db)
    try:
        where, args = _where(rooms)
        cursor = con.execute("SELECT type, room, data, ts, client, seq FROM events"
                             + where + " ORDER BY id", args)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                yield Event.from_row(*row)
    finally:
        con.close()


def count_events(db: str | Path, rooms: list[str] | None = None) -> int:
    con = connect_readonly(db)
    try:
        where, args = _where(rooms)
        return int(con.execute("SELECT count(*) FROM events" + where, args).fetchone()[0])
    finally:
        con.close()
