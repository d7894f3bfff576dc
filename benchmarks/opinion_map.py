"""What the opinion map costs as the room grows, against the bare linear algebra it needs.

For a room of P participants × S statements (a share of them voted, in three camps with
noise), times on one core: the whole map (`crowd.models.opinion.opinion_map`), and as the
same-run baseline the one numerical step no implementation can skip, a single SVD of the
imputed matrix; and per vote, the kind's live update (`OpinionTally.respond`). Usage:

    OPENBLAS_NUM_THREADS=1 python benchmarks/opinion_map.py [--participants 2000]
        [--statements 100] [--voted 0.5] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crowd.activities.opinion import OpinionTally
from crowd.models.opinion import centred, opinion_map


def room(participants: int, statements: int, voted: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    camp = rng.integers(0, 3, participants)
    stance = rng.choice([-1.0, 1.0], size=(3, statements))
    noise = rng.choice([-1.0, 0.0, 1.0], size=(participants, statements))
    votes = np.where(rng.random((participants, statements)) < 0.75, stance[camp], noise)
    votes[rng.random(votes.shape) >= voted] = np.nan
    return votes


def cpu_ms(work, repeat: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        work()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--statements", type=int, default=100)
    parser.add_argument("--voted", type=float, default=0.5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'room':>16} {'map ms':>8} {'svd ms':>8} {'ratio':>6} {'groups':>7} "
          f"{'vote µs':>8}")
    sizes = sorted({(100, 20), (500, 50), (args.participants, args.statements)})
    for participants, statements in sizes:
        votes = room(participants, statements, args.voted)
        found = opinion_map(votes)
        whole = cpu_ms(lambda v=votes: opinion_map(v), args.repeat)
        matrix, _ = centred(votes)
        svd = cpu_ms(lambda m=matrix: np.linalg.svd(m, full_matrices=False), args.repeat)
        tally = OpinionTally({"statements": ["s"] * statements})
        cells = [(f"d{p}", s, int(votes[p, s])) for p in range(participants)
                 for s in range(statements) if not np.isnan(votes[p, s])]
        started = time.process_time()
        for device, s, vote in cells:
            tally.respond(device, None, None, {"statement": s, "vote": vote})
        per_vote = (time.process_time() - started) / len(cells) * 1e6
        print(f"{participants:>7} × {statements:<6} {whole:8.1f} {svd:8.1f} "
              f"{whole / svd:6.1f} {len(found.groups):7d} {per_vote:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
