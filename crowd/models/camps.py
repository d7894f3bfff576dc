"""Is the room split? Readable indicators of division for answers on the [-1, 1] scale.

A plenary asks one question of a temperature: do we broadly agree, or are there camps?
Three figures answer it, each O(bins) from the histogram a live tally already keeps:

* **spread**, the standard deviation: how much we differ (0 = all alike, 1 = half at each
  end);
* **camps**, the polarisation of Esteban & Ray (1994, "On the measurement of polarization",
  Econometrica 62: 819-851) with alpha = 1.6 on 7 categories, scaled so that two equal
  camps at the two ends give 1. Its identification term (a share raised to 1 + alpha)
  rewards groups that are large *and* far apart, so a uniform room scores about 0.10 and a
  wide single bell less than 0.25, while the variance cannot tell a uniform room from two
  camps;
* **pole shares**: the shares of answers below -0.5 and above +0.5, the number a room
  understands at once ("28 % froid, 31 % brûlant").

The bimodality coefficient (Pfister et al. 2013) stays a secondary indicator, and the
"bimodal" flag (`BimodalGate`) needs more than BC > 5/9: at least 20 answers, a spread of
at least 0.2, and two humps in the density the projector draws, with an effect size —
humps at least 0.5 apart, the smaller camp holding at least 15 % of the room and a valley
between them at most half as high as the lower hump. The flag turns off only when the
room clearly leaves those bounds (hysteresis), so it does not flicker around a threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crowd.models._arrays import finite_1d
from crowd.models.scales import BIMODALITY_THRESHOLD

__all__ = [
    "ER_ALPHA",
    "POLE",
    "BimodalGate",
    "Humps",
    "category_map",
    "coarsen",
    "density",
    "esteban_ray",
    "humps",
    "pole_shares",
]

ER_ALPHA = 1.6
"""Esteban & Ray's sensitivity to identification; 1.6 is the largest value for which
their axioms hold, the one that separates camps from a spread room most."""
CATEGORIES = 7
"""Esteban & Ray measure groups, not a continuum: 7 equal categories of [-1, 1]."""
POLE = 0.5
"""An answer below -0.5 or above +0.5 counts for a pole."""
MIN_BANDWIDTH = 0.08
"""The density is never narrower than about one and a half bins of 0.05."""


def coarsen(counts: ArrayLike, centers: ArrayLike, categories: int = CATEGORIES
            ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Regroup a histogram on [-1, 1] into equal categories: (counts, category centres)."""
    c = finite_1d(counts, "counts")
    x = finite_1d(centers, "centers")
    grouped, edges = np.histogram(x, bins=categories, range=(-1.0, 1.0), weights=c)
    return grouped, (edges[:-1] + edges[1:]) / 2.0


def category_map(centers: ArrayLike, categories: int = CATEGORIES
                 ) -> tuple[tuple[int, ...], NDArray[np.float64]]:
    """The category of each histogram bin as `coarsen` groups them, and the categories'
    centres: a live tally counts categories in O(1) per answer with it."""
    x = finite_1d(centers, "centers")
    edges = np.linspace(-1.0, 1.0, categories + 1)
    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, categories - 1)
    return tuple(int(i) for i in index), (edges[:-1] + edges[1:]) / 2.0


def esteban_ray(counts: Sequence[float] | ArrayLike, positions: Sequence[float] | ArrayLike,
                alpha: float = ER_ALPHA) -> float | None:
    """Esteban & Ray polarisation, scaled to [0, 1] by its maximum; ``None`` without mass.

    ``P = sum_i sum_j p_i^(1+alpha) p_j |y_i - y_j|`` over groups of shares ``p`` at
    positions ``y`` (Esteban & Ray 1994, with K = 1). The largest value is reached by two
    equal groups at the two extreme positions, ``0.5^(1+alpha) (y_max - y_min)``, which
    scales P to 1 (a numerical search over 7 groups finds nothing higher; see the tests).
    O(groups^2) in plain Python: groups are few and a live tally calls it per answer
    (a few µs for 7 groups, several times less than through numpy).
    """
    try:
        c = [float(x) for x in counts]  # type: ignore[union-attr]
        y = [float(x) for x in positions]  # type: ignore[union-attr]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"counts and positions must be numbers: {exc}") from None
    if len(c) != len(y):
        raise ValueError("counts and positions differ in length")
    if not all(math.isfinite(x) and x >= 0 for x in c) or not all(map(math.isfinite, y)):
        raise ValueError("counts must be finite and non-negative, positions finite")
    if not 0.0 < alpha <= 1.6:
        raise ValueError("Esteban & Ray's axioms need 0 < alpha <= 1.6")
    total = sum(c)
    if total <= 0.0:
        return None
    width = max(y) - min(y)
    if width <= 0.0:
        return 0.0
    raw = 0.0
    for ci, yi in zip(c, y, strict=True):
        if ci:
            raw += ci ** (1.0 + alpha) * sum(cj * abs(yi - yj) for cj, yj in zip(c, y, strict=True))
    raw /= total ** (2.0 + alpha)  # shares: p_i^(1+alpha) p_j = c_i^(1+alpha) c_j / total^(2+alpha)
    return min(raw / (0.5 ** (1.0 + alpha) * width), 1.0)


def pole_shares(values: ArrayLike, pole: float = POLE) -> tuple[float, float] | None:
    """Shares of answers strictly below ``-pole`` and strictly above ``+pole``."""
    x = finite_1d(values)
    if x.size == 0:
        return None
    return float(np.mean(x < -pole)), float(np.mean(x > pole))


def density(counts: ArrayLike, centers: ArrayLike, grid: ArrayLike, std: float | None
            ) -> NDArray[np.float64]:
    """Gaussian kernel density of binned answers (one kernel per bin, weighted by its count).

    Scott's bandwidth ``std * n^(-1/5)``, never below `MIN_BANDWIDTH` so that a unanimous
    room still draws a visible peak. O(bins x grid) whatever the crowd size; zeros when empty.
    """
    c = finite_1d(counts, "counts")
    g = finite_1d(grid, "grid")
    n = float(c.sum())
    if n <= 0:
        return np.zeros(g.size)
    h = max(MIN_BANDWIDTH, (std or 0.0) * n ** -0.2)
    z = (g[:, None] - finite_1d(centers, "centers")[None, :]) / h
    return (np.exp(-0.5 * z * z) @ c) / (n * h * math.sqrt(2.0 * math.pi))


@dataclass(frozen=True, slots=True)
class Humps:
    """The clearest pair of humps of a density, and the camps either side of its valley."""

    left: float
    """Position of the left hump's top."""
    right: float
    valley: float
    """Position of the lowest point between them, where the camps are cut."""
    depth: float
    """``1 - valley height / lower hump height``: 0 = no dip, 1 = empty between the camps."""
    smaller_camp: float
    """Share of answers on the smaller side of the valley."""

    @property
    def separation(self) -> float:
        return self.right - self.left


def humps(counts: ArrayLike, centers: ArrayLike, grid: ArrayLike, dens: ArrayLike
          ) -> Humps | None:
    """The valley of ``dens`` (on ``grid``) that best separates two humps; O(grid + bins).

    Every interior point is a candidate valley; its humps are the highest points on each
    side (running maxima from both ends) and its camps the answers on each side. The
    candidate kept is the one whose weakest criterion (depth / 0.5, smaller camp / 0.15,
    separation / 0.5) is strongest. ``None`` when the density has a single hump.
    """
    c = finite_1d(counts, "counts")
    x = finite_1d(centers, "centers")
    g = finite_1d(grid, "grid")
    d = finite_1d(dens, "density")
    total = float(c.sum())
    if total <= 0 or g.size < 3:
        return None
    left_max = np.maximum.accumulate(d)
    right_max = np.maximum.accumulate(d[::-1])[::-1]
    lower = np.minimum(left_max, right_max)
    inner = np.arange(1, g.size - 1)
    valley = inner[(d[inner] < lower[inner]) & (d[inner] <= d[inner - 1])
                   & (d[inner] <= d[inner + 1])]
    if valley.size == 0:
        return None
    # the top of each side: the last maximum on the left, the first on the right
    idx = np.arange(g.size)
    left_top = np.maximum.accumulate(np.where(d == left_max, idx, 0))[valley]
    right_top = np.minimum.accumulate(np.where(d == right_max, idx, g.size)[::-1])[::-1][valley]
    depth = 1.0 - d[valley] / lower[valley]
    below = np.searchsorted(x, g[valley], side="left")  # bins strictly left of the cut
    on_cut = np.isclose(x[np.minimum(below, x.size - 1)], g[valley])
    left_mass = np.cumsum(np.concatenate(([0.0], c)))[below] + np.where(
        on_cut, c[np.minimum(below, x.size - 1)] / 2.0, 0.0)
    smaller = np.minimum(left_mass, total - left_mass) / total
    separation = g[right_top] - g[left_top]
    score = np.minimum(np.minimum(depth / 0.5, smaller / 0.15), separation / 0.5)
    k = int(np.argmax(score))
    return Humps(left=float(g[left_top[k]]), right=float(g[right_top[k]]),
                 valley=float(g[valley[k]]), depth=float(depth[k]),
                 smaller_camp=float(smaller[k]))


@dataclass(frozen=True, slots=True)
class Bounds:
    """One set of thresholds of the bimodal flag."""

    n: int
    std: float
    bc: float
    depth: float
    smaller_camp: float
    separation: float


ENTER = Bounds(n=20, std=0.2, bc=BIMODALITY_THRESHOLD, depth=0.5, smaller_camp=0.15,
               separation=0.5)
"""All must hold for the flag to turn on."""
STAY = Bounds(n=20, std=0.15, bc=0.5, depth=0.35, smaller_camp=0.10, separation=0.4)
"""All must hold for the flag to stay on (looser: hysteresis)."""


class BimodalGate:
    """The "two camps" flag with hysteresis: on when every `ENTER` bound holds, off when
    any `STAY` bound fails. Deterministic in the sequence of updates (replays agree)."""

    __slots__ = ("on",)

    def __init__(self) -> None:
        self.on = False

    @staticmethod
    def passes(bounds: Bounds, n: int, std: float | None, bc: float | None,
               found: Humps | None) -> bool:
        return (n >= bounds.n and std is not None and std >= bounds.std
                and bc is not None and bc > bounds.bc and found is not None
                and found.depth >= bounds.depth and found.smaller_camp >= bounds.smaller_camp
                and found.separation >= bounds.separation)

    def update(self, n: int, std: float | None, bc: float | None, found: Humps | None
               ) -> bool:
        """Move the flag with the room's current figures; returns it."""
        self.on = self.passes(STAY if self.on else ENTER, n, std, bc, found)
        return self.on
