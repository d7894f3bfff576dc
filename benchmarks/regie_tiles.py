"""The control room's tiles as rooms fill: the cost of one update, 20 vs 2,000 phones a room.

A real hub (its engine, its connection sets, a SQLite log) with 10 rooms whose phones
are real `Connection` objects on a null socket, each phone having answered; both cases
spread their answers over the same minute (a clock passed to the hub), so each room has
as many per-second counters. The time to build every tile (`ControlRoom.tiles`, what
the hub does once a second while a control room is open) is compared between rooms of
20 and of 2,000 phones in the same run. Usage:

    python benchmarks/regie_tiles.py --rooms 10
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from hub_cost import connection

from crowd.core.protocol import Encoding, parse
from crowd.server.eventlog import EventLog
from crowd.server.hub import Hub
from crowd.server.settings import Settings


async def filled_hub(db: Path, rooms: int, phones: int) -> Hub:
    """A started hub of `rooms` rooms with `phones` answering phones in each."""
    settings = Settings(db=db, host="127.0.0.1", port=1, public_url="http://127.0.0.1:1")
    now = [time.time()]
    hub = Hub(settings, EventLog(settings.db), clock=lambda: now[0])
    await hub.start()
    seq = 0

    async def send(conn: Any, **raw: Any) -> Any:
        nonlocal seq
        seq += 1
        await hub.submit(conn, parse({"seq": seq, **raw}))

    try:
        panel = connection()
        await hub.greet(panel, parse({"t": "hello", "role": "panel",
                                      "secret": hub.animator_secret}))  # type: ignore[arg-type]
        for r in range(rooms):
            await send(panel, t="create_room", title=f"Atelier {r}")
        for code in list(hub.engine.rooms):
            await send(panel, t="activity_new", room=code,
                       spec={"kind": "choice", "prompt": "?", "options": ["a", "b"]})
            act = f"{code}-1"
            await send(panel, t="open", activity=act)
            for i in range(phones):
                now[0] += 60.0 / phones / rooms  # a minute of answers in every case
                conn = connection()
                await hub.greet(conn, parse({"t": "hello", "role": "phone",
                                             "room": code}))  # type: ignore[arg-type]
                conn.encoding = Encoding.MSGPACK
                await hub.submit(conn, parse({"t": "respond", "activity": act,
                                              "value": i % 2, "seq": 1}))
    except BaseException:
        await hub.stop()
        raise
    return hub


async def compare(tmp: Path, rooms: int, repeats: int = 400) -> dict[int, list[float]]:
    """µs per build of every tile, the two hubs' builds interleaved (a busy machine
    weighs on both alike)."""
    hubs = {n: await filled_hub(tmp / f"{n}.db", rooms, n) for n in (20, 2000)}
    samples: dict[int, list[float]] = {n: [] for n in hubs}
    try:
        for _ in range(repeats):
            for n, hub in hubs.items():
                started = time.perf_counter()
                hub.regie.tiles()
                samples[n].append((time.perf_counter() - started) * 1e6)
    finally:
        for hub in hubs.values():
            await hub.stop()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        samples = asyncio.run(compare(Path(tmp), args.rooms))
    print(f"every tile of {args.rooms} rooms, 400 builds each, interleaved (µs):")
    print(f"{'':22}{'median':>8}{'min':>8}")
    for n, values in samples.items():
        print(f"{f'{n:,} phones a room':22}{statistics.median(values):8.1f}"
              f"{min(values):8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
