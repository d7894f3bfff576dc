"""The influence round as an experiment: confidence and random arms, on paired devices.

**Confidence effect** (Lorenz, Rauhut, Schweitzer & Helbing 2011, "How social influence
can undermine the wisdom of crowd effect", PNAS 108: 9020-9025): people rate their
confidence (1-6) with each estimate; after seeing the others' estimates their confidence
rises although the crowd is not more accurate. Here, on the people who rated both rounds:
the mean change of confidence with a bootstrap 95 % interval, and whether the crowd's
median got closer to the truth (log error). The effect is shown only when the interval
is above 0 and the crowd did not get closer.

**Arms** (Becker, Brackbill & Centola 2017, "Network dynamics of social influence in the
wisdom of crowds", PNAS 114: E5070-E5076, whose control condition revises without social
information): devices are split at random into conditions; per arm, the mean
improvement of each person's log error ``|ln X1 - ln T| - |ln X2 - ln T|`` (positive = got
closer) with a bootstrap 95 % interval, the crowd's improvement (the arm's median), and
the difference between two arms with its interval. Resampling is over people (percentile
bootstrap, Efron & Tibshirani 1993, via ``scipy.stats.bootstrap``), with a fixed seed so
a replay gives the same intervals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "RESAMPLES",
    "ArmResult",
    "ArmsDifference",
    "ConfidenceEffect",
    "Interval",
    "arm_results",
    "bootstrap_difference",
    "bootstrap_mean",
    "confidence_effect",
    "log_improvement",
]

RESAMPLES = 1000
"""Bootstrap resamples: percentile bounds of a 95 % interval move by about 0.5 % of the
interval's width from one seed to another at this count."""
SEED = 15
"""The bootstrap's seed: an interval is a pure function of the answers."""


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


def _percentile(samples: Sequence[Sequence[float]], statistic: object) -> Interval | None:
    if any(len(s) < 2 for s in samples):
        return None  # one person: nothing to resample
    data = tuple(np.asarray(s, dtype=float) for s in samples)
    if all(np.ptp(d) == 0 for d in data):
        value = float(statistic(*data))  # type: ignore[operator]
        return Interval(value, value)  # no spread: every resample gives the same value
    res = stats.bootstrap(data, statistic, n_resamples=RESAMPLES, method="percentile",
                          vectorized=True, random_state=np.random.default_rng(SEED))
    return Interval(float(res.confidence_interval.low), float(res.confidence_interval.high))


def _mean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis)


def _difference(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(a, axis=axis) - np.mean(b, axis=axis)


def bootstrap_mean(values: Sequence[float]) -> Interval | None:
    """Percentile bootstrap 95 % interval of a mean; ``None`` below two values."""
    return _percentile([values], _mean)


def bootstrap_difference(a: Sequence[float], b: Sequence[float]) -> Interval | None:
    """Percentile bootstrap 95 % interval of mean(a) - mean(b), each resampled on its own
    (independent groups)."""
    return _percentile([a, b], _difference)


def log_improvement(before: Sequence[float], after: Sequence[float], truth: float
                    ) -> list[float]:
    """Per person, how much nearer the truth the second estimate is, in log terms:
    ``|ln X1 - ln T| - |ln X2 - ln T|`` (pairs with a non-positive estimate left out)."""
    lt = math.log(truth)
    return [abs(math.log(a) - lt) - abs(math.log(b) - lt)
            for a, b in zip(before, after, strict=True) if a > 0 and b > 0]


def _crowd_improvement(before: Sequence[float], after: Sequence[float], truth: float
                       ) -> float | None:
    pos = [(a, b) for a, b in zip(before, after, strict=True) if a > 0 and b > 0]
    if not pos:
        return None
    lt = math.log(truth)
    m1 = float(np.median([a for a, _ in pos]))
    m2 = float(np.median([b for _, b in pos]))
    return abs(math.log(m1) - lt) - abs(math.log(m2) - lt)


@dataclass(frozen=True, slots=True)
class ConfidenceEffect:
    """Confidence before and after the information, on the people who rated both."""

    n: int
    before: float | None
    """Mean confidence (1-6) in round 1."""
    after: float | None
    change: float | None
    """Mean of each person's change of confidence."""
    interval: Interval | None
    """Bootstrap 95 % interval of `change`."""
    crowd_closer: bool | None
    """Did the median of these people get closer to the truth? ``None`` without a truth."""
    effect: bool | None
    """Confidence up (interval above 0) while the crowd did not get closer: Lorenz's
    confidence effect. ``None`` without a truth or with fewer than two people."""


def confidence_effect(conf_before: Sequence[int], conf_after: Sequence[int],
                      before: Sequence[float], after: Sequence[float],
                      truth: float | None) -> ConfidenceEffect:
    """``conf_*[i]``, ``before[i]``, ``after[i]`` are the same person's ratings and
    estimates."""
    n = len(conf_before)
    if n == 0:
        return ConfidenceEffect(0, None, None, None, None, None, None)
    changes = [float(b - a) for a, b in zip(conf_before, conf_after, strict=True)]
    interval = bootstrap_mean(changes)
    crowd = None
    if truth is not None and truth > 0:
        gain = _crowd_improvement(before, after, truth)
        crowd = None if gain is None else gain > 0
    effect = None
    if crowd is not None and interval is not None:
        effect = interval.low > 0 and not crowd
    return ConfidenceEffect(n=n, before=float(np.mean(conf_before)),
                            after=float(np.mean(conf_after)), change=float(np.mean(changes)),
                            interval=interval, crowd_closer=crowd, effect=effect)


@dataclass(frozen=True, slots=True)
class ArmResult:
    """One condition of the experiment, on its devices that answered both rounds."""

    name: str
    n: int
    improvement: float | None
    """Mean per-person log improvement (positive = closer to the truth)."""
    interval: Interval | None
    """Bootstrap 95 % interval of `improvement`."""
    crowd_improvement: float | None
    """``|ln median1 - ln T| - |ln median2 - ln T|`` of the arm's own estimates."""


@dataclass(frozen=True, slots=True)
class ArmsDifference:
    """`first` minus `second`: how much more the first arm improved."""

    first: str
    second: str
    value: float
    interval: Interval | None


def arm_results(pairs: Mapping[str, tuple[Sequence[float], Sequence[float]]], truth: float
                ) -> tuple[list[ArmResult], ArmsDifference | None]:
    """Each arm's improvement and, for the first two arms (in the given order), the
    difference of their mean improvements with its interval."""
    results: list[ArmResult] = []
    gains: dict[str, list[float]] = {}
    for name, (x1, x2) in pairs.items():
        g = log_improvement(x1, x2, truth)
        gains[name] = g
        results.append(ArmResult(
            name=name, n=len(g), improvement=float(np.mean(g)) if g else None,
            interval=bootstrap_mean(g), crowd_improvement=_crowd_improvement(x1, x2, truth)))
    names = list(pairs)
    diff = None
    if len(names) >= 2 and gains[names[0]] and gains[names[1]]:
        a, b = gains[names[0]], gains[names[1]]
        diff = ArmsDifference(first=names[0], second=names[1],
                              value=float(np.mean(a) - np.mean(b)),
                              interval=bootstrap_difference(a, b))
    return results, diff
