"""Tests for crowd.models.ratios: relative values from pairwise ratio judgments.

Worked examples from Saaty's own publications (with the consistency figures he printed),
an incomplete comparison graph against a least-squares solution computed here with
numpy.linalg.lstsq, and the properties a value scale must have whatever the data."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.models import ratios
from tests.models.plain import assert_plain

PROPS = settings(max_examples=150, deadline=None, database=None)

# Saaty's "wealth of nations" (Saaty 1980, The Analytic Hierarchy Process, ch. 2; from
# Saaty & Khouja 1976): US, USSR, China, France, UK, Japan, West Germany. Published:
# λmax = 7.61, C.R. = 0.08, eigenvector .427 .230 .021 .052 .052 .123 .094.
WEALTH = np.array([
    [1, 4, 9, 6, 6, 5, 5],
    [1 / 4, 1, 7, 5, 5, 3, 4],
    [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
    [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1],
])
# Saaty's light-intensity experiment (Saaty 1977, J. Math. Psychology 15: 234-281): four
# chairs at increasing distances from a light. Published: λmax = 4.39, C.R. = 0.14.
CHAIRS = np.array([
    [1, 5, 6, 7],
    [1 / 5, 1, 4, 6],
    [1 / 6, 1 / 4, 1, 4],
    [1 / 7, 1 / 6, 1 / 4, 1],
])


def upper(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    i, j = np.triu_indices(len(matrix), 1)
    return i, j, np.log(matrix[i, j])


@pytest.mark.parametrize(("matrix", "lam", "cr"), [(WEALTH, 7.61, 0.08), (CHAIRS, 4.39, 0.14)])
def test_saaty_published_consistency(matrix: np.ndarray, lam: float, cr: float) -> None:
    assert round(ratios.principal_eigenvalue(matrix), 2) == lam
    assert round(ratios.consistency_ratio(matrix), 2) == cr
    # the same figure comes out of a fit on the complete set of pairs
    f = ratios.fit(len(matrix), *upper(matrix))
    assert f.consistency_ratio == pytest.approx(ratios.consistency_ratio(matrix))


def test_complete_matrix_gives_the_row_geometric_means() -> None:
    """Crawford & Williams (1985): on a complete matrix, log least squares = row
    geometric means. Computed here by hand, relative to the reference (item 2)."""
    n = len(WEALTH)
    rows = np.array([math.prod(row) ** (1 / n) for row in WEALTH])
    f = ratios.fit(n, *upper(WEALTH), reference=2)
    assert np.exp(f.log_weights) == pytest.approx(rows / rows[2])
    assert ratios.row_geometric_means(WEALTH) == pytest.approx(rows / rows.sum())
    # US worth about 20 times China: the reading on the projector
    assert math.exp(f.log_weights[0]) == pytest.approx(rows[0] / rows[2])
    assert 0 < f.inconsistency < 0.1 and f.contradiction is not None


def test_incomplete_graph_against_lstsq() -> None:
    """Six items, seven of fifteen pairs compared (a cycle and a tail): the weights are
    the least-squares solution of the incidence system, solved here independently."""
    pairs = [(0, 1, 2.0), (1, 2, 3.0), (2, 0, 0.25), (2, 3, 1.5), (3, 4, 0.5), (4, 5, 4.0),
             (1, 4, 1.2)]
    k, ref = 6, 3
    i = np.array([p[0] for p in pairs])
    j = np.array([p[1] for p in pairs])
    y = np.log([p[2] for p in pairs])
    design = np.zeros((len(pairs), k))
    design[np.arange(len(pairs)), i] = 1.0
    design[np.arange(len(pairs)), j] = -1.0
    keep = [c for c in range(k) if c != ref]  # v_ref = 0
    solution, *_ = np.linalg.lstsq(design[:, keep], y, rcond=None)
    expected = np.zeros(k)
    expected[keep] = solution
    f = ratios.fit(k, i, j, y, reference=ref)
    assert f.log_weights == pytest.approx(list(expected))
    residual = y - design @ expected
    assert f.residuals == pytest.approx(list(residual))
    assert f.inconsistency == pytest.approx(residual @ residual / (y @ y))
    assert f.contradiction == int(np.argmax(np.abs(residual)))
    assert f.consistency_ratio is None  # not complete: no Saaty ratio
    assert_plain(list(dataclasses.astuple(f)))


def test_a_triangle_cycle_by_hand() -> None:
    """A says 2×B, B says 3×C, but A only 2×C: the cycle's excess ln 3 is spread equally
    over its three sides (each fitted side is off by ln(3)/3)."""
    y = np.log([2.0, 3.0, 2.0])
    f = ratios.fit(3, [0, 1, 0], [1, 2, 2], y)
    third = math.log(3.0) / 3
    assert f.residuals == pytest.approx([third, third, -third])  # said minus fitted
    assert f.inconsistency == pytest.approx(3 * third ** 2 / float(y @ y))
    assert math.exp(f.log_weights[1]) == pytest.approx(math.exp(-math.log(2.0) + third))


def test_disconnected_items_have_no_weight() -> None:
    f = ratios.fit(5, [0, 3], [1, 4], np.log([2.0, 5.0]), reference=1)
    assert f.log_weights[0] == pytest.approx(math.log(2.0)) and f.log_weights[1] == 0.0
    assert f.log_weights[2:] == [None, None, None]
    assert f.linked == [True, True, False, False, False]
    assert f.inconsistency == 0.0 and f.contradiction is None


def test_no_judgment_at_all() -> None:
    f = ratios.fit(3, [], [], [], reference=0)
    assert f.log_weights == [0.0, None, None] and f.inconsistency is None


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        ratios.fit(3, [0, 0], [1, 1], [0.1, 0.2])  # a pair twice
    with pytest.raises(ValueError):
        ratios.fit(3, [0], [0], [0.1])
    with pytest.raises(ValueError):
        ratios.fit(3, [0], [5], [0.1])
    with pytest.raises(ValueError):
        ratios.fit(3, [0], [1], [math.nan])


def test_geometric_mean_keeps_reciprocity_and_unanimity() -> None:
    said = [2.0, 8.0, 0.5, 3.0]
    assert ratios.geometric_mean_judgment(said) == pytest.approx(
        1 / ratios.geometric_mean_judgment([1 / r for r in said]))
    assert ratios.geometric_mean_judgment([4.0] * 5) == pytest.approx(4.0)


@st.composite
def judged_graphs(draw: st.DrawFn) -> tuple[int, list[int], list[int], np.ndarray]:
    k = draw(st.integers(2, 7))
    all_pairs = [(a, b) for a in range(k) for b in range(a + 1, k)]
    chosen = draw(st.lists(st.sampled_from(all_pairs), min_size=1, unique=True))
    logs = np.array(draw(st.lists(st.floats(-4, 4), min_size=k, max_size=k)))
    return k, [a for a, _ in chosen], [b for _, b in chosen], logs


@PROPS
@given(judged_graphs())
def test_a_consistent_crowd_has_zero_inconsistency(case: tuple) -> None:
    k, i, j, logs = case
    y = logs[i] - logs[j]
    f = ratios.fit(k, i, j, y, reference=0)
    assert f.inconsistency == pytest.approx(0.0, abs=1e-9)
    assert f.contradiction is None
    for item, v in enumerate(f.log_weights):
        if v is not None:
            assert v == pytest.approx(logs[item] - logs[0], abs=1e-7)


@PROPS
@given(judged_graphs(), st.randoms(use_true_random=False), st.data())
def test_permuting_items_permutes_weights(case: tuple, rnd, data: st.DataObject) -> None:
    k, i, j, _ = case
    y = np.array(data.draw(st.lists(st.floats(-3, 3), min_size=len(i), max_size=len(i))))
    perm = list(range(k))
    rnd.shuffle(perm)  # item a becomes perm[a]
    ref = data.draw(st.integers(0, k - 1))
    f = ratios.fit(k, i, j, y, reference=ref)
    g = ratios.fit(k, [perm[a] for a in i], [perm[b] for b in j], y, reference=perm[ref])
    for a in range(k):
        if f.log_weights[a] is None:
            assert g.log_weights[perm[a]] is None
        else:
            assert g.log_weights[perm[a]] == pytest.approx(f.log_weights[a], abs=1e-7)
    if f.inconsistency is not None:
        assert g.inconsistency == pytest.approx(f.inconsistency, abs=1e-9)


def _people(judgments: list[list[tuple[int, int, float]]], k: int
            ) -> tuple[np.ndarray, ...]:
    first, second = np.triu_indices(k, 1)
    index = {(int(a), int(b)): p for p, (a, b) in enumerate(zip(first, second, strict=True))}
    owners, pairs, logs = [], [], []
    for person, said in enumerate(judgments):
        for a, b, r in said:
            owners.append(person)
            pairs.append(index[(a, b)])
            logs.append(math.log(r))
    return first, second, np.array(owners), np.array(pairs), np.array(logs)


def test_bootstrap_is_seeded_and_collapses_when_unanimous() -> None:
    same = [[(0, 1, 2.0), (1, 2, 3.0)]] * 12
    first, second, owners, pairs, logs = _people(same, 3)
    low, high = ratios.bootstrap(3, first, second, owners, pairs, logs, 12, 0, seed=7)
    assert low == pytest.approx([1.0, 0.5, 1 / 6]) and high == pytest.approx(low)


def test_bootstrap_brackets_the_weights_and_repeats_with_its_seed() -> None:
    rng = np.random.default_rng(3)
    truth = np.log([1.0, 4.0, 0.5, 10.0])
    said = []
    for _ in range(40):
        person = []
        for a, b in [(0, 1), (1, 2), (0, 3), (2, 3)]:
            person.append((a, b, float(np.exp(truth[a] - truth[b] + rng.normal(0, 0.4)))))
        said.append(person)
    first, second, owners, pairs, logs = _people(said, 4)
    once = ratios.bootstrap(4, first, second, owners, pairs, logs, 40, 0, seed=11)
    again = ratios.bootstrap(4, first, second, owners, pairs, logs, 40, 0, seed=11)
    assert once == again
    sums = np.bincount(pairs, logs, minlength=6)
    counts = np.bincount(pairs, minlength=6)
    on = counts > 0
    f = ratios.fit(4, first[on], second[on], sums[on] / counts[on], 0)
    low, high = once
    for item in range(1, 4):
        assert low[item] < math.exp(f.log_weights[item]) < high[item]
    assert low[0] == high[0] == 1.0  # the reference is the unit


def test_bootstrap_leaves_unlinked_items_without_bounds() -> None:
    first, second, owners, pairs, logs = _people([[(0, 1, 2.0)], [(0, 1, 3.0)]], 3)
    low, high = ratios.bootstrap(3, first, second, owners, pairs, logs, 2, 0, seed=1)
    assert low[2] is None and high[2] is None and low[1] is not None
