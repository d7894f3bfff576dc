"""A synthetic event log of a given size, for the restart section: written straight into
SQLite in the server's own schema, so a start replays it as it would a real day.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgpack


def build_log(db: Path, events: int, seed: int = 1) -> int:
    """A realistic event log written straight into the schema, in big transactions:
    20 rooms, one activity of each poll and gesture kind, 1,000 phones a room answering
    and moving sliders (latest wins), nicknames; about 90 % of events are responses."""
    from crowd.activities import activity_type
    from crowd.server.eventlog import MIGRATIONS

    rng = random.Random(seed)
    if db.exists():
        db.unlink()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    for number, script in enumerate(MIGRATIONS, start=1):
        con.executescript(f"BEGIN; {script}; PRAGMA user_version={number}; COMMIT;")
    packb = msgpack.Packer(use_bin_type=True).pack
    rows: list[tuple[float, str, str, str | None, int | None, bytes]] = []
    ts = 1_750_000_000.0
    seqs: dict[str, int] = {}
    kinds = [("choice", {"options": ["a", "b", "c", "d"]}),
             ("approval", {"options": ["a", "b", "c", "d", "e"]}),
             ("ranking", {"options": ["a", "b", "c", "d"]}),
             ("grades", {"options": ["a", "b", "c"]}),
             ("estimate", {"unit": "lb"}), ("words", {}), ("temperature", {}),
             ("weighting", {"options": ["a", "b", "c"], "budget": 100}),
             ("orientation", {})]
    known = []
    for kind, extra in kinds:
        with contextlib.suppress(Exception):
            known.append(activity_type(kind).normalize_spec({"kind": kind, "prompt": "?",
                                                             **extra}))
    panel = "panel.bench"

    def emit(type_: str, room: str, data: dict[str, Any], client: str | None = None) -> None:
        nonlocal ts
        ts += 0.0005
        seq = None
        if client is not None:
            seq = seqs[client] = seqs.get(client, 0) + 1
        rows.append((ts, room, type_, client, seq, packb(data)))

    def value(spec: Mapping[str, Any]) -> Any:
        kind = spec["kind"]
        k = len(spec.get("options") or [])
        if kind == "choice":
            return rng.randrange(k)
        if kind == "approval":
            return sorted(rng.sample(range(k), rng.randint(0, k)))
        if kind == "ranking":
            return rng.sample(range(k), k)
        if kind == "grades":
            return [rng.randrange(len(spec["grades"])) for _ in range(k)]
        if kind == "estimate":
            return round(rng.lognormvariate(7.1, 0.4), 1)
        if kind == "words":
            return rng.sample(["eau", "feu", "terre", "air", "pain", "joie"], 2)
        if kind == "temperature":
            return round(rng.uniform(-1, 1), 2)
        if kind == "weighting":
            return [33, 33, 34]
        return {"angle": round(rng.uniform(0, 360), 1), "strength": 0.5}

    written = 0
    room_count = 20
    phones_per_room = 1_000
    rooms: list[str] = []
    while len(rooms) < room_count:
        code = "".join(rng.choice("ACEFGHJKMNPRTWXY34679") for _ in range(4))
        if code in rooms:
            continue
        rooms.append(code)
        emit("room_created", code, {"code": code, "title": f"room {len(rooms)}"}, panel)
        for i, spec in enumerate(known, start=1):
            emit("activity_added", code, {"id": f"{code}-{i}", "spec": spec}, panel)
            emit("opened", code, {"id": f"{code}-{i}"}, panel)
        emit("projected", code, {"id": f"{code}-1"}, panel)
    devices = [f"{r}x{i:05d}.bench" for r in range(len(rooms)) for i in range(phones_per_room)]
    while len(rows) + written < events:
        room_index = rng.randrange(len(rooms))
        room = rooms[room_index]
        device = devices[room_index * phones_per_room + rng.randrange(phones_per_room)]
        if rng.random() < 0.002:
            emit("nicknamed", room, {"device": device, "name": f"n{rng.randrange(999)}"},
                 device)
            continue
        number = 7 if rng.random() < 0.6 and len(known) >= 7 else rng.randrange(len(known)) + 1
        spec = known[number - 1]
        emit("responded", room, {"id": f"{room}-{number}", "device": device,
                                 "value": value(spec)}, device)
        if len(rows) >= 100_000:
            written += _insert(con, rows)
            rows.clear()
    written += _insert(con, rows)
    con.close()
    return written


def _insert(con: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> int:
    con.execute("BEGIN")
    con.executemany("INSERT INTO events (ts, room, type, client, seq, data) "
                    "VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.execute("COMMIT")
    return len(rows)


# ---------------------------------------------------------------- report


