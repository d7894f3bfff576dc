"""Express polls: choice, approval, ranking, grades, words (estimates: `estimate.py`).

Each tally is exact and incremental: a response costs O(options), a snapshot O(options).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
from typing import Any

from sortedcontainers import SortedList

from crowd.activities.base import (
    ActivityType,
    Tally,
    index_list,
    integer,
    labels,
    option_index,
)
from crowd.activities.registry import register
from crowd.core.errors import BadValue, declare_reasons
from crowd.core.types import Kind
from crowd.models import surprise, voting

declare_reasons({
    "value_grades_count": "give one grade to each of the {n} options",
    "value_grade_range": "a grade is a number from 0 to {last}",
    "value_not_words": "the answer must be a list of words",
    "value_words_count": "give between 1 and {max} words",
    "value_word_length": "a word has at most {limit} characters",
    "value_not_prediction": "the answer is an option, or an option with one whole "
                            "percentage predicted per option",
    "value_prediction_sum": "the predicted percentages add up to 100 (they add up to {total})",
})

DEFAULT_GRADES = ["À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Très bien",
                  "Excellent"]


def _shares(counts: list[int], total: int) -> list[float]:
    return [c / total if total else 0.0 for c in counts]


# ---------------------------------------------------------------- choice


def chosen_option(value: Any) -> int:
    """The option of a single-choice answer: an index, or {choice, predicted}."""
    return value["choice"] if isinstance(value, dict) else value


class CountTally(Tally):
    """Counts per option; `n` is the number of ballots (devices that answered)."""

    def __init__(self, options: list[str], single: bool = True) -> None:
        self.options = options
        self.counts = [0] * len(options)
        self.n = 0
        self.single = single  # one choice per ballot: the shares are multinomial

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
        """Counts, shares and each share's 95 % Wilson score interval (crowd.models.voting)."""
        intervals = [voting.wilson_interval(c, self.n) if self.n else (0.0, 0.0)
                     for c in self.counts]
        snap: dict[str, Any] = {
            "n": self.n, "counts": list(self.counts), "shares": _shares(self.counts, self.n),
            "ci_low": [round(lo, 4) for lo, _ in intervals],
            "ci_high": [round(hi, 4) for _, hi in intervals]}
        if self.single:  # approvals are not shares of one vote: no Scott & Seber interval
            lead = voting.margin(self.counts)
            snap["margin"] = None if lead is None else {
                "leaders": lead.leaders, "runner_up": lead.runner_up,
                "difference": round(lead.difference, 4), "low": round(lead.low, 4),
                "high": round(lead.high, 4), "to_tie": lead.to_tie}
        return snap

    def segment_labels(self) -> list[str] | None:
        return list(self.options) if self.single else None  # approvals overlap

    def segment_of(self, stored: Any) -> int | None:
        return chosen_option(stored) if self.single else None

    def cells(self) -> list[int] | None:
        return list(self.counts)

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        pct = [round(100 * x, 1) for x in snap["shares"]]
        return {"bars": {"label": self.options, "value": snap["counts"], "share": pct,
                         "low": [round(100 * x, 1) for x in snap["ci_low"]],
                         "high": [round(100 * x, 1) for x in snap["ci_high"]],
                         "text": [f"{c} · {round(p)} %" for c, p in zip(snap["counts"], pct,
                                                                      strict=True)]}}


class SurpriseTally(CountTally):
    """A choice poll that also asks each person the share of the room they expect for
    each option: counts as a choice poll (every answer, predicted or not), plus the
    running sums of crowd.models.surprise over the answers that carry a prediction
    (O(options) per answer and per snapshot)."""

    def __init__(self, options: list[str]) -> None:
        super().__init__(options)
        self.surprise = surprise.SurpriseAccumulator(len(options))

    def _predicted(self, value: Any, sign: int) -> None:
        if isinstance(value, dict):
            self.surprise.update(value["choice"], [p / 100 for p in value["predicted"]], sign)

    def add(self, value: Any) -> None:
        super().add(chosen_option(value))
        self._predicted(value, 1)

    def remove(self, value: Any) -> None:
        super().remove(chosen_option(value))
        self._predicted(value, -1)

    def snapshot(self) -> dict[str, Any]:
        snap = super().snapshot()
        v = self.surprise.verdict()
        snap["surprise"] = {
            "n": v.n, "min_n": surprise.MIN_N, "actual": [round(x, 4) for x in v.actual],
            "predicted": [round(x, 4) for x in v.predicted],
            "excess": [round(x, 4) for x in v.excess], "candidate": v.candidate,
            "p": None if v.p is None else round(v.p, 4), "answer": v.answer,
            "reason": v.reason}
        return snap


@register
class Choice(ActivityType):
    kind = Kind.CHOICE

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        spec = {**super().normalize_spec(raw), "options": labels(raw, "options")}
        if self.kind == Kind.CHOICE and raw.get("predict") is True:
            spec["predict"] = True  # absent when off: specs written before stay the same
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        n = len(spec["options"])
        if not spec.get("predict") or not isinstance(value, dict):
            return option_index(value, n)
        predicted = value.get("predicted")
        if set(value) != {"choice", "predicted"} or not isinstance(predicted, list) \
                or len(predicted) != n or any(
                    isinstance(p, bool) or not isinstance(p, int) or not 0 <= p <= 100
                    for p in predicted):
            raise BadValue(reason="value_not_prediction")
        if sum(predicted) != 100:
            raise BadValue(reason="value_prediction_sum", total=sum(predicted))
        return {"choice": option_index(value["choice"], n), "predicted": list(predicted)}

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        if spec.get("predict"):
            return SurpriseTally(spec["options"])
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

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return CountTally(spec["options"], single=False)


# ---------------------------------------------------------------- ranking


class RankingTally(Tally):
    """First places, Borda scores and the Condorcet pairwise matrix, kept ballot by ballot
    (O(options^2)); the Schulze ranking is computed from the matrix at snapshot time.
    Borda points follow `crowd.models.voting.borda` for partial ballots (docs/models.md)."""

    def __init__(self, options: list[str]) -> None:
        k = len(options)
        self.options = options
        self.first = [0] * k
        self.borda2 = [0] * k  # twice the Borda points: halves stay exact integers
        self.d = [[0] * k for _ in range(k)]
        self.n = 0

    def _apply(self, ranking: list[int], sign: int) -> None:
        k = len(self.options)
        self.n += sign
        self.first[ranking[0]] += sign
        ranked = set(ranking)
        unranked = [o for o in range(k) if o not in ranked]
        # Borda as crowd.models.voting.borda: the unranked options share the points left,
        # (k - r - 1) / 2 each, so every ballot hands out k (k - 1) / 2 points.
        for option in unranked:
            self.borda2[option] += sign * (k - len(ranking) - 1)
        for position, option in enumerate(ranking):
            self.borda2[option] += sign * 2 * (k - 1 - position)
            row = self.d[option]
            # a ranked option beats the ones ranked after it and every unranked one
            for other in ranking[position + 1:]:
                row[other] += sign
            for other in unranked:
                row[other] += sign

    def add(self, value: Any) -> None:
        self._apply(value, 1)

    def remove(self, value: Any) -> None:
        self._apply(value, -1)

    def cells(self) -> list[int] | None:
        return list(self.first)  # a split shows the first places

    def snapshot(self) -> dict[str, Any]:
        result = voting.schulze_from_pairwise(self.d)
        condorcet = [i for i in range(len(self.options))
                     if all(self.d[i][j] > self.d[j][i] for j in range(len(self.options))
                            if j != i)]
        return {"n": self.n, "counts": list(self.first), "borda": [b / 2 for b in self.borda2],
                "ranking": list(result.ranking), "winners": list(result.winners),
                "places": voting.places(result.strengths, result.ranking),
                "pairwise": [list(row) for row in self.d],
                "condorcet_winner": condorcet[0] if condorcet else None,
                "smith": voting.smith_set(self.d) if self.n else []}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        """The Schulze order, and the pairwise matrix with rows and columns in that order
        (numeric positions, so the matrix follows the ranking as it changes)."""
        k = len(self.options)
        order = snap["ranking"]
        position = {option: p for p, option in enumerate(order)}
        n = max(snap["n"], 1)
        cells: dict[str, list[Any]] = {"x": [], "y": [], "share": [], "text": []}
        for i in order:
            for j in order:
                if i == j:
                    continue
                cells["x"].append(position[j])
                cells["y"].append(k - 1 - position[i])
                cells["share"].append(round(snap["pairwise"][i][j] / n, 3))
                cells["text"].append(str(snap["pairwise"][i][j]))
        labels = [self.options[i] for i in order]
        places = snap.get("places") or [p + 1 for p in range(k)]
        place = [f"{places[i]}." for i in order]  # the matrix names rows and columns by place
        return {"order": {"label": labels, "place": place, "y": list(range(k, 0, -1))},
                "pairwise": cells,
                "rows": {"x": [-0.55] * k, "y": [k - 1 - p for p in range(k)], "label": labels,
                         "place": place},
                "cols": {"x": list(range(k)), "y": [k - 0.45] * k, "label": labels,
                         "place": place}}


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
    """Grade histogram per option; majority judgment (Balinski & Laraki) at snapshot time."""

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

    def snapshot(self) -> dict[str, Any]:
        if self.n == 0:
            return {"n": 0, "counts": [list(row) for row in self.counts],
                    "majority": [None] * len(self.options), "ranking": [],
                    "p": [None] * len(self.options), "q": [None] * len(self.options),
                    "scores": [None] * len(self.options)}
        mj = voting.majority_judgment(self.counts)
        scores = [voting.usual_judgment(row) for row in self.counts]
        return {"n": self.n, "counts": [list(row) for row in self.counts],
                "majority": list(mj.majority_grades), "ranking": list(mj.ranking),
                "p": [None if x is None else round(x, 4) for x in mj.p],
                "q": [None if x is None else round(x, 4) for x in mj.q],
                "scores": [None if x is None else round(x, 4) for x in scores]}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        """Merit profile: one horizontal bar per option, grades stacked worst to best,
        options in majority-judgment order (numeric rows, so the order follows the
        ranking live); the 50 % line crosses each majority grade."""
        order = snap["ranking"] or list(range(len(self.options)))
        k = len(order)
        cols: dict[str, list[Any]] = {"y": [k - 1 - p for p in range(k)],
                                      "option": [self.options[i] for i in order]}
        for g in range(len(self.grades)):
            cols[f"g{g}"] = [round(100 * self.counts[i][g] / self.n, 2) if self.n else 0.0
                             for i in order]
        cols["majority"] = [("" if snap["majority"][i] is None
                             else self.grades[snap["majority"][i]]) for i in order]
        return {"profile": cols}


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
            raise BadValue(reason="value_grades_count", n=n)
        for grade in value:
            if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade < g:
                raise BadValue(reason="value_grade_range", last=g - 1)
        return list(value)

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return GradesTally(spec["options"], spec["grades"])


# ---------------------------------------------------------------- words


def normalize_word(word: str) -> str:
    """'  Solidarité!' -> 'Solidarité': spaces and surrounding punctuation go, the
    spelling (case, accents, emoji) stays: it is what the screens show."""
    word = unicodedata.normalize("NFC", word).strip()
    return " ".join(word.strip(".,;:!?\"'()[]").split())


#: Unicode categories left out when deciding whether two spellings are one word:
#: combining accents (Mn, Me), symbols and emoji (So, Sk), joiners and other format
#: characters (Cf), surrogates and private use (Cs, Co).
_NOT_COUNTED = frozenset({"Mn", "Me", "So", "Sk", "Cf", "Cs", "Co"})


def word_key(word: str) -> str:
    """What makes two answers the same word: "Écologie", "ecologie" and "écologie 🌱"
    count together (case folded, accents and emoji left out). A word made of emoji only
    is its own key. Words are at most a few dozen characters here (checked before)."""
    decomposed = unicodedata.normalize("NFKD", word)
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in _NOT_COUNTED)
    return " ".join(kept.casefold().split()) or word


class WordsTally(Tally):
    """Word counts, variants of one word together (`word_key`), and the words ranked by
    count (then by the spelling shown) in a sorted list: an answer costs
    O(words x log distinct), the top 30 is read in O(30). Sorting every distinct word at
    each snapshot cost 16 ms at 20,000 of them, ten times a second.

    Each word is shown in its most frequent spelling (the first in code-point order among
    equals). The spellings of a word are counted in a dict: adding is O(1); removing the
    shown spelling looks again at that word's spellings only (a handful in practice)."""

    TOP = 30

    def __init__(self) -> None:
        self.words: Counter[str] = Counter()  # key -> answers containing the word
        self.n = 0
        self._ranked: SortedList = SortedList()  # (-count, spelling shown, key)
        self._spellings: dict[str, Counter[str]] = {}
        self._shown: dict[str, str] = {}

    def _move(self, word: str, delta: int) -> None:
        """One more (or one less) answer with this word: its count, its spellings, and its
        place in the ranking (count, then the spelling shown, which may change)."""
        key = word_key(word)
        count = self.words[key]
        if count:
            self._ranked.remove((-count, self._shown[key], key))
        self._spell(key, word, delta)
        count += delta
        if count > 0:
            self.words[key] = count
            self._ranked.add((-count, self._shown[key], key))
        else:
            del self.words[key]

    def _spell(self, key: str, spelling: str, delta: int) -> None:
        spellings = self._spellings.setdefault(key, Counter())
        spellings[spelling] += delta
        shown = self._shown.get(key)
        if spellings[spelling] <= 0:
            del spellings[spelling]
            if not spellings:
                del self._spellings[key]
                self._shown.pop(key, None)
                return
        if delta > 0:
            if shown is None or (-spellings[spelling], spelling) < (-spellings[shown], shown):
                self._shown[key] = spelling
        elif shown == spelling:
            self._shown[key] = min(spellings, key=lambda w: (-spellings[w], w))

    def add(self, value: Any) -> None:
        self.n += 1
        for word in value:
            self._move(word, 1)

    def remove(self, value: Any) -> None:
        self.n -= 1
        for word in value:
            self._move(word, -1)

    def snapshot(self) -> dict[str, Any]:
        top = self._ranked[: self.TOP]
        return {"n": self.n, "words": [shown for _, shown, _ in top],
                "counts": [-c for c, _, _ in top], "distinct": len(self.words)}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        words, counts = snap["words"][:12], snap["counts"][:12]
        # the most said word on the top row, whatever the number of words
        return {"words": {"y": [12 - i for i in range(len(words))], "label": words,
                          "value": counts}}


@register
class Words(ActivityType):
    kind = Kind.WORDS
    MAX_LENGTH = 30
    #: Before normalising: room for spaces, punctuation and decomposed accents around a
    #: word of MAX_LENGTH characters.
    MAX_RAW_LENGTH = 4 * MAX_LENGTH

    free_text = True  # moderated before the big screen (crowd.core.moderation)

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().normalize_spec(raw), "max_words": integer(raw, "max_words", 3, 1, 5)}

    def entries(self, value: Any) -> list[str]:
        """A word's moderation entry is its key: a decision on "solidarité" holds for
        "Solidarité" too, as the screens count them as one word."""
        return [word_key(w) for w in value]

    def keep_entries(self, value: Any, entries: list[str]) -> Any:
        """The answer's words whose entries may show, in their own spelling; an entry
        merged into another one shows as that one."""
        spelled = {word_key(w): w for w in value}
        return [spelled.get(entry, entry) for entry in entries]

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise BadValue(reason="value_not_words")
        # Sizes first: normalising is the costly part (a word of 2,000 combining marks
        # took milliseconds), so nothing oversized reaches it.
        if len(value) > 2 * spec["max_words"]:
            raise BadValue(reason="value_words_count", max=spec["max_words"])
        if any(len(w) > self.MAX_RAW_LENGTH for w in value):
            raise BadValue(reason="value_word_length", limit=self.MAX_LENGTH)
        words = [normalize_word(w) for w in value]
        words = [w for w in words if w]
        if not 1 <= len(words) <= spec["max_words"]:
            raise BadValue(reason="value_words_count", max=spec["max_words"])
        if any(len(w) > self.MAX_LENGTH for w in words):
            raise BadValue(reason="value_word_length", limit=self.MAX_LENGTH)
        once: dict[str, str] = {}  # the same word twice (in any spelling) counts once
        for word in words:
            once.setdefault(word_key(word), word)
        return list(once.values())

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return WordsTally()
