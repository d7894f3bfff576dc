"""The closing timelapse: a room's day replayed from its event log, as one offline HTML file.

`build_timeline` replays the log through a fresh `crowd.core.engine.Engine` — the very `apply`
the live server and its restart use, so the replay cannot drift from what happened — and
samples each activity's projector frame (`Engine.collect_frames`) at most once per second
of event time, keeping a bounded number of samples per activity so a million events stay
small. Quiet stretches (no activity changed for a while) shrink on a separate *play* axis
so a three-hour day plays in a few minutes.

`crowd.views.replay_page` turns that timeline into one offline HTML file.

Pure: no asyncio, no sockets, no SQLite. Nothing animator-only ends up here: the timeline
holds public activity descriptions and chart columns only, with any `contact`/`contacts`
field removed and any device token replaced.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from crowd.core import events as ev
from crowd.core.engine import Engine
from crowd.core.events import Event
from crowd.core.types import normalize_code

#: Fields that may carry animator-only data (criée contacts): dropped everywhere public.
PRIVATE_KEYS = frozenset({"contact", "contacts"})
#: Fields that name a device: their values are device tokens.
DEVICE_KEYS = frozenset({"device", "devices", "client"})

DEFAULT_MAX_SAMPLES = 240
DEFAULT_INTERVAL = 1.0
DEFAULT_QUIET_GAP = 4.0
DEFAULT_TARGET_PLAY_S = 180.0
DEFAULT_MAX_DATA_BYTES = 5_000_000  # sampled columns in the HTML: keeps the file < 10 MB
MIN_SAMPLES = 24  # no activity gets fewer samples than this to fit the byte budget
LEAD_S = 2.0  # play seconds before the first change and after the last one
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)


# ---------------------------------------------------------------- privacy


def public_copy(value: Any, tokens: frozenset[str] | set[str] = frozenset()) -> Any:
    """A deep copy without private fields, device-naming fields or known device tokens.

    Tallies return lists that may be their own internals: copying also keeps the samples
    from changing under us as the replay goes on. Flat lists (the long numeric columns)
    are checked and copied at C speed.
    """
    if isinstance(value, Mapping):
        return {k: public_copy(v, tokens) for k, v in value.items()
                if k not in PRIVATE_KEYS and k not in DEVICE_KEYS and k not in tokens}
    if isinstance(value, list | tuple):
        try:
            if tokens.isdisjoint(value) and tuple not in set(map(type, value)):
                return list(value)
        except TypeError:  # unhashable items: lists or maps inside
            pass
        return [public_copy(v, tokens) for v in value]
    if isinstance(value, str) and value in tokens:
        return "[device]"
    return value


# ---------------------------------------------------------------- the timeline


@dataclass(frozen=True, slots=True)
class Sample:
    """One activity's projector frame at event time `t`, shown from play time `p` on."""

    t: float
    p: float
    state: str
    n: int | None
    chart: dict[str, dict[str, list[Any]]]


@dataclass(slots=True)
class Track:
    """Everything the replay needs about one activity."""

    id: str
    room: str
    activity: dict[str, Any]  # public description at the end (spec, state, revealed)
    snapshot: dict[str, Any]  # the last snapshot: what the projector showed at the end
    samples: list[Sample] = field(default_factory=list)
    spans: list[tuple[float, float]] = field(default_factory=list)  # open intervals (event t)

    @property
    def kind(self) -> str:
        return str(self.activity.get("kind", ""))

    @property
    def label(self) -> str:
        prompt = " ".join(str(self.activity.get("prompt", "")).split())
        if len(prompt) > 60:
            prompt = prompt[:59] + "…"
        return f"{self.id} · {prompt}"


@dataclass(slots=True)
class Timeline:
    """Sampled frames of the chosen activities, on an event-time and a play-time axis.

    `knots_t`/`knots_p` map event time to play time piecewise linearly: slope 1 while
    something happens, quiet stretches shortened to `quiet_gap` play seconds.
    """

    title: str
    rooms: dict[str, str]
    tracks: list[Track]
    knots_t: list[float]
    knots_p: list[float]
    events: int
    pace: float  # play seconds per real second at speed 1 (the day plays in ~target)
    utc_offset: float  # seconds east of UTC of the event's place, for the clock

    @property
    def start(self) -> float:
        return self.knots_t[0]

    @property
    def end(self) -> float:
        return self.knots_t[-1]

    @property
    def duration(self) -> float:
        """Length of the play axis (compressed seconds)."""
        return self.knots_p[-1]

    def play_time(self, t: float) -> float:
        return float(np.interp(t, self.knots_t, self.knots_p))

    def event_time(self, p: float) -> float:
        return float(np.interp(p, self.knots_p, self.knots_t))

    def frames(self) -> list[tuple[str, float, float, str, int | None, Any]]:
        """Every sample in order, as plain tuples (what `digest` hashes)."""
        return [(tr.id, s.t, s.p, s.state, s.n, s.chart) for tr in self.tracks
                for s in tr.samples]

    def digest(self) -> str:
        """SHA-256 of the frames: two replays of the same log give the same digest."""
        blob = json.dumps(self.frames(), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False, allow_nan=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def last_frames(self) -> dict[str, Sample]:
        return {tr.id: tr.samples[-1] for tr in self.tracks if tr.samples}

    def to_json(self) -> dict[str, Any]:
        """What the page's script reads: columns split into static and per-sample parts."""
        return {
            "title": self.title, "rooms": self.rooms, "events": self.events,
            "start": self.start, "end": self.end, "duration": self.duration,
            "pace": self.pace, "utc_offset": self.utc_offset, "speeds": list(SPEEDS),
            "knots": {"t": self.knots_t, "p": [round(p, 3) for p in self.knots_p]},
            "tracks": [_track_json(tr, self) for tr in self.tracks],
        }


def _rounded(column: Any, digits: int = 6) -> Any:
    """Floats to `digits` significant digits: the same picture, a far shorter JSON."""
    if not isinstance(column, list) or not column or type(column[0]) is not float:
        return column
    if set(map(type, column)) != {float}:
        return column
    arr = np.asarray(column)
    finite = np.isfinite(arr)
    if not finite.all():
        return column
    top = float(np.abs(arr).max())
    if top == 0.0:
        return column
    decimals = max(0, digits - 1 - math.floor(math.log10(top)))
    return np.round(arr, decimals).tolist()


def _track_json(track: Track, timeline: Timeline) -> dict[str, Any]:
    static: dict[str, dict[str, Any]] = {}
    per_sample: dict[str, dict[str, list[Any]]] = {}
    names = dict.fromkeys(name for s in track.samples for name in s.chart)
    for name in names:
        columns = dict.fromkeys(col for s in track.samples for col in s.chart.get(name, {}))
        for col in columns:
            values = [_rounded(s.chart.get(name, {}).get(col)) for s in track.samples]
            if all(v == values[0] for v in values) and values[0] is not None:
                static.setdefault(name, {})[col] = values[0]
            else:
                per_sample.setdefault(name, {})[col] = values
    return {
        "id": track.id, "room": track.room, "kind": track.kind, "label": track.label,
        "prompt": str(track.activity.get("prompt", "")),
        "p": [round(s.p, 3) for s in track.samples],
        "states": [s.state for s in track.samples], "n": [s.n for s in track.samples],
        "static": static, "cols": per_sample,
        "spans": [[round(timeline.play_time(a), 3), round(timeline.play_time(b), 3)]
                  for a, b in track.spans],
    }


# ---------------------------------------------------------------- building it


class TimelineBuilder:
    """Feed events one by one (`feed`), then `finish()`: a million events need no list.

    `rooms=None` keeps every room (the whole event); `activities=None` every activity that
    ever showed a frame; `only_revealed` keeps the activities revealed to phones at the
    end (what a participant may see). Deleted activities are left out. `engine` lets a
    caller pass an engine of its own; by default a fresh `Engine()`.
    """

    def __init__(self, rooms: Sequence[str] | None = None,
                 activities: Sequence[str] | None = None, *,
                 max_frames_per_activity: int = DEFAULT_MAX_SAMPLES,
                 interval: float = DEFAULT_INTERVAL, quiet_gap: float = DEFAULT_QUIET_GAP,
                 target_play_s: float = DEFAULT_TARGET_PLAY_S, only_revealed: bool = False,
                 max_data_bytes: int = DEFAULT_MAX_DATA_BYTES,
                 engine: Engine | None = None) -> None:
        if max_frames_per_activity < 2:
            raise ValueError("keep at least 2 samples per activity (first and last)")
        self.engine = engine if engine is not None else Engine()
        self.codes = None if rooms is None else {normalize_code(r) for r in rooms}
        self.wanted = None if activities is None else set(activities)
        self.max_samples = max_frames_per_activity
        self.interval = interval
        self.quiet_gap = quiet_gap
        self.target_play_s = target_play_s
        self.only_revealed = only_revealed
        self.max_data_bytes = max_data_bytes
        self.count = 0
        self._raw: dict[str, list[Sample]] = {}
        self._snapshots: dict[str, dict[str, Any]] = {}
        self._opened: dict[str, list[list[float | None]]] = {}
        self._tokens: set[str] = set()
        self._last_ts: float | None = None
        self._next_tick = -math.inf
        self._last_sample: dict[str, float] = {}  # activity -> time of its last sample
        self._step: dict[str, float] = {}  # activity -> its sampling interval
        self._instants: dict[str, list[float]] = {}  # activity -> ticks it changed in

    def feed(self, event: Event) -> None:
        """Apply one event (log order); sample the changed activities once per interval."""
        if self.codes is not None and event.room not in self.codes:
            return
        last = self._last_ts
        ts = event.ts if last is None else max(event.ts, last)
        if ts >= self._next_tick:
            if last is not None and self.engine.dirty:
                self._take(last)
            self._next_tick = (math.floor(ts / self.interval) + 1) * self.interval
        if not self.engine.apply_stored(event):
            return
        if event.client is not None:
            self._tokens.add(event.client)
        if event.type == ev.OPENED or event.type == ev.CLOSED:
            activity = event.data["id"]
            self._last_sample.pop(activity, None)  # a state change is always sampled
            spans = self._opened.setdefault(activity, [])
            if event.type == ev.OPENED:
                spans.append([ts, None])
            elif spans and spans[-1][1] is None:
                spans[-1][1] = ts
        self.count += 1
        self._last_ts = ts

    def _take(self, t: float, force: bool = False) -> None:
        """Sample the changed activities that are due; the others stay dirty (pending).

        An activity samples every `interval` seconds at first; each time it holds
        `max_frames_per_activity` samples, every other one goes and its interval doubles,
        so a long activity costs O(cap) snapshots, not one per second.
        """
        engine = self.engine
        if self.wanted is not None:
            engine.dirty.intersection_update(self.wanted)
        if not engine.dirty:
            return
        pending = set()
        for activity in engine.dirty:
            self._instants.setdefault(activity, []).append(t)
            step = self._step.get(activity, self.interval)
            if not force and t - self._last_sample.get(activity, -math.inf) < step - 1e-9:
                pending.add(activity)
        engine.dirty.difference_update(pending)
        for frame in engine.collect_frames():
            msg = frame.message
            snap = msg["snapshot"]
            n = snap.get("n")
            if not isinstance(n, int) or isinstance(n, bool):
                act = engine.activities.get(frame.activity)
                n = None if act is None else len(act.responses)
            samples = self._raw.setdefault(frame.activity, [])
            samples.append(Sample(t, 0.0, str(msg["state"]), n,
                                  public_copy(msg["chart"], self._tokens)))
            self._snapshots[frame.activity] = snap
            self._last_sample[frame.activity] = t
            if len(samples) >= self.max_samples:
                self._raw[frame.activity] = _thin(samples, self.max_samples // 2)
                self._step[frame.activity] = 2 * self._step.get(frame.activity, self.interval)
        engine.dirty.update(pending)

    def finish(self, title: str | None = None, utc_offset: float | None = None) -> Timeline:
        """The last frames, the play axis, the bounded samples: the timeline."""
        if self._last_ts is not None and self.engine.dirty:
            self._take(self._last_ts, force=True)
        engine, codes = self.engine, self.codes
        tracks: list[Track] = []
        for room in engine.rooms.values():
            if codes is not None and room.code not in codes:
                continue
            for act in room.activities.values():
                samples = self._raw.get(act.id)
                if not samples or (self.wanted is not None and act.id not in self.wanted):
                    continue
                if self.only_revealed and not act.revealed:
                    continue
                # what an animator hid later leaves the earlier frames too
                samples = [replace(s, chart=act.tally.redact(s.chart)) for s in samples]
                tracks.append(Track(act.id, room.code, public_copy(act.public(), self._tokens),
                                    public_copy(self._snapshots[act.id], self._tokens),
                                    samples))
        knots_t, knots_p = _knots([t for tr in tracks for t in self._instants[tr.id]],
                                  self.quiet_gap, fallback=self._last_ts)
        end = knots_t[-1]
        caps = _byte_caps(tracks, self.max_samples, self.max_data_bytes)
        for tr in tracks:
            thinned = _thin(tr.samples, caps[tr.id])
            play = np.interp([s.t for s in thinned], knots_t, knots_p)
            tr.samples = [replace(s, p=float(p)) for s, p in zip(thinned, play, strict=True)]
            tr.spans = [(float(a), float(end if b is None else b))  # type: ignore[arg-type]
                        for a, b in self._opened.get(tr.id, [])]
        room_titles = {code: r.title for code, r in engine.rooms.items()
                       if codes is None or code in codes}
        if title is None:
            title = (next(iter(room_titles.values())) if len(room_titles) == 1
                     else f"{len(room_titles)} salles" if room_titles else "crowd")
        duration = knots_p[-1]
        pace = max(1.0, duration / self.target_play_s) if self.target_play_s > 0 else 1.0
        if utc_offset is None:
            utc_offset = float(time.localtime(knots_t[0]).tm_gmtoff)
        return Timeline(title, room_titles, tracks, knots_t, knots_p, self.count, pace,
                        utc_offset)


def build_timeline(
    events: Iterable[Event],
    rooms: Sequence[str] | None = None,
    activities: Sequence[str] | None = None,
    *,
    max_frames_per_activity: int = DEFAULT_MAX_SAMPLES,
    interval: float = DEFAULT_INTERVAL,
    quiet_gap: float = DEFAULT_QUIET_GAP,
    target_play_s: float = DEFAULT_TARGET_PLAY_S,
    only_revealed: bool = False,
    max_data_bytes: int = DEFAULT_MAX_DATA_BYTES,
    title: str | None = None,
    engine: Engine | None = None,
    utc_offset: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> Timeline:
    """Replay `events` (log order) and sample the frames of the chosen rooms/activities.

    See `TimelineBuilder` for the options; `progress(count)` is called every 50,000
    events and at the end.
    """
    builder = TimelineBuilder(rooms, activities, max_frames_per_activity=max_frames_per_activity,
                              interval=interval, quiet_gap=quiet_gap,
                              target_play_s=target_play_s, only_revealed=only_revealed,
                              max_data_bytes=max_data_bytes, engine=engine)
    for event in events:
        builder.feed(event)
        if progress is not None and builder.count % 50_000 == 0 and builder.count:
            progress(builder.count)
    if progress is not None:
        progress(builder.count)
    return builder.finish(title, utc_offset)


def _knots(instants: list[float], quiet_gap: float,
           fallback: float | None) -> tuple[list[float], list[float]]:
    """Event time -> play time: real time while frames come, gaps cut to `quiet_gap`."""
    times = sorted(set(instants))
    if not times:
        base = fallback if fallback is not None else 0.0
        return [base, base + 1.0], [0.0, 1.0]
    kt = [times[0] - LEAD_S]
    kp = [0.0]
    cur_t, cur_p = times[0], LEAD_S
    for t in times[1:]:
        gap = t - cur_t
        if gap > quiet_gap:
            if cur_t > kt[-1]:
                kt.append(cur_t)
                kp.append(cur_p)
            cur_t, cur_p = t, cur_p + quiet_gap
            kt.append(cur_t)
            kp.append(cur_p)
        else:
            cur_t, cur_p = t, cur_p + gap
    kt.append(cur_t + LEAD_S)
    kp.append(cur_p + LEAD_S)
    return kt, kp


def _byte_caps(tracks: list[Track], cap: int, budget: int) -> dict[str, int]:
    """Samples each activity may keep so that all sampled columns fit in `budget` bytes.

    Activities whose charts are light keep up to `cap` samples; heavy ones (a density
    curve, a dot per participant) share what is left, never below MIN_SAMPLES.
    """
    sizes: dict[str, float] = {}
    wanted: dict[str, int] = {}
    for tr in tracks:
        probe = tr.samples[:: max(1, len(tr.samples) // 5)][:6] + tr.samples[-1:]
        sizes[tr.id] = 24 + sum(len(json.dumps(s.chart, separators=(",", ":"),
                                              default=str)) for s in probe) / len(probe)
        wanted[tr.id] = min(cap, len(tr.samples))
    caps = dict(wanted)
    left = float(budget)
    pending = sorted(tracks, key=lambda tr: sizes[tr.id] * wanted[tr.id])
    for i, tr in enumerate(pending):
        share = left / (len(pending) - i)
        need = sizes[tr.id] * wanted[tr.id]
        if need > share:
            caps[tr.id] = max(min(MIN_SAMPLES, wanted[tr.id]), int(share / sizes[tr.id]))
        left -= sizes[tr.id] * caps[tr.id]
    return caps


def _thin(samples: list[Sample], cap: int) -> list[Sample]:
    """At most `cap` samples: the first, the last, state changes, then evenly spread."""
    if len(samples) <= cap:
        return list(samples)
    last = len(samples) - 1
    must = {0, last} | {i for i in range(1, len(samples))
                        if samples[i].state != samples[i - 1].state}
    if len(must) >= cap:
        ordered = sorted(must)
        picks = np.linspace(0, len(ordered) - 1, cap).round().astype(int)
        keep = {ordered[i] for i in picks} | {0, last}
    else:
        spread = np.linspace(0, last, cap - len(must) + 2).round().astype(int)
        keep = must | {int(i) for i in spread}
        while len(keep) > cap:  # overlaps may leave us one or two over: drop inner spread
            keep.discard(next(i for i in sorted(keep, reverse=True) if i not in must))
    return [samples[i] for i in sorted(keep)]


__all__ = ["PRIVATE_KEYS", "Sample", "Timeline", "TimelineBuilder", "Track", "build_timeline",
           "public_copy"]
