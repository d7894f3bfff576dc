"""Relative value scale: the crowd says what things are worth in terms of one another.

The animator lists items ("1 h de plomberie", "1 pain", "1 kg de tomates", ...) and picks
a reference. Each phone is asked a few pairs, "A vaut combien de B ?", and answers a
ratio on a logarithmic slider: `{"pair": [I, J], "ratio": R}` means item I is worth R
times item J. A device may answer several pairs; each new judgment is folded into the
device's answer (`merge`), a pair answered again replaces its earlier judgment.

Which pairs a phone is asked is a pure function of the activity id and the device token
(`assigned_pairs`): a seeded order of all pairs, and a window of it per device, so every
pair is in as many windows as any other and a replay asks the same pairs. The phone
learns its pairs in its welcome (`pairs`); a phone already in the room when the activity
opens computes the same window (static/phone/kinds/value_scale.js mirrors the function,
and a browser test holds both to the same answer).

The tally keeps, per pair, the sum of log ratios and the count, updated by `respond`
for the one pair a judgment changes (O(1) per judgment, whatever the room): the
crowd's judgment of a pair is their geometric mean, and the weights are refitted from
these k x k figures (`crowd.models.ratios.fit`). The bootstrap intervals need every
participant's judgments: they come from a copy of them taken each time judgments
amounting to `REFRESH_SHARE` of them were applied since the last copy (every judgment
while the scale is small). A refresh costs O(n) and comes every n / 20 judgments, so
its cost per judgment stays flat however large the room; the copies are taken as
judgments are applied, so a replay copies at the same judgments and shows the same
intervals.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from crowd.activities.base import ActivityType, EngineAPI, Tally, integer, labels
from crowd.activities.registry import register
from crowd.core.errors import BadValue, declare_reasons
from crowd.core.types import Role, State
from crowd.models import ratios

if TYPE_CHECKING:
    from crowd.core.room import Activity

declare_reasons({
    "value_ratio_number": "the ratio must be a finite number",
    "value_ratio_range": "the ratio must be between 1/{max:g} and {max:g}",
    "value_scale_shape": 'the answer is {{"pair": [I, J], "ratio": R}}',
    "value_pair_items": "the pair is two item numbers",
    "value_pair_range": "items are numbered 0 to {last}",
    "value_pair_same": "an item is not compared with itself",
})

KIND = "value_scale"
MAX_ITEMS = 50
#: The slider's ends: "A vaut 100 fois B" ... "A vaut un centième de B".
MAX_RATIO = 100.0
#: The intervals are refreshed when this share of the judgments changed since the last
#: refresh (at least one): they lag the weights by under 5 % of the answers.
REFRESH_SHARE = 0.05
#: Share of the judgments' variation the weights leave unexplained -> the gauge's words
#: (a presentation choice, not a test: see docs/models.md).
LEVELS = ((0.05, "coherent"), (0.15, "fair"), (0.30, "hesitant"), (math.inf, "contradictory"))


# ---------------------------------------------------------------- pairs per phone


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes (the phone computes the same in JavaScript)."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def _mulberry32(seed: int) -> Any:
    """A tiny 32-bit generator with an exact JavaScript twin (Math.imul)."""
    state = seed & 0xFFFFFFFF

    def draw() -> int:
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return (t ^ (t >> 14)) & 0xFFFFFFFF

    return draw


def pair_order(activity_id: str, k: int) -> list[tuple[int, int]]:
    """All pairs i < j of k items, shuffled by a seed drawn from the activity id."""
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    draw = _mulberry32(fnv1a(activity_id))
    for last in range(len(pairs) - 1, 0, -1):  # Fisher-Yates
        pick = draw() % (last + 1)
        pairs[last], pairs[pick] = pairs[pick], pairs[last]
    return pairs


def assigned_pairs(activity_id: str, device: str, k: int, per_phone: int) -> list[list[int]]:
    """The pairs this device is asked, each as [A, B] for "A vaut combien de B ?".

    A window of `per_phone` consecutive pairs of `pair_order`, starting where the
    device's hash falls, each shown in an order the hash also decides (so the reference
    is not always on the same side). Every pair lies in exactly `per_phone` windows:
    each is asked of the same share of phones on average, and with n phones a pair is
    left unasked with probability (1 - per_phone / m)^n for m pairs."""
    order = pair_order(activity_id, k)
    m = len(order)
    h = fnv1a(f"{activity_id}|{device}")
    start = h % m
    chosen = []
    for step in range(min(per_phone, m)):
        i, j = order[(start + step) % m]
        chosen.append([j, i] if (h >> (step % 31)) & 1 else [i, j])
    return chosen


# ---------------------------------------------------------------- tally


def pair_index(i: int, j: int, k: int) -> int:
    """Index of the pair i < j in `numpy.triu_indices(k, 1)` order."""
    return i * k - i * (i + 1) // 2 + (j - i - 1)


def consistency_level(inconsistency: float | None) -> str | None:
    if inconsistency is None:
        return None
    return next(word for bound, word in LEVELS if inconsistency < bound)


class ValueScaleTally(Tally):
    """Per-pair sums of log ratios and counts (O(1) per judgment), and each device's
    judgments (for the bootstrap over participants)."""

    #: The bounds computed from the last copy: computed again whenever asked for.
    memo_fields = frozenset({"_intervals"})

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.items = list(spec["items"])
        self.k = len(self.items)
        self.reference = int(spec.get("reference", 0))
        self.first, self.second = np.triu_indices(self.k, 1)
        m = len(self.first)
        self.log_sums = np.zeros(m)
        self.counts = np.zeros(m, dtype=np.int64)
        self.people: dict[str, dict[int, float]] = {}  # device -> {pair: ln ratio}
        self.judgments = 0
        self.seed = ratios.seed_of(json.dumps([spec.get("prompt"), self.items]))
        self._frozen: tuple[Any, ...] | None = None  # judgments copied for the bootstrap
        self._since = 0  # judgments applied since that copy
        self._freezes = 0  # copies taken
        self._intervals: tuple[int, Any] | None = None  # (copy number, bounds)

    def respond(self, device: str, previous: Any | None, stored: Any, value: Any) -> None:
        """O(1): one pair's sum changes (the device's earlier judgment of it leaves)."""
        i, j = value["pair"]
        p = pair_index(i, j, self.k)
        y = math.log(value["ratio"])
        mine = self.people.setdefault(device, {})
        old = mine.get(p)
        if old is None:
            self.counts[p] += 1
            self.judgments += 1
            self.log_sums[p] += y
        else:
            self.log_sums[p] += y - old
        mine[p] = y
        self._since += 1
        if self._since >= max(1.0, REFRESH_SHARE * self.judgments):
            self._freeze()

    def add(self, value: Any) -> None:
        raise NotImplementedError("value scale judgments arrive through respond()")

    def remove(self, value: Any) -> None:
        raise NotImplementedError("value scale judgments arrive through respond()")

    def _freeze(self) -> None:
        self._frozen = self._arrays()
        self._freezes += 1
        self._since = 0

    def _arrays(self) -> tuple[Any, ...]:
        """Each judgment as (participant, pair, log ratio) arrays, and the participant count."""
        owners: list[int] = []
        pairs: list[int] = []
        logs: list[float] = []
        for person, mine in enumerate(self.people.values()):
            owners.extend([person] * len(mine))
            pairs.extend(mine.keys())
            logs.extend(mine.values())
        return np.array(owners, dtype=np.int64), np.array(pairs, dtype=np.int64), \
            np.array(logs), len(self.people)

    def intervals(self) -> tuple[list[float | None], list[float | None]]:
        """Bootstrap bounds of the weights from the last copy, computed once per copy."""
        if self._intervals is not None and self._intervals[0] == self._freezes:
            return self._intervals[1]  # type: ignore[no-any-return]
        owners, pairs, logs, people = self._frozen if self._frozen is not None \
            else self._arrays()
        found = ratios.bootstrap(self.k, self.first, self.second, owners, pairs, logs, people,
                                 self.reference, seed=self.seed)
        self._intervals = (self._freezes, found)
        return found

    def snapshot(self) -> dict[str, Any]:
        on = self.counts > 0
        compared = np.flatnonzero(on)
        y = self.log_sums[on] / self.counts[on]
        fit = ratios.fit(self.k, self.first[on], self.second[on], y, self.reference)
        weights = [None if v is None else math.exp(v) for v in fit.log_weights]
        low, high = self.intervals()
        contradiction = None
        if fit.contradiction is not None:
            p = int(compared[fit.contradiction])
            i, j = int(self.first[p]), int(self.second[p])
            vi, vj = fit.log_weights[i], fit.log_weights[j]
            contradiction = {"pair": [i, j], "said": math.exp(float(y[fit.contradiction])),
                             "implied": math.exp(vi - vj) if vi is not None and vj is not None
                             else None}
        return {
            "n": len(self.people), "judgments": self.judgments,
            "reference": self.reference, "weights": weights, "low": low, "high": high,
            "linked": fit.linked, "pairs_compared": int(on.sum()),
            "pairs_total": len(self.first), "inconsistency": fit.inconsistency,
            "level": consistency_level(fit.inconsistency) if len(compared) else None,
            "cyclicity": fit.cyclicity, "consistency_ratio": fit.consistency_ratio,
            "contradiction": contradiction,
        }

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        """Items on a log axis, one row each in the animator's order (top = first; the
        names are the chart's fixed axis), with their intervals; the gauge."""
        shown = [i for i in range(self.k) if snap["weights"][i] is not None] if snap["n"] else []
        items: dict[str, list[Any]] = {"y": [], "label": [], "weight": [], "low": [],
                                       "high": [], "text": [], "reference": []}
        for i in shown:
            w = snap["weights"][i]
            lo, hi = snap["low"][i], snap["high"][i]
            items["y"].append(self.k - i)
            items["label"].append(self.items[i])
            items["weight"].append(w)
            items["low"].append(lo if lo is not None else w)
            items["high"].append(hi if hi is not None else w)
            items["text"].append(french_number(w))
            items["reference"].append(i == snap["reference"])
        inc = snap["inconsistency"]
        # the gauge's bar spans 0 to 0.3 of the width: full at 30 % unexplained
        gauge = {"fill": [min(0.3, inc or 0.0)], "label": [LEVEL_WORDS.get(
            snap["level"], "en attente des premières comparaisons")]}
        words = others = ""
        c = snap["contradiction"]
        if c is not None and c["implied"] is not None and snap["level"] != "coherent":
            a, b = self.items[c["pair"][0]], self.items[c["pair"][1]]
            words = f"{a} = {french_number(c['said'])} × {b}"
            others = f"les autres paires disent {french_number(c['implied'])} ×"
        unlinked = [self.items[i] for i in range(self.k) if snap["weights"][i] is None]
        apart = ("Pas encore reliés : " + ", ".join(unlinked)) if unlinked and snap["n"] else ""
        return {"items": items, "gauge": gauge,
                "notes": {"title": ["Plus forte contradiction :" if words else ""],
                          "contradiction": [words], "others": [others], "apart": [apart]}}


LEVEL_WORDS = {"coherent": "la salle est cohérente", "fair": "plutôt cohérente",
               "hesitant": "la salle hésite", "contradictory": "la salle se contredit"}


def french_number(x: float | None) -> str:
    """2 significant figures at most, decimal comma, narrow no-break space for thousands."""
    if x is None or not math.isfinite(x):
        return "–"
    digits = max(0, 1 - math.floor(math.log10(abs(x)))) if x else 0
    text = f"{round(x, digits):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")


# ---------------------------------------------------------------- the kind


def _ratio(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadValue(reason="value_ratio_number")
    r = float(value)
    if not 1.0 / MAX_RATIO <= r <= MAX_RATIO:
        raise BadValue(reason="value_ratio_range", max=MAX_RATIO)
    return r


@register
class ValueScaleKind(ActivityType):
    kind = KIND

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        items = labels(raw, "items", maximum=MAX_ITEMS)
        spec = {**super().normalize_spec(raw), "items": items,
                "reference": integer(raw, "reference", 0, 0, len(items) - 1),
                "per_phone": integer(raw, "per_phone", 3, 1, 10)}
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        if not isinstance(value, Mapping) or set(value) != {"pair", "ratio"}:
            raise BadValue(reason="value_scale_shape")
        pair = value["pair"]
        k = len(spec["items"])
        if (not isinstance(pair, list) or len(pair) != 2
                or any(isinstance(x, bool) or not isinstance(x, int) for x in pair)):
            raise BadValue(reason="value_pair_items")
        i, j = pair
        if not (0 <= i < k and 0 <= j < k):
            raise BadValue(reason="value_pair_range", last=k - 1)
        if i == j:
            raise BadValue(reason="value_pair_same")
        r = _ratio(value["ratio"])
        return {"pair": [i, j], "ratio": r} if i < j else {"pair": [j, i], "ratio": 1.0 / r}

    def merge(self, previous: Any, value: Any) -> Any:
        """The device's judgments so far, one per pair (i < j), the new one replacing an
        earlier judgment of the same pair; at most k(k-1)/2 of them."""
        pair = value["pair"]
        kept = [a for a in (previous or {}).get("answers", []) if a[:2] != pair]
        return {"answers": sorted([*kept, [pair[0], pair[1], value["ratio"]]])}

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return ValueScaleTally(spec)

    def welcome_fields(self, role: Role) -> Mapping[str, Any]:
        return {"pairs": {}} if role is Role.PHONE else {}

    def welcome(self, engine: EngineAPI, act: Activity, role: Role,
                device: str | None) -> Mapping[str, Any]:
        """A phone learns the pairs it is asked on each open value scale."""
        if role is not Role.PHONE or device is None or act.state is not State.OPEN:
            return {}
        return {"pairs": {act.id: assigned_pairs(act.id, device, len(act.spec["items"]),
                                                 act.spec["per_phone"])}}

