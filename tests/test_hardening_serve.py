"""`crowd serve` refuses what it cannot serve in one line on stderr, before any banner:
a port already taken, a database file SQLite finds damaged."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from crowd.core import events as ev
from crowd.core.events import Event
from crowd.server.eventlog import EventLog
from tests.support import free_port


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROWD_")}
    return subprocess.run([sys.executable, "-m", "crowd", "serve", "--host", "127.0.0.1",
                           *args], capture_output=True, text=True, env=env, timeout=60)


def test_a_port_in_use_is_said_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve("--port", str(port), "--db", str(tmp_path / "crowd.db"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"crowd: port {port} is already in use on 127.0.0.1 (another crowd serve?): "
        "choose another with --port"]
    assert "secret" not in done.stdout.lower() and not (tmp_path / "crowd.db").exists()


async def _log_with_events(db: Path, count: int) -> None:
    log = EventLog(db, commit_interval=0)
    await log.open()
    try:
        await log.append([Event(ev.NICKNAMED, "ROOM", {"device": f"d{n}", "name": "x" * 200},
                                1.0 + n, f"d{n}", 1) for n in range(count)])
    finally:
        await log.close()


async def test_a_damaged_database_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "crowd.db"
    await _log_with_events(db, 3000)
    with open(db, "r+b") as f:  # what a failing disk does to a few pages
        for page in (3, 20, 60):
            f.seek(page * 4096)
            f.write(b"\xff" * 4096)
    done = serve("--port", str(free_port()), "--db", str(db))
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and " is damaged (SQLite: " in lines[0], done.stderr
    assert "secret" not in done.stdout.lower()
    junk = tmp_path / "notes.db"
    junk.write_text("not a database at all\n" * 500)
    done = serve("--port", str(free_port()), "--db", str(junk))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not a SQLite database" in lines[0], done.stderr


async def test_a_start_that_fails_exits_instead_of_hanging(tmp_path: Path) -> None:
    """The event log's threads (aiosqlite's, the writer's) used to keep a server whose
    start failed alive forever, after 'Application startup failed'."""
    db = tmp_path / "crowd.db"
    await _log_with_events(db, 1)
    with sqlite3.connect(db) as con:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('device_key', 'not hex')")
    con.close()
    done = serve("--port", str(free_port()), "--db", str(db))  # a hang fails on timeout
    assert done.returncode != 0 and "startup failed" in done.stderr
