"""Express polls: choice, approval, ranking, grades, estimate, words.

Each tally is exact and incremental: a response costs O(options) (O(log n) for estimates),
a snapshot O(options) (O(n) once for estimate quantiles, n <= a few thousand).
"""

from __future__ import annotations

import bisect
import unicodedata
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np

from crowd.activities import register
from crowd.activities.base import (
    ActivityType,
    Tally,
    finite,
    index_list,
    integer,
    labels,
    number,
    option_index,
    text,
)
from crowd.errors import BadMessage, BadValue
from crowd.types import Kind

DEFAULT_GRADES = ["À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Très bien",
                  "Excellent"]


def _shares(counts: list[int], total: int) -> list[float]:
    return [c / total if total else 0.0 for c in counts]


# ---------------------------------------------------------------- choice


class CountTally(Tally):
    """Counts per option; `n` is the number of ballots (devices that answered)."""

    def __init__(self, options: list[str]) -> None:
        self.options = options
        self.counts = [0] * len(options)
        self.n = 0

    def _indices(self, value: Any) -> list[int]:
        return [value] if isinstance(value, int) else list(value)

    def add(self, value: Any) -> None:
        self.n += 1
        for i in self._indices(value):
            self.counts[i] += 1

    def remove(self, value: Any) -> None:
        self.n -= 1
        for i in self._indices(value):
            self.counts[i] -= 1

    def snapshot(self) -> dict[str, Any]:
        return {"n": self.n, "counts": list(self.counts), "shares": _shares(self.counts, self.n)}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        return {"bars": {"label": self.options, "value": snap["counts"]}}


@register
class Choice(ActivityType):
    kind = Kind.CHOICE

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().normalize_spec(raw), "options": labels(raw, "options")}

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        return option_index(value, len(spec["options"]))

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return CountTally(spec["options"])


@register
class Approval(Choice):
    kind = Kind.APPROVAL

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        spec = super().normalize_spec(raw)
        spec["max"] = integer(raw, "max", len(spec["options"]), 1, len(spec["options"]))
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        return sorted(index_list(value, len(spec["options"]), minimum=0, maximum=spec["max"]))


# ---------------------------------------------------------------- ranking


class RankingTally(Tally):
    """First-place counts and Borda scores (k-1 points for first ... 0 for last/unranked)."""

    def __init__(self, options: list[str]) -> None:
        self.options = options
        self.first = [0] * len(options)
        self.borda = [0] * len(options)
        self.n = 0

    def _apply(self, ranking: list[int], sign: int) -> None:
        k = len(self.options)
        self.n += sign
        self.first[ranking[0]] += sign
        for position, option in enumerate(ranking):
            self.borda[option] += sign * (k - 1 - position)

    def add(self, value: Any) -> None:
        self._apply(value, 1)

    def remove(self, value: Any) -> None:
        self._apply(value, -1)

    def snapshot(self) -> dict[str, Any]:
        order = sorted(range(len(self.options)), key=lambda i: (-self.borda[i], i))
        return {"n": self.n, "counts": list(self.first), "borda": list(self.borda),
                "ranking": order}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        return {"bars": {"label": self.options, "value": snap["borda"]}}


@register
class Ranking(Choice):
    kind = Kind.RANKING

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        n = len(spec["options"])
        return index_list(value, n, minimum=1, maximum=n)

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return RankingTally(spec["options"])


# ---------------------------------------------------------------- grades


class GradesTally(Tally):
    """Grade histogram per option and each option's majority (lower median) grade."""

    def __init__(self, options: list[str], grades: list[str]) -> None:
        self.options = options
        self.grades = grades
        self.counts = [[0] * len(grades) for _ in options]
        self.n = 0

    def _apply(self, value: list[int], sign: int) -> None:
        self.n += sign
        for option, grade in enumerate(value):
            self.counts[option][grade] += sign

    def add(self, value: Any) -> None:
        self._apply(value, 1)

    def remove(self, value: Any) -> None:
        self._apply(value, -1)

    @staticmethod
    def _lower_median(histogram: list[int]) -> int | None:
        total = sum(histogram)
        if total == 0:
            return None
        rank = (total + 1) // 2  # lower median: the ceil(n/2)-th grade from the bottom
        seen = 0
        for grade, count in enumerate(histogram):
            seen += count
            if seen >= rank:
                return grade
        return len(histogram) - 1

    def snapshot(self) -> dict[str, Any]:
        return {"n": self.n, "counts": [list(row) for row in self.counts],
                "majority": [self._lower_median(row) for row in self.counts]}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        majority = [(-1 if g is None else g) for g in snap["majority"]]
        return {"bars": {"label": self.options, "value": [g + 1 for g in majority]}}


@register
class Grades(Choice):
    kind = Kind.GRADES

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        spec = super().normalize_spec(raw)
        spec["grades"] = labels(raw, "grades", minimum=2, maximum=10, default=DEFAULT_GRADES)
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        n, g = len(spec["options"]), len(spec["grades"])
        if not isinstance(value, list) or len(value) != n:
            raise BadValue(f"give one grade to each of the {n} options")
        for grade in value:
            if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade < g:
                raise BadValue(f"a grade is a number from 0 to {g - 1}")
        return list(value)

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return GradesTally(spec["options"], spec["grades"])


# ---------------------------------------------------------------- estimate


class EstimateTally(Tally):
    """Sorted values: median and quartiles without a full sort per snapshot."""

    BINS = 20

    def __init__(self, lo: float | None, hi: float | None) -> None:
        self.lo, self.hi = lo, hi
        self.values: list[float] = []

    def add(self, value: Any) -> None:
        bisect.insort(self.values, value)

    def remove(self, value: Any) -> None:
        del self.values[bisect.bisect_left(self.values, value)]

    def snapshot(self) -> dict[str, Any]:
        n = len(self.values)
        if n == 0:
            return {"n": 0, "median": None, "q1": None, "q3": None, "min": None, "max": None,
                    "edges": [], "counts": []}
        arr = np.asarray(self.values)
        q1, median, q3 = (float(x) for x in np.percentile(arr, [25, 50, 75]))
        lo = self.lo if self.lo is not None else float(arr[0])
        hi = self.hi if self.hi is not None else float(arr[-1])
        if hi <= lo:
            hi = lo + 1.0
        counts, edges = np.histogram(arr, bins=self.BINS, range=(lo, hi))
        return {"n": n, "median": median, "q1": q1, "q3": q3, "min": float(arr[0]),
                "max": float(arr[-1]), "edges": edges.tolist(), "counts": counts.tolist()}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        edges = snap["edges"]
        return {"hist": {"left": edges[:-1], "right": edges[1:], "count": snap["counts"]},
                "median": {"x": [] if snap["median"] is None else [snap["median"]]}}


@register
class Estimate(ActivityType):
    kind = Kind.ESTIMATE

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        spec = {**super().normalize_spec(raw), "unit": text(raw, "unit", 20),
                "min": number(raw, "min"), "max": number(raw, "max")}
        if spec["min"] is not None and spec["max"] is not None and spec["min"] >= spec["max"]:
            raise BadMessage("'min' must be below 'max'")
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        x = finite(value)
        if spec["min"] is not None and x < spec["min"]:
            raise BadValue(f"the estimate must be at least {spec['min']:g}")
        if spec["max"] is not None and x > spec["max"]:
            raise BadValue(f"the estimate must be at most {spec['max']:g}")
        return x

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return EstimateTally(spec["min"], spec["max"])


# ---------------------------------------------------------------- words


def normalize_word(word: str) -> str:
    """'  Solidarité!' and 'solidarité' count as the same word; accents are kept."""
    word = unicodedata.normalize("NFC", word).strip().lower()
    return " ".join(word.strip(".,;:!?\"'()[]").split())


class WordsTally(Tally):
    TOP = 30

    def __init__(self) -> None:
        self.words: Counter[str] = Counter()
        self.n = 0

    def add(self, value: Any) -> None:
        self.n += 1
        self.words.update(value)

    def remove(self, value: Any) -> None:
        self.n -= 1
        self.words.subtract(value)
        for word in value:
            if self.words[word] <= 0:
                del self.words[word]

    def snapshot(self) -> dict[str, Any]:
        top = sorted(self.words.items(), key=lambda kv: (-kv[1], kv[0]))[: self.TOP]
        return {"n": self.n, "words": [w for w, _ in top], "counts": [c for _, c in top],
                "distinct": len(self.words)}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        words, counts = snap["words"][:12], snap["counts"][:12]
        return {"words": {"y": list(range(len(words), 0, -1)), "label": words, "value": counts}}


@register
class Words(ActivityType):
    kind = Kind.WORDS
    MAX_LENGTH = 30

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().normalize_spec(raw), "max_words": integer(raw, "max_words", 3, 1, 5)}

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise BadValue("the answer must be a list of words")
        words = [normalize_word(w) for w in value]
        words = [w for w in words if w]
        if not 1 <= len(words) <= spec["max_words"]:
            raise BadValue(f"give between 1 and {spec['max_words']} words")
        if any(len(w) > self.MAX_LENGTH for w in words):
            raise BadValue(f"a word has at most {self.MAX_LENGTH} characters")
        return list(dict.fromkeys(words))  # the same word twice counts once

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return WordsTally()
