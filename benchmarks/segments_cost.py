"""Cost of an answer when a poll is split by another (cross-tab segments), by room size.

For rooms of 200, 2,000 and 20,000 devices that answered both polls, the mean cost of
one more answer to the split poll and to the poll that makes the segments, with and
without the split (the same-run baseline), and of one snapshot with its table. The
split's upkeep must not grow with the room. Usage:

    python benchmarks/segments_cost.py [--sizes 200 2000 20000] [--inputs 3000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crowd.core.engine import Engine, Peer
from crowd.core.protocol import ActivityNew, CreateRoom, Open, Respond
from crowd.core.segments import SetSegment
from crowd.core.types import Role

PANEL = Peer(Role.PANEL, "panel", None)


def room(size: int, split: bool, rng: random.Random) -> tuple[Engine, str, str, str, float]:
    engine = Engine(random.Random(1))
    now = 1000.0
    code = engine.handle(CreateRoom(title="bench"), PANEL, now).sends[0][1]["room"]
    ids = []
    for prompt, options in (("Vous êtes ?", ["a", "b", "c", "d"]),
                            ("Un marché ?", ["oui", "non", "sans avis"])):
        step = engine.handle(ActivityNew(room=code, spec={"kind": "choice", "prompt": prompt,
                                                          "options": options}), PANEL, now)
        ids.append(step.sends[0][1]["activity"])
        engine.handle(Open(activity=ids[-1]), PANEL, now)
    source, target = ids
    for d in range(size):
        peer = Peer(Role.PHONE, f"d{d}", code)
        engine.handle(Respond(activity=source, value=rng.randrange(4)), peer, now)
        engine.handle(Respond(activity=target, value=rng.randrange(3)), peer, now)
    if split:
        engine.handle(SetSegment(activity=target, by=source), PANEL, now)
    return engine, code, source, target, now


def per_input(engine: Engine, code: str, act: str, options: int, size: int, inputs: int,
              rng: random.Random, now: float) -> float:
    peers = [Peer(Role.PHONE, f"d{rng.randrange(size)}", code) for _ in range(inputs)]
    values = [rng.randrange(options) for _ in range(inputs)]
    start = time.perf_counter()
    for peer, value in zip(peers, values, strict=True):
        engine.handle(Respond(activity=act, value=value), peer, now)
    return (time.perf_counter() - start) / inputs * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 20000])
    parser.add_argument("--inputs", type=int, default=3000)
    args = parser.parse_args()
    print("| devices | split | answer to the split poll µs | answer to the segments' poll µs "
          "| snapshot with its table µs |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        for split in (False, True):
            rng = random.Random(size)
            engine, code, source, target, now = room(size, split, rng)
            t_target = per_input(engine, code, target, 3, size, args.inputs, rng, now)
            t_source = per_input(engine, code, source, 4, size, args.inputs, rng, now)
            act = engine.activity(target)
            runs = 200
            start = time.perf_counter()
            for _ in range(runs):
                engine.dirty.add(target)  # a new version: the snapshot is computed again
                engine.snapshot(act)
            t_snap = (time.perf_counter() - start) / runs * 1e6
            print(f"| {size:,} | {'yes' if split else 'no'} | {t_target:.1f} | {t_source:.1f} "
                  f"| {t_snap:.1f} |")


if __name__ == "__main__":
    main()
