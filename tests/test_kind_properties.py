"""Every kind turns any accepted set of answers into a snapshot, a chart and a frame.

One phone's answer once froze every projector: five estimates of 7 and one of
7.000000000000001 made numpy refuse to bin them. Whatever phones send that a kind
accepts — equal values, values a few ulps apart, the bounds, 0, 1e-9, 1e15 — its
snapshot, chart columns and Bokeh figure must build and the frame must encode.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crowd.activities import activity_type, known_kinds
from crowd.core.errors import BadValue
from crowd.core.protocol import Encoding, encode
from crowd.core.types import Kind
from crowd.views import charts

OPTIONS = ["a", "b", "c"]
SPECS: dict[str, dict[str, Any]] = {
    Kind.CHOICE: {"options": OPTIONS},
    Kind.APPROVAL: {"options": OPTIONS},
    Kind.RANKING: {"options": OPTIONS},
    Kind.GRADES: {"options": OPTIONS},
    Kind.ESTIMATE: {},
    Kind.WORDS: {},
    Kind.TEMPERATURE: {},
    Kind.WEIGHTING: {"options": OPTIONS},
    Kind.ORIENTATION: {},
    Kind.CALL: {"quota": 2},
    "opinion": {"statements": ["Mutualiser le four", "Un seul site", "Vendre en ligne"]},
    "value_scale": {"items": OPTIONS, "reference": 1},  # type: ignore[dict-item]
    "board": {"mode": "ideas", "categories": OPTIONS},  # answered by post/upvote: test_board
}

#: Numbers where floating point hurts: bounds, zero, tiny and huge, and neighbours.
EDGY = [0.0, 1e-9, -1e-9, 1e15, -1e15, 7.0, math.nextafter(7.0, 8.0), 1.0, -1.0,
        math.nextafter(1.0, 0.0), math.nextafter(-1.0, 0.0), 0.5, 1355.0, 1e-300]


def edgy_numbers(lo: float, hi: float) -> st.SearchStrategy[float]:
    inside = [x for x in EDGY if lo <= x <= hi]
    return st.one_of(st.sampled_from(inside),
                     st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def value_strategy(kind: Kind) -> st.SearchStrategy[Any]:
    index = st.integers(0, len(OPTIONS) - 1)
    shuffled = st.permutations(range(len(OPTIONS)))
    strategies: dict[Kind, Callable[[], st.SearchStrategy[Any]]] = {
        Kind.CHOICE: lambda: index,
        Kind.APPROVAL: lambda: st.lists(index, min_size=0, max_size=3, unique=True),
        Kind.RANKING: lambda: shuffled.flatmap(
            lambda p: st.integers(1, len(p)).map(lambda k: list(p)[:k])),
        Kind.GRADES: lambda: st.lists(st.integers(0, 6), min_size=3, max_size=3),
        Kind.ESTIMATE: lambda: edgy_numbers(-1e15, 1e15),
        Kind.WORDS: lambda: st.lists(st.sampled_from(["pain", "Pain!", "bois", "é", "x"]),
                                     min_size=1, max_size=3),
        Kind.TEMPERATURE: lambda: edgy_numbers(-1.0, 1.0),
        Kind.WEIGHTING: lambda: st.lists(edgy_numbers(0.0, 33.0), min_size=3, max_size=3),
        Kind.ORIENTATION: lambda: st.fixed_dictionaries(
            {"angle": edgy_numbers(-1e15, 1e15), "strength": edgy_numbers(0.0, 1.0)}),
        "opinion": lambda: st.fixed_dictionaries(
            {"statement": st.integers(-1, 3), "vote": st.sampled_from([1, -1, 0, 2])}),
        "value_scale": lambda: st.fixed_dictionaries(  # type: ignore[dict-item]
            {"pair": st.lists(index, min_size=2, max_size=2),
             "ratio": st.one_of(edgy_numbers(0.01, 100.0), st.sampled_from([0.0, 1e3]))}),
    }
    return strategies[kind]()


def test_every_kind_is_covered() -> None:
    assert set(known_kinds()) == set(SPECS), "add the new kind to SPECS and value_strategy"


def build(kind: Kind, values: list[Any]) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """Tally the accepted values; return (snapshot, chart columns, spec)."""
    kind_type = activity_type(kind)
    spec = kind_type.normalize_spec({"kind": str(kind), "prompt": "?", **SPECS[kind]})
    tally = kind_type.new_tally(spec)
    stored: dict[str, Any] = {}
    for n, raw in enumerate(values):
        try:
            value = kind_type.validate(spec, raw)
        except BadValue:
            continue
        device = f"device-{n % 4}"  # a few devices: some answers replace others
        previous = stored.get(device)
        stored[device] = kind_type.merge(previous, value)  # as Activity.set_response
        tally.respond(device, previous, stored[device], value)
        tally.observe(1000.0)
    snap = tally.snapshot()
    return snap, tally.chart(snap), spec


def check_renders(kind: Kind, values: list[Any], figure: bool) -> None:
    snap, chart, spec = build(kind, values)
    for encoding in Encoding:
        encode({"t": "frame", "snapshot": snap, "chart": chart}, encoding)
    if figure:
        public = {"id": "ROOM-1", "state": "open", "revealed": True, **spec}
        charts.chart_item(public, snap, chart)


ANSWERED = [k for k in SPECS if k not in (Kind.CALL, "board")]


@pytest.mark.parametrize("kind", ANSWERED, ids=str)
def test_any_accepted_answers_render(kind: Kind) -> None:
    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(value_strategy(kind), min_size=0, max_size=12))
    def check(values: list[Any]) -> None:
        check_renders(kind, values, figure=False)

    check()


@pytest.mark.parametrize("kind", ANSWERED, ids=str)
@pytest.mark.parametrize("case", ["empty", "one", "equal", "ulps", "edges"])
def test_edge_cases_build_a_figure(kind: Kind, case: str) -> None:
    """The named cases of the finding, each through Bokeh's figure too."""
    samples = {
        Kind.ESTIMATE: (7.0, math.nextafter(7.0, 8.0), [0.0, 1e-9, 1e15, -1e15]),
        Kind.TEMPERATURE: (-1.0, math.nextafter(-1.0, 0.0), [-1.0, 0.0, 1.0, 1e-9]),
        Kind.WEIGHTING: ([33, 33, 33], [33, 33, 33.001], [[0, 0, 0], [100, 0, 0]]),
        Kind.ORIENTATION: ({"angle": 90}, {"angle": math.nextafter(90.0, 91.0)},
                           [{"angle": 0, "strength": 0}, {"angle": 1e15, "strength": 1}]),
        Kind.CHOICE: (0, 0, [0, 1, 2]),
        Kind.APPROVAL: ([0], [0], [[], [0, 1, 2]]),
        Kind.RANKING: ([0, 1, 2], [0, 1, 2], [[2], [1, 0, 2]]),
        Kind.GRADES: ([0, 0, 0], [0, 0, 0], [[6, 6, 6], [0, 3, 6]]),
        Kind.WORDS: (["pain"], ["Pain!"], [["é"], ["x", "pain", "bois"]]),
        "opinion": ({"statement": 0, "vote": 1}, {"statement": 0, "vote": 0},
                    [{"statement": 2, "vote": -1}, {"statement": 1, "vote": 1}]),
        "value_scale": ({"pair": [0, 1], "ratio": 2.0}, {"pair": [1, 0], "ratio": 0.5000001},
                        [{"pair": [0, 1], "ratio": 100}, {"pair": [1, 2], "ratio": 0.01},
                         {"pair": [2, 0], "ratio": 1e-2}]),
    }
    same, near, edges = samples[kind]
    values = {"empty": [], "one": [same], "equal": [same] * 6, "ulps": [same] * 5 + [near],
              "edges": edges}[case]
    check_renders(kind, values, figure=True)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.tuples(st.booleans(), st.lists(st.sampled_from("abcdefgh"), min_size=1,
                                                   max_size=3, unique=True)), max_size=60))
def test_the_ranked_words_equal_a_full_sort(moves: list[tuple[bool, list[str]]]) -> None:
    """The words' running ranking (kept sorted as answers come and go) gives the same
    top as sorting every count at each snapshot."""
    from collections import Counter

    from crowd.activities.polls import WordsTally

    tally, given_answers, counts = WordsTally(), [], Counter()
    for remove, words in moves:
        if remove and given_answers:
            old = given_answers.pop(0)
            tally.remove(old)
            counts.subtract(old)
        else:
            given_answers.append(words)
            tally.add(words)
            counts.update(words)
    expected = sorted(((w, c) for w, c in counts.items() if c > 0),
                      key=lambda kv: (-kv[1], kv[0]))[: WordsTally.TOP]
    snap = tally.snapshot()
    assert list(zip(snap["words"], snap["counts"], strict=True)) == expected
    assert snap["distinct"] == len(expected) and snap["n"] == len(given_answers)
