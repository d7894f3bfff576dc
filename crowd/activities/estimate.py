"""Estimates: a number per phone, the wisdom of crowds, and the social-influence round.

A round-1 estimate can be followed by a second round (`influence_round`): the crowd's
round-1 answer becomes social information shown to every phone, and a linked activity
collects the revised estimates (Lorenz et al. 2011; Moussaïd et al. 2013). The animator
may enter the true value afterwards (`set_truth`), shared by both rounds. The kind
brings these two commands and the `truth_set` event; the engine never names them.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from crowd.activities.base import (
    ActivityType,
    Applier,
    Command,
    EngineAPI,
    Tally,
    finite,
    number,
    text,
)
from crowd.activities.registry import register
from crowd.core import events as ev
from crowd.core.authorization import Peer
from crowd.core.errors import BadMessage, BadValue, Conflict, declare_reasons
from crowd.core.events import Event
from crowd.core.protocol import Message, get_field, is_id, is_value
from crowd.core.steps import Step
from crowd.core.types import Kind, Role, State
from crowd.models import estimates, influence

declare_reasons({
    "round2_needs_round1": "a second round follows a first-round estimate",
    "round2_needs_opening": "open and collect the first round before the second",
    "round2_needs_answers": "the first round has no answers yet",
    "round2_exists": "this estimate already has its second round",
    "truth_estimate_only": "only an estimate or an orientation has a true value",
    "value_estimate_size": "an estimate is 0 or between 1e-9 and 1e15 in size",
    "field_estimate_size": "'{field}' must be 0 or between 1e-9 and 1e15 in size",
    "min_not_below_max": "'min' must be below 'max'",
    "scale_unknown": "'scale' is auto, linear or log",
    "value_below_min": "the estimate must be at least {min:g}",
    "value_above_max": "the estimate must be at most {max:g}",
})

if TYPE_CHECKING:
    from crowd.core.room import Activity

TRUTH_SET = ev.TRUTH_SET
_PANEL = frozenset({Role.PANEL})


# ---------------------------------------------------------------- messages


@dataclass(frozen=True, slots=True)
class InfluenceRound(Message):
    """Close an estimate, show phones the crowd's answer, and open a second round."""

    TYPE: ClassVar[str] = "influence_round"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str


@dataclass(frozen=True, slots=True)
class SetTruth(Message):
    TYPE: ClassVar[str] = "set_truth"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str
    value: float | None


MESSAGES: dict[str, Callable[[Mapping[str, Any]], Message]] = {
    "influence_round": lambda raw: InfluenceRound(
        activity=get_field(raw, "activity", is_id, "an activity id")),
    "set_truth": lambda raw: SetTruth(
        activity=get_field(raw, "activity", is_id, "an activity id"),
        value=get_field(raw, "value", lambda v: is_value(v) and isinstance(v, int | float),
                        "a finite number or null", required=False)),
}


# ---------------------------------------------------------------- commands and events


def _estimate(engine: EngineAPI, activity_id: str, refusal: str) -> Activity:
    act = engine.activity(activity_id)
    if not isinstance(act.tally, EstimateTally):
        raise Conflict(reason=refusal)
    return act


def influence_round(engine: EngineAPI, msg: InfluenceRound, peer: Peer, now: float) -> Step:
    """Round 2: close round 1 if open, open a linked activity whose spec carries the
    crowd's round-1 answer, and move the projection to it."""
    act = _estimate(engine, msg.activity, "round2_needs_round1")
    if act.spec.get("round", 1) != 1:
        raise Conflict(reason="round2_needs_round1")
    if act.state is State.DRAFT:
        raise Conflict(reason="round2_needs_opening")
    if not act.responses:
        raise Conflict(reason="round2_needs_answers")
    if any(a.spec.get("previous") == act.id for a in engine.activities.values()):
        raise Conflict(reason="round2_exists")
    room = engine.rooms[act.room]
    first = act.tally.snapshot()  # before any change: a failure here changes nothing
    step = Step()
    if act.state is State.OPEN:
        engine.commit(step, engine.event(ev.CLOSED, act.room, {"id": act.id}, now, peer, None))
        engine.activity_changed(step, act)
    social = {"n": first["n"], "median": first["median"], "q1": first["q1"],
              "q3": first["q3"]}
    spec = {**act.spec, "round": 2, "previous": act.id, "social": social}
    second = engine.add_activity(step, room, spec, now, peer, None)
    engine.commit(step, engine.event(ev.OPENED, room.code, {"id": second.id}, now, peer,
                                     msg.seq))
    if room.projected == act.id:
        engine.commit(step, engine.event(ev.PROJECTED, room.code, {"id": second.id}, now,
                                         peer, None))
    engine.ack(step, peer, msg.seq, activity=second.id)
    engine.activity_changed(step, second)
    return step


def set_truth(engine: EngineAPI, msg: SetTruth, peer: Peer, now: float) -> Step:
    """The true value of an estimate, or the true bearing of an orientation (its tally
    checks it: `Tally.check_truth`)."""
    act = engine.activity(msg.activity)
    value = None if msg.value is None else act.tally.check_truth(msg.value)
    step = Step()
    engine.commit(step, engine.event(TRUTH_SET, act.room, {
        "id": act.id, "value": value}, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, activity=act.id)
    engine.activity_changed(step, act)
    return step


def on_truth_set(engine: EngineAPI, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    act.tally.set_truth(event.data["value"])
    engine.dirty.add(act.id)
    for other in engine.activities.values():  # the second round shares the truth
        if other.spec.get("previous") == act.id:
            other.tally.set_truth(event.data["value"])
            engine.dirty.add(other.id)


# ---------------------------------------------------------------- tally and kind

def _estimate_scale(spec: Mapping[str, Any], values: list[float]) -> bool:
    """Log axis? As the animator said; on 'auto', when the bounds or the answers span
    orders of magnitude (the spread of log10 values is over one decade)."""
    if spec.get("scale") in ("log", "linear"):
        return bool(spec["scale"] == "log")
    lo, hi = spec.get("min"), spec.get("max")
    if lo is not None and hi is not None and lo > 0 and hi / lo >= 1000:
        return True
    spread = estimates.summarize(values).log_spread if len(values) >= 8 else None
    return spread is not None and spread > 1.0


class EstimateTally(Tally):
    """Sorted values (median and quartiles without a sort per snapshot), the crowd models
    of `crowd.models.estimates`, and for a second round the comparison with the first."""

    BINS = 24

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.values: list[float] = []
        self.truth: float | None = spec.get("truth")
        self.first: EstimateTally | None = None  # round 1, when this is round 2
        self.by_device: dict[str, float] = {}  # latest estimate per device, for pairing

    def add(self, value: Any) -> None:
        bisect.insort(self.values, value)

    def remove(self, value: Any) -> None:
        del self.values[bisect.bisect_left(self.values, value)]

    def respond(self, device: str, previous: Any | None, stored: Any, value: Any) -> None:
        """As every tally, and keep each device's latest estimate to pair the rounds."""
        super().respond(device, previous, stored, value)
        self.by_device[device] = stored

    def link(self, other: Tally) -> None:
        if isinstance(other, EstimateTally):
            self.first = other

    def check_truth(self, value: float) -> float:
        estimate_number(value)
        return value  # logged as given

    def set_truth(self, value: float | None) -> None:
        self.truth = value
        if self.first is not None:
            self.first.truth = value

    def snapshot(self) -> dict[str, Any]:
        first = self.first.values if self.first is not None else []
        log = _estimate_scale(self.spec, first or self.values)
        pooled = self.values + first
        if log:
            pooled = [v for v in pooled if v > 0]
        hist = estimates.histogram(pooled, bins=self.BINS, log=log) if pooled else None
        s = estimates.summarize(self.values)
        snap: dict[str, Any] = {
            "n": s.n, "median": s.median, "q1": s.q1, "q3": s.q3, "mean": s.mean,
            "trimmed_mean": s.trimmed_mean, "geometric_mean": s.geometric_mean,
            "log_spread": s.log_spread,
            "min": self.values[0] if self.values else None,
            "max": self.values[-1] if self.values else None,
            "log": log, "truth": self.truth, "round": 2 if self.first is not None else 1,
            "edges": list(hist.edges) if hist else [],
            "counts": self._counts(self.values, hist),
        }
        if self.truth is not None and self.values:
            snap["wisdom"] = dataclasses.asdict(estimates.wisdom(self.values, self.truth))
            snap["centres"] = _centres(s, self.truth)
        if self.first is not None:
            s1 = estimates.summarize(first)
            snap["round1"] = {"n": s1.n, "median": s1.median, "q1": s1.q1, "q3": s1.q3,
                              "counts": self._counts(first, hist)}
            snap["influence"] = dataclasses.asdict(
                estimates.influence(first, self.values, self.truth))
            snap["paired"] = self._paired()
        return snap

    def _paired(self) -> dict[str, Any] | None:
        """The same devices before and after the information (Jayles et al. 2017)."""
        assert self.first is not None
        shown = (self.spec.get("social") or {}).get("median")
        if shown is None or shown <= 0:
            return None  # no positive information shown: no log sensitivity
        before = self.first.by_device
        pairs = [(before[d], v) for d, v in self.by_device.items() if d in before]
        result = influence.paired_influence([a for a, _ in pairs], [b for _, b in pairs],
                                            shown, self.truth)
        out = dataclasses.asdict(result)
        out["s_edges"] = list(influence.S_EDGES)
        return out

    @staticmethod
    def _counts(values: list[float], hist: estimates.Histogram | None) -> list[int]:
        if hist is None:
            return []
        counts, _ = np.histogram(values, bins=np.asarray(hist.edges))
        return [int(c) for c in counts]

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        edges = snap["edges"]
        first = snap.get("round1") or {}
        def marks(*xs: float | None) -> dict[str, list[Any]]:
            return {"x": [x for x in xs if x is not None]}
        return {"hist": {"left": edges[:-1], "right": edges[1:], "count": snap["counts"]},
                "hist1": {"left": edges[:-1] if first else [],
                          "right": edges[1:] if first else [],
                          "count": first.get("counts", [])},
                "median": marks(snap["median"]), "median1": marks(first.get("median")),
                "truth": marks(snap["truth"])}


def _centres(s: estimates.EstimateSummary, truth: float) -> dict[str, dict[str, Any]]:
    """Every centre of the crowd with its error, signed, as a ratio (ln(centre / truth))
    and in percent: the median is the headline, the others are shown next to it (on the
    cow data the mean is closest, -5 %, the geometric mean farthest, -13.5 %)."""
    out: dict[str, dict[str, Any]] = {}
    for name in ("median", "mean", "trimmed_mean", "geometric_mean"):
        value = getattr(s, name)
        ok = value is not None and value > 0 and truth > 0
        out[name] = {"value": value,
                     "log_error": math.log(value / truth) if ok else None,
                     "relative_error": value / truth - 1.0 if value is not None and truth else None}
    return out


#: Answers beyond this size (or nearer zero than 1e-9) cannot be binned, averaged or put
#: on a log axis in floating point: they are refused like any value that does not fit.
MAX_ESTIMATE = 1e15
MIN_ESTIMATE = 1e-9


def _countable(x: float) -> bool:
    return x == 0 or MIN_ESTIMATE <= abs(x) <= MAX_ESTIMATE


def estimate_number(value: Any) -> float:
    """A finite number an estimate can count (answers, bounds, the true value)."""
    x = finite(value)
    if not _countable(x):
        raise BadValue(reason="value_estimate_size")
    return x


@register
class EstimateKind(ActivityType):
    kind = Kind.ESTIMATE
    messages = MESSAGES

    def commands(self) -> Mapping[type[Message], Command]:
        return {InfluenceRound: influence_round, SetTruth: set_truth}

    def appliers(self) -> Mapping[str, Applier]:
        return {TRUTH_SET: on_truth_set}

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        spec = {**super().normalize_spec(raw), "unit": text(raw, "unit", 20),
                "min": number(raw, "min"), "max": number(raw, "max")}
        for bound in ("min", "max"):
            if spec[bound] is not None and not _countable(spec[bound]):
                raise BadMessage(reason="field_estimate_size", field=bound)
        if spec["min"] is not None and spec["max"] is not None and spec["min"] >= spec["max"]:
            raise BadMessage(reason="min_not_below_max")
        scale = raw.get("scale", "auto")
        if scale not in ("auto", "linear", "log"):
            raise BadMessage(reason="scale_unknown")
        spec["scale"] = scale
        # `round`, `previous` and `social` are set by the engine's influence round only,
        # and the true value by `set_truth`: never taken from an animator's spec or an
        # imported agenda (a `truth` there would reach the phones before the reveal).
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        x = estimate_number(value)
        if spec["min"] is not None and x < spec["min"]:
            raise BadValue(reason="value_below_min", min=spec["min"])
        if spec["max"] is not None and x > spec["max"]:
            raise BadValue(reason="value_above_max", max=spec["max"])
        return x

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return EstimateTally(spec)
