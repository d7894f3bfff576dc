"""The social-influence round as an experiment: the same people, before and after.

Lorenz, Rauhut, Schweitzer & Helbing (2011) and Jayles, Kim, Escobedo, Cezera, Blanchet,
Kameda, Sire & Theraulaz (2017, "How social information can improve estimation accuracy
in human groups", PNAS 114: 12620-12625) compare each person's estimate before (X1) and
after (X2) seeing social information (here the crowd's round-1 median; in some arms of
the experiment one other person's estimate or the median of 5 others', per person).
Only people who answered both rounds can be compared, so every figure here is *paired*.

Everything is on log estimates (people think of quantities in ratios): with x = ln X and
M = ln(shown), each person's **sensitivity to social influence** is
``S = (x2 - x1) / (M - x1)`` (Jayles et al. 2017): 0 = kept their estimate, 1 = adopted
the information, between = compromise, above 1 = overshoot, below 0 = moved away. S has
spikes at 0 and 1, so its shares read better than its mean.

With a truth T, the diversity prediction theorem (Page 2007) holds for each round on the
paired logs: collective error (ln geometric mean - ln T)^2 = average individual error
mean((x - ln T)^2) - diversity var(x). "Each of us got closer; did the crowd?" compares
the individual and collective errors before and after.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from crowd.models._arrays import finite_1d

__all__ = [
    "SAME",
    "S_EDGES",
    "Diversity",
    "PairedInfluence",
    "diversity_theorem",
    "paired_influence",
    "sensitivity",
]

SAME = math.log(1.01)
"""Estimates within 1 % of each other count as the same (a kept or an adopted estimate
typed with rounding): the width of the spikes at S = 0 and S = 1."""
S_EDGES = tuple(round(-0.5 + 0.1 * k, 1) for k in range(21))
"""Histogram of S from -0.5 to 1.5 by 0.1; values outside go to the end bins."""


def sensitivity(before: ArrayLike, after: ArrayLike, shown: float | ArrayLike
                ) -> list[float | None]:
    """S = (ln X2 - ln X1) / (ln shown - ln X1) per person; ``None`` where it is undefined
    (a non-positive estimate, or a first estimate within 1 % of the information shown).
    `shown` is one number for everyone, or each person's own (one other's estimate, the
    median of five others: Becker et al. 2017's arms)."""
    x1 = finite_1d(before, "before")
    x2 = finite_1d(after, "after")
    if x1.shape != x2.shape:
        raise ValueError("before and after must pair the same people")
    each = _shown_each(shown, x1.size)
    out: list[float | None] = []
    for a, b, info in zip(x1.tolist(), x2.tolist(), each, strict=True):
        m = math.log(info)
        if a <= 0 or b <= 0 or abs(m - math.log(a)) <= SAME:
            out.append(None)
        else:
            out.append((math.log(b) - math.log(a)) / (m - math.log(a)))
    return out


def _shown_each(shown: float | ArrayLike, n: int) -> list[float]:
    """The information shown, one positive number per person."""
    if np.ndim(shown) == 0:
        one = float(shown)  # type: ignore[arg-type]
        if not (math.isfinite(one) and one > 0):
            raise ValueError("the information shown must be a positive number")
        return [one] * n
    else:
        each = finite_1d(shown, "shown").tolist()
        if len(each) != n:
            raise ValueError("shown must give one number per person")
    if not all(math.isfinite(x) and x > 0 for x in each):
        raise ValueError("the information shown must be a positive number")
    return each


@dataclass(frozen=True, slots=True)
class Diversity:
    """One round's errors on log estimates: collective = average - diversity, exactly."""

    average_error: float
    """mean((ln X - ln T)^2)."""
    diversity: float
    """Population variance of ln X."""
    collective_error: float
    """(mean ln X - ln T)^2: the squared log error of the geometric mean."""


def diversity_theorem(values: ArrayLike, truth: float) -> Diversity | None:
    """Page's diversity prediction theorem on log estimates; ``None`` without positive
    estimates or with a non-positive truth."""
    x = finite_1d(values)
    x = x[x > 0]
    if x.size == 0 or not truth > 0:
        return None
    logs = np.log(x)
    err = logs - math.log(truth)
    return Diversity(average_error=float(np.mean(err**2)), diversity=float(np.var(logs)),
                     collective_error=float(np.mean(err)) ** 2)


@dataclass(frozen=True, slots=True)
class PairedInfluence:
    """What the social information did to the people who answered both rounds."""

    n: int
    """People who answered both rounds (with positive estimates)."""
    shown: float
    """The information shown between the rounds (the round-1 median)."""
    n_sensitivity: int
    """People with a defined S (first estimate not already at the information shown)."""
    s_median: float | None
    s_counts: list[int]
    """Histogram of S on `S_EDGES` (values beyond -0.5 or 1.5 in the end bins)."""
    keep: float | None
    """Share who kept their estimate (within 1 %)."""
    adopt: float | None
    """Share who adopted the information (within 1 %)."""
    compromise: float | None
    """Share who moved part of the way (0 < S < 1)."""
    overshoot: float | None
    """Share who went beyond the information (S > 1)."""
    away: float | None
    """Share who moved away from it (S < 0)."""
    truth: float | None
    closer: float | None
    """Share of people whose own log error fell (``None`` without a truth)."""
    before: Diversity | None
    """Round 1 of the same people: average, diversity and collective log errors."""
    after: Diversity | None


def _share(k: int, n: int) -> float | None:
    return k / n if n else None


def paired_influence(before: Sequence[float] | ArrayLike, after: Sequence[float] | ArrayLike,
                     shown: float, truth: float | None = None,
                     shown_each: Sequence[float] | None = None) -> PairedInfluence:
    """Sensitivity to social influence and paired errors; ``before[i]`` and ``after[i]``
    are the same person's two estimates. Pairs with a non-positive estimate are left out
    (there is no log). `shown` is the headline information (the round-1 median);
    `shown_each`, when people were shown different information, is each one's M."""
    x1 = finite_1d(before, "before")
    x2 = finite_1d(after, "after")
    if x1.shape != x2.shape:
        raise ValueError("before and after must pair the same people")
    info = np.asarray(_shown_each(shown if shown_each is None else shown_each, x1.size))
    keep_pairs = (x1 > 0) & (x2 > 0)
    x1, x2, info = x1[keep_pairs], x2[keep_pairs], info[keep_pairs]
    n = int(x1.size)
    s_all = sensitivity(x1, x2, info)
    kept = adopted = compromise = overshoot = away = 0
    defined: list[float] = []
    for a, b, s, m in zip(x1.tolist(), x2.tolist(), s_all, np.log(info).tolist(), strict=True):
        if s is None:
            continue
        defined.append(s)
        if abs(math.log(b) - math.log(a)) <= SAME:
            kept += 1
        elif abs(math.log(b) - m) <= SAME:
            adopted += 1
        elif s > 1:
            overshoot += 1
        elif s < 0:
            away += 1
        else:
            compromise += 1
    k = len(defined)
    clipped = np.clip(np.asarray(defined, dtype=float), S_EDGES[0], S_EDGES[-1])
    counts, _ = np.histogram(clipped, bins=np.asarray(S_EDGES))
    closer = None
    if truth is not None and truth > 0 and n:
        lt = math.log(truth)
        closer = float(np.mean(np.abs(np.log(x2) - lt) < np.abs(np.log(x1) - lt)))
    return PairedInfluence(
        n=n, shown=float(shown), n_sensitivity=k,
        s_median=float(np.median(defined)) if defined else None,
        s_counts=[int(c) for c in counts],
        keep=_share(kept, k), adopt=_share(adopted, k), compromise=_share(compromise, k),
        overshoot=_share(overshoot, k), away=_share(away, k),
        truth=None if truth is None else float(truth), closer=closer,
        before=diversity_theorem(x1, truth) if truth is not None else None,
        after=diversity_theorem(x2, truth) if truth is not None else None,
    )
