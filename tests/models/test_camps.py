"""Tests for crowd.models.camps: Esteban & Ray polarisation, pole shares, the bimodal gate."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.models import camps, scales
from crowd.models.camps import BimodalGate

GRID = np.linspace(-1.0, 1.0, 81)
CENTERS = scales.bin_centers(41)
SEVEN = np.linspace(-6 / 7, 6 / 7, 7)


def er_literal(shares: list[float], y: list[float], alpha: float) -> float:
    """Esteban & Ray (1994): sum over ordered pairs of p_i^(1+alpha) p_j |y_i - y_j|."""
    return sum(shares[i] ** (1 + alpha) * shares[j] * abs(y[i] - y[j])
               for i, j in itertools.product(range(len(y)), repeat=2))


def test_esteban_ray_worked_examples() -> None:
    # Two equal camps at the ends: the maximum, 1 by construction.
    assert camps.esteban_ray([50, 0, 0, 0, 0, 0, 50], SEVEN) == pytest.approx(1.0)
    # Everyone in one category: nobody is alienated from anybody.
    assert camps.esteban_ray([0, 0, 0, 80, 0, 0, 0], SEVEN) == 0.0
    # Uniform over 7 categories 2/7 apart: sum |y_i - y_j| over ordered pairs is
    # 112 * 2/7 = 32, so P = (1/7)^3.6 * 32 and the maximum is 0.5^2.6 * 12/7:
    # 0.000907 * 32 / 0.28275 = 0.10266 — a uniform room is not "two camps".
    expected = (1 / 7) ** 3.6 * 32 / (0.5**2.6 * 12 / 7)
    assert expected == pytest.approx(0.10266, abs=1e-5)
    assert camps.esteban_ray([1] * 7, SEVEN) == pytest.approx(expected)
    # 85 % at one end, 15 % at the other: 2 (0.85^2.6 0.15 + 0.15^2.6 0.85) / 2 / 0.5^2.6.
    lopsided = (0.85**2.6 * 0.15 + 0.15**2.6 * 0.85) / 0.5**2.6
    assert camps.esteban_ray([85, 0, 0, 0, 0, 0, 15], SEVEN) == pytest.approx(lopsided)
    assert lopsided == pytest.approx(0.6332, abs=1e-4)
    assert camps.esteban_ray([0] * 7, SEVEN) is None


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=7, max_size=7))
def test_esteban_ray_matches_the_literal_sum_and_stays_below_one(counts: list[int]) -> None:
    total = sum(counts)
    value = camps.esteban_ray(counts, SEVEN)
    if total == 0:
        assert value is None
        return
    shares = [c / total for c in counts]
    literal = er_literal(shares, list(SEVEN), 1.6) / (0.5**2.6 * 12 / 7)
    assert value == pytest.approx(literal, abs=1e-12)
    assert 0.0 <= value <= 1.0 + 1e-12


def test_pole_shares() -> None:
    assert camps.pole_shares([-1, -0.5, -0.51, 0, 0.5, 0.7, 1, 1]) == (0.25, 0.375)
    assert camps.pole_shares([]) is None


def flag(values: list[float], gate: BimodalGate | None = None) -> bool:
    acc = scales.ScaleAccumulator()
    for v in values:
        acc.add(v)
    _, _, bc = acc.moments()
    dens = camps.density(acc.counts, CENTERS, GRID, acc.std)
    return (gate or BimodalGate()).update(acc.n, acc.std, bc,
                                          camps.humps(acc.counts, CENTERS, GRID, dens))


def test_invisible_differences_are_not_two_camps() -> None:
    # 99 answers at +1 and one at +0.95: BC is 0.98 (> 5/9), yet nobody could see a split.
    values = [1.0] * 99 + [0.95]
    s = scales.summarize(values)
    assert s.bimodality_coefficient is not None and s.bimodality_coefficient > 0.97
    assert not flag(values)


@pytest.mark.parametrize("n", [20, 100, 200, 500])
def test_uniform_rooms_are_rarely_flagged(n: int) -> None:
    # BC alone flagged a uniform room in 24-38 % of draws once n >= 100 (BC = 5/9 exactly
    # for the uniform). The gate needs a visible valley: at most 5 % false alarms.
    rng = np.random.default_rng(n)
    flagged = sum(flag(list(np.round(rng.uniform(-1, 1, n), 4))) for _ in range(100))
    assert flagged <= 5


def test_skewed_single_peaks_and_wide_bells_are_not_flagged() -> None:
    rng = np.random.default_rng(7)
    skewed = [flag(list(np.round(1 - 2 * rng.beta(1.5, 6, 150), 4))) for _ in range(50)]
    wide = [flag(list(np.clip(np.round(rng.normal(0, 0.5, 150), 4), -1, 1)))
            for _ in range(50)]
    assert sum(skewed) <= 2 and sum(wide) <= 2


def test_clear_camps_are_flagged() -> None:
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(50):
        side = rng.random(100) < 0.7
        values = np.where(side, rng.normal(0.7, 0.15, 100), rng.normal(-0.7, 0.15, 100))
        hits += flag(list(np.clip(np.round(values, 4), -1, 1)))
    assert hits >= 48
    h = camps.humps(*_counts([-0.8] * 30 + [0.8] * 70))
    assert h is not None
    assert h.smaller_camp == pytest.approx(0.3) and h.separation == pytest.approx(1.6)
    assert h.depth > 0.9 and -0.8 < h.valley < 0.8  # Scott kernels overlap a little


def _counts(values: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    acc = scales.ScaleAccumulator()
    for v in values:
        acc.add(v)
    return acc.counts, CENTERS, GRID, camps.density(acc.counts, CENTERS, GRID, acc.std)


def test_the_flag_has_hysteresis() -> None:
    # A room between the STAY and ENTER bounds keeps the flag as it was.
    gate = BimodalGate()
    between = camps.Humps(left=-0.6, right=0.6, valley=0.0, depth=0.4, smaller_camp=0.3)
    clear = camps.Humps(left=-0.6, right=0.6, valley=0.0, depth=0.9, smaller_camp=0.3)
    assert not gate.update(100, 0.6, 0.7, between)  # not enough to turn on
    assert gate.update(100, 0.6, 0.7, clear)
    assert gate.update(100, 0.6, 0.7, between)  # ... but enough to stay on
    assert not gate.update(100, 0.6, 0.7, camps.Humps(-0.6, 0.6, 0.0, 0.2, 0.3))
    assert not gate.update(19, 0.6, 0.7, clear)  # too few answers, whatever the shape
    assert not gate.update(100, 0.6, 0.7, None)
