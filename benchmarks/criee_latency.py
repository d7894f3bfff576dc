"""Time from the animator's criée call to the alert on N connected phones.

The server runs in its own process (core 0 when there are two); N phones and the panel
run here (core 1). For each round the panel shouts a call and every phone records when
the `activity` message announcing it arrives: that message is what makes the phone page
show its banner and vibrate. The same-run baseline is the round trip of a `ping` sent by
every phone at once (the transport alone). Usage:

    python benchmarks/criee_latency.py --phones 500 --rounds 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import time

from _harness import percentiles, print_table, with_server

from crowd.clients import Panel, Phone


async def run(phones: int, rounds: int, url: str, secret: str) -> dict[str, dict[str, float]]:
    async with Panel.connect(url, secret) as panel, contextlib.AsyncExitStack() as stack:
        room = await panel.create_room("criée")
        clients = [await stack.enter_async_context(Phone.connect(url, room))
                   for _ in range(phones)]
        alerts: list[float] = []
        pings: list[float] = []

        async def ping(p: Phone) -> float:
            started = time.perf_counter()
            await p.ping()
            return (time.perf_counter() - started) * 1000

        for r in range(rounds):
            pings += await asyncio.gather(*(ping(p) for p in clients))
            waiters = [asyncio.ensure_future(p.next_call(30)) for p in clients]
            started = time.perf_counter()
            await panel.call(room, f"Appel {r}", quota=6)

            async def arrival(w: asyncio.Future[dict[str, object]],
                              started: float = started) -> float:
                await w
                return (time.perf_counter() - started) * 1000
            alerts += await asyncio.gather(*(arrival(w) for w in waiters))
    return {"call -> phone alert": percentiles(alerts), "baseline ping": percentiles(pings)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    result = with_server(functools.partial(run, args.phones, args.rounds))
    print_table(f"{args.phones} phones, {args.rounds} calls, latency in ms", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
