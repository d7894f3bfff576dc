"""A festival day on one machine: 10 rooms of 200 phones, each at its own pace, 10
projectors and one control room, against a same-run baseline of one room of 2,000 phones.

Both runs use the same server process (pinned to core 0; the load on core 1), as many
phones and the same total input rate; only the split differs. Both crowds stay connected
for the whole run and their measuring windows alternate, so a shared machine's changing
load weighs on both alike; the server's CPU per input (its own process time) does not
depend on that load at all. In the festival, room
i answers at its own rate (from 0.5 to 1.5 times the mean, so the total is the same)
and starts at its own moment. Measured: the latency from an input's scheduled send to
its ack (durable), the frames each projector got per second, the control room's tile
updates per second, and the server's event-loop lag. Bounded: `--seconds` per run.

    python benchmarks/festival.py --rooms 10 --phones 200 --rate 1000 --seconds 10 --windows 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import os
import statistics
import time
from typing import Any

from _harness import percentiles, print_table, with_server_process

from crowd.clients import Panel
from crowd.clients.launcher import ServerProcess
from crowd.commands.bench.loadgen import (
    Recorder,
    Target,
    Template,
    close_all,
    drain,
    paced,
    periodic,
    sample_health,
)
from crowd.commands.bench.measure import CpuMeter


async def _rooms(server: ServerProcess, count: int) -> list[tuple[str, str]]:
    """`count` rooms, each with a projected, open choice poll: [(room, activity)]."""
    made = []
    async with Panel.connect(server.url, server.secret) as panel:
        for i in range(count):
            room = await panel.create_room(f"Atelier {i + 1}")
            act = await panel.add_activity(room, "choice", "Bench ?",
                                           options=["a", "b", "c", "d"])
            await panel.open(act)
            await panel.project(act)
            made.append((room, act))
    return made


async def _count_tiles(panel: Panel, out: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            await panel.next_tiles(timeout=0.5)
            out.append(time.perf_counter())


def _slotted(schedule: Any, slot: float = 0.005) -> Any:
    """Sends due in the same 5 ms slot, as one: the generator wakes up as often for ten
    rooms as for one (else its own lateness, counted in the latencies, would differ)."""
    batch: list[Any] = []
    current = None
    for offset, send in schedule:
        key = int(offset / slot)
        if current is not None and key != current and batch:
            yield current * slot, _together(batch)
            batch = []
        current = key
        batch.append(send)
    if batch and current is not None:
        yield current * slot, _together(batch)


def _together(sends: list[Any]) -> Any:
    def send(at: float) -> None:
        for one in sends:
            one(at)
    return send


class Scenario:
    """Rooms with their phones and projectors, connected once, run for windows."""

    def __init__(self, name: str, made: list[tuple[str, str]], crowds: list[Any],
                 screens: list[Any]) -> None:
        self.name, self.made, self.crowds, self.screens = name, made, crowds, screens
        self.rec = Recorder()
        for crowd in crowds:
            for phone in crowd:
                phone.recorder = self.rec
        self.fps: list[float] = []
        self.late = 0.0
        self.cpu_s = 0.0
        self.inputs = 0

    @classmethod
    async def connect(cls, server: ServerProcess, target: Target, rooms: int,
                      phones: int) -> Scenario:
        made = await _rooms(server, rooms)
        crowds, screens = [], []
        for room, act in made:
            crowd = await target.phones(phones, room, Recorder())
            for phone in crowd:
                phone.template = Template(act, integer=True)
            crowds.append(crowd)
            screens.append(await target.screen(room))
        return cls(f"{rooms} room{'s' if rooms > 1 else ''} x {phones}", made, crowds, screens)

    def schedule(self, rate: float, seconds: float, t0: float) -> Any:
        """Every room's inputs, merged into one schedule: each room at its own pace
        (0.5x to 1.5x the mean rate; the total is `rate`), from its own moment."""
        rooms = len(self.crowds)
        paces = [0.5 + i / (rooms - 1) for i in range(rooms)] if rooms > 1 else [1.0]
        parts = []
        for index, (crowd, pace) in enumerate(zip(self.crowds, paces, strict=True)):
            start = (0.37 * index) % 1.0 if rooms > 1 else 0.0
            parts.append(((offset + start, send) for offset, send in periodic(
                crowd, rate / rooms * pace, seconds, lambda i, beat: (i + beat) % 4)))
        return _slotted(heapq.merge(*parts, key=lambda item: item[0]))

    async def window(self, server_pid: int, rate: float, seconds: float) -> None:
        for screen in self.screens:
            screen.frames.clear()
        sent = self.rec.sent
        meter = CpuMeter(server_pid)
        t0 = time.perf_counter() + 0.2
        self.late = max(self.late, await paced(self.schedule(rate, seconds, t0), t0))
        await drain(self.rec, [p for crowd in self.crowds for p in crowd], timeout=30)
        used = meter.read()["server_cpu_s"]
        self.cpu_s += used or 0.0
        self.inputs += self.rec.sent - sent
        span = seconds + 1.0  # the rooms that start late end late
        self.fps += [sum(1 for at, _, _ in s.frames if t0 <= at <= t0 + span) / span
                     for s in self.screens]

    async def close(self) -> None:
        for crowd in self.crowds:
            await close_all(crowd)
        for screen in self.screens:
            if screen.peer is not None:
                screen.peer.close()

    def report(self, tiles_per_s: float, lag: list[float]) -> dict[str, Any]:
        rec = self.rec
        return {"ack_ms": percentiles(list(rec.latencies)), "sent": rec.sent,
                "acked": rec.acked, "errors": dict(rec.errors),
                "fps_mean": statistics.fmean(self.fps), "fps_min": min(self.fps),
                "tiles_per_s": tiles_per_s,
                "lag_p99_ms": percentiles(lag)["p99"] if len(lag) > 2 else max(lag or [0.0]),
                "cpu_us_per_input": 1e6 * self.cpu_s / max(1, self.inputs),
                "generator_late_ms": self.late * 1000}


async def festival(server: ServerProcess, rooms: int, phones: int, rate: float,
                   seconds: float, windows: int) -> dict[str, dict[str, Any]]:
    """Both scenarios connected at once (4,000 phones idle or answering), their windows
    alternated (baseline, festival, baseline, ...): a machine whose load changes during
    the run weighs on both alike."""
    pid = server.proc.pid if server.proc else 0
    target = Target("hub", server.url, pid)
    base = await Scenario.connect(server, target, 1, rooms * phones)
    day = await Scenario.connect(server, target, rooms, phones)
    tiles: dict[str, list[float]] = {base.name: [], day.name: []}
    lags: dict[str, list[float]] = {base.name: [], day.name: []}
    async with Panel.connect(server.url, server.secret) as regie:
        await regie.regie()
        for _ in range(windows):
            for scenario in (base, day):
                stop = asyncio.Event()
                seen: list[float] = []
                watchers = [asyncio.create_task(_count_tiles(regie, seen, stop)),
                            asyncio.create_task(sample_health(target, stop,
                                                              lags[scenario.name]))]
                started = time.perf_counter()
                await scenario.window(pid, rate, seconds)
                stop.set()
                await asyncio.gather(*watchers)
                elapsed = time.perf_counter() - started
                tiles[scenario.name].append(len(seen) / elapsed)
    result = {s.name: s.report(statistics.fmean(tiles[s.name]), lags[s.name])
              for s in (base, day)}
    await base.close()
    await day.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--phones", type=int, default=200, help="phones per room")
    parser.add_argument("--rate", type=float, default=1000.0, help="inputs/s in all")
    parser.add_argument("--seconds", type=float, default=10.0, help="per window")
    parser.add_argument("--windows", type=int, default=3, help="windows per scenario")
    args = parser.parse_args()
    # both crowds at once come from one address: more than its default cap
    env = {"CROWD_MAX_CONNECTIONS_PER_ADDRESS": str(4 * args.rooms * args.phones + 100)}
    result = with_server_process(lambda server: festival(
        server, args.rooms, args.phones, args.rate, args.seconds, args.windows), env)
    print(f"load average before the end: {os.getloadavg()[0]:.1f} "
          f"({os.cpu_count()} cores)")
    print_table(f"ack latency (ms, from the scheduled send), {args.rate:.0f} inputs/s, "
                f"{args.windows} x {args.seconds:.0f} s per scenario",
                {name: r["ack_ms"] for name, r in result.items()})
    print(f"{'':24}{'sent':>8}{'acked':>8}{'fps mean':>10}{'fps min':>9}{'tiles/s':>9}"
          f"{'lag p99':>9}{'µs/input':>10}{'late ms':>9}")
    for name, r in result.items():
        print(f"{name:24}{r['sent']:8d}{r['acked']:8d}{r['fps_mean']:10.1f}{r['fps_min']:9.1f}"
              f"{r['tiles_per_s']:9.2f}{r['lag_p99_ms']:9.1f}{r['cpu_us_per_input']:10.0f}"
              f"{r['generator_late_ms']:9.1f}"
              + (f"  errors {r['errors']}" if r["errors"] else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
