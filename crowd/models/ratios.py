"""Relative values from pairwise ratio judgments: "A is worth R times B".

A crowd compares items two at a time. Judgments of the same pair are combined by their
geometric mean, the only rule that keeps reciprocity (the answer for B over A is the
inverse of the answer for A over B) and unanimity (Aczél & Saaty 1983). The items'
weights are the log least-squares fit on the comparison graph: the log weights whose
differences best match the crowd's log ratios. When every pair is compared this is the
row geometric mean of the ratio matrix (Crawford & Williams 1985); with pairs missing it
is the same fit on the pairs there are, and items that no chain of comparisons links to
the reference have no weight relative to it (said, not guessed).

What the fit cannot explain is the crowd's inconsistency: the cyclic part of the
judgments in the Hodge decomposition of HodgeRank (Jiang, Lim, Yao & Ye 2011), and, when
the matrix is complete, Saaty's consistency ratio. Intervals come from a bootstrap over
participants (resampling who answered, with all their judgments), seeded, so the same
answers always give the same intervals.

Pure numpy/scipy: a live tally keeps per-pair sums of log ratios (O(1) per judgment) and
calls `fit` on the k x k figures; the bootstrap is the costly part, see docs/models.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

#: Saaty's random index: the mean consistency index of random reciprocal matrices of
#: order n on the 1/9..9 scale (Saaty 1980, The Analytic Hierarchy Process, table 1.7).
RANDOM_INDEX = {3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}

#: Bootstrap replicates and the interval's coverage.
REPLICATES = 200
COVERAGE = 0.90


@dataclass(frozen=True, slots=True)
class Fit:
    """Log least-squares weights of k items on a comparison graph.

    `log_weights[i]` is ln(weight of i / weight of the reference), `None` for an item no
    chain of compared pairs links to the reference. `residuals` are, per compared pair
    (in the order given), the crowd's log ratio minus the fitted one: their energy is the
    cyclic, self-contradicting part of the judgments."""

    log_weights: list[float | None]
    residuals: list[float]
    linked: list[bool]
    inconsistency: float | None  # residual share of the judgments' energy, in [0, 1]
    cyclicity: float | None  # ||residual||^2 / ||fitted||^2 (Jiang et al. 2011)
    consistency_ratio: float | None  # Saaty's CR, complete matrices of order 3 to 10
    contradiction: int | None  # index (in the pairs given) of the most contradicted pair


def _check_pairs(k: int, first: ArrayLike, second: ArrayLike, log_ratios: ArrayLike
                 ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    i = np.asarray(first, dtype=np.int64).reshape(-1)
    j = np.asarray(second, dtype=np.int64).reshape(-1)
    y = np.asarray(log_ratios, dtype=float).reshape(-1)
    if not (len(i) == len(j) == len(y)):
        raise ValueError("pairs and log ratios must have the same length")
    if len(i) and (i.min() < 0 or j.min() < 0 or i.max() >= k or j.max() >= k):
        raise ValueError(f"item indices must be within 0..{k - 1}")
    if np.any(i == j):
        raise ValueError("an item is not compared with itself")
    if not np.all(np.isfinite(y)):
        raise ValueError("log ratios must be finite")
    keys = np.minimum(i, j) * k + np.maximum(i, j)
    if len(np.unique(keys)) != len(keys):
        raise ValueError("each pair appears once (aggregate repeated judgments first)")
    return i, j, y


def linked_to(k: int, i: NDArray[np.int64], j: NDArray[np.int64], reference: int
              ) -> NDArray[np.bool_]:
    """Which items a chain of compared pairs links to `reference`."""
    graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(k, k))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels == labels[reference])


def fit(k: int, first: ArrayLike, second: ArrayLike, log_ratios: ArrayLike,
        reference: int = 0) -> Fit:
    """Log least squares: minimise sum over compared pairs of (v_i - v_j - y_ij)^2 with
    v_reference = 0, y_ij = ln(how many times item i is worth item j), one aggregated
    judgment per pair. The normal equations are L v = b with L the comparison graph's
    Laplacian and b_i the sum of i's outgoing log ratios; grounding the reference makes
    them regular on its connected component."""
    if not 0 <= reference < k:
        raise ValueError("the reference must be one of the items")
    i, j, y = _check_pairs(k, first, second, log_ratios)
    linked = linked_to(k, i, j, reference)
    v = np.zeros(k)
    inside = linked[i] & linked[j]
    members = np.flatnonzero(linked & (np.arange(k) != reference))
    if len(members):
        lap = np.zeros((k, k))
        ii, jj, yy = i[inside], j[inside], y[inside]
        np.add.at(lap, (ii, ii), 1.0)
        np.add.at(lap, (jj, jj), 1.0)
        np.add.at(lap, (ii, jj), -1.0)
        np.add.at(lap, (jj, ii), -1.0)
        b = np.zeros(k)
        np.add.at(b, ii, yy)
        np.add.at(b, jj, -yy)
        v[members] = np.linalg.solve(lap[np.ix_(members, members)], b[members])
    fitted = v[i] - v[j]
    residuals = np.where(inside, y - fitted, 0.0)
    total = float(np.sum(y[inside] ** 2))
    cyclic = float(np.sum(residuals ** 2))
    explained = float(np.sum(fitted[inside] ** 2))
    contradiction = None
    if len(residuals) and cyclic > 1e-12 * max(total, 1.0):
        contradiction = int(np.argmax(np.abs(residuals)))
    return Fit(
        log_weights=[float(x) if ok else None for x, ok in zip(v, linked, strict=True)],
        residuals=[float(r) for r in residuals],
        linked=[bool(x) for x in linked],
        inconsistency=cyclic / total if total > 0 else (0.0 if len(y) else None),
        cyclicity=cyclic / explained if explained > 0 else None,
        consistency_ratio=_complete_cr(k, i, j, y),
        contradiction=contradiction,
    )


def _complete_cr(k: int, i: NDArray[np.int64], j: NDArray[np.int64],
                 y: NDArray[np.float64]) -> float | None:
    """Saaty's consistency ratio when every pair has a judgment (else None)."""
    if k not in RANDOM_INDEX or len(y) != k * (k - 1) // 2:
        return None
    matrix = np.ones((k, k))
    matrix[i, j] = np.exp(y)
    matrix[j, i] = np.exp(-y)
    return consistency_ratio(matrix)


def principal_eigenvalue(matrix: ArrayLike) -> float:
    """λmax of a positive reciprocal matrix (Perron root, real and at least n)."""
    a = np.asarray(matrix, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or not np.all(a > 0):
        raise ValueError("a positive square matrix is needed")
    return float(np.max(np.linalg.eigvals(a).real))


def consistency_ratio(matrix: ArrayLike) -> float:
    """Saaty's CR = CI / RI(n), CI = (λmax - n) / (n - 1): 0 for a consistent matrix;
    Saaty takes up to 0.10 as acceptable."""
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    if n not in RANDOM_INDEX:
        raise ValueError(f"Saaty's random index is tabulated for 3 to 10 items, not {n}")
    ci = (principal_eigenvalue(a) - n) / (n - 1)
    return max(0.0, ci) / RANDOM_INDEX[n]


def row_geometric_means(matrix: ArrayLike) -> NDArray[np.float64]:
    """Each row's geometric mean, normalised to sum 1 (Crawford & Williams 1985)."""
    a = np.asarray(matrix, dtype=float)
    g = np.exp(np.mean(np.log(a), axis=1))
    return np.asarray(g / g.sum())


# ---------------------------------------------------------------- bootstrap over people


def seed_of(text: str) -> int:
    """A seed that is the same in every process (Python's `hash` of a str is not)."""
    import zlib

    return zlib.crc32(text.encode("utf-8"))


def bootstrap(k: int, pair_first: ArrayLike, pair_second: ArrayLike,
              owners: ArrayLike, pair_of: ArrayLike, log_ratios: ArrayLike,
              participants: int, reference: int = 0, *, replicates: int = REPLICATES,
              coverage: float = COVERAGE, seed: int = 0
              ) -> tuple[list[float | None], list[float | None]]:
    """Percentile intervals of the weights (relative to the reference) over participants.

    Judgment e is participant `owners[e]`'s log ratio `log_ratios[e]` for pair
    `pair_of[e]` (an index into the pairs `pair_first`/`pair_second`, oriented as the
    judgment). Each replicate draws `participants` people with replacement, aggregates
    their judgments per pair (geometric mean) and refits; an item that the replicate's
    pairs do not link to the reference counts as missing in that replicate. Bounds are
    `None` where fewer than half the replicates place the item. Cost: a sparse product
    (replicates x judgments) and `replicates` solves of order k."""
    first = np.asarray(pair_first, dtype=np.int64)
    second = np.asarray(pair_second, dtype=np.int64)
    owner = np.asarray(owners, dtype=np.int64)
    which = np.asarray(pair_of, dtype=np.int64)
    y = np.asarray(log_ratios, dtype=float)
    m = len(first)
    empty: list[float | None] = [None] * k
    if participants < 2 or m == 0 or len(y) == 0:
        return empty, empty
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, participants, size=(replicates, participants))
    picks += np.arange(replicates)[:, None] * participants
    draws = np.bincount(picks.ravel(), minlength=replicates * participants).reshape(
        replicates, participants).astype(float)  # how often each person is drawn
    order = np.argsort(which, kind="stable")  # judgments grouped by pair
    owner, which, y = owner[order], which[order], y[order]
    starts = np.flatnonzero(np.r_[True, which[1:] != which[:-1]])
    judged_pairs = which[starts]
    weight = np.ascontiguousarray(draws.T)[owner]  # judgments x replicates: times drawn
    sums = np.zeros((m, replicates))
    counts = np.zeros((m, replicates))
    sums[judged_pairs] = np.add.reduceat(weight * y[:, None], starts, axis=0)
    counts[judged_pairs] = np.add.reduceat(weight, starts, axis=0)
    sums, counts = sums.T, counts.T
    present = counts > 0
    means = np.where(present, sums / np.where(present, counts, 1.0), 0.0)
    mask = present.astype(float)
    lap = np.zeros((replicates, k, k))
    lap[:, first, second] = -mask  # each pair once, so plain assignment
    lap[:, second, first] = -mask
    lap[:, np.arange(k), np.arange(k)] = -lap.sum(axis=2)
    incidence = np.zeros((m, k))  # +1 for the item worth "ratio times", -1 for the other
    incidence[np.arange(m), first] = 1.0
    incidence[np.arange(m), second] = -1.0
    b = means @ incidence
    reached = _reached(-lap, reference)  # replicates x items linked to the reference
    # Ground the reference, and set the items a replicate leaves unlinked apart (an
    # identity row): one batched solve, regular for every replicate.
    apart = ~reached
    apart[:, reference] = True
    lap[apart[:, :, None] | apart[:, None, :]] = 0.0
    lap[:, np.arange(k), np.arange(k)] += apart
    b[apart] = 0.0
    values = np.linalg.solve(lap, b[:, :, None])[:, :, 0]
    values[~reached] = np.nan
    tail = (1.0 - coverage) / 2.0 * 100.0
    low: list[float | None] = []
    high: list[float | None] = []
    for item in range(k):
        column = values[:, item]
        column = column[np.isfinite(column)]
        if len(column) * 2 < replicates:
            low.append(None)
            high.append(None)
            continue
        lo, hi = np.percentile(column, [tail, 100.0 - tail])
        low.append(float(np.exp(lo)))
        high.append(float(np.exp(hi)))
    return low, high


def _reached(adjacency: NDArray[np.float64], reference: int) -> NDArray[np.bool_]:
    """Per replicate, the items a chain of pairs links to the reference: a breadth-first
    search on all replicates at once (a batched product per step, at most k steps)."""
    replicates, k, _ = adjacency.shape
    reached = np.zeros((replicates, k), dtype=bool)
    reached[:, reference] = True
    linked = (adjacency > 0).astype(np.float32)
    for _ in range(k):
        grown = reached | (np.matmul(linked, reached[:, :, None].astype(np.float32))[:, :, 0] > 0)
        if np.array_equal(grown, reached):
            break
        reached = grown
    return reached


def geometric_mean_judgment(ratios: Sequence[float]) -> float:
    """The crowd's judgment of one pair: the geometric mean (Aczél & Saaty 1983)."""
    arr = np.asarray(ratios, dtype=float)
    if arr.size == 0 or np.any(arr <= 0) or not np.all(np.isfinite(arr)):
        raise ValueError("ratios must be positive finite numbers")
    return float(np.exp(np.mean(np.log(arr))))
