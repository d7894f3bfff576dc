"""The adversarial review's attacks, measured against this code and an earlier one.

Each scenario runs against a fresh `crowd serve` of the current code and, with
`--before PATH` (a checkout of an earlier commit, e.g. made with `git worktree add`),
against a server of that code in the same run, so both columns share the machine's
state. The clients are always this checkout's. Scenarios (each bounded in count and
time, all on 127.0.0.1):

- **watch**: phones of another room send `watch` and disconnect, 400 times; then one
  spy's `watch` while a volunteer gives a contact; then two screens flood `watch` while
  100 phones vote once a second. Figures: phones the projector counts afterwards, the
  server's RSS growth, whether the spy read the contact, the voters' ack p50.
- **ulps**: five estimates of 7 and one of 7.000000000000001 in one room, and a phone
  changing its estimate by an ulp 20 times a second; frames per second on another
  room's projector meanwhile, and whether the animator's close works.
- **words**: 30 phones send 4 KiB words of combining marks at their budget while 100
  phones vote once a second; the voters' ack p50/p99 and the server's CPU.

Usage:

    git worktree add /tmp/crowd-before 61b1219
    python benchmarks/hardening.py --before /tmp/crowd-before
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from _harness import percentiles, with_server_process

from crowd.clients import Panel, Phone, Screen
from crowd.clients.launcher import ServerProcess
from crowd.core.errors import CrowdError

Scenario = Callable[[ServerProcess], Awaitable[dict[str, Any]]]


def proc_figures(pid: int) -> tuple[float, float]:
    """(CPU seconds, RSS in MiB) of a process."""
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    rss = next(int(line.split()[1]) for line in
               Path(f"/proc/{pid}/status").read_text().splitlines()
               if line.startswith("VmRSS:"))
    return cpu, rss / 1024


async def voters(url: str, room: str, act: str, count: int, seconds: float,
                 value: Callable[[int], Any]) -> list[float]:
    """`count` phones answer once a second each (staggered); ack latencies in ms."""
    acks: list[float] = []
    async with contextlib.AsyncExitStack() as stack:
        phones = [await stack.enter_async_context(Phone.connect(url, room))
                  for _ in range(count)]
        deadline = time.perf_counter() + seconds

        async def one(i: int, phone: Phone) -> None:
            await asyncio.sleep(i / count)
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                await phone.respond(act, value(i))
                acks.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(max(0.0, 1 - (time.perf_counter() - started)))

        await asyncio.gather(*(one(i, p) for i, p in enumerate(phones)))
    return acks


async def watch_scenario(server: ServerProcess) -> dict[str, Any]:
    url, pid = server.url, server.proc.pid  # type: ignore[union-attr]
    async with Panel.connect(url, server.secret) as panel:
        room, other = await panel.create_room("Criée"), await panel.create_room("Autre")
        call = await panel.call(room, "Bras", 6)
        for n in range(300):  # a long roster makes every leaked room state heavy
            async with Phone.connect(url, room) as phone:
                await phone.volunteer(call, nickname=f"v{n}", contact=f"0600{n:06d}")
        rss0 = proc_figures(pid)[1]
        accepted = 0
        for _ in range(400):
            async with Phone.connect(url, other) as spy:
                with contextlib.suppress(CrowdError):
                    await spy.conn.request("watch", room=room)
                    accepted += 1
        rss1 = proc_figures(pid)[1]
        async with Screen.connect(url, other) as screen:  # the spies' own room
            pulse = await screen.next_pulse()
        async with Phone.connect(url, other) as spy, Phone.connect(url, room) as giver:
            with contextlib.suppress(CrowdError):
                await spy.conn.request("watch", room=room)
            await giver.volunteer(call, contact="secret-contact@example.org")
            try:
                got = await spy.conn.next("volunteers", timeout=2.0)
                leaked = "secret-contact@example.org" in repr(got)
            except TimeoutError:
                leaked = False
        act = await panel.add_activity(other, "temperature", "Chaud ?")
        await panel.open(act)
        stop = asyncio.Event()

        async def flood() -> None:
            async with Screen.connect(url, room) as screen:
                while not stop.is_set():
                    with contextlib.suppress(CrowdError):
                        await screen.conn.request("watch", room=room)

        floods = [asyncio.ensure_future(flood()) for _ in range(2)]
        acks = await voters(url, other, act, 100, 5.0, lambda i: 0.1)
        stop.set()
        await asyncio.gather(*floods, return_exceptions=True)
    return {"watch_accepted_of_400": accepted, "projector_phones_after": pulse["connected"],
            "rss_growth_mib": round(rss1 - rss0, 1), "contact_leaked": leaked,
            "voters_ack_ms_under_flood": percentiles(acks)}


async def ulps_scenario(server: ServerProcess) -> dict[str, Any]:
    url = server.url
    async with Panel.connect(url, server.secret) as panel:
        room, other = await panel.create_room("Poids"), await panel.create_room("Autre")
        est = await panel.add_activity(room, "estimate", "Combien ?")
        poll = await panel.add_activity(other, "temperature", "Chaud ?")
        for act, where in ((est, room), (poll, other)):
            await panel.open(act)
            await panel.project(act, room=where)
        for value in [7] * 5 + [math.nextafter(7.0, 8.0)]:
            async with Phone.connect(url, room) as phone:
                await phone.respond(est, value)
        async with Screen.connect(url, other) as screen:
            stop = asyncio.Event()

            async def keep_voting() -> None:
                """One phone per room keeps answering: the estimate stays changed."""
                async with Phone.connect(url, other) as phone, \
                        Phone.connect(url, room) as estimator:
                    i = 0
                    while not stop.is_set():
                        i += 1
                        await phone.respond(poll, round(math.sin(i), 3))
                        await estimator.respond(est, math.nextafter(7.0, 6.0 + i % 2 * 2))
                        await asyncio.sleep(0.05)

            voting = asyncio.ensure_future(keep_voting())
            frames, deadline = 0, time.perf_counter() + 3.0
            while (left := deadline - time.perf_counter()) > 0:
                with contextlib.suppress(TimeoutError):
                    await screen.conn.next("frame", timeout=left)
                    frames += 1
            stop.set()
            await voting
        try:
            await panel.close(est)
            closed = True
        except CrowdError:
            closed = False
    return {"other_room_frames_per_s": round(frames / 3.0, 1), "close_worked": closed}


async def words_scenario(server: ServerProcess) -> dict[str, Any]:
    url, pid = server.url, server.proc.pid  # type: ignore[union-attr]
    # Marks of different combining classes: normalisation sorts them (about 6 ms here
    # for 1,900 of them, against 0.1 ms for 1,900 of one class). Under 4 KiB in UTF-8.
    marks = "\u0301\u0316\u0334\u0345\u05b0\u0315"
    word = "e" + "".join(marks[i % len(marks)] for i in range(1_900))
    async with Panel.connect(url, server.secret) as panel:
        room = await panel.create_room("Mots")
        words = await panel.add_activity(room, "words", "Un mot ?")
        temp = await panel.add_activity(room, "temperature", "Chaud ?")
        for act in (words, temp):
            await panel.open(act)
        stop = asyncio.Event()

        async def attacker() -> None:
            async with Phone.connect(url, room) as phone:
                while not stop.is_set():
                    started = time.perf_counter()
                    with contextlib.suppress(CrowdError):
                        await phone.respond(words, [word])
                    await asyncio.sleep(max(0.0, 0.05 - (time.perf_counter() - started)))

        cpu0, wall0 = proc_figures(pid)[0], time.perf_counter()
        attackers = [asyncio.ensure_future(attacker()) for _ in range(30)]
        acks = await voters(url, room, temp, 100, 5.0, lambda i: 0.2)
        stop.set()
        await asyncio.gather(*attackers, return_exceptions=True)
        cpu, wall = proc_figures(pid)[0] - cpu0, time.perf_counter() - wall0
    return {"voters_ack_ms": percentiles(acks), "server_cpu_share": round(cpu / wall, 2)}


SCENARIOS: dict[str, Scenario] = {"watch": watch_scenario, "ulps": ulps_scenario,
                                  "words": words_scenario}


def run_against(code: Path | None, scenario: Scenario) -> dict[str, Any]:
    return with_server_process(scenario, {"PYTHONPATH": str(code)} if code else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare")
    parser.add_argument("--only", choices=sorted(SCENARIOS), action="append")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    for name in args.only or SCENARIOS:
        report[name] = {}
        if args.before:
            report[name]["before"] = run_against(args.before.resolve(), SCENARIOS[name])
        report[name]["after"] = run_against(None, SCENARIOS[name])
        print(name, json.dumps(report[name], indent=1), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
