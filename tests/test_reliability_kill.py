"""kill -9 under load (docs/reliability.md, promise 1): acknowledged means durable.

Phones vote steadily (about 1,500 inputs/s here; `CROWD_HEAVY=1`: 2,000/s and 10 kills)
while the server is killed with SIGKILL at a random instant, then restarted on the same
SQLite file. After each restart:
- every input that had been acknowledged is in the log (lost = 0), and the file passes
  `PRAGMA integrity_check`;
- each phone resends its one unacknowledged input with the same seq: it is acknowledged,
  with `dup: true` exactly when the log shows it had been committed before the kill.
At the end every input is in the log exactly once, and the tallies the server shows (a
screen's projection, the panel's counts) equal a recount from the log and the phones'
own record. The seed is printed; `CROWD_KILL_SEED` replays a run.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgpack

from crowd.clients import Connection, Panel, Screen
from tests.support import SECRET, ServerProcess

HEAVY = os.environ.get("CROWD_HEAVY") == "1"
KILLS = 10 if HEAVY else 3  # at random instants
COMMIT_KILLS = 3 if HEAVY else 1  # the instant a commit lands in the WAL file
PHONES = 200 if HEAVY else 150
PER_PHONE_HZ = 10.0  # under the 20 inputs/s a phone may send
OPTIONS = 4


@dataclass
class Device:
    """One phone's own record: what it sent, what was acknowledged, what is in flight."""

    token: str | None = None
    conn: Connection | None = None
    next_seq: int = 1
    values: dict[int, tuple[str, int]] = field(default_factory=dict)  # seq -> (act, value)
    acked: set[int] = field(default_factory=set)
    pending: int | None = None  # the seq sent and not acknowledged (one at a time)


def kill_at_next_commit(pid: int, wal: Path, timeout: float = 5.0) -> None:
    """SIGKILL the server the instant its WAL file changes: a commit landing. Such a kill
    falls, more often than a random one, after a commit and before its acks are out, the
    case the resend path exists for. (Polling from a thread: runs while the load goes on.)"""
    def mark() -> tuple[int, int]:
        st = os.stat(wal)
        return st.st_size, st.st_mtime_ns

    first = mark()
    deadline = time.monotonic() + timeout
    while mark() == first and time.monotonic() < deadline:
        time.sleep(0.00002)
    os.kill(pid, signal.SIGKILL)


def committed(db: Path) -> tuple[str, set[tuple[str, int]], int]:
    """What the log holds after a crash: integrity, the (device, seq) of every answer,
    and the number of events, read on a read-only connection of our own."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT client, seq FROM events WHERE type = 'responded'")
        answers = {(str(c), int(s)) for c, s in rows}
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    return integrity, answers, events


def recount(db: Path, acts: list[str]) -> tuple[dict[str, list[int]], int, int]:
    """Tallies rebuilt from the log alone (latest answer per device and activity), the
    number of answers, and how many (device, seq) appear more than once."""
    latest: dict[tuple[str, str], int] = {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT client, data FROM events WHERE type = 'responded' "
                            "ORDER BY id").fetchall()
        twice = conn.execute("SELECT count(*) FROM (SELECT client, seq FROM events WHERE "
                             "type = 'responded' GROUP BY client, seq HAVING count(*) > 1)"
                             ).fetchone()[0]
    for client, data in rows:
        answer = msgpack.unpackb(data, raw=False)
        latest[(str(client), answer["id"])] = int(answer["value"])
    counts = {act: [0] * OPTIONS for act in acts}
    for (_, act), value in latest.items():
        counts[act][value] += 1
    return counts, len(rows), int(twice)


async def _connect(server: ServerProcess, room: str, device: Device,
                   gate: asyncio.Semaphore) -> None:
    async with gate:
        device.conn = await Connection.open(server.url, {
            "role": "phone", "room": room, "device": device.token})
    device.token = device.conn.welcome["you"]["device"]


async def _vote(device: Device, acts: list[str], rng: random.Random, killed: asyncio.Event,
                counter: list[int]) -> None:
    """Vote at a steady pace until the server is killed; what was in flight stays pending."""
    loop = asyncio.get_running_loop()
    due = loop.time() + rng.random() / PER_PHONE_HZ
    assert device.conn is not None
    while True:
        await asyncio.sleep(max(0.0, due - loop.time()))  # pacing, not a synchronisation
        due += 1.0 / PER_PHONE_HZ
        if killed.is_set():
            return
        seq = device.next_seq
        device.next_seq += 1
        act = acts[seq % len(acts)]
        value = rng.randrange(OPTIONS)
        device.values[seq] = (act, value)
        device.pending = seq
        try:
            await device.conn.request("respond", seq=seq, activity=act, value=value)
        except Exception:  # the server is gone: this one stays pending
            return
        device.acked.add(seq)
        device.pending = None
        counter[0] += 1


async def test_kill_9_under_load_loses_nothing_acknowledged(tmp_path: Path) -> None:
    seed = int(os.environ.get("CROWD_KILL_SEED", str(random.randrange(10**6))))
    rng = random.Random(seed)
    server = ServerProcess(tmp_path / "kill.db", secret=SECRET)
    server.start()
    devices = [Device() for _ in range(PHONES)]
    try:
        async with Panel.connect(server.url, server.secret) as panel:
            room = await panel.create_room("Coupure")
            acts = [await panel.add_activity(room, kind="choice", prompt=f"Q{i}",
                                              options=[str(o) for o in range(OPTIONS)])
                    for i in range(4)]
            for act in acts:
                await panel.open(act)
        gate = asyncio.Semaphore(50)
        per_kill: list[dict[str, Any]] = []
        restarts: list[float] = []
        resent = {"dup": 0, "fresh": 0, "wrong": 0, "acked_dup": 0}
        committed_now: set[tuple[str, int]] = set()
        plan = ["random"] * KILLS + ["commit"] * COMMIT_KILLS
        rng.shuffle(plan)
        for kill in range(len(plan) + 1):
            await asyncio.gather(*(_connect(server, room, d, gate) for d in devices))
            # the resend path: the one input each phone never saw acknowledged...
            for d in devices:
                if d.pending is None:
                    continue
                assert d.conn is not None and d.token is not None
                act, value = d.values[d.pending]
                reply = await d.conn.request("respond", seq=d.pending, activity=act, value=value)
                was_committed = (d.token, d.pending) in committed_now
                resent["dup" if reply.get("dup") else "fresh"] += 1
                resent["wrong"] += bool(reply.get("dup")) != was_committed
                d.acked.add(d.pending)
                d.pending = None
            # ...and one it did see acknowledged before the kill: known, never applied twice
            if kill > 0:
                for d in devices:
                    assert d.conn is not None
                    seq = max(d.acked)
                    act, value = d.values[seq]
                    reply = await d.conn.request("respond", seq=seq, activity=act, value=value)
                    resent["acked_dup"] += reply.get("dup") is True
            if kill == len(plan):
                break
            # load, and kill -9 at a random instant of it
            counter = [0]
            loop = asyncio.get_running_loop()
            started = loop.time()
            kill_after = rng.uniform(0.5, 2.0)
            killed = asyncio.Event()
            voters = [asyncio.create_task(_vote(d, acts, rng, killed, counter))
                      for d in devices]
            await asyncio.sleep(kill_after)  # the random instant is the point of the test
            if plan[kill] == "commit":
                assert server.proc is not None
                await asyncio.to_thread(kill_at_next_commit, server.proc.pid,
                                        server.db.with_name(server.db.name + "-wal"))
            rate = counter[0] / (loop.time() - started)
            killed.set()
            server.kill()
            await asyncio.gather(*voters)
            acked_before = sum(len(d.acked) for d in devices)
            for d in devices:
                assert d.conn is not None
                await d.conn.close()
            restarts.append(server.start())
            integrity, committed_now, events = committed(server.db)
            lost = sum((d.token, s) not in committed_now for d in devices for s in d.acked)
            in_flight = [(d.token, d.pending) for d in devices if d.pending is not None]
            per_kill.append({
                "how": plan[kill], "after_s": round(kill_after, 2), "rate": round(rate),
                "acked": acked_before, "in_flight": len(in_flight),
                "committed_unacked": sum(p in committed_now for p in in_flight),
                "lost": lost, "integrity": integrity, "events": events})
            assert integrity == "ok"
            assert lost == 0, f"{lost} acknowledged inputs missing after kill {kill + 1}"

        # the end: every input once in the log, and the server's tallies equal a recount
        counts, answers, twice = recount(server.db, acts)
        expected = {act: [0] * OPTIONS for act in acts}
        for d in devices:
            last: dict[str, int] = {}
            for seq in sorted(d.values):
                act, value = d.values[seq]
                last[act] = value
            for act, value in last.items():
                expected[act][value] += 1
        sent = sum(len(d.values) for d in devices)
        shown: dict[str, list[int]] = {}
        async with Panel.connect(server.url, server.secret) as panel, \
                Screen.connect(server.url, room) as screen:
            state = await panel.watch(room)
            answered = {a["id"]: a["n"] for a in state["activities"]}
            for act in acts:
                await panel.project(act)
                projection = await screen.next_projection()
                assert projection is not None
                shown[act] = projection["snapshot"]["counts"]
        for d in devices:
            if d.conn is not None:
                await d.conn.close()
    finally:
        server.stop()

    print(f"\nkill -9: {KILLS} kills at random instants and {COMMIT_KILLS} as a commit lands, "
          f"{PHONES} phones at {PER_PHONE_HZ:g} inputs/s each, seed "
          f"{seed}; per kill: {per_kill}; restart to ready {min(restarts):.2f} / "
          f"{statistics.median(restarts):.2f} / {max(restarts):.2f} s (min/median/max); "
          f"resent after restart: {resent['dup']} dup (committed before the kill), "
          f"{resent['fresh']} fresh, {resent['wrong']} wrong; acknowledged inputs resent: "
          f"{resent['acked_dup']} of {len(plan) * PHONES} dup; end: {sent} inputs sent, "
          f"{answers} in the log, {twice} twice; tallies equal a recount: "
          f"{shown == counts == expected}")
    assert resent["wrong"] == 0 and resent["acked_dup"] == len(plan) * PHONES
    assert all(len(d.acked) == len(d.values) for d in devices)  # everything acknowledged
    assert answers == sent and twice == 0  # each input once in the log
    assert counts == expected  # the log holds each phone's last answer
    assert shown == counts  # what the server shows is what the log says
    assert answered == {act: sum(c) for act, c in counts.items()}
    assert sum(k["committed_unacked"] for k in per_kill) == resent["dup"]
