"""Tests for the orientation verdict: confidence arcs, small samples, rose test, lobes, V-test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from crowd.models import circular, orientation

# Zar (2010) Example 26.4: mean 99 deg, r = 0.82522 (n = 8); Example 26.6 gives its 95 %
# confidence interval as 68 to 130 deg (d = 31 deg, eq. 26.24 since r <= 0.9).
ZAR_26_4 = [45, 55, 81, 96, 110, 117, 132, 154]


def verdict_of(angles: list[float]) -> str:
    s = circular.summarize(angles, bins=16)
    counts = [round(c) for c in s.rose]
    return orientation.verdict(s.n, s.resultant_length, s.rayleigh_p,
                               orientation.rose_uniformity(counts), orientation.lobes(counts))


def test_zar_example_26_6_confidence_arc() -> None:
    s = circular.summarize(ZAR_26_4)
    # By hand: R = 8 x 0.82522 = 6.60176; 2n(2R^2 - n chi2)/(4n - chi2)
    # = 16 (87.1665 - 30.7317) / 28.1585 = 32.067; arccos(sqrt(32.067) / 6.60176) = 30.93.
    assert s.arc_deg == pytest.approx(30.93, abs=0.01)
    assert round(s.mean_deg - s.arc_deg) == 68 and round(s.mean_deg + s.arc_deg) == 130


def test_fisher_arc_for_large_samples_and_its_coverage() -> None:
    rng = np.random.default_rng(5)
    a = np.degrees(rng.vonmises(0.5, 2.0, 60)) % 360
    s = circular.summarize(a)
    # Fisher (1993) 4.4.5, written out: delta = (1 - mean cos 2(theta - mean)) / (2 R^2),
    # half-width = arcsin(1.96 sqrt(delta / n)).
    theta = math.radians(stats.circmean(a, high=360, low=0))
    rad = np.radians(a)
    r_bar = abs(np.mean(np.exp(1j * rad)))
    delta = (1 - np.mean(np.cos(2 * (rad - theta)))) / (2 * r_bar**2)
    assert s.arc_deg == pytest.approx(math.degrees(math.asin(1.959964 * math.sqrt(delta / 60))),
                                      rel=1e-6)
    # The arc is a 95 % interval: it covers the true direction in about 95 % of rooms.
    covered = 0
    for _ in range(400):
        sample = np.degrees(rng.vonmises(0.0, 2.0, 40)) % 360
        t = circular.summarize(sample)
        assert t.arc_deg is not None and t.mean_deg is not None
        covered += abs((t.mean_deg + 180) % 360 - 180) <= t.arc_deg
    assert 0.92 <= covered / 400 <= 0.98


def test_no_arc_below_eight_arrows_or_without_direction() -> None:
    assert circular.summarize([10, 20, 30, 40, 50, 60, 70]).arc_deg is None
    assert circular.summarize([0, 90, 180, 270] * 3).arc_deg is None


def test_a_single_arrow_is_not_a_crowd() -> None:
    # Zar's approximation gave p = 0.466 for one arrow; one arrow cannot reject uniformity.
    assert circular.summarize([42]).rayleigh_p == 1.0
    assert circular.rayleigh(1, 1.0)[1] == 1.0


def test_fisher_small_sample_kappa_correction() -> None:
    # Fisher (1993) eq. 4.41, for n <= 15: kappa < 2 -> max(kappa - 2/(n kappa), 0);
    # kappa >= 2 -> (n-1)^3 kappa / (n^3 + n). By hand for n = 10:
    assert circular.kappa_small_sample(1.5, 10) == pytest.approx(1.5 - 2 / 15)  # 1.36667
    assert circular.kappa_small_sample(3.0, 10) == pytest.approx(729 * 3 / 1010)  # 2.16535
    assert circular.kappa_small_sample(0.1, 10) == 0.0
    assert circular.kappa_small_sample(3.0, 16) == 3.0
    s = circular.summarize(ZAR_26_4)  # r = 0.82522 -> A1inv 3.3284 -> x 343/520 = 2.1955
    raw = circular.kappa_from_r(s.resultant_length)
    assert raw is not None and s.kappa == pytest.approx(raw * 343 / 520)


def test_unweighted_rayleigh_keeps_its_level_at_small_n() -> None:
    # Under uniformity the test must say "significant" in 5 % of rooms of five arrows.
    rng = np.random.default_rng(11)
    hits = sum(circular.summarize(rng.uniform(0, 360, 5)).rayleigh_p < 0.05
               for _ in range(4000))
    assert 0.04 <= hits / 4000 <= 0.06


def test_three_equal_lobes_are_not_an_agreement() -> None:
    # The demo's rose: 267 answers in three lobes 120 degrees apart ("la foule s'accorde").
    rng = np.random.default_rng(2)
    angles = [float(c + rng.normal(0, 20)) % 360 for c, k in ((0, 100), (120, 90), (240, 77))
              for _ in range(k)]
    s = circular.summarize(angles)
    assert s.resultant_length < orientation.MIN_AGREEMENT
    assert verdict_of(angles) == "several"
    counts = [round(c) for c in s.rose]
    assert sorted(round(lobe.mean_deg / 10) % 36 for lobe in orientation.lobes(counts)) == [
        0, 12, 24]


def test_two_exits_are_two_directions() -> None:
    rng = np.random.default_rng(4)
    angles = [float(c + rng.normal(0, 15)) % 360 for c in (90, 270) for _ in range(60)]
    assert circular.summarize(angles).rayleigh_p > 0.05  # Rayleigh alone: "no direction"
    assert verdict_of(angles) == "two"


def test_verdicts_of_clear_and_empty_rooms() -> None:
    rng = np.random.default_rng(6)
    assert verdict_of([float(rng.normal(40, 20)) % 360 for _ in range(50)]) == "agree"
    assert verdict_of([]) == "none"
    uniform = sum(verdict_of(list(rng.uniform(0, 360, 200))) != "disagree" for _ in range(200))
    assert uniform <= 20  # the rose test's 5 % level, give or take


def test_rose_uniformity_merges_sectors_and_matches_scipy() -> None:
    counts = [3, 1, 0, 2, 8, 9, 4, 1, 0, 0, 1, 2, 3, 0, 1, 5]  # n = 40 -> 8 sectors of 5
    test = orientation.rose_uniformity(counts)
    assert test is not None and test.sectors == 8
    merged = np.add.reduceat(counts, range(0, 16, 2))
    expected = stats.chisquare(merged)
    assert test.chi2 == pytest.approx(expected.statistic)
    assert test.p == pytest.approx(expected.pvalue)
    assert orientation.rose_uniformity([1] * 8) is None  # 8 arrows: too few


def test_v_test_worked_example() -> None:
    # Arrows 10, 350, 0, 0 deg, bearing 0: V = 2 cos 10 + 2 = 3.96962,
    # u = V sqrt(2/4) = 2.80694, p = 1 - Phi(u) = 0.00250.
    s = circular.summarize([10, 350, 0, 0])
    u, p = orientation.v_test(4, s.resultant_length, s.mean_deg, 0.0)
    assert u == pytest.approx(2.80694, abs=1e-5) and p == pytest.approx(0.00250, abs=1e-5)
    u_away, p_away = orientation.v_test(4, s.resultant_length, s.mean_deg, 180.0)
    assert u_away == pytest.approx(-u) and p_away > 0.99


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.floats(min_value=0, max_value=360), min_size=1, max_size=40),
       st.floats(min_value=0, max_value=360))
def test_compass_diversity_theorem(angles: list[float], target: float) -> None:
    rad = np.radians(angles)
    w = orientation.compass_wisdom(len(angles), float(np.sin(rad).sum()),
                                   float(np.cos(rad).sum()), target)
    assert w is not None
    literal = float(np.mean(1 - np.cos(rad - math.radians(target))))
    assert w.average_error == pytest.approx(literal, abs=1e-9)
    assert w.average_error == pytest.approx(w.diversity + w.collective_error, abs=1e-12)
    assert w.diversity >= -1e-12 and w.collective_error >= -1e-9
