"""A long soak, by hand: phones vote for minutes while screens watch, an animator keeps
revealing, and the server is killed with SIGKILL now and then and restarted on its log.

At every restart the log must hold every acknowledged vote and pass the integrity check;
each phone resends what was in flight with the same seq (acknowledged again, `dup` when
it had been stored). At the end, the server's tallies must equal a recount from the log.
Prints the figures and exits non-zero on any loss. Usage:

    python benchmarks/soak.py --minutes 10 --phones 300 --rate 5 --kill-every 60

The fast versions of these checks run in CI: tests/test_reliability_kill.py and
tests/test_reliability_race.py (`CROWD_HEAVY=1` for their longer runs).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import msgpack

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crowd.clients import Connection, Panel, Screen
from crowd.clients.launcher import ServerProcess

OPTIONS = 4


class Device:
    def __init__(self) -> None:
        self.token: str | None = None
        self.conn: Connection | None = None
        self.seq = 0
        self.last: dict[str, int] = {}  # activity -> value of the latest input sent
        self.acked: set[int] = set()
        self.pending: tuple[int, str, int] | None = None


def read_log(db: Path) -> tuple[str, set[tuple[str, int]]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT client, seq FROM events WHERE type = 'responded'")
        return integrity, {(str(c), int(s)) for c, s in rows}


def recount(db: Path, acts: list[str]) -> dict[str, list[int]]:
    latest: dict[tuple[str, str], int] = {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        for client, data in conn.execute(
                "SELECT client, data FROM events WHERE type = 'responded' ORDER BY id"):
            answer = msgpack.unpackb(data, raw=False)
            latest[(str(client), answer["id"])] = int(answer["value"])
    counts = {act: [0] * OPTIONS for act in acts}
    for (_, act), value in latest.items():
        counts[act][value] += 1
    return counts


async def soak(args: argparse.Namespace, server: ServerProcess) -> int:
    rng = random.Random(args.seed)
    loop = asyncio.get_running_loop()
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Soak")
        acts = [await panel.add_activity(room, kind="choice", prompt=f"Q{i}",
                                          options=[str(o) for o in range(OPTIONS)])
                for i in range(4)]
        for act in acts:
            await panel.open(act)
        await panel.project(acts[0])
    devices = [Device() for _ in range(args.phones)]
    latencies: list[float] = []
    kills: list[dict[str, object]] = []
    end = loop.time() + args.minutes * 60
    gate = asyncio.Semaphore(50)

    async def connect(d: Device) -> None:
        async with gate:
            d.conn = await Connection.open(server.url, {"role": "phone", "room": room,
                                                        "device": d.token})
        d.token = d.conn.welcome["you"]["device"]
        if d.pending is not None:  # what was in flight at the kill, same seq
            seq, act, value = d.pending
            await d.conn.request("respond", seq=seq, activity=act, value=value)
            d.acked.add(seq)
            d.pending = None

    async def vote(d: Device, stop: asyncio.Event) -> None:
        due = loop.time() + rng.random() / args.rate
        while not stop.is_set():
            await asyncio.sleep(max(0.0, due - loop.time()))
            due += 1.0 / args.rate
            if stop.is_set():
                return
            d.seq += 1
            act, value = acts[d.seq % len(acts)], rng.randrange(OPTIONS)
            d.pending = (d.seq, act, value)
            d.last[act] = value
            started = time.perf_counter()
            try:
                assert d.conn is not None
                await d.conn.request("respond", seq=d.seq, activity=act, value=value)
            except Exception:
                return
            latencies.append((time.perf_counter() - started) * 1000)
            d.acked.add(d.seq)
            d.pending = None

    async def animator(stop: asyncio.Event) -> None:
        try:
            async with Panel.connect(server.url, server.secret) as p, \
                    Screen.connect(server.url, room):
                on = True
                while not stop.is_set():
                    await p.reveal(acts[1], on=on)
                    on = not on
                    await asyncio.sleep(1.0)
        except Exception:
            return  # the server was killed

    while loop.time() < end:
        await asyncio.gather(*(connect(d) for d in devices))
        stop = asyncio.Event()
        tasks = [asyncio.create_task(vote(d, stop)) for d in devices]
        tasks.append(asyncio.create_task(animator(stop)))
        period = min(args.kill_every or args.minutes * 60, end - loop.time())
        await asyncio.sleep(max(1.0, rng.uniform(0.5, 1.0) * period))
        stop.set()
        last_round = loop.time() >= end - 1 or not args.kill_every
        if not last_round:
            server.kill()
        await asyncio.gather(*tasks)
        for d in devices:
            if d.conn is not None:
                await d.conn.close()
        if last_round:
            break
        ready = server.start()
        integrity, stored = read_log(server.db)
        lost = sum((d.token, s) not in stored for d in devices for s in d.acked)
        kills.append({"acked": sum(len(d.acked) for d in devices), "lost": lost,
                      "integrity": integrity, "ready_s": round(ready, 2)})
        print(f"kill {len(kills)}: {kills[-1]}", flush=True)
        if lost or integrity != "ok":
            return 1
    await asyncio.gather(*(connect(d) for d in devices))  # the last resends
    for d in devices:
        if d.conn is not None:
            await d.conn.close()
    counts = recount(server.db, acts)
    expected = {act: [0] * OPTIONS for act in acts}
    for d in devices:
        for act, value in d.last.items():
            expected[act][value] += 1
    shown = {}
    async with Panel.connect(server.url, server.secret) as panel, \
            Screen.connect(server.url, room) as screen:
        for act in acts:
            await panel.project(act)
            projection = await screen.next_projection()
            shown[act] = projection["snapshot"]["counts"] if projection else None
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 100 else [0.0] * 99
    print(f"soak: {args.minutes} min, {args.phones} phones at {args.rate}/s, "
          f"{len(latencies)} votes timed, ack p50 {q[49]:.1f} ms p99 {q[98]:.1f} ms; "
          f"{len(kills)} kills, lost {sum(int(k['lost']) for k in kills)}; tallies = "
          f"recount = phones' record: {shown == counts == expected}")
    return 0 if shown == counts == expected else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--rate", type=float, default=5.0, help="votes per second per phone")
    parser.add_argument("--kill-every", type=float, default=60.0,
                        help="seconds between kill -9 (about; 0: never)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crowd-soak-") as tmp:
        server = ServerProcess(Path(tmp) / "soak.db")
        server.start()
        try:
            return asyncio.run(soak(args, server))
        finally:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
