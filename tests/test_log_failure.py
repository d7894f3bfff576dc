"""When the log cannot store (disk full), inputs are refused, never acknowledged.

The server runs in-process here (real uvicorn, real websockets, real SQLite file) so the
test can make SQLite itself fail: `PRAGMA max_page_count` caps the file, and inserts then
fail with SQLITE_FULL exactly as on a full disk.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crowd.clients import Panel, Phone
from crowd.core.errors import Unavailable
from tests.inprocess import in_process_server
from tests.support import SECRET


async def test_a_full_disk_stops_inputs_and_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "full.db"
    acknowledged: dict[str, int] = {}
    async with in_process_server(db) as (url, hub), Panel.connect(url, SECRET) as panel:
            room = await panel.create_room("Disque plein")
            act = await panel.add_activity(room, kind="estimate", prompt="?")
            await panel.open(act)
            async with Phone.connect(url, room) as phone:
                await phone.respond(act, 1.0)
                acknowledged[phone.device] = 1
                db_conn = hub.log._db
                async with db_conn.execute("PRAGMA page_count") as cur:
                    pages = (await cur.fetchone())[0]
                # the cap must hold on the connection that writes
                await hub.log.on_writer_connection(f"PRAGMA max_page_count = {pages}")
                refused = None
                for i in range(2, 5000):
                    try:
                        await phone.respond(act, float(i))
                        acknowledged[phone.device] = i
                    except Unavailable as exc:
                        refused = (i, exc)
                        break
                assert refused is not None, "the capped file never filled"
                with pytest.raises(Unavailable, match="restarted"):
                    await phone.respond(act, 99999.0)  # everything after is refused too
                assert hub.health()["status"] == "failed"
    # what a restart finds: exactly the acknowledged answer, not the refused ones
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    async with in_process_server(db) as (url, hub), \
            Phone.connect(url, room, device=next(iter(acknowledged))) as phone:
            assert phone.welcome["mine"] == {act: float(acknowledged[phone.device])}
