"""Acknowledged-vote latency with N phones voting at once, against a same-run baseline.

Starts a real server (its own process, on its own core when there are two), connects N
phones, then for each round every phone votes at the same instant; the latency of a vote
is from its send to its ack, which the server sends only once the vote is durable. The
baseline, measured on the same connections in the same run, is a `ping` round trip: the
transport alone, no engine and no log. Usage:

    python benchmarks/ack_latency.py --phones 200 --rounds 10
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import time

from _harness import percentiles, print_table, with_server

from crowd.clients import Panel, Phone


async def run(phones: int, rounds: int, url: str, secret: str) -> dict[str, dict[str, float]]:
    async with Panel.connect(url, secret) as panel:
        room = await panel.create_room("bench")
        act = await panel.add_activity(room, kind="choice", prompt="?",
                                       options=["a", "b", "c", "d"])
        await panel.open(act)
        await panel.project(act)
        contexts = [Phone.connect(url, room) for _ in range(phones)]
        clients = [await c.__aenter__() for c in contexts]
        try:
            async def timed(coro_factory: object) -> float:
                started = time.perf_counter()
                await coro_factory()  # type: ignore[operator]
                return (time.perf_counter() - started) * 1000

            votes: list[float] = []
            pings: list[float] = []
            for r in range(rounds):
                pings += await asyncio.gather(*(timed(p.ping) for p in clients))
                votes += await asyncio.gather(*(
                    timed(functools.partial(p.respond, act, (i + r) % 4))
                    for i, p in enumerate(clients)))
        finally:
            for c in contexts:
                await c.__aexit__(None, None, None)
    return {"ack (durable vote)": percentiles(votes), "baseline ping": percentiles(pings)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    result = with_server(functools.partial(run, args.phones, args.rounds))
    print_table(f"{args.phones} phones voting at once, {args.rounds} rounds "
                f"({args.phones * args.rounds} votes), latency in ms", result)
    ack, base = result["ack (durable vote)"], result["baseline ping"]
    print(f"durability + engine cost at p50: {ack['p50'] - base['p50']:+.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
