"""Tests for crowd.models.budget: shares of a points budget, consensus, accumulator."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.models import budget
from crowd.models.budget import BudgetAccumulator
from tests.models.plain import assert_plain

PROPS = settings(max_examples=200, deadline=None, database=None)


def test_hand_computed_summary() -> None:
    # Budget 10, two options; shares of option 0: 1.0, 0.5, 0.0, 0.6.
    s = budget.summarize([[10, 0], [5, 5], [0, 10], [6, 4]], 10)
    assert s.n == 4 and s.n_options == 2 and s.budget == 10.0
    assert s.total_points == (21.0, 19.0)
    assert s.mean_shares == pytest.approx((0.525, 0.475))
    assert s.median_shares == pytest.approx((0.55, 0.45))
    # Population variance of 1, .5, 0, .6 around .525: (.225625 + .000625 + .275625
    # + .005625) / 4 = .1268750.
    std = math.sqrt(0.126875)
    assert s.std_shares == pytest.approx((std, std))
    # Normalised by the largest spread a mean of .525 allows, sqrt(.525 x .475) = .499375.
    assert s.consensus == pytest.approx((1 - std / math.sqrt(0.525 * 0.475),) * 2)
    assert s.mean_unallocated == pytest.approx(0.0)
    assert s.ranking == (0, 1)


def test_consensus_is_normalised_by_the_spread_the_mean_allows() -> None:
    # One participant in twenty gives option 0 the whole budget, the others nothing: mean
    # share 0.05, std sqrt(.05 x .95) = 0.2179, the most divided a 5 % option can be. The
    # old 1 - 2 std said 0.564 ("rather agreed"); normalised it is 0.
    rows = [[10, 0]] + [[0, 10]] * 19
    s = budget.summarize(rows, 10)
    assert s.std_shares[0] == pytest.approx(math.sqrt(0.05 * 0.95))
    assert s.consensus[0] == pytest.approx(0.0, abs=1e-12)
    # Everybody gives it 5 %: the same mean, full consensus.
    assert budget.summarize([[0.5, 9.5]] * 20, 10).consensus == pytest.approx((1.0, 1.0))
    # Half the room 10 %, half 0 %: std .05 of a possible sqrt(.05 x .95) -> 1 - .2294.
    half = budget.summarize([[1, 0]] * 10 + [[0, 0]] * 10, 10)
    assert half.consensus[0] == pytest.approx(1 - 0.05 / math.sqrt(0.0475))


def test_consensus_extremes_and_unallocated() -> None:
    split = budget.summarize([[10, 0], [0, 10]], 10)
    assert split.consensus == pytest.approx((0.0, 0.0))
    same = budget.summarize([[3, 7]] * 5, 10)
    assert same.consensus == pytest.approx((1.0, 1.0))
    spare = budget.summarize([[3, 3], [2, 2]], 10)
    assert spare.mean_unallocated == pytest.approx(0.5)
    assert budget.summarize([[0.1, 0.2, 0.7]], 1).n == 1  # float sums within tolerance


def test_empty_input() -> None:
    s = budget.summarize([], 100)
    assert s.n == 0 and s.n_options == 0 and s.mean_shares is None and s.ranking == ()
    s3 = budget.summarize([], 100, n_options=3)
    assert s3.n_options == 3 and s3.total_points == (0.0, 0.0, 0.0)
    acc = BudgetAccumulator(3, 100)
    assert acc.summary() == s3


@pytest.mark.parametrize(
    "allocations",
    [
        [[-1, 5]],
        [[6, 5]],
        [[1, float("nan")]],
        [[1, 2], [3]],
        [1, 2],
        [[[1, 2]]],
    ],
)
def test_invalid_allocations_raise(allocations: list) -> None:
    with pytest.raises(ValueError):
        budget.summarize(allocations, 10)


def test_invalid_arguments_raise() -> None:
    with pytest.raises(ValueError):
        budget.summarize([[1, 2]], 0)
    with pytest.raises(ValueError):
        budget.summarize([[1, 2]], 10, n_options=3)
    acc = BudgetAccumulator(2, 10)
    with pytest.raises(ValueError):
        acc.remove([1, 1])
    with pytest.raises(ValueError):
        acc.add([1, 1, 1])
    with pytest.raises(ValueError):
        acc.add([8, 8])
    acc.add([1, 1])
    with pytest.raises(ValueError):
        acc.remove([2, 1])  # never added


# --------------------------------------------------------------------------- accumulator

whole_points = st.lists(st.integers(0, 10), min_size=3, max_size=3).filter(lambda r: sum(r) <= 20)


def _check(inc: budget.BudgetSummary, batch: budget.BudgetSummary, median_tol: float) -> None:
    assert inc.n == batch.n and inc.n_options == batch.n_options
    if batch.n == 0:
        assert inc.mean_shares is None
        return
    assert inc.total_points == pytest.approx(batch.total_points, abs=1e-9)
    assert inc.mean_shares == pytest.approx(batch.mean_shares, abs=1e-12)
    assert inc.std_shares == pytest.approx(batch.std_shares, abs=1e-6)
    assert inc.consensus == pytest.approx(batch.consensus, abs=1e-6)
    assert inc.median_shares == pytest.approx(batch.median_shares, abs=median_tol)
    assert inc.mean_unallocated == pytest.approx(batch.mean_unallocated, abs=1e-12)


@PROPS
@given(st.lists(whole_points, max_size=30), st.data())
def test_accumulator_matches_batch_for_whole_points(
    rows: list[list[int]], data: st.DataObject
) -> None:
    acc = BudgetAccumulator(3, 20)
    for r in rows:
        acc.add(r)
    drop = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    for r, d in zip(rows, drop, strict=True):
        if d:
            acc.remove(r)
    rest = [r for r, d in zip(rows, drop, strict=True) if not d]
    _check(acc.summary(), budget.summarize(rest, 20, n_options=3), median_tol=1e-12)


@PROPS
@given(
    st.lists(
        st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=2).filter(
            lambda r: sum(r) <= 1.0
        ),
        max_size=30,
    )
)
def test_accumulator_matches_batch_within_a_bin(rows: list[list[float]]) -> None:
    acc = BudgetAccumulator(2, 1.0)  # fractional budget: 100 bins over [0, 1]
    for r in rows:
        acc.add(r)
    _check(acc.summary(), budget.summarize(rows, 1.0, n_options=2), median_tol=0.005 + 1e-12)


@PROPS
@given(st.lists(whole_points, min_size=1, max_size=30))
def test_summary_invariants(rows: list[list[int]]) -> None:
    s = budget.summarize(rows, 20)
    assert sum(s.mean_shares) + s.mean_unallocated == pytest.approx(1.0)
    assert all(0.0 <= c <= 1.0 for c in s.consensus)
    assert all(0.0 <= m <= 1.0 for m in s.median_shares)
    arr = np.array(rows, dtype=float) / 20
    assert s.std_shares == pytest.approx(tuple(arr.std(axis=0)), abs=1e-12)
    assert s.ranking == tuple(sorted(range(3), key=lambda i: (-s.mean_shares[i], i)))


def test_results_are_plain_values() -> None:
    acc = BudgetAccumulator(2, 10)
    acc.add([3, 4])
    for result in (budget.summarize(np.array([[3, 4], [1, 2]]), 10), acc.summary()):
        for field in dataclasses.fields(result):
            assert_plain(getattr(result, field.name))
