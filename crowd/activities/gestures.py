"""Continuous gestures: temperature, weighting, orientation.

A phone sends while the finger moves (throttled client-side); the latest value counts.
Tallies are the crowd-model accumulators of `crowd.models`: O(1) or O(options) per update,
O(bins) per snapshot, whatever the number of participants.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from crowd.activities.base import ActivityType, Tally, finite, labels, number, text
from crowd.activities.registry import register
from crowd.core.errors import BadMessage, BadValue, declare_reasons
from crowd.core.types import Kind
from crowd.models import budget as budget_model
from crowd.models import camps, circular, orientation, scales

declare_reasons({
    "value_temperature_range": "a temperature is a number from -1 to 1",
    "value_points_count": "give a number of points to each of the {n} options",
    "value_points_negative": "points cannot be negative",
    "value_points_over": "the points add up to {total:g}, over the budget of {budget}",
    "places_too_many": "'options' must be a list of at most {max} places",
    "place_shape": "each place is {{label, angle}}",
    "place_angle_missing": "each place needs an 'angle' in degrees",
    "value_orientation_shape": "an orientation is {{angle: degrees, strength: 0 to 1}}",
    "value_strength_range": "the strength is a number from 0 to 1",
})

# ---------------------------------------------------------------- temperature

TREND_STEP_S = 5.0  # one trend point per 5 s of event time
TREND_POINTS = 120  # ten minutes of trend
TREND_FIELDS = ("mean", "std", "camps", "pole_low", "pole_high")
KDE_GRID = np.linspace(-1.0, 1.0, 81)
DOT_ROWS = 12  # the dot strip stacks at most this many dots per bin
GAUGE_CATEGORIES = camps.CATEGORIES  # A and camps are meant for short ordinal scales
BIN_CENTERS = scales.bin_centers(scales.DEFAULT_BINS)
CATEGORY_OF_BIN, CATEGORY_POSITIONS = camps.category_map(BIN_CENTERS)


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits)


class TemperatureTally(Tally):
    """Histogram on 41 bins of [-1, 1] with exact moments; the readable indicators of
    division (spread, camps, pole shares), the gated bimodal flag and their trend.

    An answer costs O(1): exact moments, pole counts and the 7 categories of the camps
    indicator are kept as running counts. The bimodal flag reads the drawn density
    (O(bins x grid)), so its hysteresis moves at most once per second of event time, in
    `observe`, and the trend's camps figure with it; a snapshot shows where the current
    answers would move the flag and the current camps. All depend on the logged answers
    only, so a replay reaches the same state as the live room."""

    def __init__(self) -> None:
        self.acc = scales.ScaleAccumulator()
        self.low = 0  # answers below -POLE and above +POLE, exactly
        self.high = 0
        self.coarse = [0] * GAUGE_CATEGORIES  # the 41 bins regrouped, as camps.coarsen does
        self.gate = camps.BimodalGate()
        self.gate_second: float | None = None
        self.camps_now: float | None = None  # camps at the flag's last move, for the trend
        self.trend_t: list[float] = []
        self.trend: dict[str, list[float | None]] = {f: [] for f in TREND_FIELDS}

    def _count(self, value: float, sign: int) -> None:
        self.low += sign * (value < -camps.POLE)
        self.high += sign * (value > camps.POLE)
        self.coarse[CATEGORY_OF_BIN[scales.bin_index(value, self.acc.bins)]] += sign

    def add(self, value: Any) -> None:
        self.acc.add(value)
        self._count(value, 1)

    def remove(self, value: Any) -> None:
        self.acc.remove(value)
        self._count(value, -1)

    def _camps(self) -> float | None:
        return camps.esteban_ray(self.coarse, CATEGORY_POSITIONS) if self.acc.n else None

    def _humps(self, std: float | None) -> tuple[Any, camps.Humps | None]:
        density = camps.density(self.acc.counts, BIN_CENTERS, KDE_GRID, std)
        return density, camps.humps(self.acc.counts, BIN_CENTERS, KDE_GRID, density)

    def observe(self, now: float) -> None:
        """Keep the indicators at most every TREND_STEP_S (the last value of each step),
        and move the bimodal flag's hysteresis once per second of event time."""
        acc = self.acc
        if not acc.n:
            self.gate.on = False
            return
        n, std = acc.n, acc.std
        second = math.floor(now)
        if second != self.gate_second:  # the costlier figures: once per second of events
            self.gate_second = second
            _, found = self._humps(std)
            self.gate.update(n, std, acc.moments()[2], found)
            self.camps_now = self._camps()
        point = {"mean": acc.mean, "std": std, "camps": self.camps_now,
                 "pole_low": self.low / n, "pole_high": self.high / n}
        bucket = math.floor(now / TREND_STEP_S) * TREND_STEP_S
        if not (self.trend_t and self.trend_t[-1] == bucket):
            self.trend_t.append(bucket)
            for f in TREND_FIELDS:
                self.trend[f].append(None)
            if len(self.trend_t) > TREND_POINTS:
                del self.trend_t[0]
                for f in TREND_FIELDS:
                    del self.trend[f][0]
        for f in TREND_FIELDS:
            self.trend[f][-1] = _round(point[f])

    def snapshot(self) -> dict[str, Any]:
        s = self.acc.summary()
        density, found = self._humps(s.std)
        bounds = camps.STAY if self.gate.on else camps.ENTER
        agreement = scales.agreement(self.coarse) if s.n else None
        polarisation = None if agreement is None else (1.0 - agreement) / 2.0
        return {
            "n": s.n, "mean": _round(s.mean), "median": _round(s.median), "std": _round(s.std),
            "camps": _round(self._camps()),
            "pole_low": _round(self.low / s.n) if s.n else None,
            "pole_high": _round(self.high / s.n) if s.n else None,
            "bimodality": _round(s.bimodality_coefficient),
            "bimodal": camps.BimodalGate.passes(bounds, s.n, s.std, s.bimodality_coefficient,
                                                found),
            "humps": None if found is None else {
                "left": _round(found.left), "right": _round(found.right),
                "valley": _round(found.valley), "depth": _round(found.depth),
                "smaller_camp": _round(found.smaller_camp)},
            "agreement": _round(agreement), "polarisation": _round(polarisation),
            "histogram": list(s.histogram), "bin_centers": [round(c, 3) for c in s.bin_centers],
            "density": [round(float(v), 4) for v in density],
            "trend": {"t": list(self.trend_t), **{f: list(v) for f, v in self.trend.items()}},
        }

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        hist, centers = snap["histogram"], snap["bin_centers"]
        per_dot = max(1, math.ceil(max(hist, default=0) / DOT_ROWS))
        xs: list[float] = []
        ys: list[float] = []
        for x, count in zip(centers, hist, strict=True):
            for row in range(math.ceil(count / per_dot)):
                xs.append(x)
                ys.append(round(-0.08 * (row + 1), 2))  # a strip hanging below the curve
        t = snap["trend"]["t"]
        t0 = t[-1] if t else 0.0
        split = snap["camps"]  # the dial shows camps: uniform 10 %, two camps at the ends 100 %
        return {
            "density": {"x": [round(float(v), 3) for v in KDE_GRID], "y": snap["density"]},
            "dots": {"x": xs, "row": ys},
            "mean": {"x": [] if snap["mean"] is None else [snap["mean"]]},
            "trend": {"t": [round((ti - t0) / 60.0, 2) for ti in t], "mean": snap["trend"]["mean"],
                      "camps": snap["trend"]["camps"]},
            "gauge": {"value": [0.0 if split is None else split],
                      "angle": [math.pi * (1.0 - (0.0 if split is None else split))],
                      "label": ["–" if split is None else f"{round(100 * split)}\u202f%"]},
        }


@register
class Temperature(ActivityType):
    kind = Kind.TEMPERATURE

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().normalize_spec(raw),
                "left": text(raw, "left", 80, default="froid"),
                "right": text(raw, "right", 80, default="brûlant")}

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        x = finite(value)
        if not -1.0 <= x <= 1.0:
            raise BadValue(reason="value_temperature_range")
        return round(x, 4)

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return TemperatureTally()


# ---------------------------------------------------------------- weighting


class WeightingTally(Tally):
    def __init__(self, options: list[str], budget: float) -> None:
        self.options = options
        self.acc = budget_model.BudgetAccumulator(len(options), budget)

    def add(self, value: Any) -> None:
        self.acc.add(value)

    def remove(self, value: Any) -> None:
        self.acc.remove(value)

    def snapshot(self) -> dict[str, Any]:
        s = self.acc.summary()
        def rounded(xs: tuple[float, ...] | None) -> list[float] | None:
            return None if xs is None else [round(float(x), 4) for x in xs]
        return {"n": s.n, "budget": s.budget, "mean_shares": rounded(s.mean_shares),
                "median_shares": rounded(s.median_shares), "std_shares": rounded(s.std_shares),
                "consensus": rounded(s.consensus), "ranking": list(s.ranking),
                "total_points": rounded(s.total_points), **self._truthful()}

    def _truthful(self) -> dict[str, Any]:
        """Freeman et al.'s truthful aggregate next to the mean shares."""
        found = self.acc.truthful_shares()
        if found is None:
            return {"truthful_shares": None, "truthful_unspent": None}
        shares, unspent = found
        return {"truthful_shares": [round(x, 4) for x in shares],
                "truthful_unspent": round(unspent, 4)}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        k = len(self.options)
        mean = snap["mean_shares"] or [0.0] * k
        std = snap["std_shares"] or [0.0] * k
        pairs = list(zip(mean, std, strict=True))
        truthful = snap.get("truthful_shares") or [None] * k
        return {"shares": {"label": self.options, "value": [round(100 * m, 1) for m in mean],
                           "low": [round(100 * max(0.0, m - s), 1) for m, s in pairs],
                           "high": [round(100 * min(1.0, m + s), 1) for m, s in pairs],
                           "truthful": [None if x is None else round(100 * x, 1)
                                        for x in truthful]}}


@register
class Weighting(ActivityType):
    kind = Kind.WEIGHTING

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        spec = {**super().normalize_spec(raw), "options": labels(raw, "options")}
        points = number(raw, "budget", 100)
        if points is None or not 1 <= points <= 10_000 or points != int(points):
            raise BadMessage(reason="field_not_whole", field="budget", min=1, max=10_000)
        spec["budget"] = int(points)
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        n, points = len(spec["options"]), spec["budget"]
        if not isinstance(value, list) or len(value) != n:
            raise BadValue(reason="value_points_count", n=n)
        parts = [finite(v) for v in value]
        if any(p < 0 for p in parts):
            raise BadValue(reason="value_points_negative")
        if sum(parts) > points + 1e-9:
            raise BadValue(reason="value_points_over", total=sum(parts), budget=points)
        return [int(p) if p == int(p) else round(p, 3) for p in parts]

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return WeightingTally(spec["options"], spec["budget"])


# ---------------------------------------------------------------- orientation

ROSE_BINS = 16


class OrientationTally(Tally):
    """Directions counted unweighted (agreement: R-bar, Rayleigh, arc, rose test, lobes) and
    weighted by strength (the mean vector, agreement x conviction, and the drawn rose)."""

    def __init__(self) -> None:
        self.acc = circular.CircularAccumulator(bins=ROSE_BINS)
        self.weighted = circular.CircularAccumulator(bins=ROSE_BINS)
        self.truth: float | None = None  # the true bearing, entered after the fact

    def check_truth(self, value: float) -> float:
        return round(circular.normalize_angle(finite(value)), 2)

    def set_truth(self, value: float | None) -> None:
        self.truth = value

    def _bearing(self, s: circular.CircularSummary) -> dict[str, Any]:
        """With a true bearing: the V-test and the compass diversity theorem."""
        if self.truth is None or not s.n:
            return {"truth": self.truth, "v_test": None, "compass": None}
        u, p = orientation.v_test(s.n, s.resultant_length, s.mean_deg, self.truth) or (0, 1)
        _, sin_sum, cos_sum = self.acc.sums
        wisdom = orientation.compass_wisdom(s.n, sin_sum, cos_sum, self.truth)
        assert wisdom is not None  # n > 0
        return {"truth": self.truth, "v_test": {"u": round(u, 4), "p": round(p, 6)},
                "compass": {k: round(v, 4) for k, v in (
                    ("average_error", wisdom.average_error), ("diversity", wisdom.diversity),
                    ("collective_error", wisdom.collective_error))}}

    def add(self, value: Any) -> None:
        self.acc.add(value["angle"])
        self.weighted.add(value["angle"], value["strength"])

    def remove(self, value: Any) -> None:
        self.acc.remove(value["angle"])
        self.weighted.remove(value["angle"], value["strength"])

    def snapshot(self) -> dict[str, Any]:
        s = self.acc.summary()
        w = self.weighted.summary()
        counts = [round(c) for c in s.rose]
        rose_test = orientation.rose_uniformity(counts)
        found = orientation.lobes(counts)
        code = orientation.verdict(s.n, s.resultant_length, s.rayleigh_p, rose_test, found)
        _, wsin, wcos = self.weighted.sums
        vector = math.hypot(wsin, wcos) / s.n if s.n else 0.0
        return {"n": s.n, "mean_deg": _round(s.mean_deg, 2),
                "resultant_length": round(float(s.resultant_length), 4),
                "rayleigh_z": _round(s.rayleigh_z), "rayleigh_p": _round(s.rayleigh_p, 6),
                "kappa": _round(s.kappa), "circular_std_deg": _round(s.circular_std_deg, 2),
                "arc_deg": _round(s.arc_deg, 2),
                "mean_vector": {"deg": _round(w.mean_deg, 2), "length": round(vector, 4)},
                "rose": [round(float(x), 4) for x in w.rose], "rose_counts": counts,
                "bin_edges_deg": [round(float(e), 3) for e in s.bin_edges_deg],
                "rose_test": None if rose_test is None else {
                    "sectors": rose_test.sectors, "chi2": round(rose_test.chi2, 4),
                    "p": round(rose_test.p, 6)},
                "lobes": [{"mean_deg": round(lobe.mean_deg, 2), "share": round(lobe.share, 4)}
                          for lobe in found],
                "verdict_code": code, "verdict": orientation.VERDICTS[code],
                **self._bearing(s)}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        rose, edges = snap["rose"], snap["bin_edges_deg"]
        top = max(rose, default=0.0) or 1.0
        # compass degrees (0 = north, clockwise) -> math radians (0 = east, counter-clockwise)
        def to_math(deg: float) -> float:
            return math.radians(90.0 - deg)
        wedge = {"start": [to_math(edges[i + 1]) for i in range(len(rose))],
                 "end": [to_math(edges[i]) for i in range(len(rose))],
                 "outer": [0.05 + 0.95 * r / top for r in rose]}
        arc: dict[str, list[Any]] = {"start": [], "end": [], "outer": []}
        if snap["mean_deg"] is None:
            arrow = {"x0": [], "y0": [], "x1": [], "y1": []}
        else:  # its length is R-bar: short when the arrows disagree
            a = to_math(snap["mean_deg"])
            r = snap["resultant_length"]
            arrow = {"x0": [0.0], "y0": [0.0], "x1": [round(r * math.cos(a), 4)],
                     "y1": [round(r * math.sin(a), 4)]}
            if snap["arc_deg"] is not None and snap["verdict_code"] in ("agree", "lean"):
                # the 95 % arc of the mean direction, when there is one to speak of
                arc = {"start": [to_math(snap["mean_deg"] + snap["arc_deg"])],
                       "end": [to_math(snap["mean_deg"] - snap["arc_deg"])], "outer": [r]}
        return {"rose": wedge, "arrow": arrow, "arc": arc}


@register
class Orientation(ActivityType):
    kind = Kind.ORIENTATION

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        spec = super().normalize_spec(raw)
        places = raw.get("options") or []
        if not isinstance(places, list) or len(places) > 16:
            raise BadMessage(reason="places_too_many", max=16)
        clean = []
        for place in places:
            if not isinstance(place, dict):
                raise BadMessage(reason="place_shape")
            label = text(place, "label", 60, required=True)
            angle = number(place, "angle")
            if angle is None:
                raise BadMessage(reason="place_angle_missing")
            clean.append({"label": label, "angle": circular.normalize_angle(angle)})
        spec["options"] = clean
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = {"angle": value}
        if not isinstance(value, dict) or "angle" not in value:
            raise BadValue(reason="value_orientation_shape")
        angle = finite(value["angle"])
        strength = finite(value.get("strength", 1.0))
        if not 0.0 <= strength <= 1.0:
            raise BadValue(reason="value_strength_range")
        # Any finite angle is accepted and normalised to [0, 360): 370° is 10°.
        return {"angle": round(circular.normalize_angle(angle), 2),
                "strength": round(strength, 3)}

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return OrientationTally()
