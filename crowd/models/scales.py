"""Temperature: answers on a continuous scale from -1 to 1 (disagree ... agree, cold ... hot).

Besides location and spread, a crowd scientist wants to know whether the room is split.
Two indicators are given:

* the bimodality coefficient BC of Pfister, Schwarz, Janczyk, Dale & Freeman (2013),
  "Good things peak in pairs: a note on the bimodality coefficient", Frontiers in Psychology
  4: 700. BC > 5/9 (the value of a uniform distribution) suggests two peaks;
* Van der Eijk's agreement A (van der Eijk 2001, "Measuring agreement in ordered rating
  scales", Quality & Quantity 35: 325-341) on a histogram of the answers: 1 = everyone in one
  bin, 0 = uniform, -1 = split between the two extremes. ``polarisation = (1 - A) / 2`` maps
  it to [0, 1] (0 = consensus, 0.5 = uniform, 1 = two opposite camps).

The histogram has ``bins`` bins *centred* on an even grid from -1 to 1 (41 bins: centres
-1, -0.95, ..., 1, width 0.05), so slider steps of 0.05 land on bin centres.

Undefined statistics are ``None``: everything for n = 0, std for n < 2, skewness for n < 3,
kurtosis and BC for n < 4, and the shape statistics when all answers are equal.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from crowd.models._arrays import finite_1d

__all__ = [
    "BIMODALITY_THRESHOLD",
    "DecayedMean",
    "ScaleAccumulator",
    "ScaleSummary",
    "agreement",
    "bimodality_coefficient",
    "bin_centers",
    "bin_index",
    "binned_median",
    "ewma_series",
    "kde",
    "polarisation",
    "summarize",
]

BIMODALITY_THRESHOLD = 5.0 / 9.0
"""BC of a uniform distribution; larger values suggest bimodality (Pfister et al. 2013)."""

DEFAULT_BINS = 41


@dataclass(frozen=True, slots=True)
class ScaleSummary:
    """Summary of answers on the [-1, 1] scale (see the module docstring for ``None`` rules)."""

    n: int
    mean: float | None
    median: float | None
    """Exact in `summarize`; from the histogram (within half a bin) in `ScaleAccumulator`."""
    std: float | None
    """Sample standard deviation (ddof=1)."""
    skewness: float | None
    """Bias-corrected sample skewness G1 (scipy.stats.skew, bias=False)."""
    kurtosis: float | None
    """Bias-corrected excess kurtosis G2 (scipy.stats.kurtosis, bias=False)."""
    bimodality_coefficient: float | None
    """(G1^2 + 1) / (G2 + 3 (n-1)^2 / ((n-2)(n-3))); > 5/9 suggests two peaks."""
    agreement: float | None
    """Van der Eijk's A of the histogram, in [-1, 1]."""
    polarisation: float | None
    """(1 - A) / 2 in [0, 1]."""
    histogram: tuple[int, ...]
    """Counts per bin."""
    bin_centers: tuple[float, ...]




def _on_scale(values: ArrayLike) -> NDArray[np.float64]:
    arr = finite_1d(values)
    if arr.size and (arr.min() < -1.0 or arr.max() > 1.0):
        raise ValueError("scale values must lie in [-1, 1]")
    return arr


def _check_bins(bins: int) -> int:
    b = int(bins)
    if b < 2 or b != bins:
        raise ValueError(f"bins must be an integer >= 2, got {bins!r}")
    return b


def bin_centers(bins: int = DEFAULT_BINS) -> NDArray[np.float64]:
    """Centres of the histogram bins: an even grid from -1 to 1 inclusive."""
    return np.round(np.linspace(-1.0, 1.0, _check_bins(bins)), 12)


def _bin_index(values: NDArray[np.float64] | float, bins: int) -> NDArray[np.intp]:
    step = 2.0 / (bins - 1)
    idx = np.floor((np.asarray(values) + 1.0) / step + 0.5).astype(np.intp)
    return np.clip(idx, 0, bins - 1)


def bin_index(value: float, bins: int = DEFAULT_BINS) -> int:
    """The histogram bin of one answer, in O(1) (the accumulator's own arithmetic)."""
    step = 2.0 / (bins - 1)
    return min(max(math.floor((float(value) + 1.0) / step + 0.5), 0), bins - 1)


def binned_median(counts: ArrayLike, centers: ArrayLike) -> float | None:
    """Median of data known only by bin: mean of the centres holding the two middle values.

    Exact when the data sit on the bin centres; otherwise off by at most half a bin width.
    ``None`` when the histogram is empty.
    """
    c = np.asarray(counts)
    total = int(c.sum())
    if total == 0:
        return None
    cum = np.cumsum(c)
    lo = int(np.searchsorted(cum, (total - 1) // 2, side="right"))
    hi = int(np.searchsorted(cum, total // 2, side="right"))
    ctr = np.asarray(centers, dtype=float)
    return float((ctr[lo] + ctr[hi]) / 2.0)


def bimodality_coefficient(n: int, skewness: float, kurtosis: float) -> float:
    """Sample bimodality coefficient from bias-corrected skewness and excess kurtosis.

    Pfister et al. (2013), eq. 2 (after SAS Institute 1990); needs n >= 4.
    """
    if n < 4:
        raise ValueError("the bimodality coefficient needs n >= 4")
    return (skewness**2 + 1.0) / (kurtosis + 3.0 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def agreement(counts: ArrayLike) -> float | None:
    """Van der Eijk's agreement A of an ordinal frequency distribution, in [-1, 1].

    The distribution is cut into layers: each layer takes the smallest non-zero frequency
    from every category that still has mass, giving a 0/1 pattern. For a pattern with S of K
    categories filled, TU counts triples of categories i < j < k with pattern 110 or 011
    (consistent with unimodality) and TDU those with 101; then
    U = ((K-2) TU - (K-1) TDU) / ((K-2)(TU + TDU)) (U = 1 if there are no such triples),
    A_layer = U (1 - (S-1)/(K-1)), and A is the mean of A_layer weighted by each layer's
    share of cases. Counts may be non-integer weights; ``None`` when there is no mass. With
    two categories A cannot be negative (an even split gives 0). O(K * layers), vectorised.
    """
    f = finite_1d(counts, "counts")
    if np.any(f < 0):
        raise ValueError("counts must be non-negative")
    k = int(f.size)
    total = float(f.sum())
    if total <= 0:
        return None
    if k == 1:
        return 1.0
    levels = np.unique(f[f > 0])
    patterns = f[None, :] >= levels[:, None]  # layer t holds categories with f >= level t
    s = patterns.sum(axis=1)
    heights = np.diff(levels, prepend=0.0)
    layer_share = heights * s / total
    ones = patterns.astype(np.int64)
    zeros = 1 - ones
    left = np.cumsum(ones, axis=1) - ones  # ones strictly left of each position
    right = s[:, None] - left - ones  # ones strictly right
    tdu = (zeros * left * right).sum(axis=1)
    tu = (zeros * (left * (left - 1) // 2 + right * (right - 1) // 2)).sum(axis=1)
    relevant = tu + tdu
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(
            relevant > 0,
            ((k - 2) * tu - (k - 1) * tdu) / ((k - 2) * np.maximum(relevant, 1)),
            1.0,
        )
    a_layer = u * (1.0 - (s - 1) / (k - 1))
    return float(np.clip(np.dot(layer_share, a_layer), -1.0, 1.0))


def polarisation(counts: ArrayLike) -> float | None:
    """``(1 - A) / 2`` in [0, 1] from Van der Eijk's agreement A; ``None`` without mass."""
    a = agreement(counts)
    return None if a is None else (1.0 - a) / 2.0


def _shape(
    n: int, constant: bool, skew: float | None, kurt: float | None
) -> tuple[float | None, float | None, float | None]:
    """Apply the n and all-equal rules to skewness, kurtosis and BC."""
    if constant:
        return None, None, None
    g1 = skew if n >= 3 else None
    g2 = kurt if n >= 4 else None
    bc = bimodality_coefficient(n, g1, g2) if g1 is not None and g2 is not None else None
    return g1, g2, bc


def _std(var_pop: float, n: int, constant: bool) -> float | None:
    """Sample standard deviation from the population variance; exactly 0 for equal answers."""
    if n < 2:
        return None
    return 0.0 if constant else math.sqrt(var_pop * n / (n - 1))


def _from_histogram(
    counts: NDArray[np.int64], bins: int
) -> tuple[float | None, float | None, tuple[int, ...], tuple[float, ...]]:
    a = agreement(counts)
    pol = None if a is None else (1.0 - a) / 2.0
    return a, pol, tuple(int(c) for c in counts), _centers_tuple(bins)


@functools.lru_cache(maxsize=16)
def _centers_tuple(bins: int) -> tuple[float, ...]:
    return tuple(float(c) for c in bin_centers(bins))


def summarize(values: ArrayLike, bins: int = DEFAULT_BINS) -> ScaleSummary:
    """Location, spread, shape and agreement of answers on the [-1, 1] scale."""
    b = _check_bins(bins)
    arr = _on_scale(values)
    n = int(arr.size)
    counts = np.bincount(_bin_index(arr, b), minlength=b)
    a, pol, hist, centers = _from_histogram(counts, b)
    if n == 0:
        return ScaleSummary(0, None, None, None, None, None, None, a, pol, hist, centers)
    var_pop = float(np.var(arr))
    constant = bool(arr.max() == arr.min())  # exact: a tiny var of equal floats is rounding
    skew = kurt = None
    if not constant:
        skew = float(stats.skew(arr, bias=False)) if n >= 3 else None
        kurt = float(stats.kurtosis(arr, bias=False)) if n >= 4 else None
    g1, g2, bc = _shape(n, constant, skew, kurt)
    return ScaleSummary(
        n=n,
        mean=float(np.mean(arr)),
        median=float(np.median(arr)),
        std=_std(var_pop, n, constant),
        skewness=g1,
        kurtosis=g2,
        bimodality_coefficient=bc,
        agreement=a,
        polarisation=pol,
        histogram=hist,
        bin_centers=centers,
    )


RESOLUTION_DECIMALS = 4
"""The accumulator holds answers to 4 decimals: the resolution the temperature activity
stores (``round(x, 4)``) and far finer than a finger on a slider."""
_SCALE = 10**RESOLUTION_DECIMALS


def central_moments(n: int, s1: int, s2: int, s3: int, s4: int) -> tuple[int, int, int]:
    """n^2 m2, n^3 m3 and n^4 m4 (times the unit's powers) from integer power sums, exactly.

    With integer data ``k_i``, ``n^2 m2 = n S2 - S1^2``, ``n^3 m3 = n^2 S3 - 3 n S1 S2 + 2 S1^3``
    and ``n^4 m4 = n^3 S4 - 4 n^2 S1 S3 + 6 n S1^2 S2 - 3 S1^4``: Python integers make every
    cancellation exact, however close the answers are to each other.
    """
    c2 = n * s2 - s1 * s1
    c3 = n * n * s3 - 3 * n * s1 * s2 + 2 * s1**3
    c4 = n**3 * s4 - 4 * n * n * s1 * s3 + 6 * n * s1 * s1 * s2 - 3 * s1**4
    return c2, c3, c4


class ScaleAccumulator:
    """Running scale statistics: O(1) per add/remove, O(bins) per summary.

    Answers are held as integers of 1e-4 (see `RESOLUTION_DECIMALS`) with exact integer
    power sums up to the 4th, so mean, std, skewness, kurtosis and BC equal the batch values
    of the rounded answers to the last bit, however unanimous the room (float power sums lost
    every digit: 180 answers at -1 and 20 at -0.9995 gave BC -0.507 instead of 0.988).
    A histogram gives the median (within half a bin) and the agreement.
    ``remove`` must mirror an ``add``.
    """

    __slots__ = ("_bins", "_counts", "_n", "_s1", "_s2", "_s3", "_s4")

    def __init__(self, bins: int = DEFAULT_BINS) -> None:
        self._bins = _check_bins(bins)
        self.clear()

    def clear(self) -> None:
        """Forget every value."""
        self._n = 0
        self._s1 = self._s2 = self._s3 = self._s4 = 0
        self._counts = np.zeros(self._bins, dtype=np.int64)

    @property
    def n(self) -> int:
        """Number of values currently held."""
        return self._n

    @property
    def bins(self) -> int:
        """Number of histogram bins fixed at construction."""
        return self._bins

    @property
    def histogram(self) -> tuple[int, ...]:
        """Counts per bin (bins centred on an even grid from -1 to 1)."""
        return tuple(int(c) for c in self._counts)

    @property
    def counts(self) -> NDArray[np.int64]:
        """The histogram as a read-only view (no copy, for O(bins) readers)."""
        view = self._counts.view()
        view.flags.writeable = False
        return view

    @property
    def mean(self) -> float | None:
        """Exact mean of the held answers in O(1) (``None`` when empty)."""
        return self._s1 / (self._n * _SCALE) if self._n else None

    @property
    def std(self) -> float | None:
        """Exact sample standard deviation (ddof = 1) in O(1); ``None`` below two answers."""
        n = self._n
        if n < 2:
            return None
        c2 = n * self._s2 - self._s1 * self._s1
        return math.sqrt(c2 / (n * (n - 1))) / _SCALE

    def moments(self) -> tuple[float | None, float | None, float | None]:
        """Bias-corrected skewness G1, excess kurtosis G2 and BC in O(1), exact to rounding."""
        n = self._n
        if n < 3:
            return None, None, None
        c2, c3, c4 = central_moments(n, self._s1, self._s2, self._s3, self._s4)
        if c2 == 0:
            return None, None, None
        g1 = c3 / (c2 * math.sqrt(c2))  # m3 / m2^1.5
        skew = g1 * math.sqrt(n * (n - 1)) / (n - 2)
        kurt = None
        if n >= 4:
            g2 = c4 / (c2 * c2) - 3.0  # m4 / m2^2 - 3
            kurt = ((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3))
        return _shape(n, False, skew, kurt)

    def _apply(self, v: float, sign: int) -> None:
        x = float(v)
        if not math.isfinite(x) or not -1.0 <= x <= 1.0:
            raise ValueError(f"scale values must be finite and in [-1, 1], got {v!r}")
        k = round(x * _SCALE)
        x = k / _SCALE
        idx = bin_index(x, self._bins)  # same arithmetic as _bin_index, without numpy
        if sign < 0 and self._counts[idx] == 0:
            raise ValueError(f"no value near {x} was added, cannot remove it")
        k2 = k * k
        self._n += sign
        self._s1 += sign * k
        self._s2 += sign * k2
        self._s3 += sign * k2 * k
        self._s4 += sign * k2 * k2
        self._counts[idx] += sign

    def add(self, v: float) -> None:
        """Add one answer (held to 4 decimals)."""
        self._apply(v, 1)

    def remove(self, v: float) -> None:
        """Remove an answer added earlier (e.g. when a participant moves the slider)."""
        self._apply(v, -1)

    def summary(self) -> ScaleSummary:
        """Current summary in O(bins)."""
        n, b = self._n, self._bins
        a, pol, hist, centers = _from_histogram(self._counts, b)
        if n == 0:
            return ScaleSummary(0, None, None, None, None, None, None, a, pol, hist, centers)
        g1, g2, bc = self.moments()
        return ScaleSummary(
            n=n,
            mean=self.mean,
            median=binned_median(self._counts, centers),
            std=self.std,
            skewness=g1,
            kurtosis=g2,
            bimodality_coefficient=bc,
            agreement=a,
            polarisation=pol,
            histogram=hist,
            bin_centers=centers,
        )


def kde(values: ArrayLike, grid: ArrayLike, bandwidth: float | None = None) -> NDArray[np.float64]:
    """Gaussian kernel density of ``values`` evaluated on ``grid`` (integrates to 1).

    Scott's rule by default, h = std(ddof=1) * n^(-1/5), the same as scipy.stats.gaussian_kde
    but computed directly in numpy, which is several times faster for a few hundred points
    (live charts). When Scott's rule gives 0 (one value, or all equal) the bandwidth falls back
    to twice the mean grid step (1.0 for a one-point grid) so the spike stays visible. Empty
    ``values`` give zeros. Memory is bounded by evaluating the values in chunks.
    """
    x = finite_1d(values)
    g = finite_1d(grid, "grid")
    out = np.zeros(g.size)
    n = x.size
    if n == 0 or g.size == 0:
        return out
    if bandwidth is None:
        h = float(np.std(x, ddof=1)) * n ** (-0.2) if n >= 2 else 0.0
        if h <= 0.0:
            h = 2.0 * float(np.ptp(g)) / (g.size - 1) if g.size > 1 and np.ptp(g) > 0 else 1.0
    else:
        h = float(bandwidth)
        if not math.isfinite(h) or h <= 0:
            raise ValueError(f"bandwidth must be positive and finite, got {bandwidth!r}")
    chunk = max(1, (1 << 20) // g.size)
    gs = g / h
    for start in range(0, n, chunk):
        d = gs[:, None] - x[None, start : start + chunk] / h
        out += np.exp(-0.5 * d * d).sum(axis=1)
    return out / (n * h * math.sqrt(2.0 * math.pi))


class DecayedMean:
    """Exponentially time-decayed average of a series sampled at irregular times.

    Feeds the "trend over the last minutes" line: each ``push(value, now)`` moves the smoothed
    value towards ``value`` by ``1 - 2^(-dt / half_life_s)``, where dt is the time since the
    previous push, so a value held for one half-life covers half the distance. The first push
    sets the value. ``None`` (an empty crowd) leaves the state untouched. Times are seconds
    on any monotonic clock.
    """

    __slots__ = ("_half_life", "_t", "_value")

    def __init__(self, half_life_s: float) -> None:
        h = float(half_life_s)
        if not math.isfinite(h) or h <= 0:
            raise ValueError(f"half_life_s must be positive and finite, got {half_life_s!r}")
        self._half_life = h
        self._value: float | None = None
        self._t: float | None = None

    @property
    def value(self) -> float | None:
        """Current smoothed value (``None`` before the first push)."""
        return self._value

    def push(self, value: float | None, now: float) -> float | None:
        """Blend in a new observation taken at time ``now``; return the smoothed value."""
        t = float(now)
        if not math.isfinite(t):
            raise ValueError("now must be finite")
        if value is None:
            return self._value
        v = float(value)
        if not math.isfinite(v):
            raise ValueError("value must be finite")
        if self._value is None or self._t is None:
            self._value, self._t = v, t
            return v
        dt = t - self._t
        if dt < 0:
            raise ValueError(f"time went backwards by {-dt} s")
        keep = 0.5 ** (dt / self._half_life)
        self._value = keep * self._value + (1.0 - keep) * v
        self._t = t
        return self._value


def ewma_series(
    times: Sequence[float] | ArrayLike, values: Sequence[float] | ArrayLike, half_life_s: float
) -> list[float]:
    """Time-decayed smoothing of a whole series, the batch counterpart of `DecayedMean`."""
    t = finite_1d(times, "times")
    v = finite_1d(values, "values")
    if t.shape != v.shape:
        raise ValueError(f"times and values differ in length: {t.size} != {v.size}")
    dm = DecayedMean(half_life_s)
    out: list[float] = []
    for ti, vi in zip(t.tolist(), v.tolist(), strict=True):
        smoothed = dm.push(vi, ti)
        assert smoothed is not None  # a float was pushed
        out.append(smoothed)
    return out
