"""Damaged event rows cost those rows, not the server: a restart sets them aside (kept in
the database, counted in /healthz, listed in one warning) and every replay skips them."""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
import sys
from pathlib import Path

import httpx
import msgpack

from crowd.clients import Panel, Phone
from crowd.server.eventlog import describe_ids
from tests.support import SECRET, ServerProcess

ANIMATOR = {"X-Crowd-Secret": SECRET}


async def _session(server: ServerProcess) -> tuple[str, str, str]:
    """A room with two choice polls, three phones voting on both."""
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Abîmée")
        kept = await panel.add_activity(room, "choice", "Gardée ?", options=["a", "b"])
        lost = await panel.add_activity(room, "choice", "Perdue ?", options=["a", "b"])
        await panel.open(kept)
        await panel.open(lost)
        for _ in range(3):
            async with Phone.connect(server.url, room) as phone:
                await phone.respond(kept, 0)
                await phone.respond(lost, 1)
    return room, kept, lost


def _rows(db: Path) -> list[tuple[int, str, dict[str, object]]]:
    with sqlite3.connect(db) as con:
        found = [(i, t, msgpack.unpackb(d, raw=False))
                 for i, t, d in con.execute("SELECT id, type, data FROM events ORDER BY id")]
    con.close()
    return found


def _damage(db: Path, changes: dict[int, bytes], extra_type: str | None = None) -> None:
    with sqlite3.connect(db) as con:
        for row, data in changes.items():
            con.execute("UPDATE events SET data=? WHERE id=?", (data, row))
        if extra_type is not None:  # an event this build does not know
            con.execute("INSERT INTO events (ts, room, type, data) SELECT ts, room, ?, data "
                        "FROM events ORDER BY id DESC LIMIT 1", (extra_type,))
    con.close()


async def _exports(server: ServerProcess, room: str) -> tuple[dict[str, object], int]:
    """The animator's results, after checking the replay page and the raw log answer."""
    async with httpx.AsyncClient(base_url=server.url, headers=ANIMATOR, timeout=60) as http:
        replay = await http.get(f"/replay/{room}")
        assert replay.status_code == 200, replay.text[:300]
        raw = await http.get(f"/api/rooms/{room}/export/events.msgpack")
        assert raw.status_code == 200, raw.text[:300]
        results = (await http.get(f"/api/rooms/{room}/export/results.json")).json()
        summary = await http.get(f"/api/rooms/{room}/export/summary")
        assert summary.status_code == 200, summary.text[:300]
    return results, len(list(msgpack.Unpacker(io.BytesIO(raw.content), raw=False)))


async def test_damaged_rows_are_set_aside_and_every_replay_skips_them(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "crowd.db", secret=SECRET)
    server.start()
    try:
        room, kept, lost = await _session(server)
    finally:
        server.kill()  # no checkpoint at the end: the restart replays the whole log
    rows = _rows(server.db)
    votes = [i for i, t, d in rows if t == "responded" and d["id"] == kept]
    added = next(i for i, t, d in rows if t == "activity_added" and d["id"] == lost)
    needing_it = [i for i, t, d in rows if d.get("id") == lost and i != added]
    # not msgpack; msgpack that does not apply (no spec); an unknown event type
    _damage(server.db, {votes[0]: b"\xc1\x00", added: msgpack.packb({"id": lost})},
            "from_2030")
    unknown = len(rows) + 1
    expected = sorted([votes[0], added, *needing_it, unknown])

    server.start()
    try:
        health = server.health()
        assert health["status"] == "ok"
        assert health["eventlog"]["unreadable"] == len(expected)  # type: ignore[index]
        results, records = await _exports(server, room)
        assert [a["id"] for a in results["activities"]] == [kept]  # type: ignore[index]
        assert results["activities"][0]["snapshot"]["counts"] == [2, 0]  # type: ignore[index]
        assert records == len(rows) - len(expected) + 1  # the unknown row is not this room's
        out = tmp_path / "out"
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "crowd", "export", "--db", str(server.db), "--room", room,
            "-o", str(out), stderr=asyncio.subprocess.PIPE)
        _, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
    finally:
        server.stop()  # a clean stop writes a checkpoint covering the whole log
    warnings = [line for line in server.log_path.read_text().splitlines()
                if "set aside" in line and "WARNING" in line]
    assert len(warnings) == 1 and warnings[0].endswith("ids " + describe_ids(expected))
    with sqlite3.connect(server.db) as con:
        aside = [row[0] for row in con.execute("SELECT id FROM set_aside ORDER BY id")]
        kept_bytes = con.execute("SELECT data FROM events WHERE id=?", (votes[0],)).fetchone()
    con.close()
    assert aside == expected and kept_bytes[0] == b"\xc1\x00"  # in place, untouched

    # A row damaged under the checkpoint: the restart never reads it, the export child
    # does, and skips it.
    opened = next(i for i, t, d in rows if t == "opened" and d["id"] == kept)
    _damage(server.db, {votes[1]: b"\xc1", opened: b"\xc1"})
    server.start()
    try:
        assert server.health()["replayed_events"] == 0
        results, records = await _exports(server, room)
        assert results["activities"][0]["snapshot"]["counts"] == [2, 0]  # type: ignore[index]
        assert records == len(rows) - len(expected) + 1 - 2
    finally:
        server.stop()
    skipped = describe_ids(sorted([votes[1], opened]))
    assert re.search(rf"unreadable event rows skipped in .*: ids {skipped}\n",
                     server.log_path.read_text())
