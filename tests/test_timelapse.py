"""The timelapse and the exports without a server: replay == live, bounded, private.

A scripted day goes through the real engine (`Engine.handle`, as the hub drives it), with
a projector tick every 0.1 s of event time recording the frames a screen would receive.
The timelapse is then built from the events that day logged.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

import msgpack
import pytest

from crowd.activities.calls import Call, Volunteer
from crowd.core.engine import Engine, Peer, Reply
from crowd.core.events import Event
from crowd.core.protocol import (
    ActivityNew,
    Close,
    CreateRoom,
    Nick,
    Open,
    Project,
    Respond,
    Reveal,
)
from crowd.core.types import Role
from crowd.views import exports
from crowd.views.replay_page import standalone_html
from crowd.views.timelapse import build_timeline

T0 = 1_752_300_000.0  # a Saturday morning of July 2025
PANEL = Peer(Role.PANEL, "panel-token-not-a-phone")
CONTACT = "06 12 34 56 78 lea@example.org"
SPECS: list[dict[str, Any]] = [
    {"kind": "choice", "prompt": "Pain ou brioche ?", "options": ["pain", "brioche", "les deux"]},
    {"kind": "estimate", "prompt": "Poids de la vache ?", "unit": "kg"},
    {"kind": "words", "prompt": "Un mot pour la journée"},
    {"kind": "temperature", "prompt": "Votre énergie ?"},
    {"kind": "grades", "prompt": "Les ateliers", "options": ["A", "B"]},
]
WORDS = ["pain", "soleil", "fatigue", "joie", "musique"]


@dataclass
class Day:
    """The engine that lived the day, its log, and what the projector last showed."""

    engine: Engine
    events: list[Event] = field(default_factory=list)
    shown: dict[str, dict[str, Any]] = field(default_factory=dict)  # activity -> frame
    devices: list[str] = field(default_factory=list)
    room: str = ""
    activities: list[str] = field(default_factory=list)
    now: float = T0
    next_tick: float = T0
    seq: int = 0

    def tick_until(self, t: float) -> None:
        """The hub's 10 Hz tick: frames of what changed, as screens receive them."""
        while self.next_tick <= t:
            for frame in self.engine.collect_frames():
                self.shown[frame.activity] = frame.message
            self.next_tick += 0.1

    def do(self, msg: Any, peer: Peer = PANEL, dt: float = 1.0) -> dict[str, Any]:
        self.now += dt
        self.tick_until(self.now)
        step = self.engine.handle(msg, peer, self.now)
        self.events.extend(step.events)
        return next(m for target, m in step.sends if isinstance(target, Reply))

    def panel(self, cls: Any, dt: float = 1.0, **fields: Any) -> dict[str, Any]:
        self.seq += 1
        return self.do(cls(**fields, seq=self.seq), PANEL, dt)


def value_for(kind: str, rng: random.Random) -> Any:
    return {"choice": lambda: rng.randrange(3), "estimate": lambda: rng.gauss(600, 120),
            "words": lambda: [rng.choice(WORDS)], "temperature": lambda: rng.uniform(-1, 1),
            "grades": lambda: [rng.randrange(7), rng.randrange(7)]}[kind]()


def scripted_day(seed: int = 1, phones: int = 25, answers: int = 60,
                 pause_s: float = 900.0) -> Day:
    """A plenary: five activities with long pauses between them, a nickname, a criée call."""
    rng = random.Random(seed)
    day = Day(Engine(random.Random(seed)))
    day.room = day.panel(CreateRoom, title="Plénière samedi")["room"]
    day.activities = [day.panel(ActivityNew, room=day.room, spec=spec)["activity"]
                      for spec in SPECS]
    peers = [Peer(Role.PHONE, f"Tok{i:02d}abcdefghijkl.mnopqrstuvwx", day.room)
             for i in range(phones)]
    day.devices = [p.client for p in peers]
    seqs = [0] * phones
    day.do(Nick(name="Léa", seq=1), peers[0])
    seqs[0] = 1
    for act, spec in zip(day.activities, SPECS, strict=True):
        day.panel(Open, dt=pause_s, activity=act)
        day.panel(Project, room=day.room, activity=act)
        for _ in range(answers):
            i = rng.randrange(phones)
            seqs[i] += 1
            day.do(Respond(activity=act, value=value_for(spec["kind"], rng), seq=seqs[i]),
                   peers[i], dt=rng.expovariate(0.5))
        day.panel(Close, dt=3.0, activity=act)
        day.panel(Reveal, activity=act, on=True)
    call = day.panel(Call, room=day.room, spec={"prompt": "Qui aide à ranger ?", "quota": 2,
                                                "ask_contact": True})["call"]
    day.activities.append(call)
    for i in range(3):
        seqs[i] += 1
        day.do(Volunteer(call=call, nickname=f"aide{i}", contact=CONTACT, seq=seqs[i]),
               peers[i], dt=2.0)
    day.panel(Close, dt=5.0, activity=call)
    day.tick_until(day.now + 1.0)
    return day


@pytest.fixture(scope="module")
def day() -> Day:
    return scripted_day()


def test_replaying_the_same_log_twice_gives_identical_frames(day: Day) -> None:
    first = build_timeline(day.events)
    second = build_timeline(list(day.events))
    assert first.frames() and first.digest() == second.digest()
    other = scripted_day(seed=2)
    assert build_timeline(other.events).digest() != first.digest()


def test_last_frame_of_each_activity_is_what_the_projector_showed(day: Day) -> None:
    timeline = build_timeline(day.events)
    last = timeline.last_frames()
    assert set(last) == set(day.activities) == set(day.shown)
    for activity, shown in day.shown.items():
        frame = last[activity]
        assert frame.chart == json.loads(json.dumps(shown["chart"])), activity
        assert frame.state == shown["state"] == "closed"
        assert frame.n == shown["snapshot"]["n"]
    # the rebuilt engine's final state is also the live one
    replayed = Engine()
    replayed.replay(day.events)
    for activity in day.activities:
        live = day.engine.activity(activity).tally.snapshot()
        assert replayed.activity(activity).tally.snapshot() == live


def test_quiet_stretches_are_compressed(day: Day) -> None:
    timeline = build_timeline(day.events, quiet_gap=4.0)
    wall = timeline.end - timeline.start
    assert wall > 4 * 900  # four pauses of a quarter of an hour between activities
    assert timeline.duration < wall / 4
    # a 15-minute pause lasts at most quiet_gap on the play axis
    closed = day.events[[e.type for e in day.events].index("closed")].ts
    reopened = next(e.ts for e in day.events if e.type == "opened" and e.ts > closed)
    assert timeline.play_time(reopened) - timeline.play_time(closed) <= 4.0 + 1e-6
    # while votes come in, play time runs like event time
    busy = [s for s in timeline.tracks[0].samples if s.state == "open"]
    assert busy[-1].p - busy[0].p == pytest.approx(busy[-1].t - busy[0].t, rel=0.35)
    ps = [p for tr in timeline.tracks for p in (s.p for s in tr.samples)]
    assert min(ps) >= 0 and max(ps) <= timeline.duration
    assert timeline.pace >= 1.0


def test_samples_are_bounded_and_keep_first_last_and_state_changes() -> None:
    long_day = scripted_day(seed=3, phones=40, answers=300, pause_s=60)
    timeline = build_timeline(long_day.events, max_frames_per_activity=30)
    for track in timeline.tracks:
        assert 2 <= len(track.samples) <= 30
        times = [s.t for s in track.samples]
        assert times == sorted(times)
        assert track.samples[-1].state == "closed"
    full = build_timeline(long_day.events, max_frames_per_activity=10_000)
    assert any(len(track.samples) > 30 for track in full.tracks)
    for thin, whole in zip(timeline.tracks, full.tracks, strict=True):
        assert thin.samples[0].chart == whole.samples[0].chart
        assert thin.samples[-1].chart == whole.samples[-1].chart
        assert len(whole.samples) > len(thin.samples) or len(whole.samples) <= 30
        assert len(whole.samples) <= (whole.samples[-1].t - whole.samples[0].t) + 2


def test_rooms_and_activities_can_be_chosen(day: Day) -> None:
    chosen = day.activities[1:3]
    timeline = build_timeline(day.events, activities=chosen)
    assert [t.id for t in timeline.tracks] == chosen
    assert build_timeline(day.events, rooms=["ZZZZ"]).tracks == []
    assert [t.id for t in build_timeline(day.events, rooms=[day.room.lower()]).tracks] == \
        day.activities


def test_standalone_html_is_offline_and_complete(day: Day) -> None:
    html = standalone_html(build_timeline(day.events))
    assert "<script src=" not in html and "https://" not in html.split("crowd-timeline")[0][-5000:]
    assert not re.search(r"<script[^>]+src=", html), "everything must be inlined"
    assert "MathJax.js" not in html and "bokeh-tables" not in html
    assert "Bokeh.embed" in html or "embed_items" in html
    data = json.loads(re.search(
        r'<script type="application/json" id="crowd-timeline">(.*?)</script>', html,
        re.S).group(1))
    assert [t["id"] for t in data["tracks"]] == day.activities
    assert data["duration"] > 0 and len(data["knots"]["t"]) == len(data["knots"]["p"])
    for control in ("crowd-scrubber", "crowd-play", "crowd-speed", "crowd-clock",
                    "crowd-timeline", "crowd-choice"):
        assert control in html
    assert len(html) < 4_000_000


def all_text(*blobs: str | bytes) -> str:
    return "\n".join(b.decode("utf-8", "replace") if isinstance(b, bytes) else b for b in blobs)


def test_no_device_token_or_contact_in_public_outputs(day: Day) -> None:
    timeline = build_timeline(day.events)
    html = standalone_html(timeline)
    doc = exports.results(day.engine, day.room, public=False)
    packed = exports.pack_records(day.events)
    page = exports.summary_html(doc, times=exports.activity_times(day.events))
    text = all_text(html, exports.results_json(doc), exports.results_csv(doc), packed, page,
                    json.dumps(msgpack.unpackb(msgpack.packb(list(
                        exports.read_records(packed))), raw=False)))
    for token in [*day.devices, PANEL.client]:
        assert token not in text
    assert CONTACT not in text and "lea@example.org" not in text
    # the animator's summary, and only it, lists the contacts
    animator = exports.summary_html(doc, rosters=exports.call_rosters(day.engine, day.room))
    assert CONTACT in animator and "aide0" in animator


def test_event_log_export_aliases_devices_stably(day: Day) -> None:
    records = list(exports.read_records(exports.pack_records(day.events)))
    assert len(records) == len(day.events)
    assert [r["i"] for r in records] == list(range(1, len(records) + 1))
    assert [r["type"] for r in records] == [e.type for e in day.events]
    aliases: dict[str, str] = {}
    for record, event in zip(records, day.events, strict=True):
        assert set(record) == {"i", "ts", "room", "type", "client", "seq", "data"}
        assert "contact" not in record["data"]
        if event.client is not None:
            assert re.fullmatch(r"p\d+", record["client"])
            assert aliases.setdefault(event.client, record["client"]) == record["client"]
        if "device" in event.data:
            assert record["data"]["device"] == aliases[event.data["device"]]
    assert len(set(aliases.values())) == len(aliases)
    volunteered = [r for r in records if r["type"] == "volunteered"]
    assert volunteered and all(r["data"]["nickname"].startswith("aide") for r in volunteered)
    # as docs/exports.md says: the records replay into the same results
    rebuilt = Engine()
    rebuilt.replay(Event(r["type"], r["room"], r["data"], r["ts"], r["client"], r["seq"])
                   for r in records)
    for activity in day.activities:
        assert rebuilt.activity(activity).tally.snapshot() == \
            day.engine.activity(activity).tally.snapshot()


def test_results_csv_and_json_hold_the_counts(day: Day) -> None:
    doc = exports.results(day.engine, day.room, public=False)
    choice = day.engine.activity(day.activities[0]).tally.snapshot()
    rows = list(csv.DictReader(io.StringIO(exports.results_csv(doc).removeprefix("\ufeff"))))
    assert list(rows[0]) == exports.CSV_COLUMNS
    counts = {r["label"]: int(r["value"]) for r in rows
              if r["activity"] == day.activities[0] and r["measure"] == "counts"}
    assert counts == dict(zip(SPECS[0]["options"], choice["counts"], strict=True))
    words = {r["label"]: int(r["value"]) for r in rows
             if r["activity"] == day.activities[2] and r["measure"] == "counts"}
    snap = day.engine.activity(day.activities[2]).tally.snapshot()
    assert words == dict(zip(snap["words"], snap["counts"], strict=True))
    parsed = json.loads(exports.results_json(doc))
    assert parsed["format"] == "crowd-results" and parsed["room"]["code"] == day.room
    assert [a["id"] for a in parsed["activities"]] == day.activities
    assert parsed["activities"][0]["snapshot"]["counts"] == choice["counts"]
    # without the secret: only what phones may see (the call was never revealed)
    public = exports.results(day.engine, day.room, public=True)
    assert [a["id"] for a in public["activities"]] == day.activities[:-1]
