"""The close race (docs/reliability.md, promise 1): 500 devices vote while the animator
closes the activity at a random instant.

Every vote is either acknowledged (counted) or refused with `not_open` (nothing else);
no vote sent after the close was acknowledged is counted; the log holds no answer to the
activity after its `closed` event; and the tally the server shows equals a recount from
the log and the phones' own record of what was acknowledged. Five repetitions here,
20 with `CROWD_HEAVY=1`; `CROWD_RACE_SEED` replays a run.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import msgpack

from crowd.clients import Connection, Panel, Screen
from crowd.core.errors import CrowdError
from tests.support import ServerProcess

HEAVY = os.environ.get("CROWD_HEAVY") == "1"
REPETITIONS = 20 if HEAVY else 5
DEVICES = 500
WINDOW_S = 0.6  # votes are spread over this window; the close falls inside it
OPTIONS = 3


def from_log(db: Path, act: str) -> tuple[list[tuple[int, str, int]], list[int]]:
    """(event id, device, value) of every answer to the activity, and its `closed` ids."""
    answers, closes = [], []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT id, type, data FROM events WHERE room = ? AND type IN "
                            "('responded', 'closed') ORDER BY id", (act.split("-")[0],))
        for event_id, kind, data in rows:
            body = msgpack.unpackb(data, raw=False)
            if body["id"] != act:
                continue
            if kind == "closed":
                closes.append(event_id)
            else:
                answers.append((event_id, body["device"], body["value"]))
    return answers, closes


@dataclass
class Race:
    """One repetition: who voted what when, and when the close was sent and acknowledged."""

    act: str
    start: float
    close_at: float
    outcomes: list[tuple[int, float, str, int]] = field(default_factory=list)
    close_acked: float = 0.0


async def _vote(race: Race, i: int, phone: Connection, rng: random.Random) -> None:
    loop = asyncio.get_running_loop()
    plan = sorted(rng.uniform(0, WINDOW_S) for _ in range(rng.choice([1, 1, 2])))
    for at in plan:
        value = rng.randrange(OPTIONS)
        await asyncio.sleep(max(0.0, race.start + at - loop.time()))  # the vote's instant
        sent = loop.time()
        try:
            await phone.request("respond", activity=race.act, value=value)
            race.outcomes.append((i, sent, "ack", value))
        except CrowdError as exc:
            race.outcomes.append((i, sent, exc.code, value))


async def _close(race: Race, panel: Panel) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, race.start + race.close_at - loop.time()))  # its instant
    await panel.close(race.act)
    race.close_acked = loop.time()


async def test_close_race_counts_each_vote_once_and_none_after(server: ServerProcess) -> None:
    seed = int(os.environ.get("CROWD_RACE_SEED", str(random.randrange(10**6))))
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    totals: Counter[str] = Counter()
    lines = []
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Clôture")
        gate = asyncio.Semaphore(50)

        async def connect() -> Connection:
            async with gate:
                return await Connection.open(server.url, {"role": "phone", "room": room})

        phones = await asyncio.gather(*(connect() for _ in range(DEVICES)))
        devices = [p.welcome["you"]["device"] for p in phones]
        try:
            async with Screen.connect(server.url, room) as screen:
                for rep in range(REPETITIONS):
                    act = await panel.add_activity(room, kind="choice", prompt=f"Vote {rep}",
                                                   options=[str(o) for o in range(OPTIONS)])
                    await panel.project(act)
                    await screen.next_projection()
                    await panel.open(act)  # acknowledged once stored: votes may come
                    race = Race(act, loop.time() + 0.05, rng.uniform(0.2, 0.8) * WINDOW_S)
                    await asyncio.gather(_close(race, panel),
                                         *(_vote(race, i, p, rng) for i, p in enumerate(phones)))
                    projection = await screen.next_projection()
                    while projection is not None and projection["activity"]["state"] != "closed":
                        projection = await screen.next_projection()  # the open's, then the close's
                    assert projection is not None
                    state = await panel.watch(room)
                    n = next(a["n"] for a in state["activities"] if a["id"] == act)

                    kinds = Counter(kind for _, _, kind, _ in race.outcomes)
                    last_acked: dict[int, int] = {}
                    for i, _, kind, value in sorted(race.outcomes, key=lambda o: o[1]):
                        if kind == "ack":
                            last_acked[i] = value
                    expected = [0] * OPTIONS
                    for value in last_acked.values():
                        expected[value] += 1
                    late = [o for o in race.outcomes if o[1] > race.close_acked]
                    answers, closes = from_log(server.db, act)
                    latest = {device: value for _, device, value in answers}
                    recount = [0] * OPTIONS
                    for value in latest.values():
                        recount[value] += 1
                    after_close = [a for a in answers if closes and a[0] > closes[0]]
                    lines.append(f"{race.close_at:.2f} s: {kinds['ack']} acked, "
                                 f"{kinds['not_open']} refused")
                    totals.update(kinds)
                    totals["counted after the close"] += len(after_close)
                    totals["acked though sent after the close's ack"] += sum(
                        o[2] == "ack" for o in late)

                    assert set(kinds) <= {"ack", "not_open"}, kinds
                    assert len(closes) == 1 and after_close == []
                    assert all(o[2] == "not_open" for o in late)
                    assert len(answers) == kinds["ack"]  # each acknowledged vote logged once
                    assert {devices[i] for i in last_acked} == set(latest)
                    assert projection["snapshot"]["counts"] == recount == expected
                    assert n == len(last_acked)
        finally:
            for p in phones:
                await p.close()
    print(f"\nclose race: {REPETITIONS} repetitions x {DEVICES} devices (1 or 2 votes each), "
          f"seed {seed}: {dict(totals)}; tally shown = recount from the log = the phones' "
          f"record, every time; close instant -> outcome: {'; '.join(lines)}")
    assert totals["ack"] > 0 and totals["not_open"] > 0  # the race was really run
