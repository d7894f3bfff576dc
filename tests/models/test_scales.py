"""Tests for crowd.models.scales: moments, bimodality, agreement, KDE, accumulator, smoothing."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from crowd.models import scales
from crowd.models.scales import DecayedMean, ScaleAccumulator
from tests.models.plain import assert_plain

PROPS = settings(max_examples=200, deadline=None, database=None)
on_scale = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
on_grid = st.integers(min_value=0, max_value=40).map(lambda k: round(-1.0 + 0.05 * k, 10))


def agreement_by_enumeration(counts: list[float]) -> float:
    """Van der Eijk (2001) agreement written out literally, enumerating every triple.

    Layers: repeatedly take the smallest non-zero frequency from every non-empty category.
    For each layer pattern, TU = triples (i<j<k) with pattern 110 or 011, TDU = triples with
    101; U = ((K-2)TU - (K-1)TDU) / ((K-2)(TU+TDU)), A = U (1 - (S-1)/(K-1)).
    """
    f = list(map(float, counts))
    k, total, a = len(f), sum(f), 0.0
    if k == 1:
        return 1.0  # a single category: nothing to disagree about
    while any(x > 0 for x in f):
        pattern = [1 if x > 0 else 0 for x in f]
        m = min(x for x in f if x > 0)
        s = sum(pattern)
        tu = tdu = 0
        for i, j, h in itertools.combinations(range(k), 3):
            trip = (pattern[i], pattern[j], pattern[h])
            tu += trip in ((1, 1, 0), (0, 1, 1))
            tdu += trip == (1, 0, 1)
        u = 1.0 if tu + tdu == 0 else ((k - 2) * tu - (k - 1) * tdu) / ((k - 2) * (tu + tdu))
        a += (m * s / total) * u * (1 - (s - 1) / (k - 1))
        f = [x - m if x > 0 else 0.0 for x in f]
    return a


# --------------------------------------------------------------------------- agreement


def test_agreement_reference_points() -> None:
    # van der Eijk (2001): A = 1 for unanimity, 0 for a uniform distribution, -1 for an even
    # split between the two extreme categories.
    assert scales.agreement([0, 0, 12, 0, 0]) == 1.0
    assert scales.agreement([3, 3, 3, 3, 3]) == pytest.approx(0.0)
    assert scales.agreement([50, 0, 0, 0, 0, 0, 50]) == pytest.approx(-1.0)
    assert scales.agreement([7, 0, 7]) == pytest.approx(-1.0)
    assert scales.agreement([4, 4]) == pytest.approx(0.0)  # two categories cannot polarise
    assert scales.agreement([0, 0, 0]) is None


def test_agreement_worked_example() -> None:
    # K = 5, frequencies 0, 10, 20, 10, 0 (N = 40), computed by hand:
    # layer 1: pattern 01110 holding 3 x 10 = 30 cases (weight 0.75). No 101 triple, so TDU = 0
    #   and U = 1; S = 3, so A1 = 1 - (3-1)/(5-1) = 0.5.
    # layer 2: pattern 00100 holding 10 cases (weight 0.25), S = 1, so A2 = 1.
    # A = 0.75 * 0.5 + 0.25 * 1 = 0.625.
    assert scales.agreement([0, 10, 20, 10, 0]) == pytest.approx(0.625)
    # K = 5, pattern 11000 alone: triples (1,2,x) are 110 -> TU = 3, TDU = 0, U = 1,
    # A = 1 - 1/4 = 0.75.
    assert scales.agreement([6, 6, 0, 0, 0]) == pytest.approx(0.75)
    # K = 3, pattern 101 twice as often as the middle: layer 1 = 111 (weight 3/7, A = 0),
    # layer 2 = 101 (weight 4/7): TU = 0, TDU = 1, U = (0 - 2)/(1 * 1) = -2, A = -2 * 1/2 = -1.
    assert scales.agreement([3, 1, 3]) == pytest.approx(-4 / 7)
    assert scales.polarisation([3, 1, 3]) == pytest.approx((1 + 4 / 7) / 2)


@PROPS
@given(st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=9))
def test_agreement_matches_literal_definition(counts: list[int]) -> None:
    if sum(counts) == 0:
        assert scales.agreement(counts) is None
        return
    a = scales.agreement(counts)
    assert a == pytest.approx(agreement_by_enumeration(counts), abs=1e-12)
    assert -1.0 <= a <= 1.0
    assert scales.agreement(counts[::-1]) == pytest.approx(a, abs=1e-12)  # mirror symmetry
    assert scales.agreement([3 * c for c in counts]) == pytest.approx(a, abs=1e-12)


def test_agreement_rejects_bad_counts() -> None:
    with pytest.raises(ValueError):
        scales.agreement([1, -1, 2])
    with pytest.raises(ValueError):
        scales.agreement([1, float("nan")])


# --------------------------------------------------------------------------- summary


def test_moments_against_textbook_formulas() -> None:
    x = np.array([-1.0, -0.9, -0.8, 0.1, 0.7, 0.8, 0.9, 1.0])
    s = scales.summarize(x)
    n = x.size
    m = x.mean()
    m2, m3, m4 = (((x - m) ** p).mean() for p in (2, 3, 4))
    # Adjusted Fisher-Pearson skewness G1 and excess kurtosis G2 (Joanes & Gill 1998).
    g1 = m3 / m2**1.5 * math.sqrt(n * (n - 1)) / (n - 2)
    g2 = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * (m4 / m2**2 - 3) + 6)
    assert s.mean == pytest.approx(m)
    assert s.median == pytest.approx(0.4)
    assert s.std == pytest.approx(math.sqrt(m2 * n / (n - 1)))
    assert s.skewness == pytest.approx(g1)
    assert s.kurtosis == pytest.approx(g2)
    # Pfister et al. (2013), eq. 2.
    bc = (g1**2 + 1) / (g2 + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
    assert s.bimodality_coefficient == pytest.approx(bc)


def test_bimodality_reference_distributions() -> None:
    # Pfister et al. (2013): BC = 5/9 for the uniform and 1/3 for the normal distribution.
    rng = np.random.default_rng(1)
    uni = scales.summarize(rng.uniform(-1, 1, 100_000))
    assert uni.bimodality_coefficient == pytest.approx(5 / 9, abs=0.01)
    normal = np.clip(rng.normal(0, 0.2, 100_000), -1, 1)
    assert scales.summarize(normal).bimodality_coefficient == pytest.approx(1 / 3, abs=0.01)
    split = np.concatenate([rng.normal(-0.7, 0.1, 5000), rng.normal(0.7, 0.1, 5000)])
    assert scales.summarize(np.clip(split, -1, 1)).bimodality_coefficient > 0.8


def test_small_and_degenerate_samples() -> None:
    empty = scales.summarize([])
    assert empty.n == 0 and empty.mean is None and empty.agreement is None
    assert empty.histogram == (0,) * 41
    one = scales.summarize([0.5])
    assert one.mean == 0.5 and one.std is None and one.skewness is None
    three = scales.summarize([0.1, 0.2, 0.6])
    assert three.skewness is not None and three.kurtosis is None
    assert three.bimodality_coefficient is None
    same = scales.summarize([0.3] * 10)
    assert same.std == 0.0 and same.skewness is None and same.bimodality_coefficient is None
    assert same.agreement == 1.0 and same.polarisation == 0.0


def test_histogram_bins_centred_on_slider_steps() -> None:
    s = scales.summarize([-1.0, 0.0, 0.0, 0.05, 1.0])
    assert len(s.bin_centers) == 41
    assert s.bin_centers[0] == -1.0 and s.bin_centers[20] == 0.0 and s.bin_centers[40] == 1.0
    assert s.histogram[0] == 1 and s.histogram[20] == 2 and s.histogram[21] == 1
    assert s.histogram[40] == 1
    assert scales.summarize([-1, 1], bins=3).histogram == (1, 0, 1)


def test_invalid_values_raise() -> None:
    for bad in ([0.0, 1.5], [float("nan")], [[0.1, 0.2]]):
        with pytest.raises(ValueError):
            scales.summarize(bad)
    with pytest.raises(ValueError):
        scales.summarize([0.1], bins=1)


# --------------------------------------------------------------------------- KDE


def test_kde_matches_scipy_gaussian_kde() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(0.2, 0.3, 200)
    grid = np.linspace(-1.5, 1.5, 301)
    ours = scales.kde(values, grid)
    assert np.allclose(ours, stats.gaussian_kde(values)(grid), rtol=1e-10, atol=1e-12)
    assert np.trapezoid(ours, grid) == pytest.approx(1.0, abs=1e-3)
    wide = scales.kde(values, grid, bandwidth=0.5)
    assert np.allclose(wide, stats.gaussian_kde(values, bw_method=0.5 / values.std(ddof=1))(grid))


def test_kde_edge_cases() -> None:
    grid = np.linspace(-1, 1, 21)
    assert np.all(scales.kde([], grid) == 0.0)
    spike = scales.kde([0.0], grid)
    assert spike.argmax() == 10 and np.all(np.isfinite(spike))  # fallback bandwidth
    with pytest.raises(ValueError):
        scales.kde([0.0], grid, bandwidth=0.0)


# --------------------------------------------------------------------------- accumulator


def _compare(inc: scales.ScaleSummary, batch: scales.ScaleSummary, median_tol: float) -> None:
    assert inc.n == batch.n
    assert inc.histogram == batch.histogram
    assert inc.agreement == batch.agreement and inc.polarisation == batch.polarisation
    if batch.n == 0:
        assert inc.mean is None and inc.median is None
        return
    assert inc.mean == pytest.approx(batch.mean, abs=1e-9)
    assert inc.median == pytest.approx(batch.median, abs=median_tol)
    for field in ("std", "skewness", "kurtosis", "bimodality_coefficient"):
        a, b = getattr(inc, field), getattr(batch, field)
        assert (a is None) == (b is None), field
        if a is not None:
            assert a == pytest.approx(b, rel=1e-6, abs=1e-6), field


@PROPS
@given(st.lists(on_grid, max_size=50), st.data())
def test_accumulator_matches_batch_on_slider_steps(
    values: list[float], data: st.DataObject
) -> None:
    acc = ScaleAccumulator()
    for v in values:
        acc.add(v)
    drop = data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values)))
    for v, d in zip(values, drop, strict=True):
        if d:
            acc.remove(v)
    rest = [v for v, d in zip(values, drop, strict=True) if not d]
    _compare(acc.summary(), scales.summarize(rest), median_tol=1e-9)  # exact on bin centres


@PROPS
@given(st.lists(on_scale, max_size=50))
def test_accumulator_matches_batch_on_continuous_values(values: list[float]) -> None:
    # The accumulator holds answers to 4 decimals, as the temperature activity stores them.
    acc = ScaleAccumulator()
    for v in values:
        acc.add(v)
    held = [round(v, scales.RESOLUTION_DECIMALS) for v in values]
    _compare(acc.summary(), scales.summarize(held), median_tol=0.025 + 1e-9)  # half a bin


# Near-unanimous rooms at the bounds: most answers on one value, a few 1e-4 to 1e-2 away.
near_constant = st.tuples(
    st.sampled_from([-1.0, 1.0, 0.0, -0.5]),
    st.integers(min_value=2, max_value=400),
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=1, max_value=100),
).map(lambda t: [t[0]] * t[1] + [round(t[0] - math.copysign(t[3] * 1e-4, t[0] or 1.0), 4)]
      * t[2])


@settings(max_examples=150, deadline=None, database=None)
@given(near_constant, st.data())
def test_accumulator_is_exact_on_near_unanimous_rooms(
    values: list[float], data: st.DataObject
) -> None:
    acc = ScaleAccumulator()
    order = data.draw(st.permutations(values))
    for v in order:
        acc.add(v)
    for v in order[: len(order) // 3]:  # people move: removals must not lose digits either
        acc.remove(v)
        acc.add(v)
    inc, batch = acc.summary(), scales.summarize(values)
    for field in ("mean", "std", "skewness", "kurtosis", "bimodality_coefficient"):
        a, b = getattr(inc, field), getattr(batch, field)
        assert (a is None) == (b is None), field
        if a is not None:
            assert a == pytest.approx(b, rel=1e-7, abs=1e-9), field
    if inc.bimodality_coefficient is not None:
        assert 0.0 < inc.bimodality_coefficient <= 1.0


def test_accumulator_bimodality_of_a_near_unanimous_room() -> None:
    # 180 answers at -1 and 20 at -0.9995: a two-point distribution with p = 0.1, so
    # g1 = (1 - 2p)/sqrt(p(1-p)) = 8/3 and g2 = (1 - 6p(1-p))/(p(1-p)) = 46/9; with n = 200,
    # G1 = g1 sqrt(n(n-1))/(n-2) = 2.686860, G2 = ((n+1)g2 + 6)(n-1)/((n-2)(n-3)) = 5.271839,
    # BC = (G1^2 + 1)/(G2 + 3(n-1)^2/((n-2)(n-3))) = 0.98817. Float power sums gave -0.507.
    acc = ScaleAccumulator()
    for v in [-1.0] * 180 + [-0.9995] * 20:
        acc.add(v)
    s = acc.summary()
    assert s.skewness == pytest.approx(2.686860, rel=1e-6)
    assert s.kurtosis == pytest.approx(5.271839, rel=1e-6)
    assert s.bimodality_coefficient == pytest.approx(0.988172, rel=1e-6)
    assert s.std == pytest.approx(0.0005 * math.sqrt(0.09 * 200 / 199), rel=1e-12)


def test_accumulator_guards() -> None:
    acc = ScaleAccumulator()
    with pytest.raises(ValueError):
        acc.remove(0.5)
    with pytest.raises(ValueError):
        acc.add(1.01)
    acc.add(0.5)
    acc.remove(0.5)
    assert acc.n == 0 and acc.summary().mean is None and sum(acc.histogram) == 0


# --------------------------------------------------------------------------- smoothing


def test_decayed_mean_half_life() -> None:
    dm = DecayedMean(half_life_s=30.0)
    assert dm.value is None
    assert dm.push(0.0, 100.0) == 0.0
    assert dm.push(1.0, 130.0) == pytest.approx(0.5)  # one half-life: half-way
    assert dm.push(1.0, 160.0) == pytest.approx(0.75)
    assert dm.push(0.0, 160.0) == pytest.approx(0.75)  # no time elapsed: no weight
    assert dm.push(None, 170.0) == pytest.approx(0.75)  # empty crowd: unchanged
    assert dm.push(0.0, 190.0) == pytest.approx(0.375)  # 30 s since the last observation
    with pytest.raises(ValueError):
        dm.push(0.0, 100.0)
    with pytest.raises(ValueError):
        DecayedMean(0.0)


@PROPS
@given(
    st.lists(st.tuples(st.floats(min_value=0, max_value=60), on_scale), min_size=1, max_size=30),
    st.floats(min_value=0.5, max_value=120),
)
def test_ewma_series_matches_decayed_mean(steps: list[tuple[float, float]], h: float) -> None:
    times = list(itertools.accumulate(dt for dt, _ in steps))
    values = [v for _, v in steps]
    series = scales.ewma_series(times, values, h)
    dm = DecayedMean(h)
    for t, v, out in zip(times, values, series, strict=True):
        assert dm.push(v, t) == pytest.approx(out)
        assert min(values) - 1e-12 <= out <= max(values) + 1e-12


def test_results_are_plain_values() -> None:
    acc = ScaleAccumulator()
    for v in (0.1, -0.5, 0.9, 0.3):
        acc.add(v)
    for result in (scales.summarize(np.array([0.1, -0.5, 0.9, 0.3])), acc.summary()):
        for field in dataclasses.fields(result):
            assert_plain(getattr(result, field.name))
