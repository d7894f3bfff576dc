"""What an edition kept, read back by a later crowd: results.json and events.msgpack.

"Jusqu'au prochain": the report and the film of this year must open next year. Both are
rebuilt from versioned files: the event log (SQLite, `PRAGMA user_version`, migrated
forward, a newer one refused: `crowd.server.eventlog`), `results.json`
(`{"format": "crowd-results", "version": 1}`) and the anonymised `events.msgpack` (one
map per event, fields `i, ts, room, type, client, seq, data`, version 1 of
docs/exports.md). A version only ever grows: a reader accepts every version up to its
own and refuses a newer one with a sentence saying what to do. New fields may appear
within a version; none disappears or changes meaning.

`tests/data/crowd-0.1.0/` holds files written by the previous release; the tests read
them with this module. Pure: no file is opened here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from crowd.core.events import Event
from crowd.views.exports import FORMAT_VERSION, RESULTS_FORMAT

#: Fields every record of events.msgpack has had since version 1.
RECORD_FIELDS = ("i", "ts", "room", "type", "client", "seq", "data")


class NotReadable(ValueError):
    """A kept file this crowd cannot read: the message says why and what to do."""


def read_results(source: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """A results.json document of any version up to ours (the report reads it as is)."""
    doc = json.loads(source) if isinstance(source, str | bytes) else dict(source)
    if not isinstance(doc, dict) or doc.get("format") != RESULTS_FORMAT:
        raise NotReadable("this is not a crowd results file (no \"format\": "
                          f"\"{RESULTS_FORMAT}\")")
    version = doc.get("version")
    if not isinstance(version, int) or version < 1:
        raise NotReadable("this results file has no version: it was not written by crowd")
    if version > FORMAT_VERSION:
        raise NotReadable(f"this results file is version {version}, newer than this crowd "
                          f"reads ({FORMAT_VERSION}): open it with a newer crowd")
    if not isinstance(doc.get("activities"), list):
        raise NotReadable("this results file lists no activities")
    return doc


def events_from_records(records: Iterable[Mapping[str, Any]]) -> Iterator[Event]:
    """The events of an anonymised export, ready for `Engine.apply` (the aliases `p1`,
    `p2`... stand for the devices: a replay rebuilds the same results and frames)."""
    for record in records:
        missing = [name for name in RECORD_FIELDS if name not in record]
        if missing:
            raise NotReadable(f"event record {record.get('i', '?')} lacks "
                              f"{', '.join(missing)}: not a crowd events.msgpack")
        yield Event(str(record["type"]), str(record["room"]), dict(record["data"]),
                    float(record["ts"]), record["client"], record["seq"])


__all__ = ["NotReadable", "events_from_records", "read_results"]
