"""End to end: a poll split by another poll's answers with the real server, real phones
and a real screen: the split arrives in the frames, small cells hidden."""

from __future__ import annotations

import csv
import io

import httpx

from crowd.clients import Panel, Phone, Screen
from tests.support import ServerProcess

# (who they are, what they vote): 9 producers say Oui, 3 producers Non, 8 eaters Non
PLAN = [(0, 0)] * 9 + [(0, 1)] * 3 + [(1, 1)] * 8


async def test_a_split_reaches_the_screen_with_small_cells_hidden(
        server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Marché")
        who = await panel.add_activity(room, kind="choice", prompt="Vous êtes ?",
                                       options=["Producteur", "Mangeur"])
        vote = await panel.add_activity(room, kind="choice", prompt="Un marché le jeudi ?",
                                        options=["Oui", "Non"])
        await panel.open(who)
        await panel.open(vote)
        await panel.project(vote)
        await panel.segment(vote, who)
        async with Screen.connect(server.url, room) as screen:
            for group, choice in PLAN:
                async with Phone.connect(server.url, room) as phone:
                    await phone.respond(vote, choice)  # the vote first, the group after
                    await phone.respond(who, group)
            frame = await screen.frame_where(
                lambda f: f.get("n") == 20 and f.get("split")
                and (f["split"]["segments"][1]["n"] or 0) == 8)
    producers, eaters = frame["split"]["segments"]
    assert frame["split"]["by"] == who and frame["split"]["prompt"] == "Vous êtes ?"
    assert producers["label"] == "Producteur" and producers["n"] == 12
    # 9 Oui / 3 Non: the 3 is hidden, and the 9 that the 12 would give it away with
    assert producers["counts"] == [None, None]
    # the column "Non" then needs a second hidden cell (the eaters' 8), and the eaters'
    # row, "0 and ?" of 8, its zero as well
    assert eaters["counts"] == [None, None] and eaters["n"] == 8
    assert 3 not in [c for s in frame["split"]["segments"] for c in s["counts"]]
    assert frame["counts"] == [9, 11]  # the whole room's figures are as before

    # the export (as an animator) names the split's rows by segment, hidden cells empty
    async with httpx.AsyncClient(base_url=server.url) as http:
        raw = (await http.get(f"/api/rooms/{room}/export/results.csv",
                              headers={"X-Crowd-Secret": server.secret})).content
    rows = [r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
            if r["activity"] == vote and r["measure"].startswith("split.segments")]
    sizes = {r["label"]: r["value"] for r in rows if r["measure"] == "split.segments.n"}
    assert sizes == {"Producteur": "12", "Mangeur": "8"}
    cells = {r["label"]: r["value"] for r in rows if r["measure"] == "split.segments.counts"}
    assert set(cells) == {"Producteur / Oui", "Producteur / Non", "Mangeur / Oui",
                          "Mangeur / Non"}
    assert set(cells.values()) == {""}  # all hidden here, never a 3
