"""The durable event log: SQLite in WAL mode, one writer task, group commit, checkpoints.

Inputs are acknowledged only after the transaction holding their events committed, so an
acknowledged vote survives `kill -9`. Batching many inputs into one transaction (every
few milliseconds or every N events) is what makes durability cheap at thousands of
inputs per second. `append` enqueues synchronously, so the log order is exactly the order
in which the engine applied the events.

Writes go through a plain `sqlite3` connection on a thread of their own: one hand-off per
transaction (BEGIN, the inserts and COMMIT in one call), where aiosqlite would take
three. Reads, meta and migrations use aiosqlite. Every so many events the hub's engine
state is stored beside the events (a checkpoint), right after the batch whose last event
it covers (its own transaction, so it never costs an input): a restart loads it and
replays only the events after it.

A row replay cannot use — its data is not msgpack, or its event does not apply — is set
aside: it stays in `events` untouched, its id and the reason go to the `set_aside` table,
and every replay (the hub's, the export child's, the commands') skips it. One damaged row
costs that row (and the events that needed it), not the server; docs/reliability.md says
how to inspect them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

import aiosqlite

from crowd.core.errors import Unavailable
from crowd.core.events import Event

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
    """
    CREATE TABLE checkpoints (
        id INTEGER PRIMARY KEY,
        last_event INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        created REAL NOT NULL,
        state BLOB NOT NULL
    );
    """,
    """
    CREATE TABLE set_aside (
        id INTEGER PRIMARY KEY,  -- events.id; the row itself stays in events, untouched
        reason TEXT NOT NULL,
        found REAL NOT NULL
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
SET_ASIDE_SCHEMA = 3  # the first schema with the set_aside table

_INSERT = "INSERT INTO events (id, ts, room, type, client, seq, data) VALUES (?, ?, ?, ?, ?, ?, ?)"
T = TypeVar("T")


class Checkpoint(NamedTuple):
    """The engine's state after the event `last_event`, made by code of `fingerprint`."""

    last_event: int
    fingerprint: str
    state: bytes


class CheckpointSource(NamedTuple):
    """What the log needs from its owner to write checkpoints."""

    every: int  # events between two checkpoints
    fingerprint: str
    dump: Callable[[], bytes]  # the state now; called only when it equals the log


class _Commit(asyncio.Future[None]):
    """The future every input of one transaction waits on. Cancelling one waiting task
    must not cancel the others' wait (a task cancels the future it awaits): this one
    refuses, and a cancelled waiter gets its CancelledError once the commit is done."""

    def cancel(self, msg: Any = None) -> bool:
        return False


class EventLog:
    def __init__(self, path: str | Path, *, commit_interval: float = 0.005,
                 synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        self.commit_interval = commit_interval
        self.synchronous = synchronous
        self._db: aiosqlite.Connection | None = None
        # Events waiting for the next transaction, and the one future they all resolve
        # with: appending costs a list extend, not a future and a queue item per input.
        self._pending: list[Event] = []
        self._pending_done: _Commit | None = None
        self._kick = asyncio.Event()
        self._stop = False
        self._writer: asyncio.Task[None] | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._wdb: sqlite3.Connection | None = None  # used on self._thread only
        self._closing = False
        # Set once the owner's state may hold events the log does not (a refused append,
        # a failed commit): from then on no checkpoint is written.
        self._diverged = False
        self.checkpoints: CheckpointSource | None = None
        self.last_id = 0  # id of the last committed event
        self.checkpointed_id = 0  # last_event of the newest checkpoint
        self._attempted_id = 0  # last_event of the newest checkpoint tried (stored or not)
        self.checkpoint_ms = 0.0
        self.committed = 0
        self.last_commit_ms = 0.0
        self.unreadable = 0  # rows set aside (table set_aside): kept, never replayed

    async def open(self) -> None:
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute(f"PRAGMA synchronous={self.synchronous}")
        await self._migrate()
        async with self._db.execute("SELECT coalesce(max(id), 0) FROM events") as cur:
            self.last_id = int((await cur.fetchone() or (0,))[0])
        async with self._db.execute("SELECT coalesce(max(last_event), 0) FROM checkpoints") as cur:
            self.checkpointed_id = int((await cur.fetchone() or (0,))[0])
        async with self._db.execute("SELECT count(*) FROM set_aside") as cur:
            self.unreadable = int((await cur.fetchone() or (0,))[0])
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="eventlog-writer")
        self._wdb = await self._on_writer(self._connect_writer)
        self._closing = self._diverged = self._stop = False
        self._writer = asyncio.create_task(self._write_loop(), name="eventlog-writer")

    def _connect_writer(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute(f"PRAGMA synchronous={self.synchronous}")
        return db

    async def _on_writer(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn` on the writer's thread: the writing connection lives there."""
        assert self._thread is not None
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    async def on_writer_connection(self, sql: str) -> None:
        """Run one statement on the writing connection (a PRAGMA such as a size cap)."""
        await self._on_writer(lambda: self._writer_db().execute(sql))

    def _writer_db(self) -> sqlite3.Connection:
        assert self._wdb is not None
        return self._wdb

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
        """Commit what is queued, write a last checkpoint when the state allows, close."""
        self._closing = True
        if self._writer is not None:
            self._stop = True
            self._kick.set()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
        if self._thread is not None:
            if self._wdb is not None:
                await self._on_writer(self._writer_db().close)
                self._wdb = None
            self._thread.shutdown(wait=True)
            self._thread = None
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
        """Queue events now (order is kept); the future resolves once they are committed.

        Every input of one transaction shares its future: await it, never resolve it.
        """
        if self._writer is None or self._writer.done() or self._closing:
            self._diverged = True
            raise Unavailable(reason="log_stopped")
        self._pending.extend(events)
        done = self._pending_done
        if done is None:
            done = self._pending_done = _Commit()
            self._kick.set()
        return done

    def mark_diverged(self) -> None:
        """The owner's state may hold events this log will never get: no more
        checkpoints (a restart then rebuilds from the log alone, which heals it)."""
        self._diverged = True

    @property
    def lag(self) -> float:
        """Events waiting for a commit: an operator's early warning."""
        return float(len(self._pending))

    async def read(self, room: str | None = None, chunk: int = 20_000) -> AsyncIterator[Event]:
        """Every event in log order (optionally of one room), streamed in chunks."""
        async for events in self.read_chunks(room, chunk):
            for event in events:
                yield event

    async def read_chunks(self, room: str | None = None, chunk: int = 50_000,
                          after: int = 0) -> AsyncIterator[list[Event]]:
        """The log in order, a list of events at a time; `after` an event id. Like the
        tools' reads, it skips the rows set aside and any row whose data is unreadable."""
        unreadable: dict[int, str] = {}
        async for _, events in self._read(room, chunk, after, unreadable, skip_set_aside=True):
            yield events
        if unreadable:
            log.warning("unreadable event rows skipped: ids %s", describe_ids(unreadable))

    def read_numbered(self, after: int, unreadable: dict[int, str], chunk: int = 50_000
                      ) -> AsyncIterator[tuple[list[int], list[Event]]]:
        """(ids, events) of every row after event `after`, a chunk at a time: the replay
        at start-up (no per-event await, never the whole log in memory). Rows set aside
        before are read again (a row repaired since applies again); a row whose data
        cannot be read goes into `unreadable` (id -> reason) instead of failing the read."""
        return self._read(None, chunk, after, unreadable, skip_set_aside=False)

    async def _read(self, room: str | None, chunk: int, after: int,
                    unreadable: dict[int, str], *, skip_set_aside: bool
                    ) -> AsyncIterator[tuple[list[int], list[Event]]]:
        assert self._db is not None
        sql = "SELECT id, type, room, data, ts, client, seq FROM events WHERE id > ?"
        if skip_set_aside:
            sql += " AND id NOT IN (SELECT id FROM set_aside)"
        args: tuple[int | str, ...] = (after,)
        if room is not None:
            sql += " AND room=?"
            args = (after, room)
        async with self._db.execute(sql + " ORDER BY id", args) as cur:
            while rows := await cur.fetchmany(chunk):
                yield decode_rows(rows, unreadable)

    async def set_aside(self, found: dict[int, str], after: int) -> list[int]:
        """Record the rows a replay from event `after` could not use (id -> reason), in
        place of those recorded after `after` before (a row repaired since applies again);
        the rows themselves stay in `events`. Logs one warning listing every row set
        aside; returns their ids."""
        assert self._db is not None
        now = time.time()
        await self._db.execute("BEGIN")
        try:
            await self._db.execute("DELETE FROM set_aside WHERE id > ?", (after,))
            await self._db.executemany(
                "INSERT OR REPLACE INTO set_aside (id, reason, found) VALUES (?, ?, ?)",
                [(i, reason, now) for i, reason in sorted(found.items())])
            await self._db.execute("COMMIT")
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise
        async with self._db.execute("SELECT id FROM set_aside ORDER BY id") as cur:
            ids = [int(row[0]) for row in await cur.fetchall()]
        self.unreadable = len(ids)
        if ids:
            log.warning("%d event rows set aside: kept in the database, not replayed (table "
                        "set_aside, see docs/reliability.md): ids %s", len(ids),
                        describe_ids(ids))
        return ids

    async def latest_checkpoint(self) -> Checkpoint | None:
        assert self._db is not None
        async with self._db.execute("SELECT last_event, fingerprint, state FROM checkpoints "
                                    "ORDER BY id DESC LIMIT 1") as cur:
            row = await cur.fetchone()
        return None if row is None else Checkpoint(int(row[0]), str(row[1]), bytes(row[2]))

    async def count(self) -> int:
        assert self._db is not None
        async with self._db.execute("SELECT count(*) FROM events") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def _write_loop(self) -> None:
        while True:
            await self._kick.wait()
            self._kick.clear()
            if self._pending_done is not None and not self._stop and self.commit_interval > 0:
                # Let concurrent inputs join this transaction: that is the group commit.
                await asyncio.sleep(self.commit_interval)
            if self._pending_done is not None:
                events, done = self._pending, self._pending_done
                self._pending, self._pending_done = [], None
                await self._commit(events, done, self._due_checkpoint(len(events)))
            if self._stop and self._pending_done is None:
                break
        await self._commit([], None, self._due_checkpoint(0, force=True))

    async def checkpoint_now(self) -> None:
        """A checkpoint of the state as it is, if it holds events the newest one lacks.

        For start-up after a long replay (nothing is queued yet), so that a crash soon
        after does not replay the whole log again.
        """
        if self._pending_done is None:
            await self._commit([], None, self._due_checkpoint(0, force=True))

    def _due_checkpoint(self, size: int, force: bool = False) -> Checkpoint | None:
        """The state to store with this batch, when one is due.

        Called right after the batch was taken, with nothing pending behind it: the engine
        has then applied exactly the events up to the batch's last one (the hub applies
        and appends in one synchronous step).
        """
        source = self.checkpoints
        if source is None or self._diverged or self._pending:
            return None
        last = self.last_id + size
        pending = last - max(self.checkpointed_id, self._attempted_id)
        if pending <= 0 or (pending < source.every and not force):
            return None
        started = time.perf_counter()
        try:
            state = source.dump()
        except Exception:  # never let a checkpoint stop the log: restarts just replay more
            log.exception("could not take a checkpoint: checkpoints stop until restart")
            self.checkpoints = None
            return None
        self.checkpoint_ms = (time.perf_counter() - started) * 1000
        return Checkpoint(last, source.fingerprint, state)

    async def _commit(self, events: list[Event], done: _Commit | None,
                      checkpoint: Checkpoint | None) -> None:
        started = time.perf_counter()
        next_id = self.last_id + 1
        if not events and checkpoint is None:
            if done is not None and not done.done():
                done.set_result(None)
            return
        try:
            rows = [(next_id + i, e.ts, e.room, e.type, e.client, e.seq, e.pack_data())
                    for i, e in enumerate(events)]
            stored = await self._on_writer(self._write, rows, checkpoint)
        except Exception as exc:  # disk full, I/O error: refuse, never pretend
            log.exception("event log commit failed")
            self._diverged = True
            if done is not None and not done.done():
                done.set_exception(Unavailable(f"could not store: {exc}"))
                done.exception()  # retrieved here too: some inputs may no longer wait
            return
        self.last_commit_ms = (time.perf_counter() - started) * 1000
        self.last_id += len(rows)
        self.committed += len(rows)
        if checkpoint is not None:
            self._attempted_id = checkpoint.last_event  # failed: try again `every` later
        if checkpoint is not None and stored:
            self.checkpointed_id = checkpoint.last_event
            log.info("checkpoint after event %d (%.0f KiB, %.0f ms to take)",
                     checkpoint.last_event, len(checkpoint.state) / 1024, self.checkpoint_ms)
        if done is not None and not done.done():
            done.set_result(None)

    def _write(self, rows: list[tuple[Any, ...]], checkpoint: Checkpoint | None) -> bool:
        """On the writer's thread: the batch in one transaction (raises if it fails), then
        its checkpoint in another, so that a checkpoint can never cost an input (a full
        disk refuses the 5 MiB state before the next votes). True if the checkpoint was
        stored: it then holds exactly the events up to the batch's last one."""
        db = self._writer_db()
        if rows:
            with _transaction(db):
                db.executemany(_INSERT, rows)
        if checkpoint is None:
            return False
        try:
            store_checkpoint(db, checkpoint)
        except sqlite3.Error:
            log.exception("could not store a checkpoint (the events are stored)")
            return False
        return True


def store_checkpoint(db: sqlite3.Connection, checkpoint: Checkpoint) -> None:
    """Replace the stored checkpoint, in one transaction (only the newest is ever used)."""
    with _transaction(db):
        db.execute("DELETE FROM checkpoints")
        db.execute("INSERT INTO checkpoints (last_event, fingerprint, created, state) "
                   "VALUES (?, ?, ?, ?)", (checkpoint.last_event, checkpoint.fingerprint,
                                           time.time(), checkpoint.state))


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


# ---------------------------------------------------------------- rows replay cannot use


class Replayer(Protocol):
    """What `replay_rows` needs of an engine (crowd.core.engine.Engine)."""

    applied: int

    def replay(self, events: Iterable[Event]) -> int: ...


def _reason(what: str, exc: BaseException) -> str:
    return f"{what}: {type(exc).__name__}: {exc}"[:300]


def decode_rows(rows: Sequence[Sequence[Any]], unreadable: dict[int, str]
                ) -> tuple[list[int], list[Event]]:
    """(ids, events) of rows `(id, type, room, data, ts, client, seq)`; a row whose data
    is not msgpack goes into `unreadable` (id -> reason) instead."""
    from_row = Event.from_row
    try:  # the usual case, at full speed
        return ([row[0] for row in rows],
                [from_row(t, r, d, ts, c, s) for _, t, r, d, ts, c, s in rows])
    except Exception:
        pass  # which row, and why: one at a time below
    ids, events = [], []
    for row in rows:
        try:
            events.append(from_row(*row[1:]))
        except Exception as exc:  # any damage sets the row aside
            unreadable[row[0]] = _reason("unreadable data", exc)
        else:
            ids.append(row[0])
    return ids, events


def replay_rows(engine: Replayer, ids: Sequence[int], events: Sequence[Event],
                unreadable: dict[int, str]) -> int:
    """Replay `events` (whose row ids are `ids`) and return how many applied.

    An event the engine cannot apply (an unknown type, a missing field, an activity that
    is not there) goes into `unreadable`, and replay goes on. Events that needed it (the
    votes of an activity whose creation was lost) then fail the same way and are set
    aside too; events that apply without it are kept. The usual case costs nothing: the
    engine replays the whole chunk, and only a chunk with a failure goes event by event.
    """
    before = engine.applied
    try:
        return engine.replay(events)
    except Exception as exc:  # the engine counts what it applied
        done = engine.applied - before  # events[done] failed; it is not tried again
        unreadable[ids[done]] = _reason("does not apply", exc)
    count = done
    for i in range(done + 1, len(events)):
        try:
            count += engine.replay((events[i],))
        except Exception as exc:
            unreadable[ids[i]] = _reason("does not apply", exc)
    return count


def describe_ids(ids: Iterable[int], limit: int = 50) -> str:
    """`3, 7, 12-40, ...`: row ids for a log line, runs folded, at most `limit` items."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    text = [str(a) if a == b else f"{a}-{b}" for a, b in runs[:limit]]
    if len(runs) > limit:
        text.append(f"... ({len(runs) - limit} more)")
    return ", ".join(text)


def check_file(db: str | Path) -> str | None:
    """Why the SQLite file `db` cannot be served, in one line; None if it can (or is new).

    SQLite's quick_check reads every page (a quarter of a second per million events):
    a damaged file is refused here with a readable message, before anything starts,
    instead of a traceback in the middle of the replay. (`PRAGMA integrity_check` also
    compares indexes with their tables, at three times the cost: run it by hand.)
    """
    path = Path(db)
    if not path.exists():
        return None
    damaged = (f"{path} is damaged (SQLite: {{}}): keep it for inspection, and restore a "
               "copy or start on a new --db (docs/reliability.md)")
    try:
        con = sqlite3.connect(path)
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            problems = [str(row[0]) for row in con.execute("PRAGMA quick_check(3)")]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            return f"{path} is not a SQLite database: give the file `crowd serve` writes"
        return damaged.format(exc)
    if problems != ["ok"]:
        return damaged.format(" ".join(" ".join(problems).split())[:200])  # one line
    if version > SCHEMA_VERSION:
        return (f"{path} has schema {version}, newer than this crowd ({SCHEMA_VERSION}): "
                "upgrade crowd")
    return None


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


def _where(con: sqlite3.Connection, rooms: list[str] | None) -> tuple[str, list[str]]:
    """The WHERE clause of a tool's read: its rooms, never the rows set aside."""
    terms, args = [], list(rooms or ())
    if rooms:
        terms.append(f"room IN ({','.join('?' * len(rooms))})")
    if con.execute("PRAGMA user_version").fetchone()[0] >= SET_ASIDE_SCHEMA:
        terms.append("id NOT IN (SELECT id FROM set_aside)")
    return (" WHERE " + " AND ".join(terms) if terms else ""), args


def iter_events_file(db: str | Path, rooms: list[str] | None = None) -> Iterator[Event]:
    """Events in log order from the SQLite file (live or a copy), on a connection of our own.

    The same rows and decoding as `EventLog.read`, without an event loop: the replay
    child, the CLI and the benchmark read a million events at half the CPU of aiosqlite.
    Rows the server set aside are skipped, and so is a row whose data cannot be read
    (one warning at the end lists them).
    """
    con = connect_readonly(db)
    unreadable: dict[int, str] = {}
    try:
        where, args = _where(con, rooms)
        cursor = con.execute("SELECT id, type, room, data, ts, client, seq FROM events"
                             + where + " ORDER BY id", args)
        while rows := cursor.fetchmany(5000):
            yield from decode_rows(rows, unreadable)[1]
    finally:
        con.close()
    if unreadable:
        log.warning("unreadable event rows skipped in %s: ids %s", db,
                    describe_ids(unreadable))


def count_events(db: str | Path, rooms: list[str] | None = None) -> int:
    con = connect_readonly(db)
    try:
        where, args = _where(con, rooms)
        return int(con.execute("SELECT count(*) FROM events" + where, args).fetchone()[0])
    finally:
        con.close()
