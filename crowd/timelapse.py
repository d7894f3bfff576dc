"""The closing timelapse: a room's day replayed from its event log, as one offline HTML file.

`build_timeline` replays the log through a fresh `crowd.engine.Engine` — the very `apply`
the live server and its restart use, so the replay cannot drift from what happened — and
samples each activity's projector frame (`Engine.collect_frames`) at most once per second
of event time, keeping a bounded number of samples per activity so a million events stay
small. Quiet stretches (no activity changed for a while) shrink on a separate *play* axis
so a three-hour day plays in a few minutes.

`standalone_html` turns that timeline into one HTML file: BokehJS inlined (only the
components it needs), one projector figure per activity built by `crowd.charts.BUILDERS`
(no second chart implementation), the sampled columns as JSON, and the player controls
(play/pause, speed, scrubber, activity marks, clock) driven by CustomJS
(`static/replay/replay.js`). Every kind works through its tally's `chart()` columns.

Pure: no asyncio, no sockets, no SQLite. Nothing animator-only ends up here: the timeline
holds public activity descriptions and chart columns only, with any `contact`/`contacts`
field removed and any device token replaced.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from crowd import events as ev
from crowd.engine import Engine
from crowd.events import Event
from crowd.types import State, normalize_code

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
INLINE_COMPONENTS = ("bokeh", "bokeh-widgets")


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


# ---------------------------------------------------------------- the HTML file


@cache
def _replay_js() -> str:
    from crowd.paths import static_dir

    return (static_dir() / "replay" / "replay.js").read_text(encoding="utf-8")


@cache
def _replay_css() -> str:
    from crowd.paths import static_dir

    return (static_dir() / "replay" / "replay.css").read_text(encoding="utf-8")


TEMPLATE = """
{% block preamble %}
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="crowd timelapse">
<style>{{ crowd_css }}</style>
{% endblock %}
{% block postamble %}
<script type="application/json" id="crowd-timeline">{{ crowd_json }}</script>
{% endblock %}
"""


def _json_for_script(data: Any) -> str:
    """JSON safe inside <script>: no '<' can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=_json_default)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _clean(value: Any) -> Any:
    """Non-finite floats become null: JSON has no NaN and a chart shows nothing for it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _clock_label(timeline: Timeline, p: float) -> str:
    t = timeline.event_time(p) + timeline.utc_offset
    return time.strftime("%H:%M:%S", time.gmtime(t))


def _duration_label(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def standalone_html(timeline: Timeline, title: str | None = None, *,
                    columns: int | None = None) -> str:
    """One self-contained HTML file that replays `timeline` offline, with no server."""
    from bokeh.document import Document
    from bokeh.embed import file_html
    from bokeh.events import DocumentReady
    from bokeh.layouts import column, row
    from bokeh.models import (
        CheckboxGroup,
        ColumnDataSource,
        CustomJS,
        Div,
        GridBox,
        HoverTool,
        InlineStyleSheet,
        Range1d,
        Select,
        Slider,
        Span,
        Toggle,
    )
    from bokeh.plotting import figure
    from bokeh.settings import settings

    from crowd import charts

    title = title or timeline.title
    ink = InlineStyleSheet(css=_replay_css())
    tracks_models: list[dict[str, Any]] = []
    heads: list[Any] = []
    panels: list[Any] = []
    kept = timeline.tracks
    for tr in kept:
        try:
            builder = charts.BUILDERS.get(tr.kind)
        except ValueError:
            builder = None
        head = Div(text=_head_html(tr, None), sizing_mode="stretch_width",
                   stylesheets=[ink], disable_math=True)
        body: Any
        sources: dict[str, Any] = {}
        if builder is not None:
            body = builder(tr.activity, tr.snapshot, {})
            sources = _named_sources(body, ColumnDataSource)
            if hasattr(body, "height"):
                body.sizing_mode = "stretch_width"
                body.height = 320
        else:
            body = Div(text="", height=40)
        heads.append(head)
        tracks_models.append(sources)
        panels.append(column(head, body, sizing_mode="stretch_width", name=f"panel-{tr.id}"))

    ncols = columns or (1 if len(panels) <= 1 else 2 if len(panels) <= 4 else 3)
    grid = GridBox(children=[(p, i // ncols, i % ncols) for i, p in enumerate(panels)],
                   sizing_mode="stretch_width", spacing=16, name="crowd-grid")

    duration = max(timeline.duration, 0.001)
    slider = Slider(start=0.0, end=duration, value=0.0, step=0.01, title="",
                    show_value=False, sizing_mode="stretch_width", name="crowd-scrubber")
    play = Toggle(label="▶ Lecture", button_type="success", width=140, name="crowd-play")
    speed = Select(value="1", width=200, name="crowd-speed", options=[
        (f"{s:g}", f"×{s:g} · {_duration_label(duration / (timeline.pace * s))}")
        for s in SPEEDS])
    focus = Toggle(label="En cours seulement", width=200, name="crowd-focus")
    clock = Div(text=f'<span class="clock">{_clock_label(timeline, 0.0)}</span>',
                stylesheets=[ink], name="crowd-clock", width=360, disable_math=True)
    choice = CheckboxGroup(labels=[tr.label for tr in kept], active=list(range(len(kept))),
                           inline=True, sizing_mode="stretch_width", stylesheets=[ink],
                           name="crowd-choice")

    marks_src = ColumnDataSource(data=_marks_columns(kept, timeline), name="crowd-marks")
    marks = figure(height=40 + 14 * max(1, len(kept)), sizing_mode="stretch_width",
                   x_range=Range1d(0, duration), y_range=Range1d(-0.5, max(1, len(kept)) - 0.5),
                   toolbar_location=None, tools="", name="crowd-timeline")
    marks.hbar(y="row", left="left", right="right", height=0.7, source=marks_src,
               color=charts.BAR)
    marks.add_tools(HoverTool(tooltips=[("", "@label")]))
    cursor = Span(location=0.0, dimension="height", line_color=charts.ACCENT, line_width=3,
                  name="crowd-cursor")
    marks.add_layout(cursor)
    marks.axis.visible = False
    marks.grid.grid_line_color = None
    marks.background_fill_color = charts.BACKGROUND
    marks.border_fill_color = charts.BACKGROUND
    marks.outline_line_color = None
    marks.min_border = 4

    header = Div(text=_header_html(timeline, title), sizing_mode="stretch_width",
                 stylesheets=[ink], name="crowd-header", disable_math=True)
    top = row(header, clock, sizing_mode="stretch_width", name="crowd-top")
    controls = row(play, speed, focus, sizing_mode="stretch_width", name="crowd-controls")
    page = column(top, controls, slider, marks, choice, grid, sizing_mode="stretch_width",
                  name="crowd-page")

    args = {"tracks": tracks_models, "heads": heads, "panels": panels, "grid": grid,
            "slider": slider, "play": play, "speed": speed, "focus": focus, "clock": clock,
            "choice": choice, "cursor": cursor, "ncols": ncols}
    poke = "if (window.crowdReplay) window.crowdReplay.%s()"
    slider.js_on_change("value", CustomJS(code=poke % "update"))
    play.js_on_change("active", CustomJS(code=poke % "onPlay"))
    speed.js_on_change("value", CustomJS(code=poke % "onSpeed"))
    focus.js_on_change("active", CustomJS(code=poke % "relayout"))
    choice.js_on_change("active", CustomJS(code=poke % "relayout"))
    marks.js_on_event("tap", CustomJS(args={"slider": slider}, code=(
        "slider.value = Math.max(slider.start, Math.min(slider.end, cb_obj.x))")))

    doc = Document()
    doc.add_root(page)
    doc.title = title
    doc.js_on_event(DocumentReady, CustomJS(args=args, code=_replay_js()))
    resources = _inline_resources()
    data = _clean(timeline.to_json())
    # The figures come from crowd.charts' builders, which the projector validates live;
    # checking the whole document again here costs a second for 40 figures.
    validation = settings.perform_document_validation
    validation.set_value(False)
    try:
        return file_html(doc, resources, title, template=TEMPLATE, template_variables={
            "crowd_json": _json_for_script(data), "crowd_css": _replay_css()})
    finally:
        validation.unset_value()


def _named_sources(body: Any, cds: type) -> dict[str, Any]:
    """The named data sources of a built chart, found without walking every model.

    A figure's sources hang off its renderers and annotations; anything else (a layout a
    future builder may return) is searched the slow way.
    """
    from bokeh.models import Plot

    if not isinstance(body, Plot):
        return {src.name: src for src in body.select({"type": cds}) if src.name}
    found: dict[str, Any] = {}
    for item in [*body.renderers, *body.center, *body.above, *body.below, *body.left,
                 *body.right]:
        for attr in ("data_source", "source"):
            src = getattr(item, attr, None)
            if isinstance(src, cds) and src.name:
                found[src.name] = src
    return found


def _header_html(timeline: Timeline, title: str) -> str:
    day = time.strftime("%d/%m/%Y", time.gmtime(timeline.start + timeline.utc_offset))
    rooms = ", ".join(f"{code} ({name})" for code, name in timeline.rooms.items())
    n_events = f"{timeline.events:,}".replace(",", "\u202f")
    return (f"<h1>{html.escape(title)}</h1><p class=\"sub\">{html.escape(rooms)} · {day} · "
            f"{n_events} événements rejoués</p>")


def _inline_resources() -> Any:
    """BokehJS inlined, limited to the components we name (no MathJax: 3.9 MB).

    `file_html` first removes the components a document does not use and fails on one it
    was never given, so start from all of them and keep only ours when it clones.
    """
    from bokeh.resources import Resources

    class NamedInline(Resources):
        def clone(self, *, components: list[Any] | None = None) -> Resources:
            wanted = components if components is not None else list(self.components)
            return Resources(mode="inline", components=[
                c for c in wanted if c in INLINE_COMPONENTS])

    return NamedInline(mode="inline")


def _head_html(track: Track, sample: Sample | None) -> str:
    state = sample.state if sample else State.DRAFT.value
    n = "" if sample is None or sample.n is None else f" · {sample.n}"
    return (f'<div class="head"><b>{html.escape(track.id)}</b> '
            f'{html.escape(str(track.activity.get("prompt", "")))}'
            f'<span class="state {html.escape(state)}">{html.escape(state)}{n}</span></div>')


def _marks_columns(tracks: list[Track], timeline: Timeline) -> dict[str, list[Any]]:
    """One bar per open interval of each activity, on the play axis (first row on top)."""
    rows: dict[str, list[Any]] = {"row": [], "left": [], "right": [], "label": []}
    for i, tr in enumerate(tracks):
        spans = [(timeline.play_time(a), timeline.play_time(b)) for a, b in tr.spans]
        if not spans and tr.samples:
            spans = [(tr.samples[0].p, tr.samples[-1].p)]
        for left, right in spans:
            rows["row"].append(len(tracks) - 1 - i)
            rows["left"].append(left)
            rows["right"].append(max(right, left + 0.5))
            rows["label"].append(tr.label)
    return rows


def write_standalone(timeline: Timeline, path: str | Path, title: str | None = None) -> int:
    """Write the replay file; returns its size in bytes."""
    data = standalone_html(timeline, title).encode("utf-8")
    Path(path).write_bytes(data)
    return len(data)


__all__ = ["PRIVATE_KEYS", "Sample", "Timeline", "TimelineBuilder", "Track", "build_timeline",
           "public_copy", "standalone_html", "write_standalone"]
