"""Resume: clients cut at random while messages flow get exactly what they missed.

Fast by default; `CROWD_HEAVY=1` runs the full version (5,000 messages).
"""

from __future__ import annotations

import asyncio
import os
import random
from typing import Any

from crowd.clients import Connection, Panel, Phone, Screen
from tests.support import ServerProcess

HEAVY = os.environ.get("CROWD_HEAVY") == "1"
MESSAGES = 5000 if HEAVY else 600
PHONES, SCREENS = 30, 20


class Follower:
    """One client kept alive across random cuts; remembers every numbered message."""

    def __init__(self, url: str, room: str, role: str) -> None:
        self.url, self.room, self.role = url, room, role
        self.conn: Connection | None = None
        self.seen: list[int] = []
        self.resumes = 0
        self.refused = 0
        self.device: str | None = None
        self.start = 0  # the stream position of the first welcome

    async def connect(self, resume: dict[str, Any] | None = None) -> None:
        hello: dict[str, Any] = {"role": self.role, "room": self.room, "device": self.device,
                                 "resume": resume}
        self.conn = await Connection.open(self.url, hello)
        self.device = self.conn.welcome["you"]["device"]
        if resume is None:
            self.start = self.conn.welcome["rs"]
        else:
            if self.conn.welcome["resumed"]:
                self.resumes += 1
            else:
                self.refused += 1

    def harvest(self) -> None:
        assert self.conn is not None
        self.seen += [n for stream, n in self.conn.numbered if stream == "rs"]
        self.conn.numbered.clear()

    async def cut_and_resume(self) -> None:
        assert self.conn is not None
        self.conn.abort()
        await self.conn.wait_closed()  # frames already buffered are still read
        self.harvest()
        await self.connect(resume=self.conn.resume_token())


async def test_resume_after_random_cuts_misses_nothing(server: ServerProcess) -> None:
    rng = random.Random(2026)
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Reprise")
        acts = [await panel.add_activity(room, kind="choice", prompt=f"Q{i}", options=["a", "b"])
                for i in range(8)]
        for act in acts:
            await panel.open(act)
    followers = [Follower(server.url, room, "phone") for _ in range(PHONES)]
    followers += [Follower(server.url, room, "screen") for _ in range(SCREENS)]
    await asyncio.gather(*(f.connect() for f in followers))
    assert {f.start for f in followers if f.role == "phone"} == {len(acts)}  # the 8 opens

    stop = asyncio.Event()

    async def cutter() -> None:
        while not stop.is_set():
            await asyncio.gather(*(f.cut_and_resume() for f in rng.sample(followers, 5)))

    async def drive(act: str, rounds: int) -> None:
        async with Panel.connect(server.url, server.secret) as p:
            for i in range(rounds):
                await p.reveal(act, on=i % 2 == 0)  # phones: activity (+ result when on)
                await p.project(act)  # screens: projected

    cutting = asyncio.create_task(cutter())
    rounds = MESSAGES // (len(acts) * 3 // 2) + 1
    await asyncio.gather(*(drive(act, rounds) for act in acts))
    stop.set()
    await cutting

    # the heads of both channels, as a newcomer sees them
    async with Phone.connect(server.url, room) as p, Screen.connect(server.url, room) as s:
        heads = {"phone": p.welcome["rs"], "screen": s.welcome["rs"]}
    assert heads["phone"] >= MESSAGES
    assert heads["screen"] >= MESSAGES // 3

    async def caught_up(f: Follower) -> None:
        assert f.conn is not None
        while f.conn.rs < heads[f.role]:
            await asyncio.sleep(0.01)  # polling a counter the reader task advances
    await asyncio.wait_for(asyncio.gather(*(caught_up(f) for f in followers)), 30)
    for f in followers:
        f.harvest()
    missed = sum(heads[f.role] - f.start - len(set(f.seen)) for f in followers)
    duplicates = sum(len(f.seen) - len(set(f.seen)) for f in followers)
    out_of_order = sum(f.seen != sorted(f.seen) for f in followers)
    resumes = sum(f.resumes for f in followers)
    refused = sum(f.refused for f in followers)
    print(f"\nresume: {len(followers)} clients, {heads['phone']} phone and {heads['screen']} "
          f"screen messages, {resumes} resumes ({refused} refused): missed={missed} "
          f"duplicates={duplicates} out_of_order={out_of_order}")
    assert resumes > 20 and refused == 0
    assert (missed, duplicates, out_of_order) == (0, 0, 0)
    for f in followers:
        assert f.seen == list(range(f.start + 1, heads[f.role] + 1))
        assert f.conn is not None
        await f.conn.close()


async def test_beyond_the_window_or_foreign_token_gets_a_snapshot(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Fenêtre")
        act = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b"])
        await panel.open(act)
        async with Phone.connect(server.url, room) as phone:
            token = phone.conn.resume_token()
            device = phone.device
        for bad in ({"epoch": "someone-else", "rs": 0, "ds": 0},
                    {"epoch": token["epoch"], "rs": "x", "ds": 0},
                    {"epoch": token["epoch"], "rs": 10**9, "ds": 0}):
            async with Phone.connect(server.url, room, device=device, resume=bad) as again:
                welcome = again.welcome
                assert welcome["resumed"] is False and welcome["resume_refused"]
                assert [a["id"] for a in welcome["activities"]] == [act]  # a fresh snapshot
        async with Phone.connect(server.url, room, device=device, resume=token) as again:
            assert again.welcome["resumed"] is True
