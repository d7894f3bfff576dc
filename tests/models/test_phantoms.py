"""Tests for crowd.models.phantoms: Freeman et al.'s independent markets mechanism."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.models import phantoms
from crowd.models.budget import BudgetAccumulator


def test_single_minded_voters_get_proportional_shares() -> None:
    # Two want all for A, one all for B. n = 3, phantoms 3t, 2t, t, 0. A's votes {0, 1, 1}
    # with the phantoms: 0, 0, t, 2t, 3t, 1, 1, the 4th is 2t; B's {0, 0, 1}: 0, 0, 0, t,
    # 2t, 3t, 1, the 4th is t. 2t + t = 1: t = 1/3, shares 2/3 and 1/3 (Freeman et al.
    # 2021: independent markets is proportional).
    out = phantoms.independent_markets([[1, 0], [1, 0], [0, 1]])
    assert out is not None
    assert out.shares == pytest.approx((2 / 3, 1 / 3)) and out.t == pytest.approx(1 / 3)


def test_a_worked_example_where_the_mean_differs() -> None:
    # (1, 0, 0) and (0, 0.5, 0.5): phantoms 2t, t, 0. Each option's median of five values
    # is t for t <= 1/2 (A: 0, 0, t, 2t, 1; B and C: 0, 0, t, 0.5 or 2t ...). 3t = 1: a
    # third each, where the mean gives (0.5, 0.25, 0.25).
    out = phantoms.independent_markets([[1, 0, 0], [0, 0.5, 0.5]])
    assert out is not None and out.shares == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    one = phantoms.independent_markets([[0.6, 0.4]])
    assert one is not None and one.shares == pytest.approx((0.6, 0.4))  # a voter alone
    assert phantoms.independent_markets(np.zeros((0, 3))) is None


def test_the_accumulator_counts_unspent_points_as_an_option() -> None:
    # Budget 100: (100, 0, 0) twice, (0, 100, 0), (0, 50, 0) keeping 50. With "unspent" as a
    # fourth option and n = 4 (phantoms 4t, 3t, 2t, t, 0): A and B's 5th smallest of nine
    # is 2t, C's 0, unspent's (votes 0, 0, 0, 0.5) is t: 5t = 1, t = 0.2.
    acc = BudgetAccumulator(3, 100)
    for row in ([100, 0, 0], [100, 0, 0], [0, 100, 0], [0, 50, 0]):
        acc.add(row)
    found = acc.truthful_shares()
    assert found is not None
    shares, unspent = found
    assert shares == pytest.approx((0.4, 0.4, 0.0)) and unspent == pytest.approx(0.2)
    acc.remove([0, 50, 0])
    acc.add([0, 100, 0])  # now single-minded: 2/4 for A, 2/4 for B
    found = acc.truthful_shares()
    assert found is not None and found[0] == pytest.approx((0.5, 0.5, 0.0))
    assert BudgetAccumulator(3, 100).truthful_shares() is None


divisions = st.integers(1, 6).flatmap(lambda n: st.lists(
    st.lists(st.integers(0, 10), min_size=3, max_size=3).filter(lambda r: sum(r) > 0),
    min_size=n, max_size=n))


def _complete(rows: list[list[int]]) -> np.ndarray:
    arr = np.asarray(rows, dtype=float)
    return arr / arr.sum(axis=1, keepdims=True)


@settings(max_examples=80, deadline=None)
@given(divisions)
def test_the_shares_sum_to_one_and_stay_within_the_votes(rows: list[list[int]]) -> None:
    arr = _complete(rows)
    out = phantoms.independent_markets(arr)
    assert out is not None
    assert sum(out.shares) == pytest.approx(1.0, abs=1e-9)
    for j, share in enumerate(out.shares):  # a median of votes and phantoms in [0, 1]
        assert -1e-12 <= share <= max(1.0, arr[:, j].max()) + 1e-12


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=12))
def test_proportional_on_single_minded_voters(choices: list[int]) -> None:
    rows = np.eye(4)[choices]
    out = phantoms.independent_markets(rows)
    assert out is not None
    expected = np.bincount(choices, minlength=4) / len(choices)
    assert out.shares == pytest.approx(tuple(expected), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(divisions, st.lists(st.lists(st.integers(0, 10), min_size=3, max_size=3)
                           .filter(lambda r: sum(r) > 0), min_size=1, max_size=5))
def test_no_one_gains_by_misreporting(rows: list[list[int]], lies: list[list[int]]) -> None:
    # Freeman et al. (2021): moving phantom mechanisms are truthful for l1 preferences: a
    # voter's reported division never brings the outcome closer (in l1) to their own than
    # the truth does. Unlike the mean: (0.5, 0.5) facing (1, 0) gets closer by saying (0, 1).
    arr = _complete(rows)
    mine = arr[0].copy()
    honest = phantoms.independent_markets(arr)
    assert honest is not None
    base = np.abs(np.asarray(honest.shares) - mine).sum()
    for lie in _complete(lies):
        arr[0] = lie
        out = phantoms.independent_markets(arr)
        assert out is not None
        assert np.abs(np.asarray(out.shares) - mine).sum() >= base - 1e-9


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), min_size=3, max_size=3)
                .filter(lambda r: sum(r) <= 100), min_size=1, max_size=15))
def test_live_histograms_equal_the_batch_on_whole_points(rows: list[list[int]]) -> None:
    acc = BudgetAccumulator(3, 100)
    for row in rows:
        acc.add(row)
    complete = [[x / 100 for x in r] + [1 - sum(r) / 100] for r in rows]
    batch = phantoms.independent_markets(complete)
    live = acc.truthful_shares()
    assert batch is not None and live is not None
    assert live[0] == pytest.approx(batch.shares[:3], abs=1e-9)
    assert live[1] == pytest.approx(batch.shares[3], abs=1e-9)
