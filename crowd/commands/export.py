"""Export a room from the SQLite event log: results, the anonymised log, a summary page.

    crowd export --db crowd.db --room KXT4 -o exports/

writes results.csv, results.xlsx, results.json, events.msgpack and summary.html (formats in
docs/exports.md). Device tokens are replaced by p1, p2...; criée contacts only appear in
the summary with --with-contacts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import msgpack

from crowd.commands.timelapse import Progress, check_db, read_log
from crowd.core import events as ev
from crowd.core.engine import Engine
from crowd.core.errors import CrowdError
from crowd.core.events import Event
from crowd.core.types import normalize_code
from crowd.views import exports, workbook


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter  # keep the examples
    parser.add_argument("--db", type=Path, default=Path("crowd.db"),
                        help="the SQLite event log (default crowd.db)")
    parser.add_argument("--room", required=True, metavar="CODE", help="the room to export")
    parser.add_argument("-o", "--output", type=Path, default=Path("."),
                        help="directory to write the files into (created if needed)")
    parser.add_argument("--public", action="store_true",
                        help="results of revealed activities only (what phones may see)")
    parser.add_argument("--with-contacts", action="store_true",
                        help="list criée volunteers with their contacts in summary.html")


def run(args: argparse.Namespace) -> int:
    problem = check_db(args.db)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    code = normalize_code(args.room)
    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    engine = Engine()
    anonymiser = exports.Anonymiser()
    packer = msgpack.Packer(use_bin_type=True)
    times: list[Event] = []
    progress = Progress(f"reading room {code}")
    with open(out / "events.msgpack", "wb") as log_file:
        count = 0

        def on_event(event: Event) -> None:
            nonlocal count
            count += 1
            engine.apply_stored(event)
            log_file.write(packer.pack(exports.anonymised_record(event, count, anonymiser)))
            if event.type in {ev.OPENED, ev.CLOSED}:
                times.append(event)

        read_log(args.db, [code], on_event, progress)
    progress.done(f"{count:,} events")
    try:
        doc = exports.results(engine, code, public=args.public,
                              as_of=times[-1].ts if times else None)
    except CrowdError as exc:
        (out / "events.msgpack").unlink(missing_ok=True)
        print(f"{exc.message} in {args.db}", file=sys.stderr)
        return 2
    (out / "results.json").write_text(exports.results_json(doc), encoding="utf-8")
    (out / "results.csv").write_text(exports.results_csv(doc), encoding="utf-8")
    (out / "results.xlsx").write_bytes(workbook.results_xlsx(doc))
    rosters = exports.call_rosters(engine, code) if args.with_contacts else None
    (out / "summary.html").write_text(exports.summary_html(
        doc, times=exports.activity_times(times), rosters=rosters), encoding="utf-8")
    for name in ("results.csv", "results.xlsx", "results.json", "events.msgpack",
                 "summary.html"):
        print(f"{out / name}  {(out / name).stat().st_size:,} bytes", file=sys.stderr)
    return 0
