"""Estimates: a number per phone, the wisdom of crowds, and the social-influence round.

A round-1 estimate can be followed by a second round (`influence_round`): the crowd's
round-1 answer becomes social information shown to every phone, and a linked activity
collects the revised estimates (Lorenz et al. 2011; Moussaïd et al. 2013). The animator
may enter the true value afterwards (`set_truth`), shared by both rounds. The kind
brings these two commands and the `truth_set` event; the engine never names them.

As an experiment: with `confidence` in the spec a phone may send its confidence (1-6)
with each estimate (Lorenz et al. 2011); `influence_round` may split the devices into
`arms` (Becker, Brackbill & Centola 2017: the median shown, no information, one random
other person's estimate, or the median of 5 random others). A device's arm is a pure
function of the first round's id and the device token (`arm_of`, the phone computes the
same), so the logged ids replay the same split. The others a device is shown are drawn
the same way (`crowd.activities.estimate_others`), and only that device receives them.
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
from crowd.activities.estimate_others import PICKS, OthersDraw
from crowd.activities.registry import register
from crowd.activities.value_scale import fnv1a
from crowd.core import events as ev
from crowd.core.authorization import Peer
from crowd.core.errors import BadMessage, BadValue, Conflict, declare_reasons
from crowd.core.events import Event
from crowd.core.protocol import Message, get_field, is_id, is_value, out
from crowd.core.steps import Step, ToDevice
from crowd.core.types import Kind, Role, State
from crowd.models import estimates, experiment, influence

declare_reasons({
    "round2_needs_round1": "a second round follows a first-round estimate",
    "round2_needs_opening": "open and collect the first round before the second",
    "round2_needs_answers": "the first round has no answers yet",
    "round2_exists": "this estimate already has its second round",
    "arms_after_results": "an experiment needs round 1's figures unseen: split into arms "
                          "while round 1 is open (or its results hidden and not revealed)",
    "truth_estimate_only": "only an estimate or an orientation has a true value",
    "value_estimate_size": "an estimate is 0 or between 1e-9 and 1e15 in size",
    "field_estimate_size": "'{field}' must be 0 or between 1e-9 and 1e15 in size",
    "min_not_below_max": "'min' must be below 'max'",
    "scale_unknown": "'scale' is auto, linear or log",
    "confidence_flag": "'confidence' is true or false",
    "value_confidence": "an estimate with confidence is {{value, confidence}}, confidence 1 to 6",
    "arms_unknown": "'arms' lists different conditions (at least two) among: median, none, "
                    "one_other, median_of_5",
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
    arms: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SetTruth(Message):
    TYPE: ClassVar[str] = "set_truth"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str
    value: float | None


MESSAGES: dict[str, Callable[[Mapping[str, Any]], Message]] = {
    "influence_round": lambda raw: InfluenceRound(
        activity=get_field(raw, "activity", is_id, "an activity id"),
        arms=_arms(raw.get("arms"))),
    "set_truth": lambda raw: SetTruth(
        activity=get_field(raw, "activity", is_id, "an activity id"),
        value=get_field(raw, "value", lambda v: is_value(v) and isinstance(v, int | float),
                        "a finite number or null", required=False)),
}


#: The conditions a device can be put in: the round-1 median shown (the default for
#: everyone), no information (Becker et al.'s control: revise without social input), one
#: random other person's round-1 estimate, or the median of 5 random others' (Becker,
#: Brackbill & Centola 2017's four conditions).
ARMS = ("median", "none", "one_other", "median_of_5")


def _arms(raw: Any) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if (not isinstance(raw, list) or len(raw) < 2 or len(set(map(str, raw))) != len(raw)
            or any(a not in ARMS for a in raw)):
        raise BadMessage(reason="arms_unknown")
    return tuple(raw)


def arm_of(first_round: str, device: str, arms: list[str] | tuple[str, ...]) -> str:
    """The condition of `device` in the second round that follows `first_round`: FNV-1a
    of both, modulo the number of arms (static/phone/kinds/estimate.js computes the same)."""
    return arms[fnv1a(f"{first_round}|arm|{device}") % len(arms)]


def estimate_of(stored: Any) -> float:
    """The number of a stored estimate (a number, or {value, confidence})."""
    return float(stored["value"]) if isinstance(stored, dict) else float(stored)


def confidence_of(stored: Any) -> int | None:
    return int(stored["confidence"]) if isinstance(stored, dict) else None


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
    if msg.arms and not _figures_unseen(act):
        raise Conflict(reason="arms_after_results")
    room = engine.rooms[act.room]
    first = act.tally.snapshot()  # before any change: a failure here changes nothing
    step = Step()
    closing = act.state is State.OPEN
    if closing:
        engine.commit(step, engine.event(ev.CLOSED, act.room, {"id": act.id}, now, peer, None))
    social = {"n": first["n"], "median": first["median"], "q1": first["q1"],
              "q3": first["q3"]}
    spec = {**act.spec, "round": 2, "previous": act.id, "social": social}
    if msg.arms:
        spec["arms"] = list(msg.arms)
        # An experiment: the projector must not show the room what an arm is not shown
        # (round 1's median, the answers coming in) before the vote closes.
        if spec.get("results") != "hidden":
            spec["results"] = "after_close"
    second = engine.add_activity(step, room, spec, now, peer, None)
    engine.commit(step, engine.event(ev.OPENED, room.code, {"id": second.id}, now, peer,
                                     msg.seq))
    if room.projected == act.id:
        engine.commit(step, engine.event(ev.PROJECTED, room.code, {"id": second.id}, now,
                                         peer, None))
    if closing:  # told once the projection moved: a closed round 1 still projected
        engine.activity_changed(step, act)  # would put its figures on the screens
    engine.ack(step, peer, msg.seq, activity=second.id)
    engine.activity_changed(step, second)
    _tell_each_device(step, second)
    return step


def _figures_unseen(first: Activity) -> bool:
    """Whether nobody outside the panel can have seen round 1's figures: it is still open
    (its figures wait for the close by default; with `live` the animator chose to show
    them), or closed with its results hidden and never revealed."""
    results = first.spec.get("results")
    if first.state is State.OPEN:
        return results != "live"
    return results == "hidden" and not first.revealed


def _tell_each_device(step: Step, second: Activity) -> None:
    """In a round split into arms, each first-round device of an arm shown something
    gets its own `social_info`, addressed to it alone (once, as the round opens: O(n)
    for n devices); a phone that connects later finds it in its welcome."""
    tally = second.tally
    if not isinstance(tally, EstimateTally) or tally.first is None or not second.spec.get("arms"):
        return
    for device in tally.first.by_device:
        info = tally.shown_to(device)
        if info is not None:
            step.send(ToDevice(second.room, device),
                      out("social_info", activity=second.id, info=info))


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
        self.by_device: dict[str, Any] = {}  # latest estimate per device, for pairing
        self._arms_cache: tuple[Any, dict[str, Any]] | None = None
        self.draw: OthersDraw | None = None  # who each device is shown, in such arms

    def add(self, value: Any) -> None:
        bisect.insort(self.values, estimate_of(value))

    def remove(self, value: Any) -> None:
        del self.values[bisect.bisect_left(self.values, estimate_of(value))]

    def respond(self, device: str, previous: Any | None, stored: Any, value: Any) -> None:
        """As every tally, and keep each device's latest estimate to pair the rounds."""
        super().respond(device, previous, stored, value)
        self.by_device[device] = stored

    def link(self, other: Tally) -> None:
        """Follow round 1; with arms that show other people, draw once who each device
        is shown, from round 1's answers as they stand when this round is added (the
        same point of the log live and at replay)."""
        if isinstance(other, EstimateTally):
            self.first = other
            if any(a in PICKS for a in self.spec.get("arms") or ()):
                self.draw = OthersDraw.draw(str(self.spec.get("previous")), {
                    d: estimate_of(v) for d, v in other.by_device.items()})

    def shown_to(self, device: str) -> dict[str, Any] | None:
        """The social information only `device` is shown, in a round split into arms:
        round 1's figures (`{arm: "median", n, median, q1, q3}`) in the arm `median`,
        others' answers (`{arm, value, n}`) in `one_other` and `median_of_5`; None in
        `none` and without arms (everyone then reads round 1's figures in the spec)."""
        arms = self.spec.get("arms")
        if not arms or self.first is None or device not in self.first.by_device:
            return None  # a device that did not answer round 1 is shown nothing
        arm = arm_of(str(self.spec.get("previous")), device, arms)
        if arm == "median":
            return {"arm": arm, **(self.spec.get("social") or {})}
        if self.draw is None:
            return None
        return self.draw.shown(device, arm)

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
        """The same devices before and after the information (Jayles et al. 2017); with
        arms, S is read on the devices that were shown information, each with its own M
        (the median, one other's estimate, or the median of 5 others')."""
        assert self.first is not None
        shown = (self.spec.get("social") or {}).get("median")
        if shown is None or shown <= 0:
            return None  # no positive information shown: no log sensitivity
        before = self.first.by_device
        arms = self.spec.get("arms")
        first_id = str(self.spec.get("previous"))
        pairs = [(d, before[d], v) for d, v in self.by_device.items() if d in before]
        arm = {d: arm_of(first_id, d, arms) for d, _, _ in pairs} if arms else {}
        informed = [(a, b, m) for d, a, b in pairs
                    if (m := self._information(d, arm.get(d, "median"), shown)) is not None]
        result = influence.paired_influence([estimate_of(a) for a, _, _ in informed],
                                            [estimate_of(b) for _, b, _ in informed],
                                            shown, self.truth,
                                            shown_each=[m for _, _, m in informed])
        out = dataclasses.asdict(result)
        out["s_edges"] = list(influence.S_EDGES)
        if self.spec.get("confidence"):
            rated = [(a, b) for _, a, b in pairs
                     if confidence_of(a) is not None and confidence_of(b) is not None]
            out["confidence"] = dataclasses.asdict(experiment.confidence_effect(
                [confidence_of(a) or 0 for a, _ in rated],
                [confidence_of(b) or 0 for _, b in rated],
                [estimate_of(a) for a, _ in rated], [estimate_of(b) for _, b in rated],
                self.truth))
        if arms:
            out["arms"] = self._arms(arms, pairs, arm)
        return out

    def _information(self, device: str, arm: str, median: float) -> float | None:
        """The positive number `device` was shown (its M), or None (nothing shown, or
        nothing with a log)."""
        if arm == "median":
            return median
        info = self.shown_to(device) if arm in PICKS else None
        return info["value"] if info is not None and info["value"] > 0 else None

    def _arms(self, names: list[str], pairs: list[tuple[str, Any, Any]],
              arm: dict[str, str]) -> dict[str, Any]:
        """Each arm's size and, with a truth, its improvement with bootstrap intervals."""
        split = {name: ([estimate_of(a) for d, a, _ in pairs if arm[d] == name],
                        [estimate_of(b) for d, _, b in pairs if arm[d] == name])
                 for name in names}
        if self.truth is None or self.truth <= 0:
            return {"names": names, "n": [len(split[n][0]) for n in names],
                    "results": None, "difference": None}
        key = (self.truth, tuple(sorted((d, estimate_of(a), estimate_of(b)) for d, a, b in pairs)))
        if self._arms_cache is None or self._arms_cache[0] != key:  # bootstrap: not per frame
            results, diff = experiment.arm_results(split, self.truth)
            self._arms_cache = (key, {
                "names": names, "n": [len(split[n][0]) for n in names],
                "results": [dataclasses.asdict(r) for r in results],
                "difference": dataclasses.asdict(diff) if diff else None})
        return self._arms_cache[1]

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
                "truth": marks(snap["truth"]),
                **(_influence_columns(snap["paired"]) if "paired" in snap else {})}


#: The two rounds' names under the diversity bars (French, as the projector's axes).
ROUND_NAMES = ["1er tour", "2e tour"]


def _influence_columns(paired: Mapping[str, Any] | None) -> dict[str, dict[str, list[Any]]]:
    """A second round's S histogram (`s_hist`) and, with a truth, the diversity bars
    (`diversity`: per round the crowd's error `collective` and the diversity `spread`,
    which stack up to the average individual error `average`, Page's theorem; the stack's
    renderers are named after its columns, so none is named like the source); empty
    columns otherwise."""
    if not paired:
        return {"s_hist": {"left": [], "right": [], "count": []},
                "diversity": {"round": [], "collective": [], "spread": [], "average": []}}
    edges = paired["s_edges"]
    out: dict[str, dict[str, list[Any]]] = {
        "s_hist": {"left": edges[:-1], "right": edges[1:], "count": paired["s_counts"]}}
    rounds = [paired.get("before"), paired.get("after")]
    if all(rounds):
        out["diversity"] = {"round": ROUND_NAMES,
                            "collective": [r["collective_error"] for r in rounds],
                            "spread": [r["diversity"] for r in rounds],
                            "average": [r["average_error"] for r in rounds]}
    else:
        out["diversity"] = {"round": [], "collective": [], "spread": [], "average": []}
    return out


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
        confidence = raw.get("confidence", False)
        if not isinstance(confidence, bool):
            raise BadMessage(reason="confidence_flag")
        if confidence:  # only when asked: older specs stay as they were
            spec["confidence"] = True
        # `round`, `previous` and `social` are set by the engine's influence round only,
        # and the true value by `set_truth`: never taken from an animator's spec or an
        # imported agenda (a `truth` there would reach the phones before the reveal).
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        if isinstance(value, dict):
            return self._rated(spec, value)
        x = estimate_number(value)
        if spec["min"] is not None and x < spec["min"]:
            raise BadValue(reason="value_below_min", min=spec["min"])
        if spec["max"] is not None and x > spec["max"]:
            raise BadValue(reason="value_above_max", max=spec["max"])
        return x

    def _rated(self, spec: Mapping[str, Any], value: dict[str, Any]) -> dict[str, Any]:
        """{value, confidence}: an estimate with its confidence 1-6 (Lorenz et al. 2011),
        only where the spec asks for confidence."""
        c = value.get("confidence")
        if (not spec.get("confidence") or set(value) != {"value", "confidence"}
                or isinstance(c, bool) or not isinstance(c, int) or not 1 <= c <= 6
                or isinstance(value["value"], dict)):
            raise BadValue(reason="value_confidence")
        return {"value": self.validate(spec, value["value"]), "confidence": c}

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return EstimateTally(spec)

    def public_spec(self, spec: Mapping[str, Any]) -> Mapping[str, Any]:
        """A round split into arms keeps round 1's figures out of the spec everyone
        receives (the arm `none` must not be able to read them): only their count stays;
        the arm `median` gets them in its own `social_info`."""
        social = spec.get("social")
        if not spec.get("arms") or not isinstance(social, Mapping):
            return spec
        return {**spec, "social": {"n": social.get("n")}}

    def welcome_fields(self, role: Role) -> Mapping[str, Any]:
        return {"social_info": {}} if role is Role.PHONE else {}

    def welcome(self, engine: EngineAPI, act: Activity, role: Role,
                device: str | None) -> Mapping[str, Any]:
        """A phone learns what it alone is shown in an open second round's arm."""
        if (role is not Role.PHONE or device is None or act.state is not State.OPEN
                or not isinstance(act.tally, EstimateTally)):
            return {}
        info = act.tally.shown_to(device)
        return {"social_info": {act.id: info}} if info is not None else {}
