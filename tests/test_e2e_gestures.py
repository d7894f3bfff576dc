"""Gestures end to end: phones stream values, the projector's frames follow."""

from __future__ import annotations

import asyncio

import pytest

from crowd.clients import Panel, Phone, Screen
from crowd.core.errors import BadValue
from tests.support import ServerProcess


async def test_temperature_stream_reaches_the_screen(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Température")
        act = await panel.add_activity(room, kind="temperature", prompt="Ce projet ?",
                                       left="froid", right="brûlant")
        await panel.open(act)
        await panel.project(act)
    async with Screen.connect(server.url, room) as screen:
        phones = [Phone.connect(server.url, room) for _ in range(12)]
        clients = [await p.__aenter__() for p in phones]
        try:
            for step in range(5):  # each phone slides five times; the last value counts
                await asyncio.gather(*(c.respond(act, (-0.9 if i % 2 else 0.9) * step / 4)
                                       for i, c in enumerate(clients)))
            frame = await screen.frame_where(lambda f: f["n"] == 12 and f["std"] > 0.8)
            assert frame["polarisation"] > 0.9 and abs(frame["mean"]) < 1e-6
            with pytest.raises(BadValue):
                await clients[0].respond(act, 2.0)
        finally:
            for p in phones:
                await p.__aexit__(None, None, None)


async def test_influence_round_end_to_end(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Sagesse")
        first = await panel.add_activity(room, kind="estimate", prompt="Poids de la vache ?",
                                         unit="lb")
        await panel.open(first)
        await panel.project(first)
        async with Phone.connect(server.url, room) as a, Phone.connect(server.url, room) as b, \
                Screen.connect(server.url, room) as screen:
            await a.respond(first, 1000)
            await b.respond(first, 2000)
            reply = await panel.conn.request("influence_round", activity=first)
            second = reply["activity"]
            opened = await a.next_activity()
            while opened["id"] != second:
                opened = await a.next_activity()
            assert opened["social"]["median"] == 1500 and opened["state"] == "open"
            await a.respond(second, 1300)  # both move towards the crowd's median
            await b.respond(second, 1500)
            await panel.conn.request("set_truth", activity=second, value=1355)
            frame = await screen.frame_where(
                lambda f: f["activity"] == second and f["n"] == 2 and f["truth"] == 1355)
            assert frame["round1"]["median"] == 1500
            assert frame["influence"]["spread_change"] < 0
            assert frame["influence"]["improved"] is True
