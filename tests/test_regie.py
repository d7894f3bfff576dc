"""The control room against the real server: tiles of every room, a result pushed onto
another room's projector and brought back (its log keeps it: a restart shows the same),
the festival criée on every phone and projector of every room."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from crowd.clients import Panel, Phone, Screen
from crowd.core.errors import Conflict
from tests.inprocess import in_process_server
from tests.support import SECRET


async def test_push_a_result_to_another_projector_and_back(tmp_path: Path) -> None:
    db = tmp_path / "crowd.db"
    async with in_process_server(db) as (url, hub), Panel.connect(url, SECRET) as organiser:
        atelier = await organiser.create_room("Atelier pain")
        pleniere = await organiser.create_room("Plénière")
        poll = await organiser.add_activity(atelier, "choice", "Levain ?",
                                            options=["oui", "non"])
        own = await organiser.add_activity(pleniere, "choice", "On continue ?",
                                           options=["oui", "non"])
        await organiser.open(poll)
        async with Phone.connect(url, atelier) as phone:
            await phone.respond(poll, 0)
        await organiser.close(poll)
        await organiser.project(own, pleniere)
        async with Screen.connect(url, pleniere) as screen:
            assert screen.welcome["projected"]["activity"]["id"] == own
            # not revealed in its own room yet: refused, nothing changes
            with pytest.raises(Conflict):
                await organiser.push(pleniere, poll)
            assert hub.engine.rooms[pleniere].shown is None
            await organiser.reveal(poll)
            await organiser.push(pleniere, poll)
            projection = await screen.next_projection()
            while projection is None or projection["activity"]["id"] != poll:
                projection = await screen.next_projection()
            assert projection["snapshot"]["n"] == 1
            assert projection["snapshot"]["counts"] == [1, 0]
            await organiser.push(pleniere, None)  # back to its room
            projection = await screen.next_projection()
            assert projection["activity"]["id"] == own
    # the target room's log holds the push: after a restart, the same projection
    async with in_process_server(db) as (url, hub), Panel.connect(url, SECRET) as organiser:
        await organiser.push(pleniere, poll)
    async with in_process_server(db) as (url, hub), Screen.connect(url, pleniere) as screen:
        assert screen.welcome["projected"]["activity"]["id"] == poll
        # the room's replay still builds from a log that holds a push (it does not draw
        # the pushed result: the replay draws a room's own activities)
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            replay = await http.get(f"/replay/{pleniere}", headers={"X-Crowd-Secret": SECRET})
            assert replay.status_code == 200 and "<title>Plénière</title>" in replay.text


async def test_a_criee_call_pushed_to_the_plenary_stays_live_there(tmp_path: Path) -> None:
    async with in_process_server(tmp_path / "crowd.db") as (url, _hub), \
            Panel.connect(url, SECRET) as organiser:
        atelier = await organiser.create_room("Atelier cuisine")
        pleniere = await organiser.create_room("Plénière")
        call = await organiser.call(atelier, "Trois bras pour la vaisselle", 3)
        async with Screen.connect(url, pleniere) as screen, \
                Phone.connect(url, atelier) as one, Phone.connect(url, atelier) as two:
            await organiser.push(pleniere, call)
            projection = await screen.next_projection()
            assert projection["activity"]["id"] == call
            await one.volunteer(call)
            await two.volunteer(call)
            frame = await screen.frame_where(lambda f: f["activity"] == call and f["n"] == 2)
            assert frame["n"] == 2


async def test_tiles_and_the_festival_criee(tmp_path: Path) -> None:
    async with in_process_server(tmp_path / "crowd.db") as (url, _hub), \
            Panel.connect(url, SECRET) as organiser:
        rooms = [await organiser.create_room(f"Atelier {n}") for n in range(3)]
        poll = await organiser.add_activity(rooms[0], "choice", "Pain ?", options=["a", "b"])
        await organiser.open(poll)
        async with Phone.connect(url, rooms[0]) as one, Phone.connect(url, rooms[2]) as two, \
                Screen.connect(url, rooms[1]) as screen:
            await one.respond(poll, 1)
            first = await organiser.regie()
            tiles = {t["code"]: t for t in first["tiles"]}
            assert set(tiles) == set(rooms)
            assert tiles[rooms[0]]["phones"] == 1 and tiles[rooms[0]]["answers_1min"] == 1
            assert tiles[rooms[0]]["activity"]["id"] == poll
            assert tiles[rooms[1]]["screens"] == 1
            assert "no_projector" in tiles[rooms[0]]["warnings"]
            await organiser.festival_call("Deux chauffeurs à la gare, maintenant")
            for client in (one, two, screen):
                call = await client.conn.next("festival_call")
                assert call["call"]["text"] == "Deux chauffeurs à la gare, maintenant"
        # a projector that leaves: its tile says so at the next tick
        update = await organiser.next_tiles()
        while "projector_disconnected" not in {w for t in update["tiles"]
                                               if t["code"] == rooms[1] for w in t["warnings"]}:
            update = await organiser.next_tiles()
        assert update["festival_call"]["text"].startswith("Deux chauffeurs")
        async with Phone.connect(url, rooms[1]) as late:  # a phone joining later gets it
            assert late.welcome["festival_call"]["text"].startswith("Deux chauffeurs")
        await organiser.festival_call(None)
        async with Phone.connect(url, rooms[1]) as later:
            assert "festival_call" not in later.welcome
