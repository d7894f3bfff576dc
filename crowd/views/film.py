"""The closing film: the day's timeline cut into scenes, and the day in numbers.

The film plays the same sampled frames as the timelapse (`crowd.views.timelapse`), but
as a projector would show them to a hall: one scene per activity (or per group of
activities that were open at the same time), each after a title card, then a finale
with the day's figures. This module is the pure part: which answers may appear, the
scenes and their pace, the figures. `crowd.views.film_page` makes the HTML file.

Hidden answers never appear: an entry an animator hid (post-moderation) showed on the
projector until it was hidden, but the film is watched after the fact, so the log is read
twice — once to learn what ended hidden, once to build the frames with those entries
hidden from their first answer on (`without_hidden`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crowd.core import events as ev
from crowd.core.engine import Engine
from crowd.core.events import Event
from crowd.core.types import normalize_code
from crowd.views.timelapse import Timeline, TimelineBuilder

CARD_S = 4.0  # seconds a title card stays on screen
MIN_SCENE_S = 10.0  # a scene plays at least this long (a quick poll still shows growing)
MAX_SCENE_S = 40.0  # and at most this long (a long activity plays faster)
LINGER_P = 2.0  # play seconds shown after the last activity of a scene closed
TOP_WORDS = 8


@dataclass(frozen=True, slots=True)
class Scene:
    """Tracks shown together from play time `start` to `end`, in `seconds` of film."""

    tracks: tuple[int, ...]
    start: float
    end: float
    seconds: float
    opened: float  # event time the first of them opened (the card's clock)

    def to_json(self) -> dict[str, Any]:
        return {"tracks": list(self.tracks), "start": round(self.start, 3),
                "end": round(self.end, 3), "seconds": round(self.seconds, 3),
                "opened": self.opened}


@dataclass(slots=True)
class Film:
    """The timeline, its scenes in order and the day in numbers."""

    timeline: Timeline
    scenes: list[Scene]
    figures: dict[str, Any]

    @property
    def seconds(self) -> float:
        """Length of the film up to its finale."""
        return sum(CARD_S + s.seconds for s in self.scenes)

    def to_json(self) -> dict[str, Any]:
        return {"scenes": [s.to_json() for s in self.scenes], "figures": self.figures,
                "card_s": CARD_S, "seconds": round(self.seconds, 3)}


# ---------------------------------------------------------------- hidden answers


def final_hidden(events: Iterable[Event], rooms: Sequence[str] | None = None
                 ) -> tuple[dict[str, set[str]], Engine]:
    """Per activity, the entries that did not show at the end; and the engine that
    lived the whole log (its tallies are the figures of the day)."""
    codes = None if rooms is None else {normalize_code(r) for r in rooms}
    engine = Engine()
    for event in events:
        if codes is None or event.room in codes:
            engine.apply_stored(event)
    hidden: dict[str, set[str]] = {}
    for act in engine.activities.values():
        mod = act.moderation
        if mod is None:
            continue
        known = set(mod.writers) | mod.hidden | set(mod.merged)
        gone = {entry for entry in known if not mod.visible(entry)}
        if gone:
            hidden[act.id] = gone
    return hidden, engine


def without_hidden(events: Iterable[Event], hidden: Mapping[str, set[str]]) -> Iterator[Event]:
    """The log with every finally hidden entry hidden before its activity's first answer,
    and no later decision that would show it for a while (approve, then hide)."""
    pending = {activity: sorted(entries) for activity, entries in hidden.items()}
    for event in events:
        activity = event.data.get("id") if isinstance(event.data, dict) else None
        if event.type == ev.RESPONDED and activity in pending:
            for entry in pending.pop(activity):
                yield Event(ev.ENTRY_MODERATED, event.room,
                            {"id": activity, "entry": entry, "action": "hide"}, event.ts)
        elif (event.type == ev.ENTRY_MODERATED and activity in hidden
              and event.data.get("action") != "merge"
              and event.data.get("entry") in hidden[activity]):
            continue
        yield event


# ---------------------------------------------------------------- the scenes


def scenes(timeline: Timeline) -> list[Scene]:
    """Groups of activities open at the same time, in the order they opened.

    Each group plays from its first opening to its last closing (plus a short linger);
    its film length is its compressed play time at the day's pace, kept between
    MIN_SCENE_S and MAX_SCENE_S. Activities with frames but never opened (a criée closed
    before opening, say) play over their samples.
    """
    spans: list[tuple[float, float, float, int]] = []  # play start, play end, event start, k
    for k, track in enumerate(timeline.tracks):
        if track.spans:
            a = min(s[0] for s in track.spans)
            b = max(s[1] for s in track.spans)
            spans.append((timeline.play_time(a), timeline.play_time(b), a, k))
        elif track.samples:
            spans.append((track.samples[0].p, track.samples[-1].p, track.samples[0].t, k))
    spans.sort()
    groups: list[list[tuple[float, float, float, int]]] = []
    for span in spans:
        if groups and span[0] < max(s[1] for s in groups[-1]):
            groups[-1].append(span)
        else:
            groups.append([span])
    out: list[Scene] = []
    for group in groups:
        start = max(0.0, min(s[0] for s in group) - 0.5)
        end = min(timeline.duration, max(s[1] for s in group) + LINGER_P)
        seconds = min(MAX_SCENE_S, max(MIN_SCENE_S, (end - start) / timeline.pace))
        out.append(Scene(tuple(s[3] for s in group), start, max(end, start + 0.5), seconds,
                         min(s[2] for s in group)))
    return out


# ---------------------------------------------------------------- the day in numbers


def day_figures(engine: Engine, activity_ids: Iterable[str]) -> dict[str, Any]:
    """What the finale shows, from the tallies at the end of the day (what showed).

    participants: devices that answered at least one of these activities; answers: one
    per device and activity (a changed answer counts once, as in the results); calls:
    the criée's places filled and asked; words: the most written words of the word
    clouds (only words that showed).
    """
    devices: set[str] = set()
    answers = 0
    activities = 0
    confirmed = quota = calls = 0
    words: Counter[str] = Counter()
    for activity_id in activity_ids:
        act = engine.activities.get(activity_id)
        if act is None:
            continue
        activities += 1
        snap = act.tally.snapshot()
        if act.kind == "call":
            calls += 1
            confirmed += int(snap.get("confirmed") or 0)
            quota += int(snap.get("quota") or 0)
            volunteers = getattr(act.tally, "volunteers", None)
            if isinstance(volunteers, Mapping):
                devices.update(volunteers)
            continue
        devices.update(act.responses)
        answers += len(act.responses)
        if act.kind == "words":
            counts = snap.get("counts")
            for word, count in zip(snap.get("words") or [], counts or [], strict=False):
                words[str(word)] += int(count)
    return {"participants": len(devices), "answers": answers, "activities": activities,
            "calls": calls, "confirmed": confirmed, "quota": quota,
            "words": [w for w, _ in words.most_common(TOP_WORDS)]}


def build_film(events: Callable[[], Iterable[Event]], rooms: Sequence[str] | None = None,
               *, only_revealed: bool = False, title: str | None = None,
               utc_offset: float | None = None) -> Film:
    """Read the log twice (`events()` gives a fresh iterator each time): the film."""
    hidden, lived = final_hidden(events(), rooms)
    builder = TimelineBuilder(rooms, None, only_revealed=only_revealed)
    for event in without_hidden(events(), hidden):
        builder.feed(event)
    timeline = builder.finish(title, utc_offset)
    return Film(timeline, scenes(timeline),
                day_figures(lived, [track.id for track in timeline.tracks]))


__all__ = ["CARD_S", "Film", "Scene", "build_film", "day_figures", "final_hidden",
           "scenes", "without_hidden"]
