"""Cost of the crowd models for a live session: one incremental update vs one snapshot vs batch.

For each model with an accumulator this prints the median cost of

* one update: a participant changes their answer (remove the old one, add the new one),
* one snapshot: ``summary()`` of the accumulator holding every participant,
* and, as a same-run baseline, the batch function on the same data.

Models without an accumulator (estimates, voting) only have the batch column. Timings are
medians of repeated runs measured with time.perf_counter_ns, in microseconds.

    python benchmarks/bench_models.py --participants 2000
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import stats

try:
    import crowd.models  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crowd.models import budget, circular, estimates, ratios, scales, voting

SAMPLE_NS = 1_000_000
"""Each timing sample runs the function often enough to last about this long (1 ms)."""


def _run(fn: Callable[[], object], number: int) -> int:
    t0 = time.perf_counter_ns()
    for _ in range(number):
        fn()
    return time.perf_counter_ns() - t0


def median_us(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of one call of ``fn`` in microseconds."""
    number = 1
    while (elapsed := _run(fn, number)) < SAMPLE_NS // 4:  # calibrate, warming up on the way
        number *= 2
    number = max(1, number * SAMPLE_NS // max(elapsed, 1))
    samples = [_run(fn, number) / number for _ in range(repeat)]
    return statistics.median(samples) / 1000.0


def replacer(
    remove: Callable[..., None], add: Callable[..., None], answers: list[tuple]
) -> Callable[[], None]:
    """An update that cycles through participants, replacing each answer by itself.

    Removing and re-adding the same answer keeps the accumulator's state (and its cost)
    steady while exercising the full remove + add path of a changed answer.
    """
    state = {"i": 0}

    def update() -> None:
        args = answers[state["i"] % len(answers)]
        state["i"] += 1
        remove(*args)
        add(*args)

    return update


def bench(participants: int, options: int, repeat: int, seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, float | None, float | None, float | None]] = []

    # estimates: numeric guesses, log-normal like real crowds
    guesses = rng.lognormal(mean=7.1, sigma=0.35, size=participants)
    guesses2 = np.median(guesses) + 0.6 * (guesses - np.median(guesses))
    rows.append(
        ("estimates.summarize", None, None, median_us(lambda: estimates.summarize(guesses), repeat))
    )
    rows.append(
        (
            "estimates.influence",
            None,
            None,
            median_us(lambda: estimates.influence(guesses, guesses2, truth=1355.0), repeat),
        )
    )
    rows.append(
        (
            "estimates.histogram(log)",
            None,
            None,
            median_us(lambda: estimates.histogram(guesses, 40, log=True), repeat),
        )
    )

    # circular: arrows with strengths
    angles = rng.vonmises(0.8, 1.5, participants) * 180.0 / np.pi % 360.0
    strengths = rng.uniform(0.2, 1.0, participants)
    cacc = circular.CircularAccumulator()
    for a, w in zip(angles.tolist(), strengths.tolist(), strict=True):
        cacc.add(a, w)
    pairs = list(zip(angles.tolist(), strengths.tolist(), strict=True))
    rows.append(
        (
            "circular (16 sectors)",
            median_us(replacer(cacc.remove, cacc.add, pairs), repeat),
            median_us(cacc.summary, repeat),
            median_us(lambda: circular.summarize(angles, strengths), repeat),
        )
    )

    # scales: slider answers on [-1, 1], two camps
    temps = np.clip(
        np.where(rng.random(participants) < 0.5, -0.6, 0.5) + rng.normal(0, 0.2, participants),
        -1,
        1,
    )
    sacc = scales.ScaleAccumulator()
    for v in temps.tolist():
        sacc.add(v)
    singles = [(v,) for v in temps.tolist()]
    rows.append(
        (
            "scales (41 bins)",
            median_us(replacer(sacc.remove, sacc.add, singles), repeat),
            median_us(sacc.summary, repeat),
            median_us(lambda: scales.summarize(temps), repeat),
        )
    )
    grid = np.linspace(-1, 1, 201)
    sub = temps[:200]
    rows.append(
        ("scales.kde 200 pts (numpy)", None, None, median_us(lambda: scales.kde(sub, grid), repeat))
    )
    rows.append(
        (
            "  baseline gaussian_kde",
            None,
            None,
            median_us(lambda: stats.gaussian_kde(sub)(grid), repeat),
        )
    )

    # budget: 100 points over the options
    weights = rng.dirichlet(np.ones(options), participants)
    alloc = np.floor(weights * 100.0)
    bacc = budget.BudgetAccumulator(options, 100)
    for row in alloc:
        bacc.add(row)
    allocs = [(row,) for row in alloc]
    rows.append(
        (
            f"budget ({options} options, 100 pts)",
            median_us(replacer(bacc.remove, bacc.add, allocs), repeat),
            median_us(bacc.summary, repeat),
            median_us(lambda: budget.summarize(alloc, 100), repeat),
        )
    )

    # value scale: 50 items, each participant judging 5 pairs (log ratios around shared
    # values). update = one judgment changed in the live tally (its pair's sum); snapshot
    # = the log least-squares fit from the k x k sums; batch = the same fit aggregating
    # every judgment first. The bootstrap over participants is its own row.
    items = 50
    first, second = np.triu_indices(items, 1)
    worth = rng.normal(0.0, 1.3, items)
    picks = rng.integers(0, len(first), (participants, 5))
    said = worth[first[picks]] - worth[second[picks]] + rng.normal(0.0, 0.4, picks.shape)
    from crowd.activities.value_scale import ValueScaleTally

    tally = ValueScaleTally({"items": [f"item {i}" for i in range(items)], "reference": 0})
    judgments = []
    for person in range(participants):
        for p, y in zip(picks[person], said[person], strict=True):
            value = {"pair": [int(first[p]), int(second[p])],
                     "ratio": float(np.clip(np.exp(y), 0.01, 100.0))}
            tally.respond(f"phone-{person}", None, None, value)
            judgments.append((f"phone-{person}", value))
    owners = np.repeat(np.arange(participants), 5)
    flat_pairs, flat_logs = picks.ravel(), said.ravel()
    position = [0]

    def change_one() -> None:
        position[0] = (position[0] + 1) % len(judgments)
        device, value = judgments[position[0]]
        tally.respond(device, None, None, value)

    def fit_from_sums() -> object:
        on = tally.counts > 0
        return ratios.fit(items, first[on], second[on], tally.log_sums[on] / tally.counts[on])

    def fit_from_judgments() -> object:
        sums = np.bincount(flat_pairs, flat_logs, len(first))
        counts = np.bincount(flat_pairs, None, len(first))
        on = counts > 0
        return ratios.fit(items, first[on], second[on], sums[on] / counts[on])

    rows.append((f"ratios.fit ({items} items, 5 pairs each)",
                 median_us(change_one, repeat),
                 median_us(fit_from_sums, repeat), median_us(fit_from_judgments, repeat)))
    rows.append((f"ratios.bootstrap ({ratios.REPLICATES} draws)", None, None, median_us(
        lambda: ratios.bootstrap(items, first, second, owners, flat_pairs, flat_logs,
                                 participants, seed=1), max(5, repeat // 3))))

    # voting: batch only
    choices = rng.integers(0, options, participants).tolist()
    ballots = [
        rng.permutation(options)[: rng.integers(1, options + 1)].tolist()
        for _ in range(participants)
    ]
    grades = np.stack([rng.multinomial(participants, np.ones(6) / 6) for _ in range(options)])
    approvals = [
        set(np.flatnonzero(rng.random(options) < 0.4).tolist()) for _ in range(participants)
    ]
    for name, fn in (
        ("voting.plurality", lambda: voting.plurality(choices, options)),
        ("voting.approval", lambda: voting.approval(approvals, options)),
        ("voting.borda", lambda: voting.borda(ballots, options)),
        ("voting.pairwise", lambda: voting.pairwise(ballots, options)),
        ("voting.schulze", lambda: voting.schulze(ballots, options)),
        ("voting.majority_judgment", lambda: voting.majority_judgment(grades)),
    ):
        rows.append((name, None, None, median_us(fn, max(5, repeat // 3))))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--options", type=int, default=5, help="options for voting and budget")
    parser.add_argument("--repeat", type=int, default=21, help="timing samples per cell")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    rows = bench(args.participants, args.options, args.repeat, args.seed)

    def cell(v: float | None) -> str:
        return "-" if v is None else f"{v:,.1f}"

    print(f"crowd.models, {args.participants} participants, median µs per call")
    header = f"{'model':<32} {'update':>10} {'snapshot':>10} {'batch':>10}"
    print(header)
    print("-" * len(header))
    for name, upd, snap, batch in rows:
        print(f"{name:<32} {cell(upd):>10} {cell(snap):>10} {cell(batch):>10}")
    print(f"(update = replace one participant's answer; total {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
