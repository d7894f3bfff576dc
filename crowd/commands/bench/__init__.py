"""How far one machine goes: the real server under load, against a same-run baseline.

The server runs in its own process (`crowd serve`, pinned to core 0 when there are two)
and the load in this one (pinned to core 1), on 127.0.0.1. The load generator is a bare
RFC 6455 client on asyncio protocols with pre-encoded msgpack frames (a seq and a value
patched in place), cheap enough for 10,000 inputs/s on one core; its own CPU is reported.
Every load is bounded in count and time. Sections:

- burst: N phones vote within a window; ack latency (ack = durable) and vote-to-screen.
- stream: N phones move a temperature slider at 2 Hz; server CPU, ack p99, screen
  staleness, event-loop lag, inputs lost.
- ceiling: the highest sustained input rate whose ack p99 stays under 100 ms.
- memory: server RSS per idle phone connection.
- restart: process start to ready on a log of 1,000,000 events: after a crash with the
  most events a crash can leave after the newest checkpoint (the target figure), after
  a clean stop, and with no checkpoint at all (a whole replay, as after an upgrade).

burst, stream and ceiling are also run against `crowd.commands.bench.baseline` (a bare Starlette
endpoint that only decodes and acknowledges, same uvicorn settings): the report gives the
ratio hub/baseline. `--quick` runs a reduced version in seconds (CI checks the report).

    crowd bench [--quick] [--json PATH] [--only burst,stream,ceiling,memory,restart]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from crowd.commands.bench.eventlog import build_log
from crowd.commands.bench.measure import vote_to_screen
from crowd.commands.bench.plan import FULL, QUICK, SECTIONS, TARGETS, Plan
from crowd.commands.bench.report import machine, table, targets_of
from crowd.commands.bench.sections import Bench


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help="a reduced run in seconds (CI): checks it works, not the figures")
    parser.add_argument("--json", type=Path, default=None, help="write the report here")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections among {','.join(SECTIONS)}")


def _raise_open_files() -> None:
    """Soft open-file limit up to the hard one; `crowd serve` children inherit it.
    Skipped where `resource` does not exist (Windows: no such limit to raise)."""
    try:
        import resource
    except ImportError:
        return

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _run_sections(bench: Bench, sections: Sequence[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in sections:
        bench.log(f"== {name}")
        started = time.perf_counter()
        results[name] = await getattr(bench, name)()
        results[name]["took_s"] = round(time.perf_counter() - started, 1)
    return results


def run(args: argparse.Namespace) -> int:
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        what = "section" if len(unknown) == 1 else "sections"
        print(f"crowd bench: unknown {what} {', '.join(unknown)}; "
              f"choose among {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    plan = QUICK if args.quick else FULL
    _raise_open_files()
    started = time.perf_counter()
    report: dict[str, Any] = {
        "format": "crowd-bench", "version": 1, "quick": args.quick,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(), "plan": asdict(plan)}
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    with tempfile.TemporaryDirectory(prefix="crowd-bench-") as tmp:
        bench = Bench(plan, Path(tmp), lambda line: print(line, flush=True))
        report["machine"].update(server_core=bench.server_cpu, load_core=bench.load_cpu)
        if bench.load_cpu is not None and affinity is not None:  # Linux: pin the load
            os.sched_setaffinity(0, {bench.load_cpu})
        try:
            with bench.kept:
                report["sections"] = asyncio.run(_run_sections(bench, sections))
        finally:
            if affinity is not None:
                os.sched_setaffinity(0, affinity)
    report["targets"] = targets_of(report["sections"])
    report["duration_s"] = round(time.perf_counter() - started, 1)
    print()
    print(table(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        print(f"\nreport: {args.json}")
    return 0


__all__ = ["FULL", "QUICK", "SECTIONS", "TARGETS", "Plan", "build_log", "run", "vote_to_screen"]
