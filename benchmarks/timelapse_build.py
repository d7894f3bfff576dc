"""Closing timelapse of a big day: build time and file size, against same-run baselines.

Writes a synthetic 3-hour event to a SQLite event log (the schema `crowd serve` uses):
4 rooms, 40 activities of every kind, 2,000 phones, 1,000,000 events, mostly responses
and continuous-gesture updates (latest wins), activities opening one after another with
pauses between them. Then, in the same run and on the same file:

  baseline A  read every event from the log (as `crowd timelapse` reads it)
  baseline B  read + replay through the engine (what `crowd serve` does at start)
  timelapse   read + replay + sampling (TimelineBuilder) + standalone HTML written

    python benchmarks/timelapse_build.py                      # 1,000,000 events
    python benchmarks/timelapse_build.py --events 100000      # quicker look
    python benchmarks/timelapse_build.py --db /tmp/day.db     # keep the log for reruns
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crowd.activities import activity_type
from crowd.core import events as ev
from crowd.core.engine import Engine
from crowd.core.events import Event
from crowd.server.eventlog import MIGRATIONS, iter_events_file
from crowd.views.replay_page import write_standalone
from crowd.views.timelapse import TimelineBuilder

T0 = 1_752_310_800.0  # 2025-07-12 09:00 UTC
TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SPECS: list[dict[str, Any]] = [
    {"kind": "choice", "prompt": "Quel atelier ?", "options": ["eau", "sols", "forêt", "bruit"]},
    {"kind": "temperature", "prompt": "Votre énergie ?"},
    {"kind": "approval", "prompt": "Quelles priorités ?",
     "options": ["mobilité", "logement", "culture", "santé", "école"]},
    {"kind": "estimate", "prompt": "Combien de bénévoles ?", "unit": "personnes"},
    {"kind": "orientation", "prompt": "Par où sortir ?"},
    {"kind": "words", "prompt": "Un mot ?"},
    {"kind": "weighting", "prompt": "Répartissez 100 points",
     "options": ["buvette", "scène", "ombre", "toilettes"]},
    {"kind": "ranking", "prompt": "Classez les projets", "options": ["A", "B", "C", "D"]},
    {"kind": "grades", "prompt": "Jugez les propositions", "options": ["P1", "P2", "P3"]},
    {"kind": "temperature", "prompt": "Accord avec la motion ?"},
]
WORDS = ["soleil", "fatigue", "joie", "musique", "pain", "partage", "chaleur", "rires",
         "bière", "poussière", "amis", "danse", "pluie", "nuit", "écoute"]


def token(rng: random.Random) -> str:
    body = "".join(rng.choice(TOKEN_CHARS) for _ in range(16))
    mac = "".join(rng.choice(TOKEN_CHARS) for _ in range(12))
    return f"{body}.{mac}"


def raw_value(kind: str, rng: random.Random, bias: float) -> Any:
    if kind == "choice":
        return min(3, int(rng.expovariate(1.0 + bias)))
    if kind == "approval":
        return sorted(rng.sample(range(5), rng.randint(0, 3)))
    if kind == "ranking":
        order = [0, 1, 2, 3]
        rng.shuffle(order)
        return order[: rng.randint(1, 4)]
    if kind == "grades":
        return [min(6, max(0, round(rng.gauss(3 + bias, 1.5)))) for _ in range(3)]
    if kind == "estimate":
        return round(rng.lognormvariate(5.0, 0.5), 1)
    if kind == "words":
        return rng.sample(WORDS, rng.randint(1, 3))
    if kind == "temperature":
        return max(-1.0, min(1.0, rng.gauss(bias - 0.3, 0.45)))
    if kind == "weighting":
        cuts = sorted(rng.randint(0, 100) for _ in range(3))
        return [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 100 - cuts[2]]
    if kind == "orientation":
        return {"angle": rng.vonmisesvariate(1.2, 2.0) * 57.29578, "strength": rng.random()}
    raise ValueError(kind)


def synthetic_day(n_events: int, n_rooms: int, per_room: int, phones: int, hours: float,
                  seed: int = 2025) -> Iterator[Event]:
    """A festival day in log order: each room runs its activities one after another."""
    rng = random.Random(seed)
    span = hours * 3600
    slot = span / per_room
    opened_for = slot * 0.7  # then a pause: quiet stretches the replay should shrink
    n_acts = n_rooms * per_room
    per_activity = (n_events - n_acts * 5 - n_rooms) // n_acts
    panel = token(rng)
    devices = [token(rng) for _ in range(phones)]
    seqs = dict.fromkeys(devices, 0)
    timeline: list[tuple[float, int, Event]] = []
    order = 0

    def add(ts: float, event: Event) -> None:
        nonlocal order
        timeline.append((ts, order, event))
        order += 1

    codes = ["KXT4", "MWC7", "PRA9", "HEF3", "TNY6", "CGJ4"][:n_rooms]
    for r, code in enumerate(codes):
        add(T0 + r, Event(ev.ROOM_CREATED, code, {"code": code, "title": f"Salle {r + 1}"},
                          T0 + r, panel, None))
        crowd = devices[r::n_rooms]
        for k in range(per_room):
            raw = SPECS[(k + r) % len(SPECS)]
            kind = raw["kind"]
            act_type = activity_type(kind)
            spec = act_type.normalize_spec(raw)
            act = f"{code}-{k + 1}"
            start = T0 + 60 + k * slot + r * 37
            add(start - 30, Event(ev.ACTIVITY_ADDED, code, {"id": act, "spec": spec},
                                  start - 30, panel, None))
            add(start, Event(ev.OPENED, code, {"id": act}, start, panel, None))
            add(start + 1, Event(ev.PROJECTED, code, {"id": act}, start + 1, panel, None))
            # arrivals: a burst at the start, then a steady trickle of changed answers
            for i in range(per_activity):
                u = rng.random()
                ts = start + 2 + opened_for * (u * u if i % 3 else u)
                device = crowd[rng.randrange(len(crowd))]
                bias = (ts - start) / opened_for
                value = act_type.validate(spec, raw_value(kind, rng, bias))
                seqs[device] += 1
                add(ts, Event(ev.RESPONDED, code, {"id": act, "device": device,
                                                   "value": value}, ts, device, seqs[device]))
            end = start + opened_for + 5
            add(end, Event(ev.CLOSED, code, {"id": act}, end, panel, None))
            add(end + 1, Event(ev.REVEALED, code, {"id": act, "on": True}, end + 1, panel, None))
    timeline.sort(key=lambda item: (item[0], item[1]))
    # seq must grow in log order per device: renumber after sorting by time
    seen: dict[str, int] = {}
    for ts, _, event in timeline:
        if event.type == ev.RESPONDED:
            seen[event.client] = seen.get(event.client, 0) + 1  # type: ignore[index]
            yield Event(event.type, event.room, event.data, ts, event.client,
                        seen[event.client])  # type: ignore[index]
        else:
            yield event


def write_log(path: Path, events: Iterator[Event]) -> int:
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version=1; COMMIT;")
    batch: list[tuple[Any, ...]] = []
    count = 0
    for event in events:
        batch.append((event.ts, event.room, event.type, event.client, event.seq,
                      event.pack_data()))
        if len(batch) >= 20_000:
            con.executemany("INSERT INTO events (ts, room, type, client, seq, data) "
                            "VALUES (?, ?, ?, ?, ?, ?)", batch)
            count += len(batch)
            batch.clear()
    con.executemany("INSERT INTO events (ts, room, type, client, seq, data) "
                    "VALUES (?, ?, ?, ?, ?, ?)", batch)
    count += len(batch)
    con.commit()
    con.close()
    return count


def read_all(db: Path, consume: Any) -> int:
    """Every event of the log into `consume`, as `crowd timelapse` reads it."""
    count = 0
    for event in iter_events_file(db):
        consume(event)
        count += 1
    return count


def timed(label: str, fn: Any) -> tuple[float, Any]:
    """Wall time (what the animator waits) and this process's CPU time (what it costs)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"  {label:<44} {elapsed:7.2f} s wall  {time.process_time() - cpu:7.2f} s CPU",
          flush=True)
    return elapsed, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rooms", type=int, default=4)
    parser.add_argument("--activities", type=int, default=40, help="in total")
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--db", type=Path, default=None, help="reuse or keep the log here")
    parser.add_argument("--out", type=Path, default=None, help="where to write the HTML")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    tmp = Path(tempfile.mkdtemp(prefix="crowd-bench-"))
    db = args.db or tmp / "day.db"
    out = args.out or tmp / "closing.html"
    if not db.exists():
        print(f"writing a synthetic log of {args.events:,} events to {db} ...", flush=True)
        started = time.perf_counter()
        written = write_log(db, synthetic_day(args.events, args.rooms,
                                              args.activities // args.rooms, args.phones,
                                              args.hours))
        print(f"  {written:,} events in {time.perf_counter() - started:.1f} s "
              f"({db.stat().st_size / 1e6:.0f} MB)", flush=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"Python {sys.version.split()[0]}")

    read_s, count = timed("baseline A: read the log", lambda: read_all(
        db, lambda e: None))
    engine = Engine()
    replay_s, _ = timed("baseline B: read + replay (engine.apply)", lambda: read_all(
        db, engine.apply))

    builder = TimelineBuilder()
    feed_s, _ = timed("timelapse: read + replay + sampling", lambda: read_all(
        db, builder.feed))
    finish_s, timeline = timed("timelapse: play axis, thinning", builder.finish)
    html_s, size = timed("timelapse: standalone HTML written", lambda: write_standalone(
        timeline, out))
    total = feed_s + finish_s + html_s
    samples = sum(len(t.samples) for t in timeline.tracks)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{count:,} events, {len(timeline.tracks)} activities, {samples:,} samples; "
          f"event span {(timeline.end - timeline.start) / 3600:.2f} h -> play axis "
          f"{timeline.duration / 60:.1f} min, {timeline.duration / timeline.pace / 60:.1f} min "
          f"at speed 1")
    print(f"build total {total:.2f} s (budget 30 s); read {read_s:.2f} s, read+replay "
          f"{replay_s:.2f} s; timelapse over read+replay: +{total - replay_s:.2f} s")
    print(f"file {out}: {size / 1e6:.2f} MB (budget 10 MB); peak RSS {rss:.0f} MB")
    return 0 if total < 30 and size < 10e6 else 1


if __name__ == "__main__":
    raise SystemExit(main())
