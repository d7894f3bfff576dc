"""Where a restart's time goes: reading the log, decoding events, applying them.

Builds (or reuses) a realistic log with `crowd.commands.bench.build_log`, then times, in one
process and with a plain sqlite3 connection, each stage of what `Hub.start` does: fetch
the rows, decode them into events, `Engine.apply` them, per event type and activity kind;
and what a pickled engine (a checkpoint) would cost to write and load instead. Usage:

    python benchmarks/replay_cost.py --events 1000000 [--db /tmp/log.db]
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crowd.commands.bench import build_log
from crowd.core.engine import Engine
from crowd.core.events import Event


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="keep (and reuse) the log here")
    parser.add_argument("--gc", action="store_true", help="leave the cyclic GC on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "replay.db"
        if not db.exists():
            started = time.perf_counter()
            build_log(db, args.events)
            print(f"built {args.events:,} events in {time.perf_counter() - started:.1f} s")
        if not args.gc:
            gc.disable()
        con = sqlite3.connect(db)
        cpu = time.process_time()
        rows = con.execute("SELECT type, room, data, ts, client, seq FROM events "
                           "ORDER BY id").fetchall()
        fetched = time.process_time()
        events = [Event.from_row(*row) for row in rows]
        decoded = time.process_time()
        engine = Engine()
        spent: dict[str, float] = defaultdict(float)
        counts: Counter[str] = Counter()
        clock = time.perf_counter
        for event in events:
            t = clock()
            engine.apply(event)
            key = event.type
            if key == "responded":
                key += ":" + str(engine.activities[event.data["id"]].spec["kind"])
            spent[key] += clock() - t
            counts[key] += 1
        applied = time.process_time()
        n = len(events)
        print(f"{n:,} events, CPU: fetch {fetched - cpu:.2f} s, decode {decoded - fetched:.2f} s, "
              f"apply {applied - decoded:.2f} s ({(applied - cpu) / n * 1e6:.1f} µs/event)")
        for key in sorted(spent, key=lambda k: -spent[k]):
            print(f"  {key:26} {counts[key]:9,} {spent[key]:6.2f} s "
                  f"{spent[key] / counts[key] * 1e6:6.2f} µs each")
        started = time.process_time()
        blob = pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL)
        dumped = time.process_time()
        pickle.loads(blob)
        print(f"checkpoint: the engine pickles to {len(blob) / 2**20:.1f} MiB in "
              f"{dumped - started:.2f} s and loads in {time.process_time() - dumped:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
