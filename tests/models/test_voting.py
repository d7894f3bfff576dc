"""Tests for crowd.models.voting: single-choice, ranked ballots and majority judgment."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from crowd.models import voting
from tests.models.plain import assert_plain

PROPS = settings(max_examples=200, deadline=None, database=None)

# --------------------------------------------------------------------------- reference cases

# Schulze, M. (2011) "A new monotonic, clone-independent, reversal symmetric, and
# Condorcet-consistent single-winner election method", Social Choice and Welfare 36: 267-303,
# section 3.1, example 1: 45 voters, 5 candidates A-E.
A, B, C, D, E = range(5)
SCHULZE_BALLOTS = [
    [A, C, B, E, D],
    [A, D, E, C, B],
    [B, E, D, A, C],
    [C, A, B, E, D],
    [C, A, E, B, D],
    [C, B, A, D, E],
    [D, C, E, B, A],
    [E, B, A, D, C],
]
SCHULZE_COUNTS = [5, 5, 8, 3, 7, 2, 7, 8]
SCHULZE_D = [
    [0, 20, 26, 30, 22],
    [25, 0, 16, 33, 18],
    [19, 29, 0, 17, 24],
    [15, 12, 28, 0, 14],
    [23, 27, 21, 31, 0],
]
SCHULZE_P = [
    [0, 28, 28, 30, 24],
    [25, 0, 28, 33, 24],
    [25, 29, 0, 29, 24],
    [25, 28, 28, 0, 24],
    [25, 28, 28, 31, 0],
]

# The "Tennessee capital" example used to introduce Condorcet and Borda methods (e.g. the
# Wikipedia articles on both): 100 voters; Memphis, Nashville, Chattanooga, Knoxville.
M, N, CH, K = range(4)
TENNESSEE_BALLOTS = [[M, N, CH, K], [N, CH, K, M], [CH, K, N, M], [K, CH, N, M]]
TENNESSEE_COUNTS = [42, 26, 15, 17]


def test_schulze_paper_example() -> None:
    r = voting.schulze(SCHULZE_BALLOTS, 5, SCHULZE_COUNTS)
    assert r.pairwise == SCHULZE_D
    assert r.strengths == SCHULZE_P
    assert r.winners == [E]
    assert r.ranking == [E, A, C, B, D]
    # The example has no Condorcet winner: C beats E 24 to 21.
    assert voting.condorcet_winner(SCHULZE_BALLOTS, 5, SCHULZE_COUNTS) is None


def test_tennessee_condorcet_borda_plurality() -> None:
    assert voting.condorcet_winner(TENNESSEE_BALLOTS, 4, TENNESSEE_COUNTS) == N
    s = voting.schulze(TENNESSEE_BALLOTS, 4, TENNESSEE_COUNTS)
    assert s.ranking == [N, CH, K, M] and s.winners == [N]
    # Borda by hand: M 42*3 = 126; N 42*2 + 26*3 + 15 + 17 = 194;
    # C 42 + 26*2 + 15*3 + 17*2 = 173; K 26 + 15*2 + 17*3 = 107.
    b = voting.borda(TENNESSEE_BALLOTS, 4, TENNESSEE_COUNTS)
    assert b.scores == [126.0, 194.0, 173.0, 107.0]
    assert b.ranking == [N, CH, M, K] and b.n_voters == 100
    # Plurality elects Memphis, the Condorcet loser.
    p = voting.plurality([M, N, CH, K], 4, counts=TENNESSEE_COUNTS)
    assert p.counts == [42, 26, 15, 17] and p.ranking[0] == M


def test_partial_ballots() -> None:
    # n = 4, ballot [2]: option 2 gets 3 points, the others share 0 + 1 + 2 = 3 points.
    assert voting.borda([[2]], 4).scores == [1.0, 1.0, 3.0, 1.0]
    # Ballot [3, 0]: 3 -> 3, 0 -> 2, options 1 and 2 share 1 + 0.
    assert voting.borda([[3, 0]], 4).scores == [2.0, 0.5, 0.5, 3.0]
    d = voting.pairwise([[1], []], 3)
    assert d == [[0, 0, 0], [1, 0, 1], [0, 0, 0]]
    assert voting.borda([[]], 3).scores == [1.0, 1.0, 1.0]


def test_plurality_wilson_interval_matches_scipy() -> None:
    p = voting.plurality([0] * 7 + [1] * 2 + [2], 4, confidence=0.9)
    assert p.n_voters == 10 and p.shares == [0.7, 0.2, 0.1, 0.0]
    for k, lo, hi in zip(p.counts, p.ci_low, p.ci_high, strict=True):
        ci = stats.binomtest(k, 10).proportion_ci(confidence_level=0.9, method="wilson")
        assert lo == pytest.approx(ci.low, abs=1e-12)
        assert hi == pytest.approx(ci.high, abs=1e-12)
    empty = voting.plurality([], 3)
    assert empty.n_voters == 0 and empty.shares == [0.0] * 3
    assert empty.ci_low == [0.0] * 3 and empty.ci_high == [1.0] * 3


def test_approval() -> None:
    r = voting.approval([{0, 2}, [2], set(), (1, 2)], 3, counts=[2, 1, 1, 1])
    assert r.n_voters == 5
    assert r.counts == [2, 1, 4] and r.shares == [0.4, 0.2, 0.8]
    assert r.ranking == [2, 0, 1]


# --------------------------------------------------------------------------- majority judgment


def test_majority_judgment_hand_checked() -> None:
    # Grades 0 (reject) .. 4 (excellent), 10 judges per option.
    # A: 0,1,1,2,2,2,3,3,4,4 -> lower median (5th of 10) = 2; 4 grades above, 3 below.
    # B: 1,1,1,2,2,2,2,3,3,4 -> 2; 3 above, 3 below.
    # C: ten times 2.
    # D: 3,3,3,3,3,4,4,4,4,4 -> 3.
    # A, B, C tie on grade 2. Removing lower medians one by one takes the sorted positions
    # 5, 6, 4, 7, 3, ... (1-based), so the majority values are
    #   A: 2, 2, 2, 3, ...   B: 2, 2, 2, 2, 1, ...   C: 2, 2, 2, 2, 2, ...
    # hence A > C (4th value) and C > B (5th value): A leans up, B's spread costs it.
    # Balinski & Laraki's gauge says the same: A has p = 0.4 > q = 0.3 ("2+"); B and C are
    # "2-" (p <= q) and the larger q (B: 0.3, C: 0) ranks lower.
    grades = [[1, 2, 3, 2, 2], [0, 3, 4, 2, 1], [0, 0, 10, 0, 0], [0, 0, 0, 5, 5]]
    mj = voting.majority_judgment(grades)
    assert mj.majority_grades == [2, 2, 2, 3]
    assert mj.ranking == [3, 0, 2, 1]
    assert mj.p == pytest.approx([0.4, 0.3, 0.0, 0.5])
    assert mj.q == pytest.approx([0.3, 0.3, 0.0, 0.0])
    assert mj.gauge_sign == [1, 0, 0, 1]
    assert mj.profiles[0] == pytest.approx([0.1, 0.3, 0.6, 0.8, 1.0])
    assert mj.totals == [10, 10, 10, 10] and mj.n_grades == 5


def test_majority_judgment_empty_and_invalid() -> None:
    mj = voting.majority_judgment([[0, 0, 0], [0, 1, 0]])
    assert mj.majority_grades == [None, 1] and mj.ranking == [1, 0]
    assert mj.profiles[0] == [0.0, 0.0, 0.0] and mj.p[0] is None
    assert voting.majority_judgment([]).ranking == []
    for bad in ([[1, -1]], [[0.5, 1]], [1, 2, 3], [[1, float("nan")]]):
        with pytest.raises(ValueError):
            voting.majority_judgment(bad)


def _majority_values_by_removal(counts: list[int]) -> tuple[int, ...]:
    """Balinski & Laraki's majority-value sequence, by literally removing lower medians."""
    remaining = sorted(g for g, c in enumerate(counts) for _ in range(c))
    out = []
    while remaining:
        out.append(remaining.pop((len(remaining) - 1) // 2))
    return tuple(out)


@PROPS
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda n_grades: st.lists(
            st.lists(st.integers(0, 4), min_size=n_grades, max_size=n_grades),
            min_size=1,
            max_size=5,
        )
    )
)
def test_majority_judgment_matches_literal_tie_break(grades: list[list[int]]) -> None:
    mj = voting.majority_judgment(grades)
    seqs = [_majority_values_by_removal(row) for row in grades]
    expected = sorted(
        range(len(grades)),
        key=lambda i: (0 if seqs[i] else 1, tuple(-g for g in seqs[i]), i),
    )
    if len({sum(row) for row in grades}) == 1:  # equal numbers of judges, as MJ assumes
        assert mj.ranking == expected
    for i, seq in enumerate(seqs):
        assert mj.majority_grades[i] == (seq[0] if seq else None)
    # Multiplying every count by 3 keeps each option's majority grade.
    tripled = voting.majority_judgment([[3 * c for c in row] for row in grades])
    assert tripled.majority_grades == mj.majority_grades


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("ballots", "counts"),
    [
        ([[0, 0]], None),
        ([[0, 3]], None),
        ([[-1]], None),
        ([[0.5]], None),
        (["01"], None),
        ([[0]], [-1]),
        ([[0]], [1, 2]),
        ([[0]], [1.5]),
    ],
)
def test_invalid_ballots_raise(ballots: list, counts: list | None) -> None:
    for fn in (voting.borda, voting.pairwise, voting.schulze, voting.condorcet_winner):
        with pytest.raises(ValueError):
            fn(ballots, 3, counts)


def test_invalid_single_choice_raises() -> None:
    with pytest.raises(ValueError):
        voting.plurality([0, 3], 3)
    with pytest.raises(ValueError):
        voting.plurality([0], 3, confidence=1.0)
    with pytest.raises(ValueError):
        voting.approval([[1, 1]], 3)
    with pytest.raises(ValueError):
        voting.borda([], -1)
    with pytest.raises(ValueError):
        voting.wilson_interval(3, 2)
    assert voting.wilson_interval(0, 0) == (0.0, 1.0)


def test_empty_elections() -> None:
    assert voting.borda([], 3).scores == [0.0, 0.0, 0.0]
    assert voting.pairwise([], 2) == [[0, 0], [0, 0]]
    assert voting.condorcet_winner([], 2) is None
    assert voting.condorcet_winner([], 1) == 0  # vacuously beats every other option
    assert voting.condorcet_winner([], 0) is None
    s = voting.schulze([], 3)
    assert s.ranking == [0, 1, 2] and s.winners == [0, 1, 2]
    assert voting.schulze([], 0).ranking == []


def test_results_are_plain_values() -> None:
    ballots = np.array([[0, 1, 2], [2, 1, 0], [1, 0, 2]])
    results = [
        voting.plurality(np.array([0, 1, 1]), 3),
        voting.approval([{0, 1}, {2}], 3),
        voting.borda(ballots, 3, counts=np.array([2, 1, 1])),
        voting.schulze(ballots, 3),
        voting.majority_judgment(np.array([[1, 2, 0], [0, 0, 3]])),
    ]
    for result in results:
        for field in dataclasses.fields(result):
            assert_plain(getattr(result, field.name))
    assert_plain(voting.pairwise(ballots, 3))
    assert isinstance(voting.condorcet_winner(ballots, 3), int)


# --------------------------------------------------------------------------- properties

N_OPT = 4


def _ballot() -> st.SearchStrategy[list[int]]:
    return st.permutations(range(N_OPT)).flatmap(
        lambda perm: st.integers(0, N_OPT).map(lambda k: list(perm[:k]))
    )


ballots_st = st.lists(_ballot(), max_size=12)
counts_for = st.integers(min_value=0, max_value=4)


@PROPS
@given(ballots_st, st.randoms(use_true_random=False))
def test_ballot_order_does_not_matter(ballots: list[list[int]], rnd) -> None:
    shuffled = ballots[:]
    rnd.shuffle(shuffled)
    assert voting.pairwise(ballots, N_OPT) == voting.pairwise(shuffled, N_OPT)
    assert voting.borda(ballots, N_OPT) == voting.borda(shuffled, N_OPT)
    assert voting.schulze(ballots, N_OPT) == voting.schulze(shuffled, N_OPT)


@PROPS
@given(st.lists(st.tuples(_ballot(), counts_for), max_size=10))
def test_counts_equal_repeated_ballots(pairs: list[tuple[list[int], int]]) -> None:
    ballots = [b for b, _ in pairs]
    counts = [c for _, c in pairs]
    repeated = [b for b, c in pairs for _ in range(c)]
    assert voting.pairwise(ballots, N_OPT, counts) == voting.pairwise(repeated, N_OPT)
    assert voting.borda(ballots, N_OPT, counts) == voting.borda(repeated, N_OPT)
    assert voting.schulze(ballots, N_OPT, counts) == voting.schulze(repeated, N_OPT)
    assert voting.condorcet_winner(ballots, N_OPT, counts) == voting.condorcet_winner(
        repeated, N_OPT
    )


@PROPS
@given(st.lists(st.tuples(_ballot(), counts_for), max_size=10))
def test_pairwise_schulze_and_borda_invariants(pairs: list[tuple[list[int], int]]) -> None:
    ballots = [b for b, _ in pairs]
    counts = [c for _, c in pairs]
    voters = sum(counts)
    d = np.array(voting.pairwise(ballots, N_OPT, counts))
    assert np.all(d + d.T <= voters) and np.all(np.diag(d) == 0)
    borda = voting.borda(ballots, N_OPT, counts)
    assert sum(borda.scores) == pytest.approx(voters * N_OPT * (N_OPT - 1) / 2)
    s = voting.schulze(ballots, N_OPT, counts)
    p = np.array(s.strengths)
    beats = p > p.T
    # The Schulze relation is transitive and the ranking is a linear extension of it.
    for i in range(N_OPT):
        for j in range(N_OPT):
            for k in range(N_OPT):
                if beats[i, j] and beats[j, k]:
                    assert beats[i, k]
            if beats[i, j]:
                assert s.ranking.index(i) < s.ranking.index(j)
    assert s.ranking[0] in s.winners and sorted(s.ranking) == list(range(N_OPT))
    cw = voting.condorcet_winner(ballots, N_OPT, counts)
    if cw is not None:
        assert s.ranking[0] == cw and s.winners == [cw]


@PROPS
@given(st.lists(st.integers(0, N_OPT - 1), max_size=30), st.integers(0, N_OPT - 1))
def test_plurality_monotonic(choices: list[int], extra: int) -> None:
    before = voting.plurality(choices, N_OPT)
    after = voting.plurality([*choices, extra], N_OPT)
    assert after.ranking.index(extra) <= before.ranking.index(extra)
    assert after.shares[extra] >= before.shares[extra]
    assert sum(after.shares) == pytest.approx(1.0)
    for lo, share, hi in zip(after.ci_low, after.shares, after.ci_high, strict=True):
        assert 0.0 <= lo <= share <= hi <= 1.0


# --------------------------------------------------------------------------- margins, ties


def test_leader_margin_interval_scott_seber() -> None:
    # 100 voters: 45, 35, 20. d = 0.10. Two shares of one multinomial sample covary
    # (-p1 p2 / n), so Var(p1 - p2) = (p1(1-p1) + p2(1-p2) + 2 p1 p2) / n
    # = (0.2475 + 0.2275 + 0.315) / 100 = 0.0079 = (p1 + p2 - d^2) / n (Scott & Seber 1983);
    # 95 %: 0.10 +/- 1.959964 x 0.0888819 = [-0.07421, 0.27421]: the lead is not yet sure.
    m = voting.margin([45, 35, 20])
    assert m is not None and m.leaders == [0] and m.runner_up == 1
    assert m.difference == pytest.approx(0.10)
    assert m.low == pytest.approx(-0.07421, abs=1e-5)
    assert m.high == pytest.approx(0.27421, abs=1e-5)
    assert m.to_tie == 5  # five voters switching from the first to the second tie them
    sure = voting.margin([450, 350, 200])  # ten times the crowd: the lead holds
    assert sure is not None and sure.low > 0
    assert voting.margin([7, 10, 4]).to_tie == 2  # a lead of 3: two switches reverse it
    assert voting.margin([0, 0]) is None and voting.margin([5]) is None


def test_tied_leaders_are_a_tie() -> None:
    m = voting.margin([30, 30, 10])
    assert m is not None and m.leaders == [0, 1] and m.difference == 0.0 and m.to_tie == 0


def test_margin_interval_covers_the_true_difference() -> None:
    rng = np.random.default_rng(3)
    truth = np.array([0.4, 0.35, 0.25])
    covered = 0
    for _ in range(1000):
        counts = rng.multinomial(300, truth)
        m = voting.margin(list(counts))
        assert m is not None
        d = truth[m.leaders[0]] - truth[m.runner_up]
        covered += m.low <= d <= m.high
    assert 0.93 <= covered / 1000 <= 0.97


def test_usual_judgment_is_the_grouped_median() -> None:
    # Grades 0..4 counted [1, 3, 8, 5, 3] (20 voters): majority grade 2 (lower median),
    # 4 below (q = 0.2), 8 above (p = 0.4), 8 at it (s = 0.4). Fabre's usual judgment
    # 2 + (p - q) / (2 s) = 2.25; as grouped data, grade 2 covers [1.5, 2.5] and the
    # median lies (0.5 - 0.2) / 0.4 = 0.75 of the way in: 1.5 + 0.75 = 2.25.
    assert voting.usual_judgment([1, 3, 8, 5, 3]) == pytest.approx(2.25)
    assert voting.usual_judgment([0, 0, 10, 0, 0]) == 2.0  # unanimous: the grade itself
    assert voting.usual_judgment([0, 0, 0]) is None
    mj = voting.majority_judgment([[1, 3, 8, 5, 3], [2, 2, 8, 6, 2]])
    scores = [voting.usual_judgment(row) for row in ([1, 3, 8, 5, 3], [2, 2, 8, 6, 2])]
    assert mj.majority_grades == [2, 2]
    assert all(g - 0.5 <= s <= g + 0.5 for g, s in zip(mj.majority_grades, scores, strict=True))


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.integers(0, 30), min_size=3, max_size=7).filter(lambda g: sum(g) > 0),
       st.integers(0, 6))
def test_usual_judgment_is_monotone_and_near_the_majority_grade(
    grades: list[int], extra: int
) -> None:
    # A vote above the score never lowers it, a vote below never raises it (the grouped
    # median is monotone), and it stays within half a grade of the majority grade. Across
    # an empty grade it may jump: [2, 0, 2] scores 0.5, one more vote at 2 gives 1.667.
    grade = extra % len(grades)
    before = voting.usual_judgment(grades)
    after = voting.usual_judgment([g + (i == grade) for i, g in enumerate(grades)])
    assert before is not None and after is not None
    if grade >= before:
        assert after >= before - 1e-12
    if grade <= before:
        assert after <= before + 1e-12
    mg = voting.majority_judgment([grades]).majority_grades[0]
    assert mg is not None and mg - 0.5 - 1e-12 <= before <= mg + 0.5 + 1e-12


def test_smith_set_examples() -> None:
    # Condorcet's paradox: A > B > C, B > C > A, C > A > B: every option is in the cycle.
    paradox = voting.pairwise([[0, 1, 2], [1, 2, 0], [2, 0, 1]], 3)
    assert voting.smith_set(paradox) == [0, 1, 2]
    # Tennessee: Nashville is the Condorcet winner, alone in the Smith set.
    d = voting.pairwise(TENNESSEE_BALLOTS, 4, TENNESSEE_COUNTS)
    assert voting.smith_set(d) == [N]
    # A cycle among 0, 1, 2 that all beat 3.
    ballots = [[0, 1, 2, 3], [1, 2, 0, 3], [2, 0, 1, 3]]
    assert voting.smith_set(voting.pairwise(ballots, 4)) == [0, 1, 2]
    # A tie at the top: one voter each way.
    assert voting.smith_set(voting.pairwise([[0, 1], [1, 0]], 2)) == [0, 1]


def test_places_show_ties_as_ties() -> None:
    tie = voting.schulze([[0, 1, 2], [1, 2, 0], [2, 0, 1]], 3)
    assert voting.places(tie.strengths, tie.ranking) == [1, 1, 1]
    s = voting.schulze(TENNESSEE_BALLOTS, 4, TENNESSEE_COUNTS)
    assert voting.places(s.strengths, s.ranking) == [4, 1, 2, 3]  # M, N, Ch, K
    half = voting.schulze([[0, 1, 2], [1, 0, 2]], 3)  # 0 and 1 tied, both above 2
    assert voting.places(half.strengths, half.ranking) == [1, 1, 3]
