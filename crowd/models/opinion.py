"""The opinion map, after Pol.is: who agrees with whom, what divides and what bridges.

Participants vote agree (+1), disagree (-1) or pass (0) on short statements. The map is
built as Small, Bjorkegren, Erkkilä, Shaw & Megill (2021, "Polis: scaling deliberation
by mapping high dimensional opinion spaces", Recerca 26(2)) describe it:

1. the participant × statement matrix, keeping participants with at least `MIN_VOTES`
   votes; a missing vote is imputed with the statement's mean (so it pulls nowhere);
2. centred per statement, projected on its first two principal components (SVD), and
   each participant's coordinates scaled by √(statements / statements answered), so a
   participant who answered little is not drawn towards the centre by the imputation;
3. groups only when the votes have a structure at all: the statements must go together
   more than in every one of a few shuffled copies of the matrix (Horn's parallel
   analysis, 1965); then k-means on the 2-D points for k = 2 … 5, the k with the best
   mean silhouette (Rousseeuw 1987) kept, and none when no k separates the room
   (silhouette < 0.25, or too few participants): the map then says "one group";
4. per group, its **representative** statements: those the group agrees with (or
   rejects) more than the rest of the room, by a two-proportion z-test (one-sided,
   z > 1.645) on Laplace-smoothed shares, ranked by the ratio of shares;
5. the **consensus** statements: agreed by a clear majority of every group (smoothed
   agree share ≥ 0.6 in each, with at least `MIN_GROUP_VOTES` votes per group), ranked
   by the smallest of those shares; and the **divisive** ones: the largest gap in agree
   share between two groups.

Everything is deterministic for a given matrix: the principal axes' signs are fixed
(largest loading positive), k-means starts from seeded k-means++ and keeps the best of
several starts, and groups are numbered by size. Rows are in the order given, so the
same log gives the same map in the live room, the replay and the closing film.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial.distance import cdist
from scipy.stats import norm

MIN_VOTES = 5  # a participant is mapped once they voted on this many statements
MIN_PARTICIPANTS = 6  # fewer mapped participants: no groups
MAX_GROUPS = 5
MIN_SILHOUETTE = 0.25  # below, no k separates the room (Kaufman & Rousseeuw: "no structure")
MIN_GROUP_VOTES = 3  # a group's share on a statement needs this many of its votes
CONSENSUS_SHARE = 0.6
Z_REPRESENTATIVE = float(norm.ppf(0.95))  # one-sided 5 %
REPRESENTATIVE_PER_GROUP = 5
STARTS = 4  # k-means starts per k, the best inertia kept
MAX_ITERATIONS = 100
SILHOUETTE_SAMPLE = 600
PERMUTATIONS = 5  # parallel analysis: the structure must beat every shuffled copy
SEED = 20210  # fixed: the map depends on the votes only

@dataclass(frozen=True, slots=True)
class Group:
    members: np.ndarray  # row indices (into the mapped participants)
    agree: np.ndarray  # smoothed agree share per statement
    representative: list[int]  # statements, most representative first
    stance: list[int]  # +1 the group agrees more than the room, -1 it disagrees more
    #: smoothed agree share per statement among the mapped participants outside the group
    outside: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True, slots=True)
class OpinionMap:
    points: np.ndarray  # (mapped, 2)
    mapped: np.ndarray  # indices of the mapped participants in the input rows
    labels: np.ndarray  # group of each mapped participant (0 = the largest group)
    groups: list[Group] = field(default_factory=list)
    consensus: list[int] = field(default_factory=list)
    divisive: list[int] = field(default_factory=list)
    silhouette: float | None = None


def centred(votes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The matrix with missing votes imputed by their statement's mean, then centred per
    statement; and the mask of the votes actually cast."""
    answered = ~np.isnan(votes)
    counts = answered.sum(axis=0)
    means = np.divide(np.nansum(votes, axis=0), counts, out=np.zeros(votes.shape[1]),
                      where=counts > 0)
    return np.where(answered, votes, means) - means, answered


def project(votes: np.ndarray) -> np.ndarray:
    """(participants, statements) with NaN for missing -> (participants, 2) coordinates."""
    n, m = votes.shape
    if n == 0 or m == 0:
        return np.zeros((n, 2))
    matrix, answered = centred(votes)
    # the principal axes are the top eigenvectors of the statements' scatter matrix: an
    # m × m problem (statements), whatever the number of participants
    _, eigenvectors = np.linalg.eigh(matrix.T @ matrix)
    components = eigenvectors[:, ::-1][:, :2].T
    # a deterministic orientation: each axis points towards its largest loading
    signs = np.sign(components[np.arange(len(components)),
                                np.abs(components).argmax(axis=1)])
    signs[signs == 0] = 1.0
    coords = matrix @ (components * signs[:, None]).T
    if coords.shape[1] < 2:
        coords = np.hstack([coords, np.zeros((n, 2 - coords.shape[1]))])
    scale = np.sqrt(m / np.maximum(answered.sum(axis=1), 1))
    return coords * scale[:, None]


def structured(votes: np.ndarray) -> bool:
    """Whether the statements' votes go together more than chance would make them: Horn's
    parallel analysis (1965). The largest eigenvalue of the scatter matrix must exceed
    the largest one of every copy whose columns were shuffled independently (each
    statement keeps its own shares, the links between statements are gone). Without
    it, k-means finds "groups" in any room, even one where everybody agrees and a few
    dissent at random."""
    matrix, _ = centred(votes)
    if matrix.shape[0] < MIN_PARTICIPANTS or matrix.shape[1] < 2:
        return False
    observed = np.linalg.eigvalsh(matrix.T @ matrix)[-1]
    rng = np.random.default_rng(SEED)
    for _ in range(PERMUTATIONS):
        shuffled = rng.permuted(matrix, axis=0)
        if np.linalg.eigvalsh(shuffled.T @ shuffled)[-1] >= observed:
            return False
    return True


def silhouette(points: np.ndarray, labels: np.ndarray,
               distances: np.ndarray | None = None) -> float:
    """Mean silhouette width (Rousseeuw 1987); 0 for a point alone in its cluster.
    `distances`: the points' distance matrix, when it is already computed."""
    if distances is None:
        distances = cdist(points, points)
    ks = np.unique(labels)
    n = len(points)
    onehot = (labels[:, None] == ks[None, :]).astype(float)
    sums = distances @ onehot
    sizes = onehot.sum(axis=0)
    own = np.searchsorted(ks, labels)
    own_size = sizes[own]
    a = np.divide(sums[np.arange(n), own], own_size - 1, out=np.zeros(n),
                  where=own_size > 1)
    others = sums / sizes
    others[np.arange(n), own] = np.inf
    b = others.min(axis=1)
    width = np.divide(b - a, np.maximum(a, b), out=np.zeros(n), where=np.maximum(a, b) > 0)
    width[own_size <= 1] = 0.0
    return float(width.mean())


def cluster(points: np.ndarray) -> tuple[np.ndarray, float | None]:
    """Labels (largest group 0) for the best k in 2…5 by silhouette; one group when none
    separates the points. Beyond `SILHOUETTE_SAMPLE` points the silhouette is measured on
    a fixed sample of them (its cost is quadratic), the clustering uses every point."""
    n = len(points)
    best: tuple[float, np.ndarray] | None = None
    if n >= MIN_PARTICIPANTS and np.ptp(points, axis=0).max() > 1e-9:
        sample = (np.arange(n) if n <= SILHOUETTE_SAMPLE else np.sort(
            np.random.default_rng(SEED).choice(n, SILHOUETTE_SAMPLE, replace=False)))
        distances = cdist(points[sample], points[sample])
        for k in range(2, min(MAX_GROUPS, n // 2) + 1):
            labels = kmeans(points, k)
            if len(np.unique(labels)) < k or len(np.unique(labels[sample])) < 2:
                continue
            width = silhouette(points[sample], labels[sample], distances)
            if best is None or width > best[0] + 1e-12:
                best = (width, labels)
    if best is None or best[0] < MIN_SILHOUETTE:
        return np.zeros(n, dtype=int), None if best is None else best[0]
    width, labels = best
    sizes = np.bincount(labels)
    order = np.lexsort((np.arange(len(sizes)), -sizes))  # by size, then first seen
    rename = np.empty_like(order)
    rename[order] = np.arange(len(order))
    return rename[labels], width


def kmeans(points: np.ndarray, k: int) -> np.ndarray:
    """Lloyd's k-means from seeded k-means++ starts (Arthur & Vassilvitskii 2007), the
    best of `STARTS` by inertia. Written here rather than scipy's `kmeans2` because that
    one always runs its full number of iterations: these 2-D runs converge in a few."""
    best_labels, best_inertia = None, np.inf
    for start in range(STARTS):
        rng = np.random.default_rng(SEED + 97 * k + start)
        centroids = points[[rng.integers(len(points))]]
        for _ in range(1, k):
            d2 = ((points[:, None, :] - centroids[None]) ** 2).sum(axis=2).min(axis=1)
            total = d2.sum()
            pick = rng.choice(len(points), p=d2 / total) if total > 0 else rng.integers(
                len(points))
            centroids = np.vstack([centroids, points[pick]])
        labels = np.zeros(len(points), dtype=int)
        for step in range(MAX_ITERATIONS):
            d2 = ((points[:, None, :] - centroids[None]) ** 2).sum(axis=2)
            new = d2.argmin(axis=1)
            if step and np.array_equal(new, labels):
                break
            labels = new
            counts = np.bincount(labels, minlength=k)
            for dim in range(points.shape[1]):
                sums = np.bincount(labels, weights=points[:, dim], minlength=k)
                centroids[:, dim] = np.where(counts > 0, sums / np.maximum(counts, 1),
                                             centroids[:, dim])
        inertia = float(((points - centroids[labels]) ** 2).sum())
        if inertia < best_inertia - 1e-12:
            best_labels, best_inertia = labels, inertia
    assert best_labels is not None
    return best_labels


def shares(votes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                          np.ndarray]:
    """Per statement, over `rows` (a boolean mask): agree count, disagree count, votes
    (passes count as votes, as in Pol.is)."""
    part = votes[rows]
    agree = (part == 1).sum(axis=0)
    disagree = (part == -1).sum(axis=0)
    seen = (~np.isnan(part)).sum(axis=0)
    return agree, disagree, seen


def _representative(votes: np.ndarray, members: np.ndarray
                    ) -> tuple[np.ndarray, list[int], list[int], np.ndarray]:
    inside = np.zeros(len(votes), dtype=bool)
    inside[members] = True
    a_in, d_in, n_in = shares(votes, inside)
    a_out, d_out, n_out = shares(votes, ~inside)
    found: list[tuple[float, int, int]] = []
    agree_share = (a_in + 1) / (n_in + 2)
    agree_outside = (a_out + 1) / (n_out + 2)
    for count_in, count_out, stance in ((a_in, a_out, 1), (d_in, d_out, -1)):
        p_in = (count_in + 1) / (n_in + 2)
        p_out = (count_out + 1) / (n_out + 2)
        pooled = (count_in + count_out + 2) / (n_in + n_out + 4)
        se = np.sqrt(pooled * (1 - pooled) * (1 / (n_in + 2) + 1 / (n_out + 2)))
        z = np.divide(p_in - p_out, se, out=np.zeros_like(se), where=se > 0)
        ratio = p_in / p_out
        for s in np.flatnonzero((z > Z_REPRESENTATIVE) & (n_in >= MIN_GROUP_VOTES)
                                & (p_in > 0.5)):
            found.append((float(ratio[s]), int(s), stance))
    found.sort(key=lambda item: (-item[0], item[1]))
    chosen, stances, seen = [], [], set()
    for _, s, stance in found:
        if s not in seen:
            seen.add(s)
            chosen.append(s)
            stances.append(stance)
        if len(chosen) == REPRESENTATIVE_PER_GROUP:
            break
    return agree_share, chosen, stances, agree_outside


def opinion_map(votes: np.ndarray) -> OpinionMap:
    """The map of a (participants, statements) matrix of +1/-1/0 with NaN for missing."""
    votes = np.asarray(votes, dtype=float)
    if votes.ndim != 2:
        raise ValueError("votes must be a participants × statements matrix")
    needed = min(MIN_VOTES, votes.shape[1]) if votes.size else 1  # few statements: all
    mapped = (np.flatnonzero((~np.isnan(votes)).sum(axis=1) >= max(needed, 1))
              if votes.size else np.zeros(0, dtype=int))
    sub = votes[mapped]
    points = project(sub)
    if structured(sub):
        labels, width = cluster(points)
    else:
        labels, width = np.zeros(len(sub), dtype=int), None
    groups: list[Group] = []
    if width is not None:
        for g in range(int(labels.max()) + 1):
            members = np.flatnonzero(labels == g)
            agree, chosen, stances, outside = _representative(sub, members)
            groups.append(Group(members, agree, chosen, stances, outside))
    consensus, divisive = bridges(sub, labels if groups else np.zeros(len(sub), dtype=int))
    return OpinionMap(points, mapped, labels, groups, consensus, divisive, width)


def bridges(votes: np.ndarray, labels: np.ndarray) -> tuple[list[int], list[int]]:
    """Statements every group agrees with (most agreed-by-all first), and the statements
    whose agree shares differ most between two groups (none with a single group)."""
    if votes.size == 0:
        return [], []
    per_group = []
    for g in range(int(labels.max()) + 1 if len(labels) else 0):
        a, _, n = shares(votes, labels == g)
        per_group.append(((a + 1) / (n + 2), n))
    if not per_group:
        return [], []
    agree = np.stack([share for share, _ in per_group])
    enough = np.stack([n >= MIN_GROUP_VOTES for _, n in per_group]).all(axis=0)
    floor = agree.min(axis=0)
    consensus = [int(s) for s in np.lexsort((np.arange(len(floor)), -floor))
                 if enough[s] and floor[s] >= CONSENSUS_SHARE][:REPRESENTATIVE_PER_GROUP]
    if len(per_group) < 2:
        return consensus, []
    gap = agree.max(axis=0) - agree.min(axis=0)
    divisive = [int(s) for s in np.lexsort((np.arange(len(gap)), -gap))
                if enough[s] and gap[s] >= 0.3][:REPRESENTATIVE_PER_GROUP]
    return consensus, divisive
