"""A room's exports: results (JSON and CSV), the anonymised event log, a printable summary.

Pure functions over an `Engine` (live, or rebuilt by replaying the log: both are equal by
construction) and over events. The format of each file is documented in docs/exports.md.

Privacy: device tokens never leave through an export. In the event log they become
stable per-export aliases (`p1`, `p2`, ... in order of first appearance); anywhere else
they are dropped. Fields named `contact`/`contacts` (criée contacts) are always removed;
only the animator's summary lists contacts, from the engine's call rosters, on request.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import math
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

import msgpack

from crowd.activities.calls import CallTally
from crowd.core import events as ev
from crowd.core.engine import Engine
from crowd.core.events import Event
from crowd.core.room import Activity, Room
from crowd.core.types import State
from crowd.views.timelapse import DEVICE_KEYS, PRIVATE_KEYS, public_copy

RESULTS_FORMAT = "crowd-results"
EVENTS_FORMAT = "crowd-events"
FORMAT_VERSION = 1
CSV_COLUMNS = ["room", "activity", "kind", "prompt", "state", "n", "measure", "label", "value",
               "value_label"]
#: Snapshot fields whose values are option indices / grade indices (shown by name in CSV).
OPTION_INDEX_FIELDS = frozenset({"ranking", "winners", "condorcet_winner"})
GRADE_INDEX_FIELDS = frozenset({"majority"})
#: Other fields holding indices into a list of the spec: the value scale's items (its
#: reference, the pair it contradicts itself on), the opinion map's statements.
NAMED_INDEX_FIELDS = {"reference": "items", "pair": "items", "consensus": "statements",
                      "divisive": "statements", "representative": "statements"}
#: Per-participant lists (the opinion map's anonymous dots): by position, never by name.
PER_PERSON_FIELDS = frozenset({"points", "point_groups"})
#: Spec lists that name a snapshot's per-entry lists when their lengths match.
NAME_LISTS = ("options", "items", "statements")
#: What a server-signed device token looks like (crowd.server.security.DeviceTokens).
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{12}$")


# ---------------------------------------------------------------- results


def device_tokens(room: Room) -> set[str]:
    """Every device token the room's state knows (to scrub them from what we export)."""
    tokens = set(room.nicks) | set(room.last_seen)
    for act in room.activities.values():
        tokens.update(act.responses)
        volunteers = getattr(act.tally, "volunteers", None)
        if isinstance(volunteers, Mapping):
            tokens.update(volunteers)
    return tokens


def activity_result(act: Activity, tokens: set[str], *, public: bool = True,
                    snap: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One activity's results. The figures are the tally's: moderated free text counts
    only what showed; the animator's export (`public=False`) also lists every entry with
    its status (waiting, hidden, merged...), the public one never. `snap`: the engine's
    snapshot when there is one (it adds what the room adds, a split by segments)."""
    if snap is None:
        snap = act.tally.snapshot()
    chart = act.tally.chart(snap)
    result = {"id": act.id, "kind": act.spec["kind"], "prompt": act.spec.get("prompt", ""),
              "state": act.state.value, "revealed": act.revealed, "n": len(act.responses)
              if act.responses else _n(snap), "spec": public_copy(act.public(), tokens),
              "snapshot": public_copy(snap, tokens), "chart": public_copy(chart, tokens)}
    if not public and act.moderation is not None:
        result["moderation"] = act.moderation.describe()
    return result


def _n(snap: Mapping[str, Any]) -> int:
    n = snap.get("n")
    return n if isinstance(n, int) and not isinstance(n, bool) else 0


def results(engine: Engine, code: str, *, public: bool = True,
            as_of: float | None = None) -> dict[str, Any]:
    """The room's results as one JSON-ready document.

    `public=True` keeps what phones may see (revealed activities); the animator's export
    (`public=False`) has every activity, drafts included.
    """
    room = engine.room(code)
    tokens = device_tokens(room)
    acts = [a for a in room.activities.values() if not public or a.revealed]
    return {"format": RESULTS_FORMAT, "version": FORMAT_VERSION,
            "room": {"code": room.code, "title": room.title}, "public": public,
            "as_of": as_of, "activities": [activity_result(a, tokens, public=public,
                                                           snap=engine.snapshot(a))
                                           for a in acts]}


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _labels(snap: Mapping[str, Any], spec: Mapping[str, Any], key: str,
            length: int) -> list[str]:
    """Row labels for a list of `length` values: options, a parallel text list, bins."""
    if key in PER_PERSON_FIELDS:
        return [str(i + 1) for i in range(length)]
    for names in NAME_LISTS:
        options = spec.get(names)
        if isinstance(options, list) and len(options) == length:
            return [str(o) for o in options]
    for other, values in snap.items():
        if (other != key and isinstance(values, list) and len(values) == length and values
                and all(isinstance(v, str) for v in values)):
            return list(values)
    for other, values in snap.items():
        if ("edges" in other and isinstance(values, list) and len(values) == length + 1
                and all(isinstance(v, int | float) for v in values)):
            return [f"{a:.4g} – {b:.4g}" for a, b in itertools.pairwise(values)]
    for other, values in snap.items():
        if ("center" in other and isinstance(values, list) and len(values) == length
                and all(isinstance(v, int | float) for v in values) and other != key):
            return [f"{v:.4g}" for v in values]
    return [str(i + 1) for i in range(length)]


def _value_label(key: str, value: Any, spec: Mapping[str, Any]) -> str:
    names = (spec.get("options") if key in OPTION_INDEX_FIELDS
             else spec.get("grades") if key in GRADE_INDEX_FIELDS
             else spec.get(NAMED_INDEX_FIELDS[key]) if key in NAMED_INDEX_FIELDS else None)
    if (isinstance(names, list) and isinstance(value, int) and not isinstance(value, bool)
            and 0 <= value < len(names)):
        return str(names[value])
    return ""


def flatten_snapshot(snap: Mapping[str, Any],
                     spec: Mapping[str, Any]) -> Iterator[tuple[str, str, Any, str]]:
    """(measure, label, value, value_label) rows for any kind's snapshot.

    Lists are labelled by option when they have one entry per option, by a parallel list
    of texts (words), by histogram bins (edges), else by position; nested lists by option
    and grade; nested maps get dotted measure names.
    """
    used_as_labels = {k for k, v in snap.items() if isinstance(v, list) and v
                      and all(isinstance(x, str) for x in v)}
    for key, value in snap.items():
        if key in PRIVATE_KEYS or key in DEVICE_KEYS:
            continue
        if _scalar(value):
            yield key, "", value, _value_label(key, value, spec)
        elif isinstance(value, Mapping):
            for sub, label, v, vl in flatten_snapshot(value, spec):
                yield f"{key}.{sub}", label, v, vl
        elif isinstance(value, list) and value and all(
                isinstance(v, Mapping) and "label" in v for v in value):
            # maps that name themselves (a split's segments): rows named by them
            for item in value:
                rest = {k: v for k, v in item.items() if k != "label"}
                for sub, label, v, vl in flatten_snapshot(rest, spec):
                    yield (f"{key}.{sub}", f"{item['label']} / {label}" if label
                           else str(item["label"]), v, vl)
        elif isinstance(value, list):
            if key in used_as_labels and any(
                    isinstance(v, list) and len(v) == len(value) and k != key
                    for k, v in snap.items()):
                continue  # the words themselves label the counts
            if key in OPTION_INDEX_FIELDS or key in NAMED_INDEX_FIELDS or (
                    key in GRADE_INDEX_FIELDS and not any(isinstance(v, list) for v in value)):
                labels = ([str(i + 1) for i in range(len(value))] if key in OPTION_INDEX_FIELDS
                          else _labels(snap, spec, key, len(value)))
            else:
                labels = _labels(snap, spec, key, len(value))
            grades = spec.get("grades")
            for label, item in zip(labels, value, strict=False):
                if isinstance(item, list):
                    inner = ([str(g) for g in grades] if isinstance(grades, list)
                             and len(grades) == len(item) else
                             [str(j + 1) for j in range(len(item))])
                    for sub, v in zip(inner, item, strict=False):
                        if _scalar(v):
                            yield key, f"{label} / {sub}", v, ""
                elif _scalar(item):
                    yield key, label, item, _value_label(key, item, spec)
                elif isinstance(item, Mapping):  # an opinion group: its size, statements...
                    for sub, inner_label, v, vl in flatten_snapshot(item, spec):
                        yield (f"{key}.{sub}", f"{label} / {inner_label}" if inner_label
                               else label, v, vl)
                else:
                    yield key, label, json.dumps(item, ensure_ascii=False), ""


def results_csv(doc: Mapping[str, Any], sep: str = ",") -> str:
    """One row per (activity, measure, label): easy to filter and pivot in a spreadsheet.

    It starts with a byte-order mark, so spreadsheets read it as UTF-8 (without it, French
    Excel shows "Ã©" for "é"). `sep=";"` is for French locales, whose spreadsheets split
    on semicolons and read decimal commas: numbers are then written `0,5`.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    code = doc["room"]["code"]
    decimal_comma = sep == ";"
    for act in doc["activities"]:
        base = [code, act["id"], act["kind"], act["prompt"], act["state"], act["n"]]
        for measure, label, value, value_label in flatten_snapshot(act["snapshot"],
                                                                   act["spec"]):
            cells = [csv_cell(v) for v in (*base, measure, label, value, value_label)]
            if decimal_comma:
                cells = [str(c).replace(".", ",") if isinstance(c, float) else c
                         for c in cells]
            writer.writerow(cells)
    return out.getvalue()


#: What a spreadsheet runs as a formula when a cell starts with it (the panel's roster CSV
#: in static/panel/criee.js uses the same rule).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows and never runs: every CSV crowd writes goes through it.

    Texts come from the crowd (words, nicknames) and the animator (prompts, options): one
    that starts like a formula (`=HYPERLINK(...)`, `@SUM(...)`, `+33 6...`) gets a leading
    apostrophe, which spreadsheets read as "this is text". Numbers stay numbers, and so
    does a text that is only a number (`-3.5`): a spreadsheet reads it as that number.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def results_json(doc: Mapping[str, Any]) -> str:
    return json.dumps(_finite(doc), ensure_ascii=False, indent=1, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


# ---------------------------------------------------------------- the event log


class Anonymiser:
    """Device token -> `p1`, `p2`, ... in order of first appearance, stable per export."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}

    def alias(self, token: str) -> str:
        found = self.aliases.get(token)
        if found is None:
            found = self.aliases[token] = f"p{len(self.aliases) + 1}"
        return found

    def scrub(self, value: Any, key: str | None = None) -> Any:
        """Drop private fields; alias device fields, known tokens and token-shaped texts."""
        if isinstance(value, Mapping):
            return {k: self.scrub(v, k) for k, v in value.items() if k not in PRIVATE_KEYS}
        if isinstance(value, list | tuple):
            return [self.scrub(v, key) for v in value]
        if isinstance(value, str) and (key in DEVICE_KEYS or value in self.aliases
                                       or TOKEN_SHAPE.match(value)):
            return self.alias(value)
        return value


def anonymised_record(event: Event, number: int, anonymiser: Anonymiser) -> dict[str, Any]:
    """The export record of one event (schema in docs/exports.md)."""
    client = None if event.client is None else anonymiser.alias(event.client)
    return {"i": number, "ts": event.ts, "room": event.room, "type": event.type,
            "client": client, "seq": event.seq, "data": anonymiser.scrub(event.data)}


def anonymised_records(events: Iterable[Event],
                       anonymiser: Anonymiser | None = None) -> Iterator[dict[str, Any]]:
    """One record per event, numbered from 1, tokens aliased, contacts gone."""
    anon = anonymiser or Anonymiser()
    for number, event in enumerate(events, start=1):
        yield anonymised_record(event, number, anon)


def write_records(events: Iterable[Event], out: BinaryIO) -> int:
    """Write the msgpack stream (one map per event, back to back); returns the count."""
    packer = msgpack.Packer(use_bin_type=True)
    count = 0
    for record in anonymised_records(events):
        out.write(packer.pack(record))
        count += 1
    return count


def pack_records(events: Iterable[Event]) -> bytes:
    buffer = io.BytesIO()
    write_records(events, buffer)
    return buffer.getvalue()


def read_records(data: bytes | BinaryIO) -> Iterator[dict[str, Any]]:
    """Read an exported event stream back (what a script does with events.msgpack)."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    yield from msgpack.Unpacker(stream, raw=False)


# ---------------------------------------------------------------- the summary


def activity_times(events: Iterable[Event]) -> dict[str, list[tuple[float, float | None]]]:
    """Open intervals per activity, from the log's opened/closed events."""
    spans: dict[str, list[tuple[float, float | None]]] = {}
    for event in events:
        if event.type == ev.OPENED:
            spans.setdefault(event.data["id"], []).append((event.ts, None))
        elif event.type == ev.CLOSED:
            items = spans.get(event.data["id"])
            if items and items[-1][1] is None:
                items[-1] = (items[-1][0], event.ts)
    return spans


def call_rosters(engine: Engine, code: str) -> dict[str, list[dict[str, Any]]]:
    """Animator-only: each call's volunteers with nickname, contact and status."""
    room = engine.room(code)
    return {act.id: act.tally.roster() for act in room.activities.values()
            if isinstance(act.tally, CallTally)}


STATE_FR = {State.DRAFT.value: "brouillon", State.OPEN.value: "ouverte",
            State.CLOSED.value: "fermée"}

SUMMARY_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111;
       max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.35; }
h1 { font-size: 1.7rem; margin: 0; } h2 { font-size: 1.15rem; margin: 0 0 .3rem; }
.meta { color: #555; font-size: .9rem; margin: .1rem 0 .6rem; }
section { border-top: 1px solid #ccc; padding: .8rem 0; break-inside: avoid; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin: .3rem 0 .6rem; }
td, th { padding: .15rem .4rem; text-align: left; vertical-align: top; }
th { font-weight: 600; color: #333; } td.num { text-align: right; white-space: nowrap;
       font-variant-numeric: tabular-nums; width: 6rem; }
td.bar { width: 40%; } .bar span { display: block; height: .8rem; background: #3fa7d6;
       print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.figures { font-size: .9rem; } .figures b { font-weight: 600; }
.private { border: 2px solid #b00; padding: .5rem; }
@page { margin: 15mm; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return "—" if not math.isfinite(value) else f"{value:.4g}"
    if value is None:
        return "—"
    return str(value)


def _clock(ts: float, utc_offset: float) -> str:
    return time.strftime("%H:%M", time.gmtime(ts + utc_offset))


def summary_html(doc: Mapping[str, Any], *,
                 times: Mapping[str, list[tuple[float, float | None]]] | None = None,
                 rosters: Mapping[str, list[dict[str, Any]]] | None = None,
                 utc_offset: float | None = None) -> str:
    """A printable page of the room's results; `rosters` (contacts) only for animators."""
    esc = html.escape
    room = doc["room"]
    times = times or {}
    if utc_offset is None:
        first = min((a for spans in times.values() for a, _ in spans), default=time.time())
        utc_offset = float(time.localtime(first).tm_gmtoff)
    parts = [f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             f"<title>{esc(room['title'])} — résultats</title><style>{SUMMARY_CSS}</style>"
             f"</head><body><h1>{esc(room['title'])}</h1>"
             f"<p class=\"meta\">Salle {esc(room['code'])} · {len(doc['activities'])} activités"
             f"{'' if doc.get('public', True) else ' · export animateur'}</p>"]
    for act in doc["activities"]:
        spans = times.get(act["id"], [])
        when = ", ".join(f"{_clock(a, utc_offset)}–{'' if b is None else _clock(b, utc_offset)}"
                         for a, b in spans)
        parts.append(f"<section><h2>{esc(act['id'])} · {esc(act['prompt'])}</h2>"
                     f"<p class=\"meta\">{esc(act['kind'])} · "
                     f"{esc(STATE_FR.get(act['state'], act['state']))} · {act['n']} réponses"
                     f"{' · ' + esc(when) if when else ''}</p>")
        parts.append(_summary_body(act))
        roster = (rosters or {}).get(act["id"])
        if roster:
            parts.append(_roster_html(roster))
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts)


def _summary_body(act: Mapping[str, Any], max_rows: int = 30) -> str:
    """Key figures on one line, then one table per set of rows sharing their labels.

    The first numeric column gets bars. Long series (densities, fine histograms) and bin
    edges stay in results.csv: a printed page is for reading.
    """
    esc = html.escape
    figures: list[str] = []
    tables: dict[str, list[tuple[str, Any, str]]] = {}
    for measure, label, value, value_label in flatten_snapshot(act["snapshot"], act["spec"]):
        if label == "":
            figures.append(f"<b>{esc(measure)}</b> {esc(value_label or _fmt(value))}")
        elif "edges" not in measure and "center" not in measure:
            tables.setdefault(measure, []).append((label, value, value_label))
    groups: dict[tuple[str, ...], list[str]] = {}
    for measure, rows in tables.items():
        if len(rows) <= max_rows:
            groups.setdefault(tuple(label for label, _, _ in rows), []).append(measure)
    out = [f"<p class=\"figures\">{' · '.join(figures)}</p>"] if figures else []
    for labels, measures in groups.items():
        values = {m: tables[m] for m in measures}
        first = next((m for m in measures if all(_number(v) and not vl
                                                  for _, v, vl in values[m])), None)
        top = max((abs(v) for _, v, _ in values[first]), default=0) if first else 0
        head = "".join(f"<th class=\"num\">{esc(m)}</th>" for m in measures)
        out.append(f"<table><tr><th></th>{head}<th></th></tr>")
        for i, label in enumerate(labels):
            cells = "".join(f"<td class=\"num\">{esc(values[m][i][2] or _fmt(values[m][i][1]))}"
                            "</td>" for m in measures)
            bar = ""
            if first is not None and top:
                width = 100 * abs(values[first][i][1]) / top
                bar = f"<span style=\"width:{width:.1f}%\"></span>"
            out.append(f"<tr><td>{esc(label)}</td>{cells}<td class=\"bar\">{bar}</td></tr>")
        out.append("</table>")
    return "".join(out)


def _number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _roster_html(roster: list[dict[str, Any]]) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{i}</td><td>{esc(str(v.get('nickname', '')))}</td>"
        f"<td>{esc(str(v.get('contact', '')))}</td><td>{esc(str(v.get('status', '')))}"
        f"{'' if v.get('position') is None else ' ' + str(v['position'])}</td></tr>"
        for i, v in enumerate(roster, start=1))
    return ("<div class=\"private\"><b>Volontaires (animateurs seulement)</b><table>"
            "<tr><th>#</th><th>pseudo</th><th>contact</th><th>statut</th></tr>"
            f"{rows}</table></div>")


__all__ = ["CSV_COLUMNS", "Anonymiser", "activity_times", "anonymised_record", "anonymised_records",
           "call_rosters", "csv_cell", "flatten_snapshot", "pack_records", "read_records",
           "results", "results_csv", "results_json", "summary_html", "write_records"]
