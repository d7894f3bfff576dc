"""A long criée and one phone toggling on it: what it costs the rest of the hall.

The server runs in its own process (core 0 when there are two); every client runs here
(core 1). Three phases, each figure against the same run's baseline:

1. **fill**: N phones volunteer one after another on one call (quota 6) while the
   animator's panel watches the room; the server's CPU for the whole fill and the ack
   times of the first and the last 100 volunteers (a cost per volunteer that grows with
   the list shows as a last-100 far above the first-100).
2. **baseline**: `--others` phones of another room move a temperature once a second each
   for `--seconds`; their ack latencies, while the first volunteer sends pings at
   `--rate` (the same client work as the toggler, without a criée input).
3. **toggled**: the same, while the first confirmed volunteer withdraws and volunteers
   again at `--rate` per second (inside a phone's budget of 20/s).

The target: the others' ack p99 with the toggler within 20 % of the baseline.
Usage (`--code` runs the server from another checkout, for a before/after):

    python benchmarks/criee_toggle.py --volunteers 5000 --others 200 --seconds 10
    python benchmarks/criee_toggle.py --volunteers 2000 --code /tmp/crowd-before
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import json
import multiprocessing
import os
import random
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from _harness import percentiles, print_table, with_server

from crowd.clients import Panel, Phone


def server_cpu_s(port: int) -> float:
    """User + system CPU seconds of the process listening on `port` (its /proc stat)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in cmdline and str(port).encode() in cmdline:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    raise RuntimeError("server process not found")


async def fill(url: str, room: str, call: str, volunteers: int, port: int,
               stack: contextlib.AsyncExitStack) -> tuple[dict[str, Any], list[Phone]]:
    acks: list[float] = []
    phones: list[Phone] = []
    cpu0 = server_cpu_s(port)
    for _ in range(volunteers):
        phone = await stack.enter_async_context(Phone.connect(url, room))
        started = time.perf_counter()
        await phone.volunteer(call)
        acks.append((time.perf_counter() - started) * 1000)
        phones.append(phone)
    cpu = server_cpu_s(port) - cpu0
    return {"server_cpu_s": round(cpu, 2), "first100": percentiles(acks[:100]),
            "last100": percentiles(acks[-100:])}, phones


async def others_voting(url: str, room: str, act: str, others: list[Phone],
                        seconds: float) -> list[float]:
    """Each phone moves its temperature once a second, staggered; ack latencies in ms."""
    acks: list[float] = []
    deadline = time.perf_counter() + seconds

    async def one(phone: Phone, offset: float) -> None:
        await asyncio.sleep(offset)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await phone.respond(act, round(random.uniform(-1, 1), 3))
            acks.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))

    await asyncio.gather(*(one(p, i / len(others)) for i, p in enumerate(others)))
    return acks


async def toggle(phone: Phone, call: str, rate: float, stop: asyncio.Event,
                 idle: bool) -> int:
    """Withdraw and volunteer again at `rate` per second; with `idle`, send pings at the
    same rate instead (the baseline: the same client work, no criée input)."""
    inputs = 0
    while not stop.is_set():
        started = time.perf_counter()
        if idle:
            await phone.ping()
            await phone.ping()
        else:
            await phone.withdraw(call)
            await phone.volunteer(call)
        inputs += 2
        await asyncio.sleep(max(0.0, 2 / rate - (time.perf_counter() - started)))
    return inputs


async def criee_side(url: str, secret: str, volunteers: int, rate: float,
                     pipe: Connection) -> None:
    """The criée's room: the panel watching it, N volunteers, then the toggler. Runs in
    a process of its own, so that its phones' messages (a first move tells thousands of
    waiting phones their new place) are not decoded on the measuring process's loop."""
    port = int(url.rsplit(":", 1)[1])
    loop = asyncio.get_running_loop()
    async with Panel.connect(url, secret) as panel, contextlib.AsyncExitStack() as stack:
        room = await panel.create_room("Criée longue")
        call = await panel.call(room, "Bras pour le pain", 6)
        await panel.watch(room)
        figures, phones = await fill(url, room, call, volunteers, port, stack)
        gc.freeze()
        pipe.send(figures)
        for _ in range(2):
            mode = await loop.run_in_executor(None, pipe.recv)  # "ping" or "toggle"
            stop = asyncio.Event()
            toggler = asyncio.ensure_future(toggle(phones[0], call, rate, stop,
                                                   idle=mode == "ping"))
            await loop.run_in_executor(None, pipe.recv)  # "stop"
            stop.set()
            pipe.send(await toggler)


def criee_process(url: str, secret: str, volunteers: int, rate: float,
                  pipe: Connection) -> None:
    if (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {1})
    # Below the measuring process: its own decoding (thousands of phones told their new
    # place) must not delay the measured clients on the shared core.
    os.nice(19)
    asyncio.run(criee_side(url, secret, volunteers, rate, pipe))


async def run(volunteers: int, others: int, seconds: float, rate: float, url: str,
              secret: str) -> dict[str, Any]:
    port = int(url.rsplit(":", 1)[1])
    loop = asyncio.get_running_loop()
    ours, theirs = multiprocessing.Pipe()
    criee = multiprocessing.get_context("spawn").Process(
        target=criee_process, args=(url, secret, volunteers, rate, theirs), daemon=True)
    criee.start()
    try:
        async with Panel.connect(url, secret) as panel, \
                contextlib.AsyncExitStack() as stack:
            hall = await panel.create_room("Plénière")
            act = await panel.add_activity(hall, "temperature", "Chaud ?")
            await panel.open(act)
            report: dict[str, Any] = {"volunteers": volunteers, "others": others}
            report["fill"] = await loop.run_in_executor(None, ours.recv)
            voters = [await stack.enter_async_context(Phone.connect(url, hall))
                      for _ in range(others)]
            gc.freeze()
            ours.send("ping")
            cpu0 = server_cpu_s(port)
            report["baseline"] = percentiles(
                await others_voting(url, hall, act, voters, seconds))
            report["baseline_cpu_s"] = round(server_cpu_s(port) - cpu0, 2)
            ours.send("stop")
            report["pings"] = await loop.run_in_executor(None, ours.recv)
            ours.send("toggle")
            cpu0 = server_cpu_s(port)
            toggled = await others_voting(url, hall, act, voters, seconds)
            report["toggled_cpu_s"] = round(server_cpu_s(port) - cpu0, 2)
            ours.send("stop")
            report["toggles"] = await loop.run_in_executor(None, ours.recv)
            report["toggled"] = percentiles(toggled)
            report["ratio_p99"] = round(report["toggled"]["p99"] / report["baseline"]["p99"],
                                        3)
    finally:
        criee.join(timeout=30)
        if criee.is_alive():
            criee.kill()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--volunteers", type=int, default=5000)
    parser.add_argument("--others", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=12.0, help="toggles per second")
    parser.add_argument("--code", type=Path,
                        help="run the server from this checkout (e.g. an earlier commit)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    # every phone is on 127.0.0.1 here: lift the per-address cap meant for a hall
    cap = str(args.volunteers + args.others + 100)
    report = with_server(functools.partial(run, args.volunteers, args.others, args.seconds,
                                           args.rate),
                         env={"CROWD_MAX_CONNECTIONS_PER_ADDRESS": cap,
                              "CROWD_MAX_HTTP_PER_ADDRESS": cap,
                              **({"PYTHONPATH": str(args.code.resolve())}
                                 if args.code else {})})
    fill_ = report["fill"]
    print(f"fill: {args.volunteers} volunteers, server CPU {fill_['server_cpu_s']} s")
    print_table("volunteer ack (ms)", {"first 100": fill_["first100"],
                                       "last 100": fill_["last100"]})
    print_table(f"others' ack (ms), {args.others} phones at 1/s",
                {"baseline": report["baseline"], "with toggler": report["toggled"]})
    print(f"toggles: {report['toggles']} in {args.seconds:g} s; server CPU "
          f"{report['baseline_cpu_s']} s -> {report['toggled_cpu_s']} s; "
          f"p99 ratio {report['ratio_p99']} (target <= 1.2)")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=1)


if __name__ == "__main__":
    main()
