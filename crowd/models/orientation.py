"""What a rose of directions says, in words a room can trust.

The Rayleigh test alone is not a verdict: with hundreds of arrows it rejects uniformity for
any lumpy rose, including one with three equal lobes that points nowhere. And it tests one
alternative only (a single preferred direction), so a room split between two exits reads
as "no common direction". The verdict therefore combines:

* **agreement**: the Rayleigh test on the *unweighted* directions is significant (p < 0.05)
  AND the mean resultant length R-bar is at least `MIN_AGREEMENT` (0.5: a circular
  standard deviation of at most 68 degrees);
* **structure**: otherwise a chi-square test of the rose against uniformity (Zar 2010,
  section 27.3, on grouped data; O(bins), unlike the Hermans-Rasson test, which needs every
  pair of arrows) says whether the directions are more than chance, and the rose's lobes
  say how many directions: two ("deux directions"), more ("plusieurs directions") or one
  lobe that is too wide to call an agreement ("une tendance").

With a true bearing T (the town hall), the V-test (Zar 2010, section 27.1b) tests for
clustering around T, and the compass version of the diversity prediction theorem splits the
crowd's error: mean(1 - cos(theta_i - T)) = (1 - R-bar) + R-bar (1 - cos(mean - T)), i.e.
average error = diversity + collective error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from crowd.models._arrays import finite_1d

__all__ = [
    "MIN_AGREEMENT",
    "VERDICTS",
    "CompassWisdom",
    "Lobe",
    "RoseTest",
    "compass_wisdom",
    "lobes",
    "rose_uniformity",
    "v_test",
    "verdict",
]

MIN_AGREEMENT = 0.5
"""Smallest R-bar called an agreement (circular standard deviation 68 degrees)."""
MIN_LOBE = 0.15
"""A lobe is a direction only if it holds at least 15 % of the arrows."""
MIN_EXPECTED = 5.0
"""Sectors are merged until each expects at least 5 arrows under uniformity (Zar 2010)."""
ALPHA = 0.05

VERDICTS = {
    "none": "pas encore de réponses",
    "agree": "la foule s'accorde",
    "two": "deux directions",
    "several": "plusieurs directions",
    "lean": "une tendance, sans accord net",
    "disagree": "pas de direction commune",
}
"""Verdict codes and their French words (the pages translate the code)."""


@dataclass(frozen=True, slots=True)
class RoseTest:
    """Chi-square goodness of fit of the rose to a uniform circle."""

    sectors: int
    """Sectors after merging neighbours (16, 8, 4 or 2)."""
    chi2: float
    p: float


def rose_uniformity(counts: ArrayLike) -> RoseTest | None:
    """Chi-square test of sector counts against uniformity, sectors merged in pairs until
    each expects at least 5 arrows; ``None`` below 10 arrows (two sectors of 5).

    The sector count must be a power of two times the merged count (16 -> 8 -> 4 -> 2).
    """
    c = finite_1d(counts, "counts")
    n = float(c.sum())
    k = c.size
    while k > 2 and n / k < MIN_EXPECTED and k % 2 == 0:
        c = c[0::2] + c[1::2]  # neighbours: sector 2i with 2i+1
        k = c.size
    if n / k < MIN_EXPECTED:
        return None
    expected = n / k
    chi2 = float(((c - expected) ** 2).sum() / expected)
    # special.chdtrc is stats.chi2.sf without the distribution object (2 µs, not 60 µs)
    return RoseTest(sectors=k, chi2=chi2, p=float(special.chdtrc(k - 1, chi2)))


@dataclass(frozen=True, slots=True)
class Lobe:
    """A run of neighbouring sectors fuller than a uniform rose would be."""

    mean_deg: float
    """Mean direction of the arrows in the lobe (from the sector centres)."""
    share: float
    """Share of all arrows in the lobe."""


def lobes(counts: ArrayLike) -> list[Lobe]:
    """The rose's lobes holding at least `MIN_LOBE` of the arrows, largest first; O(bins).

    Counts are smoothed with circular 1-2-1 weights so a lobe is not cut by one noisy
    sector; a lobe is a maximal circular run of sectors whose smoothed count exceeds the
    uniform expectation. Sector k is centred on k * 360 / bins (compass degrees).
    """
    c = finite_1d(counts, "counts")
    n = float(c.sum())
    k = c.size
    if n <= 0 or k < 3:
        return []
    smooth = (np.roll(c, 1) + 2 * c + np.roll(c, -1)) / 4.0
    above = smooth > n / k
    if above.all() or not above.any():
        return []
    start = int(np.flatnonzero(~above)[0])  # walk the circle from a sector below
    runs: list[list[int]] = []
    current: list[int] = []
    for step in range(1, k + 1):
        i = (start + step) % k
        if above[i]:
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    found = []
    for run in runs:
        w = c[run]
        share = float(w.sum()) / n
        if share < MIN_LOBE:
            continue
        rad = np.radians(np.asarray(run) * 360.0 / k)
        mean = math.degrees(math.atan2(float(w @ np.sin(rad)), float(w @ np.cos(rad)))) % 360.0
        found.append(Lobe(mean_deg=mean, share=share))
    return sorted(found, key=lambda lobe: -lobe.share)


def verdict(n: int, r_bar: float, rayleigh_p: float | None, rose: RoseTest | None,
            found: list[Lobe]) -> str:
    """The verdict code (a key of `VERDICTS`) from unweighted statistics."""
    if n == 0 or rayleigh_p is None:
        return "none"
    if rayleigh_p < ALPHA and r_bar >= MIN_AGREEMENT:
        return "agree"
    if rose is not None and rose.p < ALPHA:
        if len(found) == 2:
            return "two"
        if len(found) > 2:
            return "several"
        if rayleigh_p < ALPHA:
            return "lean"
    return "disagree"


def v_test(n: int, r_bar: float, mean_deg: float | None, target_deg: float
           ) -> tuple[float, float] | None:
    """V-test of clustering around a known bearing (Zar 2010, eqs. 27.5-27.6).

    ``V = R cos(mean - T)`` with R = n R-bar, ``u = V sqrt(2 / n)``; one-sided p from the
    normal approximation ``p = 1 - Phi(u)``. Returns (u, p); ``None`` without arrows. When
    the arrows cancel (no mean), V = 0 and p = 0.5.
    """
    if n == 0:
        return None
    cos_diff = 0.0 if mean_deg is None else math.cos(math.radians(mean_deg - target_deg))
    u = n * r_bar * cos_diff * math.sqrt(2.0 / n)
    return u, float(stats.norm.sf(u))


@dataclass(frozen=True, slots=True)
class CompassWisdom:
    """The diversity prediction theorem on a compass: average = diversity + collective."""

    average_error: float
    """Mean of ``1 - cos(theta_i - T)`` over the arrows, in [0, 2]."""
    diversity: float
    """Circular variance ``1 - R-bar``: how much the arrows differ, in [0, 1]."""
    collective_error: float
    """``R-bar (1 - cos(mean - T))``: how far the crowd's mean vector misses T."""


def compass_wisdom(n: int, sum_sin: float, sum_cos: float, target_deg: float
                   ) -> CompassWisdom | None:
    """Average error, diversity and collective error against a true bearing, from the sums
    of ``sin`` and ``cos`` of the (unweighted) arrows; exact: average = diversity +
    collective, because mean(cos(theta_i - T)) = R-bar cos(mean - T)."""
    if n == 0:
        return None
    t = math.radians(target_deg)
    c_bar, s_bar = sum_cos / n, sum_sin / n
    r_bar = min(math.hypot(s_bar, c_bar), 1.0)
    along = s_bar * math.sin(t) + c_bar * math.cos(t)  # R-bar cos(mean - T)
    return CompassWisdom(average_error=1.0 - along, diversity=1.0 - r_bar,
                         collective_error=r_bar - along)
