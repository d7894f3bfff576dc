"""Read a room's anonymised event log (`events.msgpack` from `crowd export` or the panel)
and tell, per activity, when it ran and how its answers came in.

Needs only msgpack (installed with crowd). `--csv answers.csv` also writes one row per
answer (participant alias, activity, ISO time, value as JSON) for a spreadsheet or a
notebook:

    python examples/read_events.py exports/events.msgpack [--csv answers.csv]

    import pandas as pd                       # or polars: pl.read_csv("answers.csv")
    answers = pd.read_csv("answers.csv", parse_dates=["time"])
    answers.groupby("activity").participant.nunique()

The records are documented in docs/exports.md ("events.msgpack"). This script is a
starting point for open-data reuse; it imports nothing from crowd on purpose.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import msgpack


def read(path: Path) -> list[dict]:
    with path.open("rb") as stream:
        return list(msgpack.Unpacker(stream, raw=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=Path)
    parser.add_argument("--csv", type=Path, help="also write one row per answer")
    args = parser.parse_args(argv)
    records = read(args.events)
    prompts: dict[str, str] = {}
    opened: dict[str, float] = {}
    answers: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        data = record["data"]
        if record["type"] == "activity_added":
            spec = data.get("spec") or {}
            prompts[data["id"]] = f"{spec.get('kind', '?')}: {spec.get('prompt', '')}"
        elif record["type"] == "opened":
            opened.setdefault(data["id"], record["ts"])
        elif record["type"] == "responded":
            answers[data["id"]].append({"participant": record["client"],
                                        "activity": data["id"], "ts": record["ts"],
                                        "value": json.dumps(data["value"],
                                                            ensure_ascii=False)})
    print(f"{len(records)} events, {len(prompts)} activities")
    for activity, prompt in prompts.items():
        rows = answers.get(activity, [])
        people = Counter(row["participant"] for row in rows)
        start = opened.get(activity)
        when = (datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d %H:%M UTC")
                if start else "never opened")
        print(f"{activity}  {prompt[:60]}\n    {when}; {len(rows)} answers from "
              f"{len(people)} participants")
    if args.csv:
        rows = [row for rows in answers.values() for row in rows]
        with args.csv.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, ["participant", "activity", "time", "value"])
            writer.writeheader()
            for row in rows:
                writer.writerow({"participant": row["participant"], "activity": row["activity"],
                                 "time": datetime.fromtimestamp(row["ts"], UTC).isoformat(),
                                 "value": row["value"]})
        print(f"{len(rows)} answers written to {args.csv}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
