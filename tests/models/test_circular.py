"""Tests for crowd.models.circular: compass statistics, Rayleigh test, accumulator."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

from crowd.models import circular
from crowd.models.circular import CircularAccumulator, normalize_angle
from tests.models.plain import assert_plain

PROPS = settings(max_examples=200, deadline=None, database=None)
angle = st.floats(min_value=-720, max_value=720, allow_nan=False, allow_infinity=False)
# Strengths from a phone: zero or a sensible fraction (see _W_EPS in circular.py).
weight = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1.0))

# Zar, J. H. (2010) Biostatistical Analysis, 5th ed., Example 26.4 (also used in Example 27.1):
# eight directions in degrees; the book gives mean 99 deg, r = 0.82522, and in Example 27.1
# z = 5.448 with 0.001 < P < 0.002.
ZAR_26_4 = [45, 55, 81, 96, 110, 117, 132, 154]


def zar_p(n: float, r_n: float) -> float:
    """Zar (2010) eq. 27.4, written out independently of the module."""
    return math.exp(math.sqrt(1 + 4 * n + 4 * (n**2 - r_n**2)) - (1 + 2 * n))


def test_zar_example_26_4_and_27_1() -> None:
    s = circular.summarize(ZAR_26_4)
    assert s.n == 8 and s.n_effective == 8
    assert s.mean_deg == pytest.approx(99.0, abs=0.05)
    assert s.resultant_length == pytest.approx(0.82522, abs=5e-6)
    assert s.rayleigh_z == pytest.approx(5.448, abs=5e-4)
    assert 0.001 < s.rayleigh_p < 0.002
    assert s.rayleigh_p == pytest.approx(zar_p(8, 8 * s.resultant_length), rel=1e-12)


def test_zar_example_26_5_grouped_data_as_weights() -> None:
    # Zar (2010) Example 26.5: 105 directions grouped in 30-degree classes centred on 15,
    # 45, ... 345 deg; the book gives mean 162 deg and r = 0.55064 (before grouping correction).
    centres = np.arange(15, 360, 30)
    freq = [0, 6, 9, 13, 15, 22, 17, 12, 8, 3, 0, 0]
    s = circular.summarize(centres, weights=freq)
    assert s.mean_deg == pytest.approx(162.0, abs=0.5)
    assert s.resultant_length == pytest.approx(0.55064, abs=5e-6)
    # Frequency weights equal repeating each angle.
    rep = circular.summarize(np.repeat(centres, freq))
    assert rep.mean_deg == pytest.approx(s.mean_deg)
    assert rep.resultant_length == pytest.approx(s.resultant_length)


def test_agrees_with_scipy_on_random_data() -> None:
    rng = np.random.default_rng(7)
    a = rng.vonmises(mu=1.0, kappa=2.0, size=300)
    deg = np.degrees(a) % 360
    s = circular.summarize(deg)
    assert s.mean_deg == pytest.approx(stats.circmean(deg, high=360, low=0), abs=1e-9)
    assert s.circular_std_deg == pytest.approx(stats.circstd(deg, high=360, low=0), rel=1e-9)
    vec = np.column_stack([np.cos(a), np.sin(a)])
    assert s.resultant_length == pytest.approx(
        stats.directional_stats(vec).mean_resultant_length, rel=1e-12
    )
    # Kappa from R-bar approximates the von Mises maximum-likelihood fit.
    kappa_mle, _, _ = stats.vonmises.fit(a, fscale=1)
    assert s.kappa == pytest.approx(kappa_mle, rel=0.02)


@pytest.mark.parametrize("r_bar", [0.05, 0.3, 0.52, 0.54, 0.7, 0.84, 0.86, 0.95, 0.99])
def test_kappa_approximation_close_to_exact_inverse(r_bar: float) -> None:
    # Exact MLE solves A1(kappa) = I1(kappa) / I0(kappa) = R-bar (Mardia & Jupp 2000, 5.3.5).
    exact = optimize.brentq(lambda k: special.i1e(k) / special.i0e(k) - r_bar, 1e-12, 1e5)
    assert circular.kappa_from_r(r_bar) == pytest.approx(exact, rel=0.015)


def test_compass_convention_and_symmetric_sets() -> None:
    assert circular.summarize([0, 90]).mean_deg == pytest.approx(45.0)  # north + east
    assert circular.summarize([350, 10]).mean_deg == pytest.approx(0.0, abs=1e-9)
    assert circular.summarize([80, 100]).mean_deg == pytest.approx(90.0)
    assert circular.summarize([170, 190, 180]).mean_deg == pytest.approx(180.0)
    # 350 and 10 have R-bar = cos(10 deg).
    assert circular.summarize([350, 10]).resultant_length == pytest.approx(
        math.cos(math.radians(10))
    )


def test_identical_angles() -> None:
    s = circular.summarize([42.0] * 30)
    assert s.resultant_length == pytest.approx(1.0)
    assert s.mean_deg == pytest.approx(42.0)
    assert s.circular_std_deg == pytest.approx(0.0, abs=1e-5)
    assert s.kappa is None  # unbounded concentration
    assert 0.0 <= s.rayleigh_p < 1e-10
    assert s.rayleigh_z == pytest.approx(30.0)


def test_uniform_directions_have_no_mean() -> None:
    s = circular.summarize(np.arange(0, 360, 45))
    assert s.resultant_length == 0.0
    assert s.mean_deg is None and s.circular_std_deg is None
    assert s.rayleigh_p == pytest.approx(1.0)
    assert s.kappa == 0.0
    assert s.rose[::2] == (1.0,) * 8  # 8 arrows, every other sector of 16


def test_rayleigh_p_is_calibrated_under_uniformity() -> None:
    rng = np.random.default_rng(2024)
    ps = np.array([circular.summarize(rng.uniform(0, 360, 20)).rayleigh_p for _ in range(2000)])
    assert 0.035 < np.mean(ps < 0.05) < 0.065
    assert 0.45 < np.median(ps) < 0.55


def test_empty_input() -> None:
    s = circular.summarize([])
    assert s.n == 0 and s.mean_deg is None and s.resultant_length == 0.0
    assert s.rayleigh_p is None and s.rayleigh_z is None and s.kappa is None
    assert s.rose == (0.0,) * 16 and len(s.bin_edges_deg) == 17


def test_rose_sectors_centred_on_north() -> None:
    s = circular.summarize([359, 1, 11.25, 90, 180], bins=16)
    assert s.rose[0] == 2.0 and s.rose[1] == 1.0 and s.rose[4] == 1.0 and s.rose[8] == 1.0
    assert s.bin_edges_deg[0] == -11.25 and s.bin_edges_deg[-1] == 348.75
    four = circular.summarize([44, 46, 314, 316], bins=4)
    assert four.rose == (2.0, 1.0, 0.0, 1.0)


def test_weights() -> None:
    base = circular.summarize([20, 30, 200], weights=[1, 1, 0])
    assert base.mean_deg == pytest.approx(25.0)
    assert base.rose[1] == 2.0 and sum(base.rose) == 2.0
    # Kish: weights 1, 1, 0 -> n_eff = 4 / 2 = 2.
    assert base.n_effective == pytest.approx(2.0)
    same = circular.summarize([10, 20, 30], weights=[0.5, 0.5, 0.5])
    plain = circular.summarize([10, 20, 30])
    assert same.resultant_length == pytest.approx(plain.resultant_length)
    assert same.rayleigh_p == pytest.approx(plain.rayleigh_p)
    nothing = circular.summarize([10, 20], weights=[0, 0])
    assert nothing.n == 2 and nothing.mean_deg is None and nothing.rayleigh_p is None


def test_normalize_angle() -> None:
    assert normalize_angle(-90) == 270.0
    assert normalize_angle(720) == 0.0
    assert normalize_angle(359.5) == 359.5
    tiny = normalize_angle(-1e-20)
    assert 0.0 <= tiny < 360.0
    with pytest.raises(ValueError):
        normalize_angle(float("nan"))


@pytest.mark.parametrize(
    ("angles", "kwargs"),
    [
        ([1.0, float("nan")], {}),
        ([[1.0, 2.0]], {}),
        ([1.0, 2.0], {"weights": [1.0]}),
        ([1.0, 2.0], {"weights": [1.0, -1.0]}),
        ([1.0], {"bins": 0}),
    ],
)
def test_invalid_input_raises(angles: list, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        circular.summarize(angles, **kwargs)


def test_accumulator_guards() -> None:
    acc = CircularAccumulator()
    with pytest.raises(ValueError):
        acc.remove(10.0)
    with pytest.raises(ValueError):
        acc.add(10.0, weight=-1)
    with pytest.raises(ValueError):
        acc.summary(bins=8)
    assert acc.summary(bins=16).n == 0
    acc.add(10.0)
    acc.add(30.0, 0.5)
    acc.remove(10.0)
    acc.remove(30.0, 0.5)
    s = acc.summary()
    assert s.n == 0 and s.resultant_length == 0.0 and s.rose == (0.0,) * 16


def test_results_are_plain_values() -> None:
    acc = CircularAccumulator()
    acc.add(10.0, 0.5)
    for result in (circular.summarize(np.array([10.0, 20.0])), acc.summary()):
        for field in dataclasses.fields(result):
            assert_plain(getattr(result, field.name))


# --------------------------------------------------------------------------- properties


@PROPS
@given(st.lists(st.tuples(angle, weight), max_size=40), st.data())
def test_accumulator_matches_batch(pairs: list[tuple[float, float]], data: st.DataObject) -> None:
    acc = CircularAccumulator(bins=12)
    for a, w in pairs:
        acc.add(a, w)
    keep = data.draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    for (a, w), k in zip(pairs, keep, strict=True):
        if not k:
            acc.remove(a, w)
    rest = [p for p, k in zip(pairs, keep, strict=True) if k]
    batch = circular.summarize([a for a, _ in rest], [w for _, w in rest], bins=12)
    inc = acc.summary()
    assert inc.n == batch.n
    assert inc.rose == pytest.approx(batch.rose, abs=1e-9)
    assert inc.resultant_length == pytest.approx(batch.resultant_length, abs=1e-9)
    if batch.resultant_length > 1e-6:
        assert inc.mean_deg is not None and batch.mean_deg is not None
        diff = (inc.mean_deg - batch.mean_deg + 180) % 360 - 180
        assert abs(diff) < 1e-5
        assert inc.rayleigh_p == pytest.approx(batch.rayleigh_p, abs=1e-9)


@PROPS
@given(st.lists(angle, min_size=1, max_size=40), angle)
def test_rotation_equivariance(angles: list[float], shift: float) -> None:
    a = circular.summarize(angles)
    b = circular.summarize([x + shift for x in angles])
    assert b.resultant_length == pytest.approx(a.resultant_length, abs=1e-9)
    assert 0.0 <= a.rayleigh_p <= 1.0 and 0.0 <= a.resultant_length <= 1.0
    if a.resultant_length > 1e-6:
        diff = (b.mean_deg - (a.mean_deg + shift) + 180) % 360 - 180
        assert abs(diff) < 1e-5
        assert 0.0 <= a.mean_deg < 360.0
