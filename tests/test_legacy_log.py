"""A festival's database written by an earlier crowd still opens and replays identically.

`tests/fixtures/v1-festival.db` was written by a real server of crowd 0.1.0 (before the
activity kinds became plug-ins) driven through the public clients: every kind answered,
estimate rounds with a true value, a criée with volunteers, withdrawals, declines and a
quota change, reveals, projections, nicknames, an edited and a deleted activity, an
imported agenda. `v1-festival.expected.json` holds what that code computed from it. A
refactoring that changes what a stored day means fails here.

Regenerate both (only when the meaning of the log changes on purpose, and say so in
the CHANGELOG): `python -m tests.test_legacy_log --write`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from crowd.core.engine import Engine
from crowd.core.protocol import Encoding, encode
from crowd.server.eventlog import iter_events_file
from crowd.views import exports

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DB = FIXTURES / "v1-festival.db"
EXPECTED = FIXTURES / "v1-festival.expected.json"


def digest(db: Path) -> dict[str, Any]:
    """Everything a replay of the log means: each room's full results (every activity,
    drafts included), its agenda as panels see it, rosters, and the idempotency keys."""
    engine = Engine()
    engine.replay(iter_events_file(str(db), None))
    rooms = {}
    for code in sorted(engine.rooms):
        rooms[code] = {"results": exports.results(engine, code, public=False),
                       "state": engine.room_state(code, for_panel=True),
                       "nicks": dict(sorted(engine.rooms[code].nicks.items()))}
    return json.loads(encode({"rooms": rooms, "last_seq": dict(sorted(
        engine.last_seq.items()))}, Encoding.JSON))


def test_an_earlier_database_replays_to_the_same_results(tmp_path: Path) -> None:
    copy = tmp_path / "crowd.db"  # reading a WAL database writes beside it: not in the repo
    shutil.copy(DB, copy)
    assert digest(copy) == json.loads(EXPECTED.read_text(encoding="utf-8"))


def test_an_earlier_database_opens_in_a_server(tmp_path: Path) -> None:
    from tests.support import SECRET, ServerProcess

    copy = tmp_path / "crowd.db"
    shutil.copy(DB, copy)
    server = ServerProcess(copy, secret=SECRET)
    server.start()
    try:
        health = server.health()
        assert health["status"] == "ok" and health["eventlog"]["unreadable"] == 0
    finally:
        server.stop()
    assert digest(copy) == json.loads(EXPECTED.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- writing the fixture


async def festival(url: str, secret: str) -> None:
    """The day the fixture records, through the public clients only."""
    from crowd.clients import Panel, Phone

    async with Panel.connect(url, secret) as panel:
        plenary = await panel.create_room("Plénière du samedi")
        workshop = await panel.create_room("Atelier pain")
        ids = {
            "choice": await panel.add_activity(plenary, "choice", "Pain ou brioche ?",
                                               options=["pain", "brioche", "les deux"]),
            "approval": await panel.add_activity(plenary, "approval", "Quels ateliers ?",
                                                 options=["four", "levain", "farine"]),
            "ranking": await panel.add_activity(plenary, "ranking", "Priorités ?",
                                                options=["bois", "eau", "blé", "lait"]),
            "grades": await panel.add_activity(plenary, "grades", "Notez",
                                               options=["A", "B"]),
            "estimate": await panel.add_activity(plenary, "estimate", "Poids de la vache ?",
                                                 unit="lb"),
            "words": await panel.add_activity(plenary, "words", "Un mot ?"),
            "temperature": await panel.add_activity(plenary, "temperature", "Chaud ?",
                                                    left="froid", right="chaud"),
            "weighting": await panel.add_activity(plenary, "weighting", "Budget ?",
                                                  options=["four", "moulin", "camion"]),
            "orientation": await panel.add_activity(plenary, "orientation", "Où ?"),
        }
        draft = await panel.add_activity(plenary, "choice", "Brouillon", options=["a", "b"])
        await panel.update_activity(draft, prompt="Brouillon corrigé")
        gone = await panel.add_activity(plenary, "choice", "À supprimer", options=["a", "b"])
        await panel.delete_activity(gone)
        await panel.import_agenda(workshop, [
            {"kind": "choice", "prompt": "Quel four ?", "options": ["bois", "gaz"]}])
        for act in ids.values():
            await panel.open(act)
        await panel.project(ids["choice"], room=plenary)
        values = {
            "choice": [0, 1, 2, 0, 0, 1], "approval": [[0], [0, 2], [1, 2], [], [2], [0, 1]],
            "ranking": [[0, 1], [2, 0, 1, 3], [3], [1, 2], [0], [2, 3, 0]],
            "grades": [[0, 6], [3, 3], [6, 0], [2, 5], [4, 4], [1, 1]],
            "estimate": [1200, 1500, 980, 2100, 1355, 7],
            "words": [["pain"], ["Pain!", "levain"], ["four"], ["été"], ["pain"], ["blé"]],
            "temperature": [-1.0, -0.9995, 0.5, 1.0, 0.0, -0.25],
            "weighting": [[50, 25, 25], [100, 0, 0], [0, 0, 100], [33, 33, 34],
                          [10, 80, 10], [0, 0, 0]],
            "orientation": [{"angle": 90, "strength": 1}, {"angle": 100, "strength": 0.5},
                            {"angle": 270}, {"angle": 85, "strength": 0.8}, {"angle": 0},
                            {"angle": 359.5, "strength": 0.2}],
        }
        call = await panel.call(plenary, "6 bras pour le pain", 2, place="fournil")
        phones = []
        stack = contextlib.AsyncExitStack()
        for n in range(6):
            phone = await stack.enter_async_context(Phone.connect(url, plenary))
            phones.append(phone)
            await phone.nick(f"Personne {n}")
            for name, answers in values.items():
                await phone.respond(ids[name], answers[n])
        await phones[0].respond(ids["choice"], 2)  # a changed vote
        for phone in phones[:4]:
            await phone.volunteer(call, contact=f"06 00 00 00 0{phones.index(phone)}")
        await phones[4].decline(call)
        await phones[0].withdraw(call)
        await panel.set_quota(call, 3)
        round2 = await panel.conn.request("influence_round", activity=ids["estimate"])
        for phone, value in zip(phones, [1300, 1400, 1100, 1800, 1355], strict=False):
            await phone.respond(round2["activity"], value)
        await panel.conn.request("set_truth", activity=ids["estimate"], value=1355)
        await panel.close(ids["choice"])
        await panel.reveal(ids["choice"])
        await panel.project(ids["temperature"], room=plenary)
        await stack.aclose()


def write() -> None:
    from crowd.clients.launcher import ServerProcess

    FIXTURES.mkdir(exist_ok=True)
    DB.unlink(missing_ok=True)
    server = ServerProcess(DB, secret="fixture")
    server.start()
    try:
        asyncio.run(festival(server.url, server.secret))
    finally:
        server.stop()
    DB.with_suffix(".log").unlink(missing_ok=True)
    EXPECTED.write_text(json.dumps(digest(DB), indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    for suffix in ("-wal", "-shm"):
        Path(str(DB) + suffix).unlink(missing_ok=True)


if __name__ == "__main__" and "--write" in sys.argv:
    write()
