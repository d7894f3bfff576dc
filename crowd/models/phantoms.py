"""A truthful budget aggregate: Freeman et al.'s *independent markets* mechanism.

Freeman, Pennock, Peters & Wortman Vaughan (2021, "Truthful aggregation of budget
proposals", Journal of Economic Theory 193: 105234) aggregate divisions of a budget so
that nobody gains by misreporting (with l1 preferences), unlike the mean, where a
participant who wants more for an option is best off giving it everything. A *moving
phantom* mechanism takes, per option j, the median of the n reported shares and n + 1
phantom values f_0(t) >= ... >= f_n(t), and moves t in [0, 1] until the medians sum to 1.
*Independent markets* uses ``f_k(t) = min(t (n - k), 1)``; it is proportional: when
everyone gives all to one option, each option gets the share of the people who chose it.

Computing the median. The (n + 1)-th smallest of the union of the sorted votes v_(1..n)
and the sorted phantoms is ``min_i max(v_(i), phantom_(n + 1 - i))`` over i = 0..n (i votes
and n + 1 - i phantoms among the n + 1 smallest; v_(0) = -inf); the ascending phantoms are
min(t (j - 1), 1), so ``median_j(t) = min_i max(v_(i), min(t (n - i), 1))``. Within a run
of equal votes the last index is the smallest term, so only each distinct value with its
cumulative count matters: O(distinct values) per option, O(bins) on a histogram.

The sum of the medians is continuous and non-decreasing in t, 0 at t = 0 and the sum of
each option's largest share at t = 1 (at least 1 when the divisions are complete), so t
is found by bisection; the medians are piecewise linear in t, so the sum is met to
floating point. Divisions that leave part of the budget unspent get an extra "unspent"
option (the caller's), so they are complete.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["TruthfulAggregate", "from_counts", "independent_markets"]

_TOL = 1e-9
"""Complete divisions may sum to 1 - 1e-16 in floating point (1/6 + 4/6 + 1/6)."""
_STEPS = 44
"""Bisection steps on t: 2^-44 of [0, 1]; a share moves at most n·t, so with 2,000
people it is off by less than 1e-9, far below the 4 decimals shown."""


@dataclass(frozen=True, slots=True)
class TruthfulAggregate:
    shares: tuple[float, ...]
    """Per option, the independent-markets share (they sum to 1)."""
    t: float
    """Where the phantoms stopped (0..1)."""


def _medians(levels: np.ndarray, cums: np.ndarray, n: int, t: float) -> np.ndarray:
    """Every option's median at t; `levels` is padded with +inf (never the minimum)."""
    terms = np.maximum(levels, np.minimum(t * (n - cums), 1.0))
    return np.minimum(terms.min(axis=1), min(t * n, 1.0))


def _solve(levels: np.ndarray, cums: np.ndarray, n: int) -> TruthfulAggregate | None:
    if n == 0 or levels.shape[0] == 0:
        return None
    lo, hi = 0.0, 1.0
    if _medians(levels, cums, n, hi).sum() < 1.0 - _TOL:
        return None  # incomplete divisions: the caller adds what was left unspent
    for _ in range(_STEPS):
        mid = (lo + hi) / 2
        if _medians(levels, cums, n, mid).sum() < 1.0:
            lo = mid
        else:
            hi = mid
    shares = _medians(levels, cums, n, hi)
    return TruthfulAggregate(shares=tuple(float(x) for x in shares), t=hi)


def _padded(rows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    width = max((v.size for v, _ in rows), default=0)
    levels = np.full((len(rows), max(width, 1)), np.inf)
    cums = np.zeros((len(rows), max(width, 1)))
    for j, (v, c) in enumerate(rows):
        levels[j, :v.size] = v
        cums[j, :c.size] = c
    return levels, cums


def independent_markets(shares: ArrayLike) -> TruthfulAggregate | None:
    """From raw divisions: one row per participant, one column per option, each row a
    complete division (summing to 1). ``None`` without rows or when the rows are not
    complete (the largest shares sum to less than 1)."""
    arr = np.asarray(shares, dtype=float)
    if arr.ndim != 2 or arr.shape[0] == 0:
        return None
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("shares must be finite and non-negative")
    rows = []
    for column in arr.T:
        values, counts = np.unique(column, return_counts=True)
        rows.append((values, np.cumsum(counts)))
    return _solve(*_padded(rows), arr.shape[0])


def from_counts(counts: ArrayLike, centres: ArrayLike) -> TruthfulAggregate | None:
    """From one histogram of shares per option (rows: options, columns: the bins centred
    on ``centres``, shares of the budget); exact when the shares sit on the centres."""
    hist = np.asarray(counts, dtype=np.int64)
    grid = np.asarray(centres, dtype=float)
    if hist.ndim != 2 or hist.shape[1] != grid.size:
        raise ValueError("one row of counts per option, one count per centre")
    if hist.shape[0] == 0:
        return None
    n = int(hist[0].sum())
    levels = np.where(hist > 0, grid, np.inf)  # empty bins never give the minimum
    return _solve(levels, np.cumsum(hist, axis=1).astype(float), n)
