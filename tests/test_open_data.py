"""The open-data export of the anonymised log: its documented schema is true, and the
example script reads it (this release's files and crowd 0.1.0's)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crowd.core.engine import Engine
from crowd.views import exports
from tests.test_film import festival_day

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "exports.md"
OLD = ROOT / "tests" / "data" / "crowd-0.1.0" / "events.msgpack"
FIELDS = {"i", "ts", "room", "type", "client", "seq", "data"}


def documented() -> dict[str, tuple[set[str], set[str]]]:
    """type -> (required keys, optional keys), read from the table in docs/exports.md."""
    table = DOC.read_text(encoding="utf-8").split("### `data`, by event type", 1)[1]
    rows: dict[str, tuple[set[str], set[str]]] = {}
    for line in table.split("\n## ", 1)[0].splitlines():
        match = re.match(r"\| `([a-z_]+)` \| (.*) \|$", line)
        if match:
            keys = re.findall(r"`([a-z_]+)`(\??)", re.sub(r"\([^)]*\)", "", match.group(2)))
            rows[match.group(1)] = ({k for k, o in keys if not o}, {k for k, o in keys if o})
    return rows


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("open-data") / "events.msgpack"
    with path.open("wb") as out:
        exports.write_records(festival_day().events, out)
    return path


def test_every_event_type_the_engine_applies_is_documented() -> None:
    table = documented()
    assert set(Engine()._appliers) <= set(table), set(Engine()._appliers) - set(table)


@pytest.mark.parametrize("which", ["this release", "crowd 0.1.0"])
def test_the_records_follow_the_documented_schema(which: str, fresh: Path) -> None:
    table = documented()
    path = fresh if which == "this release" else OLD
    records = list(exports.read_records(path.read_bytes()))
    assert records and [r["i"] for r in records] == list(range(1, len(records) + 1))
    aliases = {r["client"] for r in records if r["client"] is not None}
    for record in records:
        assert set(record) == FIELDS, record
        required, optional = table[record["type"]]
        keys = set(record["data"])
        assert required <= keys <= required | optional, (record["type"], keys)
        if "device" in keys:
            assert record["data"]["device"] in aliases  # an alias, never a token
    assert {r["type"] for r in records} >= {"room_created", "opened", "responded"}


def test_the_example_script_reads_the_export(fresh: Path, tmp_path: Path) -> None:
    out_csv = tmp_path / "answers.csv"
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "read_events.py"),
                          str(fresh), "--csv", str(out_csv)], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    records = list(exports.read_records(fresh.read_bytes()))
    answers = [r for r in records if r["type"] == "responded"]
    assert out.startswith(f"{len(records)} events, ")
    assert out.rstrip().endswith(f"{len(answers)} answers written to {out_csv}")
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert len(rows) == len(answers)
    by_activity: dict[str, set[Any]] = {}
    for row in rows:
        assert re.fullmatch(r"p\d+", row["participant"]) and row["time"].endswith("+00:00")
        by_activity.setdefault(row["activity"], set()).add(row["participant"])
    for activity, people in by_activity.items():
        line = out.split(activity + " ", 1)[1].split("\n")[1]
        assert f"from {len(people)} participants" in line
