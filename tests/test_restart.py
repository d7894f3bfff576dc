"""kill -9 and restart on the same SQLite file: everything acknowledged is back."""

from __future__ import annotations

import asyncio
import sqlite3

from crowd.clients import Panel, Phone, Screen
from tests.support import ServerProcess


async def test_state_survives_kill_9(fresh_server: ServerProcess) -> None:
    server = fresh_server
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Plénière samedi")
        polls = [await panel.add_activity(room, kind="choice", prompt=f"Q{i}",
                                          options=["a", "b", "c"]) for i in range(3)]
        grades = await panel.add_activity(room, kind="grades", prompt="Notez",
                                          options=["x", "y"])
        for act in (polls[0], polls[1], grades):
            await panel.open(act)
        await panel.project(polls[0])
        devices = []
        phones = [Phone.connect(server.url, room) for _ in range(20)]
        entered = [await p.__aenter__() for p in phones]
        try:
            await asyncio.gather(*(p.respond(polls[0], i % 3) for i, p in enumerate(entered)))
            await asyncio.gather(*(p.respond(grades, [i % 7, 6]) for i, p in
                                   enumerate(entered)))
            await entered[0].respond(polls[1], 2)
            await entered[0].nick("Léa")
            devices = [p.device for p in entered]
        finally:
            for p in phones:
                await p.__aexit__(None, None, None)
        await panel.close(polls[1])
        await panel.reveal(polls[1])

    server.kill()
    server.start()

    with sqlite3.connect(server.db) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    async with Screen.connect(server.url, room) as screen:
        projection = screen.welcome["projected"]
        assert projection["activity"]["id"] == polls[0]
        assert projection["snapshot"]["counts"] == [7, 7, 6]
    async with Phone.connect(server.url, room, device=devices[0]) as phone:
        states = {a["id"]: a["state"] for a in phone.welcome["activities"]}
        assert states == {polls[0]: "open", polls[1]: "closed", grades: "open"}
        assert phone.welcome["mine"] == {polls[0]: 0, polls[1]: 2, grades: [0, 6]}
        assert phone.welcome["results"][polls[1]]["counts"] == [0, 0, 1]
        assert phone.welcome["nick"] == "Léa"
        # a resend of an input acknowledged before the crash is recognised, not recounted
        again = await phone.respond(polls[0], 0, seq=1)
        assert again["dup"] is True
    async with Panel.connect(server.url, server.secret) as panel:
        state = await panel.watch(room)
        assert [a["id"] for a in state["activities"]] == [*polls, grades]
        assert [a["n"] for a in state["activities"]] == [20, 1, 0, 20]
        assert server.health()["replayed_events"] > 40
