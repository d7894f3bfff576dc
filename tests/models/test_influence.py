"""Tests for crowd.models.influence: sensitivity to social influence, paired errors."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.models import influence
from tests.models.plain import assert_plain


def test_sensitivity_worked_examples() -> None:
    # Jayles et al. (2017): S = (ln X2 - ln X1) / (ln M - ln X1), M the information shown.
    # Shown 100. 50 -> 50: S = 0 (keep). 50 -> 100: S = 1 (adopt). 50 -> sqrt(5000) = 70.71:
    # half-way in log, S = 0.5. 200 -> 50: (ln 50 - ln 200) / (ln 100 - ln 200) = -ln 4 /
    # -ln 2 = 2 (overshoot). 200 -> 400: ln 2 / -ln 2 = -1 (away). 100 -> 120: the first
    # estimate already is the information, S undefined.
    before = [50, 50, 50, 200, 200, 100]
    after = [50, 100, math.sqrt(5000), 50, 400, 120]
    s = influence.sensitivity(before, after, 100)
    assert s[:5] == pytest.approx([0.0, 1.0, 0.5, 2.0, -1.0]) and s[5] is None
    p = influence.paired_influence(before, after, 100)
    assert p.n == 6 and p.n_sensitivity == 5
    assert (p.keep, p.adopt, p.compromise, p.overshoot, p.away) == (0.2, 0.2, 0.2, 0.2, 0.2)
    assert p.s_median == pytest.approx(0.5)
    assert sum(p.s_counts) == 5 and p.s_counts[0] == 1 and p.s_counts[-1] == 1  # clipped ends
    assert p.s_counts[5] == 1 and p.s_counts[15] == 1  # S = 0 and S = 1 bins
    assert_plain(list(dataclasses.asdict(p).values()))  # no truth: no nested errors


def test_diversity_theorem_worked_example() -> None:
    # Two people off by a factor 2 either side of 1,000: each squared log error (ln 2)^2 =
    # 0.480453, the diversity var(ln X) the same, and the crowd's geometric mean is exact.
    d = influence.diversity_theorem([500, 2000], 1000)
    assert d is not None
    assert d.average_error == pytest.approx(math.log(2) ** 2)
    assert d.diversity == pytest.approx(math.log(2) ** 2)
    assert d.collective_error == pytest.approx(0.0, abs=1e-15)
    assert influence.diversity_theorem([-1, 0], 10) is None
    assert influence.diversity_theorem([1, 2], 0) is None


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.tuples(st.floats(1e-3, 1e6), st.floats(1e-3, 1e6)), min_size=1,
                max_size=40),
       st.floats(1e-2, 1e5), st.floats(1e-2, 1e5))
def test_paired_errors_obey_the_theorem_in_both_rounds(
    pairs: list[tuple[float, float]], shown: float, truth: float
) -> None:
    before = [a for a, _ in pairs]
    after = [b for _, b in pairs]
    p = influence.paired_influence(before, after, shown, truth)
    for d, xs in ((p.before, before), (p.after, after)):
        assert d is not None
        assert d.collective_error == pytest.approx(d.average_error - d.diversity, abs=1e-9)
        logs = np.log(xs)
        assert d.collective_error == pytest.approx((logs.mean() - math.log(truth)) ** 2,
                                                   rel=1e-9, abs=1e-12)
    shares = [x for x in (p.keep, p.adopt, p.compromise, p.overshoot, p.away) if x is not None]
    assert not shares or sum(shares) == pytest.approx(1.0)


def test_closer_share_and_guards() -> None:
    # Truth 1000: 500 -> 800 closer, 2000 -> 1500 closer, 900 -> 2000 further.
    p = influence.paired_influence([500, 2000, 900], [800, 1500, 2000], 1000, truth=1000)
    assert p.closer == pytest.approx(2 / 3)
    assert p.before is not None and p.after is not None
    empty = influence.paired_influence([], [], 10)
    assert empty.n == 0 and empty.keep is None and empty.s_median is None
    with pytest.raises(ValueError):
        influence.paired_influence([1, 2], [1], 10)
    with pytest.raises(ValueError):
        influence.sensitivity([1], [1], 0)


def test_each_person_with_their_own_information() -> None:
    """Arms that show other people: each person's M is what they were shown. By hand:
    100 shown 400 answers 200 (S = ln 2 / ln 4 = 0.5); 300 shown 100 answers 100 (S = 1,
    adopted); 50 shown 200 keeps 50 (S = 0). With the room's median 150 for all three the
    same answers would give other values."""
    before, after, shown = [100, 300, 50], [200, 100, 50], [400, 100, 200]
    s = influence.sensitivity(before, after, shown)
    assert s == pytest.approx([0.5, 1.0, 0.0])
    paired = influence.paired_influence(before, after, 150, shown_each=shown)
    assert (paired.shown, paired.n_sensitivity) == (150.0, 3)
    assert (paired.keep, paired.adopt, paired.compromise) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert paired.s_median == pytest.approx(0.5)
    assert influence.paired_influence(before, after, 150).s_median != pytest.approx(0.5)
    with pytest.raises(ValueError):
        influence.sensitivity(before, after, [400, 100])
    with pytest.raises(ValueError):
        influence.sensitivity(before, after, [400, 0, 200])
