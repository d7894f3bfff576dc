"""Orientation: circular statistics of compass directions pointed at by the crowd.

Angles are in degrees on a compass: 0 = north, 90 = east, clockwise. An arrow at compass angle
``a`` has the unit vector ``(east, north) = (sin a, cos a)``, so the mean direction is
``atan2(sum sin, sum cos)`` read as a compass angle.

An optional weight per arrow (a "strength" in [0, 1], any non-negative number is accepted)
scales its vector. Weighted statistics use Kish's effective sample size
``n_eff = (sum w)^2 / sum w^2`` in place of n, which equals n for equal weights and shrinks
when a few strong arrows dominate.

Rayleigh test p-values use Zar's approximation (Biostatistical Analysis, 5th ed., eq. 27.4),
which stays inside [0, 1] even for strongly aligned samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CircularAccumulator",
    "CircularSummary",
    "kappa_from_r",
    "kappa_small_sample",
    "mean_arc",
    "normalize_angle",
    "rayleigh",
    "summarize",
]

_R_EPS = 1e-12
"""Resultant lengths below this are treated as exactly zero (no mean direction)."""
_W_EPS = 1e-9
"""Total weights below this count as no weight: after many add/remove pairs the running sums
carry rounding errors of about 1e-16 times the largest weight seen, so a smaller total cannot
define a direction."""


@dataclass(frozen=True, slots=True)
class CircularSummary:
    """Summary of a set of compass directions.

    ``mean_deg`` is ``None`` when the arrows cancel (R-bar = 0) or there are none;
    ``circular_std_deg`` is ``None`` when R-bar = 0 (it is infinite); ``rayleigh_z``,
    ``rayleigh_p`` and ``kappa`` are ``None`` for ``n == 0`` and ``kappa`` also when all
    arrows coincide (R-bar = 1, infinite concentration). Arrows whose weights sum to less than
    1e-9 count as no arrows for these statistics.
    """

    n: int
    """Number of arrows (including zero-weight ones)."""
    n_effective: float
    """Kish effective sample size used by the Rayleigh test; equals n without weights."""
    mean_deg: float | None
    """Mean direction in [0, 360)."""
    resultant_length: float
    """Mean resultant length R-bar in [0, 1]: 0 = no common direction, 1 = all agree."""
    circular_std_deg: float | None
    """``sqrt(-2 ln R-bar)`` in degrees (Mardia & Jupp 2000, eq. 2.3.11)."""
    rayleigh_z: float | None
    """``n R-bar^2``."""
    rayleigh_p: float | None
    """P-value of the Rayleigh test of uniformity against a unimodal alternative."""
    kappa: float | None
    """Von Mises concentration estimated from R-bar (Best & Fisher's A1inv approximation),
    with Fisher's small-sample correction (1993, eq. 4.41) for n <= 15."""
    dispersion: float | None
    """Sample circular dispersion ``(1 - rho2) / (2 R-bar^2)`` (Fisher 1993, eq. 2.28), with
    ``rho2`` the mean of ``cos 2(theta - mean)``; ``None`` when R-bar = 0."""
    arc_deg: float | None
    """Half-width of the 95 % confidence arc of the mean direction: Fisher (1993, 4.4.5) for
    n >= 25, Zar's approximation (2010, eq. 26.24-26.25) for 8 <= n < 25, ``None`` below 8
    or when the data cannot bound the direction."""
    rose: tuple[float, ...]
    """Count (or summed weight) of arrows per sector; sector k is centred on k*360/bins."""
    bin_edges_deg: tuple[float, ...]
    """``bins + 1`` sector edges starting at ``-180/bins`` (sector 0 straddles north)."""


def normalize_angle(deg: float) -> float:
    """Map any finite angle in degrees to [0, 360)."""
    d = float(deg)
    if not math.isfinite(d):
        raise ValueError(f"angle must be finite, got {deg!r}")
    r = d % 360.0
    return 0.0 if r >= 360.0 else r  # tiny negatives round up to 360.0


def kappa_from_r(r_bar: float) -> float | None:
    """Von Mises concentration for a mean resultant length (A1 inverse, Fisher 1993 eq. 4.40).

    Piecewise approximation of the maximum-likelihood estimate; ``None`` for R-bar >= 1
    (infinite concentration).
    """
    r = float(r_bar)
    if not 0.0 <= r <= 1.0 + 1e-12:
        raise ValueError(f"resultant length must lie in [0, 1], got {r_bar!r}")
    if r >= 1.0 - 1e-12:
        return None
    if r < 0.53:
        return 2.0 * r + r**3 + 5.0 * r**5 / 6.0
    if r < 0.85:
        return -0.4 + 1.39 * r + 0.43 / (1.0 - r)
    return 1.0 / (r**3 - 4.0 * r**2 + 3.0 * r)


def kappa_small_sample(kappa: float | None, n: float) -> float | None:
    """Fisher's correction of the kappa estimate for small samples (1993, eq. 4.41).

    For n <= 15 the A1-inverse estimate is strongly biased upwards: it becomes
    ``max(kappa - 2 / (n kappa), 0)`` if kappa < 2, else ``(n-1)^3 kappa / (n^3 + n)``.
    """
    if kappa is None or n > 15 or n <= 0:
        return kappa
    if kappa < 2.0:
        return max(kappa - 2.0 / (n * kappa), 0.0) if kappa > 0 else 0.0
    return (n - 1.0) ** 3 * kappa / (n**3 + n)


CHI2_1_95 = 3.841458820694124
"""Upper 5 % point of chi-square with 1 degree of freedom (scipy.stats.chi2.ppf(0.95, 1))."""
Z_975 = 1.959963984540054
"""Upper 2.5 % point of the standard normal (scipy.stats.norm.ppf(0.975))."""


def mean_arc(n: float, r_bar: float, dispersion: float | None) -> float | None:
    """Half-width in degrees of the 95 % confidence arc of the mean direction.

    n >= 25: Fisher (1993, section 4.4.5), ``arcsin(z sqrt(dispersion / n))``, which does
    not assume a von Mises shape. 8 <= n < 25: Zar (2010, eqs. 26.24-26.25, after Upton),
    with R = n R-bar and chi2 = 3.841: for R-bar <= 0.9,
    ``arccos(sqrt(2n(2R^2 - n chi2) / (4n - chi2)) / R)``; above,
    ``arccos(sqrt(n^2 - (n^2 - R^2) exp(chi2 / n)) / R)``. ``None`` for n < 8 and when the
    arc would cover the whole circle (the data cannot bound the direction).
    """
    if n < 8 or r_bar <= 0:
        return None
    if n >= 25:
        if dispersion is None:
            return None
        x = Z_975 * math.sqrt(dispersion / n)
        return math.degrees(math.asin(x)) if x < 1.0 else None
    big_r = n * r_bar
    if r_bar <= 0.9:
        inner = 2.0 * n * (2.0 * big_r**2 - n * CHI2_1_95) / (4.0 * n - CHI2_1_95)
    else:
        inner = n * n - (n * n - big_r**2) * math.exp(CHI2_1_95 / n)
    if inner <= 0:
        return None
    c = math.sqrt(inner) / big_r
    return math.degrees(math.acos(min(c, 1.0))) if c <= 1.0 + 1e-12 else None


def rayleigh(n: float, r_bar: float) -> tuple[float, float]:
    """Rayleigh's z and p-value from the sample size and the mean resultant length.

    p = exp(sqrt(1 + 4n + 4(n^2 - R_n^2)) - (1 + 2n)) with R_n = n R-bar (Zar 2010, eq. 27.4),
    clipped to [0, 1]. ``n`` may be an effective (non-integer) sample size. A single arrow
    (n <= 1) says nothing about a crowd's direction: p = 1 (the approximation gave 0.466).
    """
    if n <= 0:
        raise ValueError("the Rayleigh test needs n > 0")
    r_n = n * r_bar
    z = r_n * r_n / n
    if n <= 1.0 + 1e-9:  # an effective size of one, give or take the running sums' rounding
        return z, 1.0
    p = math.exp(math.sqrt(max(1.0 + 4.0 * n + 4.0 * (n * n - r_n * r_n), 0.0)) - (1.0 + 2.0 * n))
    return z, min(max(p, 0.0), 1.0)


def _bin_edges(bins: int) -> tuple[float, ...]:
    width = 360.0 / bins
    return tuple(-width / 2.0 + k * width for k in range(bins + 1))


def _check_bins(bins: int) -> int:
    b = int(bins)
    if b < 1 or b != bins:
        raise ValueError(f"bins must be a positive integer, got {bins!r}")
    return b


def _bin_index(angle_deg: NDArray[np.float64] | float, bins: int) -> NDArray[np.intp]:
    """Sector of each angle (already in [0, 360)), with sector 0 centred on north."""
    width = 360.0 / bins
    return (np.floor((np.asarray(angle_deg) + width / 2.0) / width).astype(np.intp)) % bins


def _finish(
    n: int,
    sums: tuple[float, float, float, float, float, float],
    rose: NDArray[np.float64],
    bins: int,
) -> CircularSummary:
    """Build a summary from the sufficient statistics
    (sum w, sum w^2, sum w sin, sum w cos, sum w sin 2a, sum w cos 2a); O(bins)."""
    sum_w, sum_w2, sum_sin, sum_cos, sum_sin2, sum_cos2 = sums
    edges = _bin_edges(bins)
    rose_t = tuple(float(v) if abs(v) > 1e-9 else 0.0 for v in rose)
    if n == 0 or sum_w <= _W_EPS:
        return CircularSummary(n, 0.0, None, 0.0, None, None, None, None, None, None, rose_t,
                               edges)
    n_eff = sum_w * sum_w / sum_w2
    r_bar = min(math.hypot(sum_sin, sum_cos) / sum_w, 1.0)
    if r_bar < _R_EPS:
        r_bar = 0.0
    mean = normalize_angle(math.degrees(math.atan2(sum_sin, sum_cos))) if r_bar > 0 else None
    std = math.degrees(math.sqrt(-2.0 * math.log(r_bar))) + 0.0 if r_bar > 0 else None
    dispersion = None
    if r_bar > 0:
        theta = math.atan2(sum_sin, sum_cos)
        rho2 = (sum_cos2 * math.cos(2 * theta) + sum_sin2 * math.sin(2 * theta)) / sum_w
        dispersion = max(1.0 - rho2, 0.0) / (2.0 * r_bar * r_bar)
    z, p = rayleigh(n_eff, r_bar)
    return CircularSummary(
        n=n,
        n_effective=n_eff,
        mean_deg=mean,
        resultant_length=r_bar,
        circular_std_deg=std,
        rayleigh_z=z,
        rayleigh_p=p,
        kappa=kappa_small_sample(kappa_from_r(r_bar), n_eff),
        dispersion=dispersion,
        arc_deg=mean_arc(n_eff, r_bar, dispersion),
        rose=rose_t,
        bin_edges_deg=edges,
    )


def _weights(weights: ArrayLike | None, n: int) -> NDArray[np.float64]:
    if weights is None:
        return np.ones(n)
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"weights must be numbers: {exc}") from None
    if w.shape != (n,):
        raise ValueError(f"weights must have shape ({n},) like the angles, got {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    return w


def summarize(
    angles_deg: ArrayLike, weights: ArrayLike | None = None, bins: int = 16
) -> CircularSummary:
    """Mean direction, concentration, Rayleigh test and rose histogram of compass angles.

    Equal weights give the textbook unweighted statistics (matching scipy.stats.circmean,
    circstd and directional_stats).
    """
    b = _check_bins(bins)
    try:
        a = np.asarray(angles_deg, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"angles must be numbers: {exc}") from None
    if a.ndim != 1:
        raise ValueError(f"angles must be one-dimensional, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("angles must be finite (no NaN or inf)")
    w = _weights(weights, a.size)
    a = np.mod(a, 360.0)
    a[a >= 360.0] = 0.0
    rad = np.radians(a)
    rose = np.bincount(_bin_index(a, b), weights=w, minlength=b).astype(float)
    sums = (float(w.sum()), float(np.dot(w, w)), float(np.dot(w, np.sin(rad))),
            float(np.dot(w, np.cos(rad))), float(np.dot(w, np.sin(2 * rad))),
            float(np.dot(w, np.cos(2 * rad))))
    return _finish(int(a.size), sums, rose, b)


class CircularAccumulator:
    """Running circular statistics for live updates: O(1) per add/remove, O(bins) per summary.

    Keeps n, sum w, sum w^2, sum w sin, sum w cos and the rose. Rayleigh and kappa depend only
    on n and R-bar, so they are exact; the sums are reset to exact zero when the last arrow
    is removed, which stops floating-point drift from accumulating across sessions.
    ``remove`` must mirror an earlier ``add`` (same angle and weight).
    """

    __slots__ = ("_bins", "_cos", "_cos2", "_n", "_rose", "_sin", "_sin2", "_w", "_w2")

    def __init__(self, bins: int = 16) -> None:
        self._bins = _check_bins(bins)
        self.clear()

    def clear(self) -> None:
        """Forget every arrow."""
        self._n = 0
        self._w = 0.0
        self._w2 = 0.0
        self._sin = 0.0
        self._cos = 0.0
        self._sin2 = 0.0
        self._cos2 = 0.0
        self._rose = np.zeros(self._bins)

    @property
    def n(self) -> int:
        """Number of arrows currently held."""
        return self._n

    @property
    def bins(self) -> int:
        """Number of rose sectors fixed at construction."""
        return self._bins

    def _apply(self, angle_deg: float, weight: float, sign: float) -> None:
        a = normalize_angle(angle_deg)
        w = float(weight)
        if not math.isfinite(w) or w < 0:
            raise ValueError(f"weight must be finite and non-negative, got {weight!r}")
        rad = math.radians(a)
        self._n += int(sign)
        self._w += sign * w
        self._w2 += sign * w * w
        self._sin += sign * w * math.sin(rad)
        self._cos += sign * w * math.cos(rad)
        self._sin2 += sign * w * math.sin(2.0 * rad)
        self._cos2 += sign * w * math.cos(2.0 * rad)
        width = 360.0 / self._bins  # same arithmetic as _bin_index, without numpy overhead
        self._rose[math.floor((a + width / 2.0) / width) % self._bins] += sign * w
        if self._n == 0:
            self.clear()

    def add(self, angle_deg: float, weight: float = 1.0) -> None:
        """Add one arrow."""
        self._apply(angle_deg, weight, 1.0)

    def remove(self, angle_deg: float, weight: float = 1.0) -> None:
        """Remove an arrow added earlier with the same angle and weight."""
        if self._n == 0:
            raise ValueError("cannot remove from an empty accumulator")
        self._apply(angle_deg, weight, -1.0)

    def summary(self, bins: int | None = None) -> CircularSummary:
        """Current summary; ``bins`` may only repeat the sector count given at construction."""
        if bins is not None and bins != self._bins:
            raise ValueError(
                f"this accumulator keeps {self._bins} sectors; build it with bins={bins}"
            )
        sums = (max(self._w, 0.0), max(self._w2, 0.0), self._sin, self._cos, self._sin2,
                self._cos2)
        return _finish(self._n, sums, np.maximum(self._rose, 0.0), self._bins)

    @property
    def sums(self) -> tuple[float, float, float]:
        """(sum w, sum w sin, sum w cos): the mean vector's parts, in O(1)."""
        return max(self._w, 0.0), self._sin, self._cos
