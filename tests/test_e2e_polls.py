"""End to end: the real server, real websocket clients, a real SQLite file."""

from __future__ import annotations

import asyncio

import pytest

from crowd.clients import Panel, Phone, Screen
from crowd.core.errors import BadValue, Forbidden, NotOpen, UnknownActivity
from tests.support import ServerProcess


async def test_vote_reaches_screen_and_changes_are_latest_wins(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Plénière samedi")
        act = await panel.add_activity(room, kind="choice", prompt="Pain ou brioche ?",
                                       options=["pain", "brioche", "les deux"])
        await panel.open(act)
        await panel.project(act)
        async with Screen.connect(server.url, room) as screen:
            assert screen.welcome["projected"]["activity"]["id"] == act
            async with Phone.connect(server.url, room) as a, Phone.connect(server.url, room) as b:
                assert [x["id"] for x in a.open_activities()] == [act]
                await a.respond(act, 1)
                await b.respond(act, 1)
                frame = await screen.frame_where(lambda f: f["n"] == 2)
                assert frame["activity"] == act and frame["counts"] == [0, 2, 0]
                await a.respond(act, 2)  # a changes its mind: latest wins
                frame = await screen.frame_where(lambda f: f["counts"] == [0, 1, 1])
                assert frame["n"] == 2


async def test_refusals_are_typed_and_change_nothing(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Atelier")
        act = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b"])
        async with Phone.connect(server.url, room) as phone:
            with pytest.raises(NotOpen):
                await phone.respond(act, 0)
            await panel.open(act)
            with pytest.raises(BadValue):
                await phone.respond(act, 7)
            with pytest.raises(UnknownActivity):
                await phone.respond("ZZZZ-1", 0)
            with pytest.raises(Forbidden):
                await phone.conn.request("close", activity=act)
            await phone.respond(act, 0)
            await panel.close(act)
            with pytest.raises(NotOpen):
                await phone.respond(act, 1)
            await panel.reveal(act)
            result = await phone.next_result()
            assert result["snapshot"]["counts"] == [1, 0]


async def test_same_device_comes_back(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Retour")
        act = await panel.add_activity(room, kind="approval", prompt="?", options=["a", "b", "c"])
        await panel.open(act)
    async with Phone.connect(server.url, room) as phone:
        await phone.respond(act, [0, 2])
        device = phone.device
    async with Phone.connect(server.url, room, device=device) as again:
        assert again.device == device
        assert again.welcome["mine"] == {act: [0, 2]}


async def test_resent_seq_is_acknowledged_not_counted_twice(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Idem")
        act = await panel.add_activity(room, kind="estimate", prompt="Poids ?", unit="kg")
        await panel.open(act)
        await panel.watch(room)
        async with Phone.connect(server.url, room) as phone:
            first = await phone.respond(act, 600, seq=10)
            again = await phone.respond(act, 600, seq=10)
            assert "dup" not in first and again["dup"] is True
            frame = await panel.next_frame()
            while frame["n"] != 1 or frame["median"] != 600:
                frame = await asyncio.wait_for(panel.next_frame(), 5)
