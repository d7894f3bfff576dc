"""Scheduled actions across a kill -9 of the real server: due while it was down, they
fire at its start, once; after another kill and restart they do not fire again."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import msgpack

from crowd.clients import Panel, Phone
from tests.support import ServerProcess, wait_for


def scheduled_events(db: Path) -> list[tuple[str, Any]]:
    """The opened / closed / scheduled events in the log, in order."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT type, data FROM events WHERE type IN "
                            "('opened', 'closed', 'scheduled') ORDER BY id").fetchall()
    return [(t, msgpack.unpackb(d, raw=False)) for t, d in rows]


async def states_when(panel: Panel, room: str, wanted: dict[str, str]) -> dict[str, str]:
    """The room's states once they are `wanted` (awaiting the panel's room messages)."""
    state = await panel.watch(room)
    while True:
        states = {a["id"]: a["state"] for a in state["activities"]}
        if all(states[k] == v for k, v in wanted.items()):
            return states
        state = (await panel.conn.next("room", timeout=10.0))["room"]


async def test_actions_due_during_downtime_fire_on_start_once(
        fresh_server: ServerProcess) -> None:
    server = fresh_server
    due = time.time() + 8.0  # time enough to prepare, even on a busy machine
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Atelier pain")
        opens = await panel.add_activity(room, kind="choice", prompt="Levain ou levure ?",
                                         options=["levain", "levure"], open_at=due,
                                         close_at=due + 3600)
        closes = await panel.add_activity(room, kind="choice", prompt="Four à bois ?",
                                          options=["oui", "non"], close_at=due)
        await panel.open(closes)
        async with Phone.connect(server.url, room) as phone:
            await phone.respond(closes, 0)
            device = phone.device
    assert time.time() < due, "the server must go down before the due time"
    server.kill()
    wait_for(lambda: time.time() > due + 0.5, 15.0, "the due time to pass, server down")
    server.start()

    async with Panel.connect(server.url, server.secret) as panel:
        states = await states_when(panel, room, {opens: "open", closes: "closed"})
        assert states == {opens: "open", closes: "closed"}
    log = scheduled_events(server.db)
    assert [(t, d["id"], d.get("action")) for t, d in log] == [
        ("opened", closes, None),  # by hand, before the kill
        ("opened", opens, None), ("scheduled", opens, "open"),  # at the start, once each
        ("closed", closes, None), ("scheduled", closes, "close")]
    # the phone answers the vote that opened by itself, its earlier answer kept
    async with Phone.connect(server.url, room, device=device) as phone:
        assert phone.welcome["mine"] == {}  # the closed vote's result is not revealed
        await phone.respond(opens, 1)

    # another kill -9 and restart, with a third vote due while down: it opens at the
    # start's first tick, and that same pass fires nothing a second time
    later = time.time() + 5.0
    async with Panel.connect(server.url, server.secret) as panel:
        third = await panel.add_activity(room, kind="choice", prompt="Pain au sarrasin ?",
                                         options=["oui", "non"], open_at=later)
    assert time.time() < later, "the server must go down before the due time"
    server.kill()
    wait_for(lambda: time.time() > later + 0.5, 10.0, "the third due time to pass")
    server.start()
    async with Panel.connect(server.url, server.secret) as panel:
        await states_when(panel, room, {opens: "open", closes: "closed", third: "open"})
        state = await panel.watch(room)
        assert {a["id"]: a["n"] for a in state["activities"]} == {opens: 1, closes: 1,
                                                                  third: 0}
    now_log = scheduled_events(server.db)
    assert now_log[:len(log)] == log
    assert [(t, d["id"]) for t, d in now_log[len(log):]] == [("opened", third),
                                                            ("scheduled", third)]
