"""Wisdom of crowds: summaries of numeric estimates and of social influence between rounds.

Crowd estimates of quantities (a cow's weight, the number of sweets in a jar) are typically
right-skewed, span orders of magnitude and contain junk entries. Robust statistics (median,
quartiles, trimmed mean) and log-scale statistics (geometric mean, spread of log10 values)
therefore sit next to the plain mean.

`influence` compares two rounds of the same question, before and after participants have seen
the crowd's answers, following Lorenz, Rauhut, Schweitzer & Helbing (2011), "How social
influence can undermine the wisdom of crowd effect", PNAS 108(22): 9020-9025.

Undefined statistics (empty input, no positive values for log statistics, no truth given)
are reported as ``None`` so that results never contain NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from crowd.models._arrays import finite_1d

__all__ = [
    "EstimateSummary",
    "Histogram",
    "Influence",
    "Wisdom",
    "histogram",
    "influence",
    "summarize",
    "wisdom",
]

TRIM_PROPORTION = 0.1
"""Share cut from *each* end for the trimmed mean."""


@dataclass(frozen=True, slots=True)
class EstimateSummary:
    """Summary of one round of numeric estimates.

    Every statistic is ``None`` when ``n == 0``. ``geometric_mean`` needs at least one positive
    value, ``log_spread`` at least two; non-positive values are ignored by both.
    """

    n: int
    mean: float | None
    median: float | None
    q1: float | None
    q3: float | None
    trimmed_mean: float | None
    """Mean after cutting 10 % of the values at each end (scipy.stats.trim_mean)."""
    geometric_mean: float | None
    """Geometric mean of the positive values only."""
    log_spread: float | None
    """IQR of log10 of the positive values; above ~1 (a decade) a log axis reads better."""
    n_positive: int


@dataclass(frozen=True, slots=True)
class Wisdom:
    """Accuracy of a crowd against a known truth, in log space as in Lorenz et al. (2011).

    With ``e_i = ln(x_i / truth)`` over the positive estimates, the diversity prediction
    theorem holds exactly: ``collective_error = mean_individual_error - diversity``.
    All log statistics are ``None`` when there is no positive estimate.
    """

    n: int
    n_positive: int
    collective_error: float | None
    """``ln(geometric_mean / truth) ** 2``: squared log error of the crowd's aggregate."""
    mean_individual_error: float | None
    """Mean of ``ln(x_i / truth) ** 2`` over the positive estimates."""
    diversity: float | None
    """Population variance of ``ln(x_i)`` over the positive estimates."""
    wisdom_indicator: float | None
    """k / n for the largest k such that the truth lies between the k-th smallest and the
    k-th largest estimate (Lorenz et al. 2011): ``min(#(x <= truth), #(x >= truth)) / n``.
    An estimate equal to the truth counts on both sides, as in the paper. About 0.5 when the
    truth is the median (1 when everybody is exactly right), 0 when it lies outside the
    range of estimates (``None`` if n = 0)."""


@dataclass(frozen=True, slots=True)
class Influence:
    """Change between two rounds of estimates of the same quantity (Lorenz et al. 2011).

    The *social influence effect* shows as a narrowing of the spread (``spread_change`` and
    ``diversity_change`` negative) without a matching drop of the collective error. The
    *range reduction effect* shows as a falling ``wisdom_indicator``. Fields needing the truth
    are ``None`` when ``truth`` is not given; fields needing a round are ``None`` when that
    round is empty.
    """

    n1: int
    n2: int
    median1: float | None
    median2: float | None
    shift: float | None
    """``median2 - median1``."""
    relative_shift: float | None
    """``shift / |median1|`` (``None`` if median1 is 0)."""
    spread1: float | None
    """Interquartile range of round 1."""
    spread2: float | None
    spread_change: float | None
    """``spread2 / spread1 - 1``; negative = the crowd narrowed (``None`` if spread1 is 0)."""
    diversity1: float | None
    """Variance of ln of the positive estimates of round 1 (see `Wisdom.diversity`)."""
    diversity2: float | None
    diversity_change: float | None
    """``diversity2 / diversity1 - 1``; negative = loss of diversity."""
    truth: float | None
    error1: float | None
    """``|median1 - truth|``."""
    error2: float | None
    log_error1: float | None
    """``|ln(median1 / truth)|``: the median's error as a ratio, like every accuracy figure
    here (``None`` unless the median and the truth are positive)."""
    log_error2: float | None
    improved: bool | None
    """``log_error2 < log_error1``: did the crowd's median move closer to the truth, as a
    ratio? 500 -> 1,600 for a truth of 1,000 is closer (x1.6 instead of /2) although the
    linear error grew from 500 to 600."""
    collective_error1: float | None
    """Squared log error of the geometric mean of round 1 (see `Wisdom`)."""
    collective_error2: float | None
    wisdom_indicator1: float | None
    wisdom_indicator2: float | None


@dataclass(frozen=True, slots=True)
class Histogram:
    """Bin edges and counts for a bar chart; ``len(edges) == len(counts) + 1``."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]
    log: bool
    """True when the edges are spaced evenly in log10 (for a log axis)."""
    dropped: int
    """Values left out: non-positive values on a log axis, values outside explicit edges."""




def _iqr(arr: NDArray[np.float64]) -> float:
    q1, q3 = np.percentile(arr, [25.0, 75.0])
    return float(q3 - q1)


def summarize(values: ArrayLike) -> EstimateSummary:
    """Summarise one round of estimates, robustly and on a log scale."""
    arr = finite_1d(values)
    n = int(arr.size)
    positive = arr[arr > 0]
    n_pos = int(positive.size)
    if n == 0:
        return EstimateSummary(0, None, None, None, None, None, None, None, 0)
    q1, median, q3 = np.percentile(arr, [25.0, 50.0, 75.0])
    geo = float(stats.gmean(positive)) if n_pos else None
    log_spread = _iqr(np.log10(positive)) if n_pos >= 2 else None
    return EstimateSummary(
        n=n,
        mean=float(np.mean(arr)),
        median=float(median),
        q1=float(q1),
        q3=float(q3),
        trimmed_mean=float(stats.trim_mean(arr, TRIM_PROPORTION)),
        geometric_mean=geo,
        log_spread=log_spread,
        n_positive=n_pos,
    )


def _check_truth(truth: float) -> float:
    t = float(truth)
    if not math.isfinite(t):
        raise ValueError("truth must be finite")
    return t


def wisdom(values: ArrayLike, truth: float) -> Wisdom:
    """Collective error, individual error and diversity against a known truth.

    Log errors need a positive truth; the indicator works for any finite truth.
    """
    arr = finite_1d(values)
    t = _check_truth(truth)
    n = int(arr.size)
    # Lorenz et al.: the largest k with x_(k) <= truth <= x_(n+1-k); an estimate equal to
    # the truth lies on both sides, so it counts fully on each.
    below = int(np.count_nonzero(arr <= t))
    above = int(np.count_nonzero(arr >= t))
    indicator = min(below, above) / n if n else None
    positive = arr[arr > 0]
    n_pos = int(positive.size)
    if n_pos == 0 or t <= 0:
        return Wisdom(n, n_pos, None, None, None, indicator)
    logs = np.log(positive)
    err = logs - math.log(t)
    collective = float(np.mean(err)) ** 2
    return Wisdom(
        n=n,
        n_positive=n_pos,
        collective_error=collective,
        mean_individual_error=float(np.mean(err**2)),
        diversity=float(np.var(logs)),
        wisdom_indicator=indicator,
    )


def _log_error(value: float | None, truth: float | None) -> float | None:
    """``|ln(value / truth)|``, or ``None`` unless both are positive."""
    if value is None or truth is None or value <= 0 or truth <= 0:
        return None
    return abs(math.log(value / truth))


def _rel_change(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or old == 0:
        return None
    return new / old - 1.0


def influence(round1: ArrayLike, round2: ArrayLike, truth: float | None = None) -> Influence:
    """Compare a round of estimates with a later round after social information was shown.

    The rounds need not contain the same participants; statistics are per round.
    """
    a = finite_1d(round1, "round1")
    b = finite_1d(round2, "round2")
    t = None if truth is None else _check_truth(truth)

    med1 = float(np.median(a)) if a.size else None
    med2 = float(np.median(b)) if b.size else None
    spread1 = _iqr(a) if a.size else None
    spread2 = _iqr(b) if b.size else None
    pos1, pos2 = a[a > 0], b[b > 0]
    div1 = float(np.var(np.log(pos1))) if pos1.size else None
    div2 = float(np.var(np.log(pos2))) if pos2.size else None

    shift = med2 - med1 if med1 is not None and med2 is not None else None
    rel_shift = shift / abs(med1) if shift is not None and med1 else None

    error1 = abs(med1 - t) if t is not None and med1 is not None else None
    error2 = abs(med2 - t) if t is not None and med2 is not None else None
    log_error1 = _log_error(med1, t)
    log_error2 = _log_error(med2, t)
    improved = (log_error2 < log_error1
                if log_error1 is not None and log_error2 is not None else None)
    w1 = wisdom(a, t) if t is not None else None
    w2 = wisdom(b, t) if t is not None else None

    return Influence(
        n1=int(a.size),
        n2=int(b.size),
        median1=med1,
        median2=med2,
        shift=shift,
        relative_shift=rel_shift,
        spread1=spread1,
        spread2=spread2,
        spread_change=_rel_change(spread2, spread1),
        diversity1=div1,
        diversity2=div2,
        diversity_change=_rel_change(div2, div1),
        truth=t,
        error1=error1,
        error2=error2,
        log_error1=log_error1,
        log_error2=log_error2,
        improved=improved,
        collective_error1=w1.collective_error if w1 else None,
        collective_error2=w2.collective_error if w2 else None,
        wisdom_indicator1=w1.wisdom_indicator if w1 else None,
        wisdom_indicator2=w2.wisdom_indicator if w2 else None,
    )


#: Differences below this share of the values' size cannot be seen on a chart: such
#: values are binned as if equal.
VISIBLE = 1e-6


def _visible_span(lo: float, hi: float, half: float | None = None) -> tuple[float, float]:
    """A range over [lo, hi] whose bins (up to thousands) have strictly increasing edges
    in floating point, however close lo and hi are (answers a few ulps apart gave numpy's "too many
    bins for data range"). Equal or nearly equal values get a range centred on them:
    `half` either side when given, else 5 % of their size (0.5 around zero)."""
    size = max(abs(lo), abs(hi))
    if hi - lo > size * VISIBLE and hi - lo > 0:
        return lo, hi
    centre = lo / 2 + hi / 2
    if half is None:
        half = abs(centre) * 0.05 if centre != 0 else 0.5
    return centre - half, centre + half


def histogram(values: ArrayLike, bins: int | Sequence[float] = 30, log: bool = False) -> Histogram:
    """Bin edges and counts for a chart, linear or evenly spaced in log10.

    ``bins`` is a bin count or explicit increasing edges. With ``log=True`` non-positive
    values cannot be placed and are counted in ``dropped``; a bin count then spans the
    positive values geometrically (half a decade either side if they are all equal, the
    decade 1-10 if there are none). Empty linear input gives numpy's default range 0-1.
    """
    arr = finite_1d(values)
    dropped = 0
    if log:
        keep = arr > 0
        dropped = int(arr.size - np.count_nonzero(keep))
        arr = arr[keep]
    if isinstance(bins, (int, np.integer)):
        n_bins = int(bins)
        if n_bins < 1:
            raise ValueError(f"bins must be >= 1, got {n_bins}")
        if log:
            lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (1.0, 10.0)
            a, b = _visible_span(math.log10(lo), math.log10(hi), half=0.5)
            edges = np.logspace(a, b, n_bins + 1)
            widened = (a, b) != (math.log10(lo), math.log10(hi))
        else:
            lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 1.0)
            a, b = _visible_span(lo, hi)
            edges = np.linspace(a, b, n_bins + 1)
            widened = (a, b) != (lo, hi)
        if not widened:
            edges[0], edges[-1] = lo, hi  # exact ends: rounding must not drop a value
    else:
        edges = finite_1d(bins, "bins")
        if edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("explicit bin edges must be at least two strictly increasing values")
        if log and edges[0] <= 0:
            raise ValueError("log-scale bin edges must be positive")
    counts, edges = np.histogram(arr, bins=edges)
    dropped += int(arr.size - counts.sum())
    return Histogram(
        edges=tuple(float(e) for e in edges),
        counts=tuple(int(c) for c in counts),
        log=bool(log),
        dropped=dropped,
    )
