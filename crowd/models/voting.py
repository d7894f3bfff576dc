"""Voting rules: plurality, approval, Borda, Condorcet, Schulze and majority judgment.

Conventions shared by every ranked-ballot function, called as ``f(ballots, n_options,
counts=None)``:

* options are the integers ``0 .. n_options - 1``;
* a ballot is a ranking of option indices, best first. It may be partial: the options it
  leaves out are tied with each other below every ranked option. An empty ballot ranks nothing
  (it counts as a voter but prefers nothing);
* ``counts[i]`` is the number of voters who cast ``ballots[i]`` (default 1 each), so a tally of
  distinct ballots and the list of individual ballots give the same result;
* duplicate options in a ballot, indices outside ``[0, n_options)`` and negative or
  non-integer counts raise ValueError;
* rankings list option indices best first; ties are broken by the lower index.

Result sequences are plain lists (matrices are nested lists) so they serialise as they are.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = [
    "Approval",
    "Borda",
    "MajorityJudgment",
    "Margin",
    "Plurality",
    "SchulzeResult",
    "approval",
    "borda",
    "condorcet_winner",
    "majority_judgment",
    "margin",
    "pairwise",
    "places",
    "plurality",
    "schulze",
    "schulze_from_pairwise",
    "smith_set",
    "usual_judgment",
    "wilson_interval",
]

Ballot = Sequence[int]


@dataclass(frozen=True, slots=True)
class Plurality:
    """One choice per voter, with Wilson score intervals for each option's share."""

    n_voters: int
    counts: list[int]
    shares: list[float]
    """``counts / n_voters``; all 0.0 when nobody voted."""
    ci_low: list[float]
    """Lower Wilson score bound of each share (0.0 when nobody voted)."""
    ci_high: list[float]
    """Upper Wilson score bound (1.0 when nobody voted: nothing is known)."""
    confidence: float
    ranking: list[int]


@dataclass(frozen=True, slots=True)
class Approval:
    """Each voter approves any subset of the options."""

    n_voters: int
    counts: list[int]
    shares: list[float]
    """Share of voters approving each option (these need not sum to 1)."""
    ranking: list[int]


@dataclass(frozen=True, slots=True)
class Borda:
    """Borda count; every ballot hands out n(n-1)/2 points in total."""

    n_voters: int
    scores: list[float]
    ranking: list[int]


@dataclass(frozen=True, slots=True)
class SchulzeResult:
    """Schulze method (beatpath) result."""

    ranking: list[int]
    """Best first: an option precedes every option it beats via strongest paths."""
    strengths: list[list[int]]
    """``p[i][j]``: strength of the strongest path from i to j (0 on the diagonal)."""
    winners: list[int]
    """All options not beaten by any other (``p[j][i] <= p[i][j]`` for all j)."""
    pairwise: list[list[int]]
    """``d[i][j]``: voters preferring i to j."""


@dataclass(frozen=True, slots=True)
class MajorityJudgment:
    """Majority judgment (Balinski & Laraki 2011) from grade counts, grades worst to best.

    For an option without any grade, its majority grade, p, q and gauge sign are ``None`` and
    it ranks last.
    """

    n_grades: int
    totals: list[int]
    """Number of grades given to each option."""
    majority_grades: list[int | None]
    """Lower median grade of each option."""
    ranking: list[int]
    """Best first, ties broken by the ordered sequence of majority grades, then by index."""
    profiles: list[list[float]]
    """Cumulative share of grades at or below each grade (last entry 1.0) for merit charts."""
    p: list[float | None]
    """Share of grades strictly above the majority grade."""
    q: list[float | None]
    """Share of grades strictly below the majority grade."""
    gauge_sign: list[int | None]
    """+1 if p > q (the grade leans up), -1 if p < q, 0 if equal: the majority gauge."""


# --------------------------------------------------------------------------- validation


def _n_options(n_options: int) -> int:
    try:
        n = operator.index(n_options)
    except TypeError:
        raise ValueError(f"n_options must be an integer, got {n_options!r}") from None
    if n < 0:
        raise ValueError(f"n_options must be >= 0, got {n}")
    return n


def _option(x: object, n: int, where: str) -> int:
    try:
        i = operator.index(x)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{where}: option {x!r} is not an integer index") from None
    if not 0 <= i < n:
        raise ValueError(f"{where}: option {i} is outside [0, {n})")
    return i


def _ballot(ballot: Iterable[int], n: int, where: str) -> tuple[int, ...]:
    if isinstance(ballot, (str, bytes)):
        raise ValueError(f"{where}: a ballot must be a sequence of option indices")
    try:
        items = tuple(_option(x, n, where) for x in ballot)
    except TypeError:
        raise ValueError(f"{where}: a ballot must be a sequence of option indices") from None
    if len(set(items)) != len(items):
        raise ValueError(f"{where}: an option appears twice in {list(items)}")
    return items


def _counts(counts: Sequence[int] | ArrayLike | None, n_ballots: int) -> list[int]:
    if counts is None:
        return [1] * n_ballots
    try:
        items = list(counts)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError("counts must be a sequence with one integer per ballot") from None
    out: list[int] = []
    for c in items:
        try:
            k = operator.index(c)
        except TypeError:
            raise ValueError(f"counts must be integers, got {c!r}") from None
        if k < 0:
            raise ValueError(f"counts must be non-negative, got {k}")
        out.append(k)
    if len(out) != n_ballots:
        raise ValueError(f"counts has {len(out)} entries for {n_ballots} ballots")
    return out


def _tally(
    ballots: Sequence[Ballot], n: int, counts: Sequence[int] | ArrayLike | None
) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    """Merge identical ballots: rank matrix of distinct ballots, their weights, total voters.

    Row b holds the position of each option in ballot b, ``n`` for unranked options.
    """
    ballots = list(ballots)
    weights = _counts(counts, len(ballots))
    merged: dict[tuple[int, ...], int] = {}
    for i, (ballot, w) in enumerate(zip(ballots, weights, strict=True)):
        key = _ballot(ballot, n, f"ballot {i}")
        merged[key] = merged.get(key, 0) + w
    ranks = np.full((len(merged), n), n, dtype=np.int64)
    for row, key in enumerate(merged):
        ranks[row, list(key)] = np.arange(len(key))
    return ranks, np.fromiter(merged.values(), dtype=np.int64, count=len(merged)), sum(weights)


def _ranking(scores: Sequence[float] | NDArray[np.float64]) -> list[int]:
    """Indices by decreasing score, ties by index."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


# --------------------------------------------------------------------------- single choice


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927, JASA 22: 209-212).

    Unlike the normal (Wald) interval it stays inside [0, 1] and is sensible for shares near
    0 or 1 and small crowds. ``(0.0, 1.0)`` when there are no trials.
    """
    if not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
    return _wilson(successes, trials, _z(confidence))


@functools.lru_cache(maxsize=16)
def _z(confidence: float) -> float:
    """Normal quantile; cached because live polls ask for the same confidence ten times a
    second and scipy's ppf costs tens of microseconds."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def _wilson(successes: int, trials: int, z: float) -> tuple[float, float]:
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / trials + z2n / (4.0 * trials))
    low = 0.0 if successes == 0 else max(centre - half, 0.0)  # exact ends, free of rounding
    high = 1.0 if successes == trials else min(centre + half, 1.0)
    return low, high


def plurality(
    choices: Sequence[int] | ArrayLike,
    n_options: int,
    confidence: float = 0.95,
    *,
    counts: Sequence[int] | ArrayLike | None = None,
) -> Plurality:
    """Count single choices; ``counts[i]`` voters chose ``choices[i]`` (default 1 each)."""
    n = _n_options(n_options)
    z = _z(confidence)
    picks = [_option(c, n, f"choice {i}") for i, c in enumerate(choices)]  # type: ignore[arg-type]
    weights = _counts(counts, len(picks))
    tally = [0] * n
    for c, w in zip(picks, weights, strict=True):
        tally[c] += w
    total = sum(tally)
    shares = [c / total if total else 0.0 for c in tally]
    bounds = [_wilson(c, total, z) for c in tally]
    return Plurality(
        n_voters=total,
        counts=tally,
        shares=shares,
        ci_low=[lo for lo, _ in bounds],
        ci_high=[hi for _, hi in bounds],
        confidence=float(confidence),
        ranking=_ranking(tally),
    )


def approval(
    approvals: Sequence[Iterable[int]],
    n_options: int,
    counts: Sequence[int] | ArrayLike | None = None,
) -> Approval:
    """Approval voting: each ballot is a set (or list without repeats) of approved options."""
    n = _n_options(n_options)
    ballots = [_ballot(b, n, f"ballot {i}") for i, b in enumerate(approvals)]
    weights = _counts(counts, len(ballots))
    tally = [0] * n
    for ballot, w in zip(ballots, weights, strict=True):
        for o in ballot:
            tally[o] += w
    voters = sum(weights)
    return Approval(
        n_voters=voters,
        counts=tally,
        shares=[c / voters if voters else 0.0 for c in tally],
        ranking=_ranking(tally),
    )


# --------------------------------------------------------------------------- ranked ballots


def borda(
    ballots: Sequence[Ballot], n_options: int, counts: Sequence[int] | ArrayLike | None = None
) -> Borda:
    """Borda count with partial ballots.

    The option ranked k-th (k = 0 for the best) of n gets n-1-k points. If a ballot ranks
    r options, the n-r unranked ones share the remaining points 0 .. n-r-1 equally, i.e.
    (n-r-1)/2 each, so every ballot distributes n(n-1)/2 points.
    """
    n = _n_options(n_options)
    ranks, weights, voters = _tally(ballots, n, counts)
    ranked = ranks < n
    r = ranked.sum(axis=1, keepdims=True)
    points = np.where(ranked, n - 1 - ranks, (n - r - 1) / 2.0)
    scores = weights.astype(float) @ points if len(weights) else np.zeros(n)
    return Borda(voters, [float(s) for s in scores], _ranking(scores))


def _pairwise(ranks: NDArray[np.int64], weights: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    d = np.zeros((n, n), dtype=np.int64)
    step = max(1, (1 << 22) // max(n * n, 1))
    for s in range(0, len(weights), step):
        r = ranks[s : s + step]
        prefers = (r[:, :, None] < r[:, None, :]).astype(np.int64)
        d += np.tensordot(weights[s : s + step], prefers, axes=1)
    return d


def pairwise(
    ballots: Sequence[Ballot], n_options: int, counts: Sequence[int] | ArrayLike | None = None
) -> list[list[int]]:
    """Pairwise preference matrix: ``d[i][j]`` voters rank i above j (ties count for neither)."""
    n = _n_options(n_options)
    ranks, weights, _ = _tally(ballots, n, counts)
    return _pairwise(ranks, weights, n).tolist()


def _condorcet(d: NDArray[np.int64]) -> int | None:
    beats = d > d.T
    np.fill_diagonal(beats, True)
    winners = np.flatnonzero(beats.all(axis=1))
    return int(winners[0]) if winners.size else None


def condorcet_winner(
    ballots: Sequence[Ballot], n_options: int, counts: Sequence[int] | ArrayLike | None = None
) -> int | None:
    """The option that beats every other one head to head, or ``None`` (cycle or tie).

    With a single option that option wins; with none the result is ``None``.
    """
    n = _n_options(n_options)
    ranks, weights, _ = _tally(ballots, n, counts)
    return _condorcet(_pairwise(ranks, weights, n)) if n else None


def schulze(
    ballots: Sequence[Ballot], n_options: int, counts: Sequence[int] | ArrayLike | None = None
) -> SchulzeResult:
    """Schulze method with winning votes as link strength (Schulze 2011, SCW 36: 267-303).

    Link i->j has strength d[i][j] if d[i][j] > d[j][i], else 0; strongest (widest) paths
    come from a Floyd-Warshall variant in O(n^3). The relation "p[i][j] > p[j][i]" is a strict
    partial order (Schulze 2011, sec. 4.1), so sorting by the number of options beaten gives a
    ranking consistent with it; a Condorcet winner always comes first.
    """
    n = _n_options(n_options)
    ranks, weights, _ = _tally(ballots, n, counts)
    return schulze_from_pairwise(_pairwise(ranks, weights, n))


def schulze_from_pairwise(pairwise_matrix: Sequence[Sequence[int]] | ArrayLike) -> SchulzeResult:
    """Schulze from a pairwise matrix d[i][j] (voters preferring i to j).

    Live tallies keep d up to date ballot by ballot (O(options^2) per ballot), so the
    ranking costs O(options^3) per snapshot whatever the number of voters.
    """
    d = np.asarray(pairwise_matrix, dtype=np.int64)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ValueError("the pairwise matrix must be square")
    n = d.shape[0]
    p = np.where(d > d.T, d, 0)
    for i in range(n):
        p = np.maximum(p, np.minimum(p[:, i : i + 1], p[i : i + 1, :]))
    np.fill_diagonal(p, 0)
    beats = p > p.T
    wins = beats.sum(axis=1)
    ranking = sorted(range(n), key=lambda i: (-int(wins[i]), i))
    winners = [i for i in range(n) if not beats[:, i].any()]
    return SchulzeResult(ranking, p.tolist(), winners, d.tolist())


# --------------------------------------------------------------------------- majority judgment


def _median_removal_order(total: int) -> NDArray[np.intp]:
    """Positions (in the ascending list of grades) taken by repeatedly removing the lower median.

    For 5 grades: 2, 1, 3, 0, 4; for 4 grades: 1, 2, 0, 3.
    """
    if total == 0:
        return np.zeros(0, dtype=np.intp)
    m0 = (total - 1) // 2
    j = np.arange(1, total)
    magnitude = (j + 1) // 2
    first_down = total % 2 == 1  # odd: the next lower median lies below
    sign = np.where((j % 2 == 1) == first_down, -1, 1)
    return np.concatenate(([m0], m0 + sign * magnitude)).astype(np.intp)


def majority_judgment(grade_counts: Sequence[Sequence[int]] | ArrayLike) -> MajorityJudgment:
    """Majority judgment: rank options by their median grade (Balinski & Laraki 2011).

    ``grade_counts[option][grade]`` counts the voters who gave that grade; grades are ordered
    from worst (0) to best. The majority grade is the lower median. Ties are broken by the
    majority-value sequence: repeatedly remove one copy of the current majority grade and
    compare the next one (Balinski & Laraki, "Majority Judgment", MIT Press 2011, ch. 13).
    This assumes every option was graded by the same number of voters; with unequal totals
    the sequences are still compared element by element.
    """
    try:
        g = np.asarray(grade_counts, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"grade_counts must be a table of numbers: {exc}") from None
    if g.size == 0 and g.ndim == 1:
        g = g.reshape(0, 0)
    if g.ndim != 2:
        raise ValueError(f"grade_counts must be 2-D (options x grades), got shape {g.shape}")
    if not np.all(np.isfinite(g)) or np.any(g < 0) or np.any(g != np.round(g)):
        raise ValueError("grade_counts must be non-negative integers")
    counts = g.astype(np.int64)
    n_opt, n_grades = counts.shape
    totals = counts.sum(axis=1)

    sequences: list[tuple[int, ...]] = []
    majority: list[int | None] = []
    p_share: list[float | None] = []
    q_share: list[float | None] = []
    sign: list[int | None] = []
    profiles: list[list[float]] = []
    for o in range(n_opt):
        total = int(totals[o])
        if total == 0:
            sequences.append(())
            majority.append(None)
            p_share.append(None)
            q_share.append(None)
            sign.append(None)
            profiles.append([0.0] * n_grades)
            continue
        grades = np.repeat(np.arange(n_grades), counts[o])
        seq = grades[_median_removal_order(total)]
        sequences.append(tuple(int(x) for x in seq))
        mg = int(seq[0])
        above = float(counts[o, mg + 1 :].sum()) / total
        below = float(counts[o, :mg].sum()) / total
        majority.append(mg)
        p_share.append(above)
        q_share.append(below)
        sign.append(1 if above > below else -1 if above < below else 0)
        profiles.append([float(x) for x in np.cumsum(counts[o]) / total])

    def better_first(a: int, b: int) -> int:
        sa, sb = sequences[a], sequences[b]
        if bool(sa) != bool(sb):
            return -1 if sa else 1  # ungraded options last
        if sa != sb:
            return -1 if sa > sb else 1
        return a - b

    ranking = sorted(range(n_opt), key=functools.cmp_to_key(better_first))
    return MajorityJudgment(
        n_grades=int(n_grades),
        totals=[int(t) for t in totals],
        majority_grades=majority,
        ranking=ranking,
        profiles=profiles,
        p=p_share,
        q=q_share,
        gauge_sign=sign,
    )


# --------------------------------------------------------------------------- margins and ties


@dataclass(frozen=True, slots=True)
class Margin:
    """The leader's lead over the runner-up in a single-choice poll."""

    leaders: list[int]
    """Options sharing the most votes (more than one: a tie)."""
    runner_up: int | None
    """The option with the next largest count (``None`` with fewer than two options)."""
    difference: float
    """``p1 - p2``, shares of all voters."""
    low: float
    """95 % interval of ``p1 - p2`` (Scott & Seber 1983), clipped to [-1, 1]."""
    high: float
    to_tie: int
    """Voters who would have to switch from the leader to the runner-up to catch up:
    half the lead, rounded up (0 when tied; for an odd lead this many switches reverse it)."""


def margin(counts: Sequence[int], confidence: float = 0.95) -> Margin | None:
    """Lead of the first option over the second, with the interval of the difference.

    Both shares come from the same voters, so they are negatively correlated: Scott & Seber
    (1983, "Difference of proportions from the same survey", The American Statistician 37:
    319-320) give ``Var(p1 - p2) = (p1 + p2 - (p1 - p2)^2) / n``, and the interval is
    ``d +/- z sqrt(Var)``. Per-option intervals overlap long after the lead is clear, and
    can look apart when it is not; this interval says whether the *lead* is real.
    ``None`` without votes or with fewer than two options.
    """
    c = [int(x) for x in counts]
    n = sum(c)
    if n == 0 or len(c) < 2:
        return None
    order = _ranking(c)
    top = c[order[0]]
    leaders = [i for i in order if c[i] == top]
    second = order[1]
    p1, p2 = top / n, c[second] / n
    d = p1 - p2
    half = _z(confidence) * math.sqrt(max(p1 + p2 - d * d, 0.0) / n)
    lead = top - c[second]
    return Margin(leaders=leaders, runner_up=second, difference=d,
                  low=max(d - half, -1.0), high=min(d + half, 1.0), to_tie=(lead + 1) // 2)


def usual_judgment(grade_counts: Sequence[int]) -> float | None:
    """Majority grade made continuous (Fabre 2021, "Tie-breaking the highest median",
    Social Choice and Welfare 56: 101-124, the "usual judgment"): ``a + (p - q) / (2 s)``
    where a is the majority (lower median) grade, p and q the shares above and below it
    and s = 1 - p - q the share at it. It is the median of the grades read as grouped data
    on [a - 1/2, a + 1/2]: it stays within half a grade of the majority grade, ranks like
    majority judgment in most cases and moves smoothly as votes come in. ``None`` without
    grades."""
    g = [int(x) for x in grade_counts]
    total = sum(g)
    if total == 0:
        return None
    cum = 0
    for grade, k in enumerate(g):
        if 2 * (cum + k) >= total:
            below = cum / total
            above = (total - cum - k) / total
            at = k / total
            return grade + (above - below) / (2.0 * at)
        cum += k
    raise AssertionError("unreachable: the cumulative count reaches the total")


def smith_set(pairwise_matrix: Sequence[Sequence[int]] | ArrayLike) -> list[int]:
    """The smallest set of options that each beat every option outside it (Smith 1973).

    i is in it when every other option can be reached from i through a chain of "wins or
    ties" (``d[a][b] >= d[b][a]``): the top cycle of the majority relation. A single option
    is the Condorcet winner; several are a cycle or a tie at the top. O(options^3).
    """
    d = np.asarray(pairwise_matrix, dtype=np.int64)
    n = d.shape[0]
    if n == 0:
        return []
    reach = d >= d.T
    for k in range(n):
        reach = reach | (reach[:, k : k + 1] & reach[k : k + 1, :])
    return [i for i in range(n) if reach[i].all()]


def places(strengths: Sequence[Sequence[int]] | ArrayLike, ranking: Sequence[int]) -> list[int]:
    """1-based place of each option of ``ranking`` (Schulze's order), ties shown as ties.

    An option shares the place of the one before it when neither beats the other through
    strongest paths and both beat as many options: "1., 1., 3." (standard competition
    ranking), never "1., 2., 3." for options nobody can tell apart. Returned by option.
    """
    p = np.asarray(strengths, dtype=np.int64)
    wins = (p > p.T).sum(axis=1) if p.size else np.zeros(0, dtype=np.int64)
    out = [0] * len(ranking)
    for pos, i in enumerate(ranking):
        if pos:
            j = ranking[pos - 1]
            if p[i][j] == p[j][i] and wins[i] == wins[j]:
                out[i] = out[j]
                continue
        out[i] = pos + 1
    return out
