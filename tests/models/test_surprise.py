"""The surprisingly popular answer (Prelec, Seung & McCoy 2017) on worked examples that
can be checked by hand, against scipy's own one-sample t-test."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy import stats

from crowd.models.surprise import SurpriseAccumulator, surprisingly_popular


def crowd(groups: list[tuple[int, int, list[float]]]) -> tuple[list[int], list[list[float]]]:
    """(how many people, their choice, their predicted shares) -> the two lists."""
    choices, predictions = [], []
    for count, choice, predicted in groups:
        choices += [choice] * count
        predictions += [list(predicted)] * count
    return choices, predictions


def test_the_minority_answer_the_room_did_not_expect_is_named() -> None:
    # "Philadelphie est-elle la capitale de la Pennsylvanie ?" 12 say yes (option 0) and
    # expect 90 % yes; 8 say no (option 1) and expect 70 % yes. By hand: predicted share
    # of "no" = (12 x 0.1 + 8 x 0.3) / 20 = 0.18, actual 8 / 20 = 0.40, excess 0.22.
    # d = -0.1 (x12), +0.7 (x8): sum d^2 = 4.04, s^2 = (4.04 - 20 x 0.22^2) / 19
    # = 0.16168, t = 0.22 / sqrt(s^2 / 20) = 2.447 with 19 df: p = 0.0122 one-sided,
    # 0.0244 after Bonferroni over 2 options: below 0.05.
    choices, predictions = crowd([(12, 0, [0.9, 0.1]), (8, 1, [0.7, 0.3])])
    v = surprisingly_popular(choices, predictions, 2)
    assert v.n == 20
    assert v.actual == pytest.approx([0.6, 0.4])
    assert v.predicted == pytest.approx([0.82, 0.18])
    assert v.excess == pytest.approx([-0.22, 0.22])
    assert v.candidate == 1 and v.answer == 1 and v.reason == "supported"
    d = np.array([(c == 1) - p[1] for c, p in zip(choices, predictions, strict=True)])
    reference = stats.ttest_1samp(d, 0.0, alternative="greater")
    assert reference.statistic == pytest.approx(2.447, abs=1e-3)
    assert v.p == pytest.approx(2 * reference.pvalue)
    assert v.p == pytest.approx(0.0244, abs=1e-3)


def test_a_small_excess_in_a_small_room_is_not_an_answer() -> None:
    # 6 choose option 0 predicting [0.8, 0.2], 4 choose option 1 predicting [0.6, 0.4]:
    # excess of option 1 = 0.4 - 0.28 = 0.12, t = 0.919 with 9 df, p = 0.19 -> 0.38.
    choices, predictions = crowd([(6, 0, [0.8, 0.2]), (4, 1, [0.6, 0.4])])
    v = surprisingly_popular(choices, predictions, 2)
    assert v.excess == pytest.approx([-0.12, 0.12])
    assert v.candidate == 1 and v.answer is None and v.reason == "not_significant"
    assert v.p == pytest.approx(0.38, abs=0.01)


def test_below_the_minimum_the_verdict_waits_even_for_a_clear_excess() -> None:
    choices, predictions = crowd([(5, 0, [0.9, 0.1]), (4, 1, [0.9, 0.1])])
    v = surprisingly_popular(choices, predictions, 2)
    assert v.n == 9 and v.candidate == 1 and v.answer is None and v.reason == "too_few"
    # one more "1" (n = 10): excess 0.4, t = 0.4 / sqrt(0.2778 / 10) = 2.4, 9 df,
    # p = 0.02 one-sided, 0.04 after Bonferroni: now an answer
    more = surprisingly_popular(*crowd([(5, 0, [0.9, 0.1]), (5, 1, [0.9, 0.1])]), 2)
    assert more.answer == 1 and more.p == pytest.approx(0.04, abs=0.005)


def test_a_room_that_predicts_itself_exactly_has_no_surprise() -> None:
    # everyone predicts the actual shares: every excess is 0
    choices, predictions = crowd([(10, 0, [0.5, 0.3, 0.2]), (6, 1, [0.5, 0.3, 0.2]),
                                  (4, 2, [0.5, 0.3, 0.2])])
    v = surprisingly_popular(choices, predictions, 3)
    assert v.excess == pytest.approx([0.0, 0.0, 0.0])
    assert v.answer is None and v.candidate is None and v.reason == "none_above"


def test_removing_a_person_restores_the_sums_and_order_does_not_matter() -> None:
    rng = random.Random(3)
    people = []
    for _ in range(40):
        raw = [rng.randint(0, 10) for _ in range(4)]
        total = sum(raw) or 1
        people.append((rng.randrange(4), [x / total for x in raw]))
    acc = SurpriseAccumulator(4)
    for choice, predicted in people:
        acc.update(choice, predicted)
    extra = (2, [0.25, 0.25, 0.25, 0.25])
    acc.update(*extra)
    acc.update(*extra, sign=-1)
    shuffled = people[:]
    rng.shuffle(shuffled)
    direct = surprisingly_popular([c for c, _ in shuffled], [p for _, p in shuffled], 4)
    live = acc.verdict()
    assert live.n == direct.n == 40
    assert live.excess == pytest.approx(direct.excess)
    assert live.candidate == direct.candidate
    assert (live.p is None and direct.p is None) or live.p == pytest.approx(direct.p)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        surprisingly_popular([0, 1], [[0.5, 0.5]], 2)
    with pytest.raises(ValueError):
        surprisingly_popular([2], [[0.5, 0.5]], 2)
    empty = surprisingly_popular([], [], 3)
    assert empty.n == 0 and empty.answer is None and empty.reason == "too_few"
