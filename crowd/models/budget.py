"""Weighting: every participant shares a budget of points among the options.

A participant's allocation is a vector of non-negative points, one per option, summing to at
most ``budget`` (points left over are "unallocated"). Statistics are reported as *shares* of
the budget, points / budget in [0, 1], so that charts do not depend on the budget's size.

Per option the crowd scientist reads the mean share (the collective weighting), the median
share (robust to a few participants putting everything on one option), the spread, and a
consensus index: ``consensus = 1 - std_share / sqrt(m (1 - m))`` with the population standard
deviation and the mean share m. For shares in [0, 1] with mean m the largest possible
standard deviation is sqrt(m (1 - m)), reached when a share m of the crowd gives the option
everything and the rest nothing; so consensus lies in [0, 1] for every option: 1 = everyone
gave the same share, 0 = the crowd is as divided as that mean allows. (``1 - 2 std`` was
bounded by the mean: an option with a mean share of 5 % scored at least 0.56 however
divided the room was.)

Empty input gives n = 0 with ``None`` for every statistic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .phantoms import from_counts
from .scales import binned_median

__all__ = ["BudgetAccumulator", "BudgetSummary", "summarize"]

_TOL = 1e-9
"""Relative tolerance on the budget, so that 0.1 + 0.2 + 0.7 points fit a budget of 1."""
MAX_WHOLE_BUDGET = 1000
"""Up to this integer budget the accumulator's histogram grid contains every whole point."""
MIN_GRID = 101
"""Fewest histogram grid points per option (a step of at most 1 % of the budget)."""


@dataclass(frozen=True, slots=True)
class BudgetSummary:
    """Collective allocation of a budget; per-option fields are indexed by option."""

    n: int
    n_options: int
    budget: float
    total_points: tuple[float, ...]
    """Points given to each option by everybody together."""
    mean_shares: tuple[float, ...] | None
    """Mean of points / budget per option."""
    median_shares: tuple[float, ...] | None
    """Median share per option (from histograms in `BudgetAccumulator`)."""
    std_shares: tuple[float, ...] | None
    """Population standard deviation (ddof=0) of the share per option."""
    consensus: tuple[float, ...] | None
    """``1 - std / sqrt(m (1 - m))`` in [0, 1]: 1 = unanimous weighting of that option,
    0 = as divided as its mean share m allows (1 when m is 0 or 1: everyone agrees)."""
    mean_unallocated: float | None
    """Mean share of the budget left unspent."""
    ranking: tuple[int, ...]
    """Options by decreasing mean share (ties by index); empty when n = 0."""


def _check_budget(budget: float) -> float:
    b = float(budget)
    if not math.isfinite(b) or b <= 0:
        raise ValueError(f"budget must be positive and finite, got {budget!r}")
    return b


def _check_rows(arr: NDArray[np.float64], budget: float) -> None:
    if not np.all(np.isfinite(arr)):
        raise ValueError("allocations must be finite (no NaN or inf)")
    if np.any(arr < 0):
        raise ValueError("allocations must be non-negative")
    over = arr.sum(axis=-1) > budget * (1.0 + _TOL)
    if np.any(over):
        first = int(np.flatnonzero(np.atleast_1d(over))[0])
        raise ValueError(f"allocation {first} spends more than the budget of {budget:g}")


def _as_allocations(
    allocations: ArrayLike, budget: float, n_options: int | None
) -> NDArray[np.float64]:
    try:
        arr = np.asarray(allocations, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"allocations must be a table of numbers (ragged rows?): {exc}") from None
    if arr.size == 0 and arr.ndim != 2:
        return np.zeros((0, n_options or 0))
    if arr.ndim != 2:
        raise ValueError(f"allocations must be 2-D (participants x options), got shape {arr.shape}")
    if n_options is not None and arr.shape[1] != n_options:
        raise ValueError(f"allocations have {arr.shape[1]} options, expected {n_options}")
    _check_rows(arr, budget)
    return arr


def _ranking(means: NDArray[np.float64]) -> tuple[int, ...]:
    return tuple(sorted(range(means.size), key=lambda i: (-means[i], i)))


def _tuple(a: NDArray[np.float64]) -> tuple[float, ...]:
    return tuple(float(x) for x in a)


def normalised_consensus(means: NDArray[np.float64], stds: NDArray[np.float64]
                         ) -> NDArray[np.float64]:
    """``1 - std / sqrt(m (1 - m))`` per option, clipped to [0, 1]. Where sqrt(m (1 - m))
    is below 1e-3 (a mean share within a millionth of 0 or 1) everybody gave the same and
    consensus is 1: the running sums' rounding (about 1e-8 on a std) must not decide."""
    spread_max = np.sqrt(np.clip(means * (1.0 - means), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(spread_max > 1e-3, stds / np.where(spread_max > 1e-3, spread_max, 1.0),
                         0.0)
    return np.clip(1.0 - ratio, 0.0, 1.0)


def _build(
    n: int,
    budget: float,
    totals: NDArray[np.float64],
    means: NDArray[np.float64],
    medians: NDArray[np.float64],
    stds: NDArray[np.float64],
) -> BudgetSummary:
    k = int(totals.size)
    if n == 0:
        return BudgetSummary(0, k, budget, (0.0,) * k, None, None, None, None, None, ())
    consensus = normalised_consensus(means, stds)
    return BudgetSummary(
        n=n,
        n_options=k,
        budget=budget,
        total_points=_tuple(totals),
        mean_shares=_tuple(means),
        median_shares=_tuple(medians),
        std_shares=_tuple(stds),
        consensus=_tuple(consensus),
        mean_unallocated=max(1.0 - float(means.sum()), 0.0),
        ranking=_ranking(means),
    )


def summarize(allocations: ArrayLike, budget: float, n_options: int | None = None) -> BudgetSummary:
    """Summarise allocations (rows: participants, columns: options) of a common budget.

    ``n_options`` is only needed to size the result for empty input, and is checked
    against the rows otherwise.
    """
    b = _check_budget(budget)
    arr = _as_allocations(allocations, b, n_options)
    shares = arr / b
    n = int(arr.shape[0])
    if n == 0:
        return _build(0, b, np.zeros(arr.shape[1]), *(np.zeros(arr.shape[1]),) * 3)
    return _build(
        n,
        b,
        arr.sum(axis=0),
        shares.mean(axis=0),
        np.median(shares, axis=0),
        shares.std(axis=0),
    )


class BudgetAccumulator:
    """Running budget statistics: O(options) per add/remove, O(options * bins) per summary.

    Means and standard deviations are exact from running sums. Medians come from one
    histogram per option whose bins are centred on an even grid of ``bins`` points from 0 to
    the budget; allocations on the grid give exact medians, others are off by at most half a
    step. By default the grid has at least 101 points and, for an integer budget up to 1000,
    contains every whole point (budget 10: steps of 0.1 points; budget 100: steps of 1), so
    the whole-point allocations a stepper UI produces are exact.
    ``remove`` must mirror an earlier ``add`` of the same allocation.
    """

    __slots__ = (
        "_bins",
        "_budget",
        "_centers",
        "_hist",
        "_k",
        "_n",
        "_s1",
        "_s2",
        "_step",
        "_unspent",
    )

    def __init__(self, n_options: int, budget: float, bins: int | None = None) -> None:
        k = int(n_options)
        if k < 0 or k != n_options:
            raise ValueError(f"n_options must be a non-negative integer, got {n_options!r}")
        self._k = k
        self._budget = _check_budget(budget)
        if bins is None:
            b = self._budget
            if b == round(b) and b <= MAX_WHOLE_BUDGET:
                bins = int(b) * math.ceil((MIN_GRID - 1) / b) + 1
            else:
                bins = MIN_GRID
        elif int(bins) != bins or bins < 2:
            raise ValueError(f"bins must be an integer >= 2, got {bins!r}")
        self._bins = int(bins)
        self._step = self._budget / (self._bins - 1)
        self._centers = np.linspace(0.0, 1.0, self._bins)  # as shares of the budget
        self.clear()

    def clear(self) -> None:
        """Forget every allocation."""
        self._n = 0
        self._s1 = [0.0] * self._k
        self._s2 = [0.0] * self._k
        self._hist = np.zeros((self._k, self._bins), dtype=np.int64)
        self._unspent = np.zeros(self._bins, dtype=np.int64)  # the share left unallocated

    @property
    def n(self) -> int:
        """Number of allocations currently held."""
        return self._n

    def _apply(self, allocation: ArrayLike, sign: int) -> None:
        # Plain Python on purpose: for a handful of options it is several times faster than
        # numpy's per-call overhead, and this runs on every change of every participant.
        try:
            points = [float(v) for v in allocation]  # type: ignore[union-attr]
        except (TypeError, ValueError):
            raise ValueError("allocation must be a flat sequence of numbers") from None
        if len(points) != self._k:
            raise ValueError(f"allocation must have {self._k} entries, got {len(points)}")
        if not all(math.isfinite(v) and v >= 0.0 for v in points):
            raise ValueError("allocations must be finite and non-negative")
        if sum(points) > self._budget * (1.0 + _TOL):
            raise ValueError(f"allocation spends more than the budget of {self._budget:g}")
        top = self._bins - 1
        idx = [min(max(math.floor(v / self._step + 0.5), 0), top) for v in points]
        hist = self._hist
        if sign < 0 and any(hist[o, i] == 0 for o, i in enumerate(idx)):
            raise ValueError("this allocation was never added, cannot remove it")
        self._n += sign
        left = max(self._budget - sum(points), 0.0)
        self._unspent[min(max(math.floor(left / self._step + 0.5), 0), top)] += sign
        for o, (v, i) in enumerate(zip(points, idx, strict=True)):
            share = v / self._budget
            self._s1[o] += sign * share
            self._s2[o] += sign * share * share
            hist[o, i] += sign
        if self._n == 0:
            self.clear()

    def add(self, allocation: ArrayLike) -> None:
        """Add one participant's allocation."""
        self._apply(allocation, 1)

    def remove(self, allocation: ArrayLike) -> None:
        """Remove an allocation added earlier (e.g. before adding its update)."""
        if self._n == 0:
            raise ValueError("cannot remove from an empty accumulator")
        self._apply(allocation, -1)

    def truthful_shares(self) -> tuple[tuple[float, ...], float] | None:
        """Freeman et al.'s independent markets (`crowd.models.phantoms`) on the histograms:
        per option the truthful share of the budget, and the share left unspent (the
        points people kept count as one more option, so every division is complete).
        O(options * bins); ``None`` when empty."""
        if self._n == 0:
            return None
        result = from_counts(np.vstack([self._hist, self._unspent]), self._centers)
        if result is None:
            return None
        return result.shares[:-1], result.shares[-1]

    def summary(self) -> BudgetSummary:
        """Current summary."""
        n, k = self._n, self._k
        if n == 0:
            return _build(0, self._budget, np.zeros(k), *(np.zeros(k),) * 3)
        means = np.array(self._s1) / n
        stds = np.sqrt(np.maximum(np.array(self._s2) / n - means * means, 0.0))
        medians = np.array(
            [binned_median(self._hist[o], self._centers) for o in range(k)], dtype=float
        )
        return _build(n, self._budget, means * (n * self._budget), means, medians, stds)
