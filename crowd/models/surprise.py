"""The "surprisingly popular" answer of a choice poll (Prelec, Seung & McCoy 2017).

Each person picks an option and predicts, for every option, the share of the room that
will pick it. The surprisingly popular answer is the option whose actual share exceeds
its mean predicted share by the most: those who know something the room does not choose
it more often than the room expects (Prelec, Seung & McCoy, "A solution to the
single-question crowd wisdom problem", Nature 541:532-535, 2017).

Per option k and predicting person i, let d_ik = [i chose k] - p_ik. The excess of k is
the mean of d_ik, i.e. actual share - mean predicted share, and it is shown as an answer
only when the data supports it: at least `MIN_N` predictions, a positive excess, and a
one-sided one-sample t-test of mean(d_k) > 0 significant at `ALPHA` after Bonferroni over
the options (the answer is the maximum of k excesses, so the test must pay for the
choice). The t-test needs only four running sums per option (`SurpriseAccumulator`), so
an answer costs O(options) and a verdict O(options), whatever the size of the room.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

__all__ = ["ALPHA", "MIN_N", "Surprise", "SurpriseAccumulator", "surprisingly_popular"]

#: Fewest predictions before any verdict: with fewer, one person moves a share by >10 %.
MIN_N = 10
#: Family-wise level of the one-sided test (Bonferroni over the options).
ALPHA = 0.05


@dataclass(frozen=True, slots=True)
class Surprise:
    """The verdict. `answer` is None unless the data supports one (`reason` says why)."""

    n: int  # people who gave a prediction
    actual: list[float]  # share of those people who chose each option
    predicted: list[float]  # their mean predicted share of each option
    excess: list[float]  # actual - predicted
    candidate: int | None  # the option with the largest positive excess, if any
    p: float | None  # its one-sided p value, Bonferroni-adjusted (capped at 1)
    answer: int | None  # the candidate when supported
    reason: str  # "supported", "too_few", "none_above" (no positive excess), "not_significant"


class SurpriseAccumulator:
    """Running sums per option over the people who predicted: the count of choices c_k,
    the sum of predictions P_k, the sum of squared predictions Q_k and the sum of the
    predictions of one's own choice S_k. Adding then removing a person restores them."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.n = 0
        self.chosen = [0] * k
        self.sum = [0.0] * k
        self.squares = [0.0] * k
        self.own = [0.0] * k

    def update(self, choice: int, predicted: Sequence[float], sign: int = 1) -> None:
        """One person (sign +1) or their removal (-1); `predicted` are shares in [0, 1]."""
        self.n += sign
        self.chosen[choice] += sign
        self.own[choice] += sign * predicted[choice]
        for j, p in enumerate(predicted):
            self.sum[j] += sign * p
            self.squares[j] += sign * p * p

    def verdict(self, min_n: int = MIN_N, alpha: float = ALPHA) -> Surprise:
        return _verdict(self.n, self.chosen, self.sum, self.squares, self.own, min_n, alpha)


def surprisingly_popular(choices: Sequence[int], predictions: Sequence[Sequence[float]],
                         k: int, min_n: int = MIN_N, alpha: float = ALPHA) -> Surprise:
    """The verdict from the individual answers (each prediction a list of k shares)."""
    if len(choices) != len(predictions):
        raise ValueError("one prediction per choice")
    acc = SurpriseAccumulator(k)
    for choice, predicted in zip(choices, predictions, strict=True):
        if not 0 <= choice < k or len(predicted) != k:
            raise ValueError("choice or prediction out of range")
        acc.update(choice, predicted)
    return acc.verdict(min_n, alpha)


def _verdict(n: int, chosen: Sequence[int], total: Sequence[float], squares: Sequence[float],
             own: Sequence[float], min_n: int, alpha: float) -> Surprise:
    k = len(chosen)
    if n <= 0:
        return Surprise(0, [0.0] * k, [0.0] * k, [0.0] * k, None, None, None, "too_few")
    actual = [c / n for c in chosen]
    predicted = [s / n for s in total]
    excess = [a - p for a, p in zip(actual, predicted, strict=True)]
    best = max(range(k), key=lambda j: (excess[j], -j))
    candidate = best if excess[best] > 1e-12 else None
    if candidate is None:
        return Surprise(n, actual, predicted, excess, None, None, None,
                        "too_few" if n < min_n else "none_above")
    p = _one_sided_p(n, excess[candidate], chosen[candidate], own[candidate],
                     squares[candidate])
    p = min(1.0, p * k)
    if n < min_n:
        return Surprise(n, actual, predicted, excess, candidate, p, None, "too_few")
    supported = p <= alpha
    return Surprise(n, actual, predicted, excess, candidate, p,
                    candidate if supported else None,
                    "supported" if supported else "not_significant")


def _one_sided_p(n: int, mean: float, chosen: int, own: float, squares: float) -> float:
    """P(mean(d) > observed | true mean 0) by Student's t with n - 1 degrees of freedom,
    d_i = [chose k] - p_ik, so sum d_i^2 = c_k - 2 S_k + Q_k (indicators square to
    themselves)."""
    if n < 2:
        return 1.0
    sum_sq = chosen - 2.0 * own + squares
    variance = max(0.0, (sum_sq - n * mean * mean) / (n - 1))
    if variance <= 1e-15:
        return 0.0 if mean > 0 else 1.0
    t = mean / math.sqrt(variance / n)
    return float(stats.t.sf(t, n - 1))
