"""Tests for crowd.models.experiment: confidence effect and random arms, bootstrapped."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.models import experiment
from tests.models.plain import assert_plain


def test_log_improvement_worked_example() -> None:
    # Truth 100. 50 -> 80: |ln 0.5| - |ln 0.8| = 0.693147 - 0.223144 = 0.470004 (closer).
    # 200 -> 400: ln 2 - ln 4 = -0.693147 (further). 0 has no log: left out.
    gains = experiment.log_improvement([50, 200, 0], [80, 400, 10], 100)
    assert gains == pytest.approx([0.470004, -0.693147], abs=1e-6)


def test_confidence_effect_worked_example() -> None:
    # Lorenz et al. (2011): confidence rises, the crowd is not closer. Ratings 3,3,4,2 ->
    # 4,5,5,3: means 3 -> 4.25, each change 1, 2, 1, 1 (mean 1.25), so every resample's
    # mean is at least 1: the interval lies above 0. The median of the estimates is 100
    # before (80, 100, 100, 200) and after (80, 141, 100, 100): no closer to 120.
    c = experiment.confidence_effect([3, 3, 4, 2], [4, 5, 5, 3], [80, 100, 100, 200],
                                     [80, 141, 100, 100], 120)
    assert (c.n, c.before, c.after, c.change) == (4, 3.0, 4.25, 1.25)
    assert c.interval is not None and 1.0 <= c.interval.low <= c.interval.high <= 2.0
    assert c.crowd_closer is False and c.effect is True
    assert_plain(list(dataclasses.asdict(c).values())[:-3])  # interval: a dict of floats
    assert_plain(list(dataclasses.asdict(c)["interval"].values()))
    # The same ratings, but the crowd's median moved from 100 to 120: no effect to show.
    closer = experiment.confidence_effect([3, 3, 4, 2], [4, 5, 5, 3], [80, 100, 100, 200],
                                          [120, 120, 120, 200], 120)
    assert closer.crowd_closer is True and closer.effect is False
    # Without a truth nothing is claimed about accuracy.
    blind = experiment.confidence_effect([3, 4], [4, 5], [1, 2], [1, 2], None)
    assert blind.effect is None and blind.crowd_closer is None
    assert experiment.confidence_effect([], [], [], [], 1.0).n == 0


def test_arms_worked_example() -> None:
    # Truth 120. The informed arm: 80 -> 90, 200 -> 120, 50 -> 80; the control keeps its
    # estimates except 200 -> 210. Gains by hand: ln(120/80) - ln(120/90) = ln(9/8) =
    # 0.117783; ln(200/120) - 0 = 0.510826; ln(120/50) - ln(120/80) = ln(1.6) = 0.470004.
    results, diff = experiment.arm_results(
        {"median": ([80, 200, 50], [90, 120, 80]), "none": ([80, 200, 50], [80, 210, 50])},
        120)
    informed, control = results
    assert informed.name == "median" and informed.n == 3
    assert informed.improvement == pytest.approx((math.log(9 / 8) + math.log(200 / 120)
                                                  + math.log(1.6)) / 3)
    # the arm's median: 80 -> 90, |ln(80/120)| - |ln(90/120)| = ln(9/8)
    assert informed.crowd_improvement == pytest.approx(math.log(9 / 8))
    assert control.improvement == pytest.approx((math.log(200 / 120) - math.log(210 / 120)) / 3)
    assert control.crowd_improvement == pytest.approx(0.0)
    assert diff is not None and (diff.first, diff.second) == ("median", "none")
    assert diff.value == pytest.approx(informed.improvement - control.improvement)
    for interval, value in ((informed.interval, informed.improvement),
                            (diff.interval, diff.value)):
        assert interval is not None and interval.low <= value <= interval.high
    # Percentile bounds of a mean lie within the data's range.
    assert informed.interval is not None
    assert math.log(9 / 8) - 1e-12 <= informed.interval.low
    assert informed.interval.high <= math.log(200 / 120) + 1e-12


def test_bootstrap_is_reproducible_and_degenerate_cases_are_plain() -> None:
    data = [0.3, -0.1, 0.8, 0.2, 0.5, 0.0, 0.4]
    assert experiment.bootstrap_mean(data) == experiment.bootstrap_mean(list(data))
    assert experiment.bootstrap_mean([0.25, 0.25, 0.25]) == experiment.Interval(0.25, 0.25)
    assert experiment.bootstrap_mean([1.0]) is None
    assert experiment.bootstrap_difference([1.0, 2.0], [3.0]) is None


def test_bootstrap_interval_covers_the_true_mean() -> None:
    # 200 samples of 40 from N(0.1, 0.3): the percentile interval should hold 0.1 in about
    # 95 % of them (the percentile bootstrap is a little narrow at n = 40: 90-99 % allowed).
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(200):
        interval = experiment.bootstrap_mean(rng.normal(0.1, 0.3, 40).tolist())
        assert interval is not None
        hits += interval.low <= 0.1 <= interval.high
    assert 180 <= hits <= 198


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=2, max_size=30),
       st.lists(st.floats(-3, 3), min_size=2, max_size=30))
def test_difference_interval_holds_the_difference_of_means(a: list[float], b: list[float]
                                                            ) -> None:
    interval = experiment.bootstrap_difference(a, b)
    assert interval is not None
    value = float(np.mean(a) - np.mean(b))
    spread = (max(a) - min(a)) + (max(b) - min(b))
    assert interval.low <= interval.high
    assert interval.low - 1e-9 <= value + spread and value - spread <= interval.high + 1e-9
    assert min(a) - max(b) - 1e-9 <= interval.low and interval.high <= max(a) - min(b) + 1e-9
