"""Cost of one live update and of one snapshot per activity kind, 2,000 participants.

What the hub pays: an update is one phone changing its answer (the engine removes the
old value from the tally and adds the new one); a snapshot is what the 10 Hz tick
computes for a changed activity (the tally's snapshot and its chart columns). The
same-run baseline is the batch model function on the same answers, i.e. what a
snapshot would cost without incremental tallies. Usage:

    python benchmarks/bench_kinds.py --participants 2000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crowd.core.engine import Engine, Peer
from crowd.core.protocol import ActivityNew, CreateRoom, Open, Respond
from crowd.core.types import Role
from crowd.models import budget, circular, estimates, scales, voting

OPTIONS = ["a", "b", "c", "d", "e"]


def answers(kind: str, rng: random.Random) -> Callable[[], Any]:
    def ranking() -> list[int]:
        order = list(range(5))
        rng.shuffle(order)
        return order

    def weights() -> list[int]:
        cuts = sorted(rng.randint(0, 100) for _ in range(4))
        return [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]

    return {
        "choice": lambda: rng.randrange(5),
        "approval": lambda: sorted(rng.sample(range(5), rng.randint(1, 3))),
        "ranking": ranking,
        "grades": lambda: [rng.randrange(7) for _ in range(5)],
        "estimate": lambda: rng.lognormvariate(7, 0.4),
        "words": lambda: [rng.choice(["pain", "vin", "fromage", "soupe", "miel", "pomme"])],
        "temperature": lambda: max(-1.0, min(1.0, rng.gauss(rng.choice([-0.6, 0.6]), 0.2))),
        "weighting": weights,
        "orientation": lambda: {"angle": rng.gauss(80, 40), "strength": rng.random()},
    }[kind]


def batch(kind: str, values: list[Any]) -> Callable[[], object]:
    """The model function a non-incremental snapshot would call."""
    return {
        "choice": lambda: voting.plurality(values, 5),
        "approval": lambda: voting.approval(values, 5),
        "ranking": lambda: voting.schulze(values, 5),
        "grades": lambda: voting.majority_judgment(
            [[sum(1 for v in values if v[o] == g) for g in range(7)] for o in range(5)]),
        "estimate": lambda: estimates.summarize(values),
        "words": lambda: sorted({w for v in values for w in v}),
        "temperature": lambda: scales.summarize(values),
        "weighting": lambda: budget.summarize(values, 100),
        "orientation": lambda: circular.summarize([v["angle"] for v in values],
                                                  [v["strength"] for v in values]),
    }[kind]


def median_us(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - started)
    return statistics.median(times) / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    engine = Engine(random.Random(1))
    panel = Peer(Role.PANEL, "bench")
    seq = iter(range(1, 10**9))
    room = engine.handle(CreateRoom(title="bench", seq=next(seq)), panel, 0).sends[0][1]["room"]
    print(f"{args.participants} participants, median of {args.repeat} runs, µs")
    print(f"{'kind':12}{'update':>10}{'snapshot':>11}{'batch (baseline)':>18}")
    for kind in ["choice", "approval", "ranking", "grades", "estimate", "words",
                 "temperature", "weighting", "orientation"]:
        spec: dict[str, Any] = {"kind": kind, "prompt": "?"}
        if kind in {"choice", "approval", "ranking", "grades", "weighting"}:
            spec["options"] = OPTIONS
        step = engine.handle(ActivityNew(room=room, spec=spec, seq=next(seq)), panel, 0)
        act = next(m for _, m in step.sends if m["t"] == "ack")["activity"]
        engine.handle(Open(activity=act, seq=next(seq)), panel, 0)
        make = answers(kind, rng)
        values = []
        for device in range(args.participants):
            value = make()
            step = engine.handle(Respond(activity=act, value=value, seq=next(seq)),
                                 Peer(Role.PHONE, f"d{device}", room), 1.0)
            values.append(engine.activity(act).responses[f"d{device}"])
        tally = engine.activity(act).tally
        phones = [Peer(Role.PHONE, f"d{d}", room) for d in range(args.participants)]

        def update(act: str = act, make: Callable[[], Any] = make,
                   phones: list[Peer] = phones) -> None:
            engine.handle(Respond(activity=act, value=make(), seq=next(seq)),
                          rng.choice(phones), 2.0)

        def snapshot(tally: Any = tally) -> None:
            tally.chart(tally.snapshot())

        print(f"{kind:12}{median_us(update, args.repeat):10.1f}"
              f"{median_us(snapshot, args.repeat):11.1f}"
              f"{median_us(batch(kind, values), max(20, args.repeat // 5)):18.1f}")
    print("update = engine.handle of one changed answer (validation, event, tally); "
          "snapshot = tally snapshot + chart columns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
