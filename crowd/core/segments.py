"""Cross-tab segments: one activity's results split by another's answer.

An animator chooses, for an activity (the *target*), another activity of the room (the
*source*) whose answers make segments: "those who chose « Oui » voted ..., those who
chose « Non » ...". Responses are keyed by device, so a device's segment is its answer to
the source: a single-choice poll, or an opinion map's groups (the tally says so:
`Tally.segment_labels`, `segment_of_device`); the target any activity whose tally has
cells to show (`Tally.cells`: counts per option).

Cost: per segment, a tally of the target's kind kept up to date as answers arrive. An
answer to the target moves one device within its segment's tally; an answer to the source
moves that device's target answer from one segment's tally to another's: O(options) per
input whatever the size of the room. Choosing a segment builds the tallies once (O(n)).
An opinion map's groups change when the map is computed again (at most every 2 s in a
busy room): the split is then rebuilt once, O(n), when the target's figures are next
drawn.
Snapshots add `split` with small cells hidden (crowd.models.crosstab): never fewer than 5
people behind a figure.

The choice is logged (`segmented {id, by}`), so a replay shows the same split.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from crowd.activities import activity_type
from crowd.core import protocol
from crowd.core.authorization import Peer
from crowd.core.errors import Conflict, declare_reasons
from crowd.core.events import Event
from crowd.core.protocol import Message, get_field, is_id
from crowd.core.steps import Step
from crowd.core.types import Role
from crowd.models.crosstab import MIN_CELL, suppress

if TYPE_CHECKING:
    from crowd.activities.base import Tally
    from crowd.core.engine import Engine
    from crowd.core.room import Activity

SEGMENTED = "segmented"  # {id, by: activity id | None}

declare_reasons({
    "segment_itself": "an activity cannot be split by its own answers",
    "segment_other_room": "the segments must come from an activity of the same room",
    "segment_source_kind": "segments come from a single-choice poll or an opinion map",
    "segment_target_kind": "this activity's results cannot be split into segments",
})


@dataclass(frozen=True, slots=True)
class SetSegment(Message):
    """Split `activity`'s results by the answers to `by` (None: no split)."""

    TYPE: ClassVar[str] = "segment"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PANEL})
    activity: str
    by: str | None = None


protocol.register("segment", lambda raw: SetSegment(
    activity=get_field(raw, "activity", is_id, "an activity id"),
    by=get_field(raw, "by", is_id, "an activity id or null", required=False)), SetSegment)


@dataclass(slots=True)
class Split:
    """The target's answers, one tally per segment of the source."""

    source: str
    tallies: dict[int, Tally] = field(default_factory=dict)
    version: int | None = None  # the source's segments_version when built


@dataclass(slots=True)
class Splits:
    """All splits of an engine: by target, and the targets of each source."""

    by_target: dict[str, Split] = field(default_factory=dict)
    by_source: dict[str, set[str]] = field(default_factory=dict)

    def drop(self, target: str) -> None:
        split = self.by_target.pop(target, None)
        if split is not None:
            self.by_source.get(split.source, set()).discard(target)


# ---------------------------------------------------------------- the command


def set_segment(engine: Engine, msg: SetSegment, peer: Peer, now: float) -> Step:
    target = engine.activity(msg.activity)
    if msg.by is not None:
        source = engine.activity(msg.by)
        if source.id == target.id:
            raise Conflict(reason="segment_itself")
        if source.room != target.room:
            raise Conflict(reason="segment_other_room")
        if source.tally.segment_labels() is None:
            raise Conflict(reason="segment_source_kind")
        if target.tally.cells() is None:
            raise Conflict(reason="segment_target_kind")
    step = Step()
    engine.commit(step, engine.event(SEGMENTED, target.room, {"id": target.id, "by": msg.by},
                                     now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, activity=target.id)
    return step


def on_segmented(engine: Engine, event: Event) -> None:
    target = engine.activities[event.data["id"]]
    splits: Splits = engine.splits
    splits.drop(target.id)
    by = event.data["by"]
    if by is not None and by in engine.activities:
        splits.by_target[target.id] = build(engine, target, engine.activities[by])
        splits.by_source.setdefault(by, set()).add(target.id)
    engine.dirty.add(target.id)


def build(engine: Engine, target: Activity, source: Activity) -> Split:
    """The per-segment tallies from the answers so far (once, when a split is chosen)."""
    split = Split(source.id, version=source.tally.segments_version())
    kind = activity_type(target.kind)
    for device, stored in target.responses.items():
        segment = _segment(source, device)
        if segment is not None:
            _tally(split, segment, kind, target).add(stored)
    return split


COMMANDS: Mapping[type[Message], Callable[..., Step]] = {SetSegment: set_segment}
APPLIERS: Mapping[str, Callable[..., None]] = {SEGMENTED: on_segmented}


# ---------------------------------------------------------------- live upkeep


def respond(engine: Engine, act: Activity, device: str, value: Any) -> None:
    """A device's answer is stored (as `Activity.set_response`), and the splits that
    count it follow: O(options) per split concerned, nothing when there is none."""
    splits: Splits = engine.splits
    if not splits.by_target:
        act.set_response(device, value)
        return
    previous = act.responses.get(device)
    act.set_response(device, value)
    stored = act.responses[device]
    split = splits.by_target.get(act.id)
    if split is not None:
        source = engine.activities.get(split.source)
        segment = None if source is None else _segment(source, device)
        if segment is not None:
            tally = _tally(split, segment, activity_type(act.kind), act)
            if previous is not None:
                tally.remove(previous)
            tally.add(stored)
    for target_id in splits.by_source.get(act.id, ()):
        _move(engine, target_id, device, act, previous, stored)


def _move(engine: Engine, target_id: str, device: str, source: Activity, previous: Any,
          stored: Any) -> None:
    """The device changed its answer to the source: its answer to the target changes
    segment."""
    target = engine.activities.get(target_id)
    split = engine.splits.by_target.get(target_id)
    if target is None or split is None or device not in target.responses:
        return
    if source.tally.segments_version() is not None:
        engine.dirty.add(target_id)  # its groups may change at the next map: look again
        return
    before = None if previous is None else source.tally.segment_of_device(device, previous)
    after = source.tally.segment_of_device(device, stored)
    if before == after:
        return
    answer = target.responses[device]
    kind = activity_type(target.kind)
    if before is not None:
        _tally(split, before, kind, target).remove(answer)
    if after is not None:
        _tally(split, after, kind, target).add(answer)
    engine.dirty.add(target_id)


def _segment(source: Activity, device: str) -> int | None:
    stored = source.responses.get(device)
    return None if stored is None else source.tally.segment_of_device(device, stored)


def _tally(split: Split, segment: int, kind: Any, target: Activity) -> Tally:
    tally = split.tallies.get(segment)
    if tally is None:
        tally = split.tallies[segment] = kind.new_tally(target.spec)
    return tally


# ---------------------------------------------------------------- what is shown


def with_split(engine: Engine, act: Activity, snap: dict[str, Any]) -> dict[str, Any]:
    """The snapshot, with `split` when the activity is split (small cells hidden)."""
    split = engine.splits.by_target.get(act.id) if engine.splits.by_target else None
    if split is None:
        return snap
    source = engine.activities.get(split.source)
    labels = None if source is None else source.tally.segment_labels()
    if source is None or labels is None:
        return snap
    if source.tally.segments_version() is not None:
        engine.snapshot(source)  # its latest map first (memoised, computed when due)
    if split.version != source.tally.segments_version():
        # a new opinion map (at most every 2 s): its groups are rebuilt once, O(n)
        split = engine.splits.by_target[act.id] = build(engine, act, source)
    table, sizes = [], []
    width = len(act.tally.cells() or [])
    for segment in range(len(labels)):
        tally = split.tallies.get(segment)
        cells = tally.cells() if tally is not None else None
        table.append(list(cells) if cells is not None else [0] * width)
        sizes.append(_size(tally))
    shown = suppress(table, sizes)
    segments = []
    for label, cells, size in zip(labels, shown.cells, shown.sizes, strict=True):
        shares = [None if c is None or not size else round(c / size, 4) for c in cells]
        segments.append({"label": label, "n": size, "counts": cells, "shares": shares,
                         "hidden": size is None})
    return {**snap, "split": {"by": source.id, "prompt": source.spec.get("prompt", ""),
                              "kind": source.kind,
                              "min_cell": MIN_CELL, "segments": segments}}


def _size(tally: Tally | None) -> int:
    if tally is None:
        return 0
    n = getattr(tally, "n", 0)
    return int(n) if isinstance(n, int) else 0
