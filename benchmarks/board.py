"""What a board costs the engine: posts and upvotes, against a choice vote of the same run.

Pure engine, one process, no network. A room holds a choice activity (the baseline: one
vote, one counter) and a board in `filter` mode (the default: each post checked against
the list of insults and moderated). Then `--posts` posts (one device in five posts, at a
human pace) and `--upvotes` upvotes spread over them (a few take-backs among them), timed
in batches; the choice votes are timed the same way in the same run. A snapshot of the
whole board (what a frame and the phones' list cost, once per change at most 10 times a
second) and an animator's merge of the most voted post are timed last.

The targets (issue #16): a post or an upvote <= 1 ms in the engine and not growing with
the board (the first and the last thousand upvotes are reported apart).

    python benchmarks/board.py --posts 2000 --upvotes 20000
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from crowd.core.engine import Engine, Peer
from crowd.core.protocol import parse
from crowd.core.types import Role

PANEL = Peer(Role.PANEL, "bench-panel")
WORDS = ["four", "pétrin", "remorque", "cuve", "bocaux", "broyeur", "chambre", "froide",
         "camion", "atelier", "formation", "compta", "livraison"]


def timed(engine: Engine, raws: list[tuple[dict[str, Any], Peer, float]]) -> list[float]:
    """Microseconds per input, each input handled as the hub does (parse, handle)."""
    spent = []
    for raw, peer, now in raws:
        started = time.perf_counter()
        engine.handle(parse(raw), peer, now)
        spent.append((time.perf_counter() - started) * 1e6)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--upvotes", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    engine = Engine(rng=random.Random(1))

    def send(raw: dict[str, Any], peer: Peer = PANEL, now: float = 1000.0) -> dict[str, Any]:
        step = engine.handle(parse(raw), peer, now)
        return next(m for _, m in step.sends if m["t"] == "ack")

    code = send({"t": "create_room", "title": "Banc d'essai"})["room"]
    choice = send({"t": "activity_new", "room": code, "spec": {
        "kind": "choice", "prompt": "Pain ?", "options": ["oui", "non", "peut-être"]}})["activity"]
    board = send({"t": "activity_new", "room": code, "spec": {
        "kind": "board", "prompt": "Besoins et offres", "mode": "needs_offers",
        "categories": ["Pain", "Conserves", "Bois", "Volailles", "Brasserie"]}})["activity"]
    for act in (choice, board):
        send({"t": "open", "activity": act})
    devices = max(args.posts // 2, args.upvotes // 5)
    phones = [Peer(Role.PHONE, f"d{d}", code) for d in range(devices)]

    posts_in = []
    for n in range(args.posts):
        author = phones[n % max(devices // 5, 1)]
        text = " ".join(rng.sample(WORDS, 4)) + f" n°{n}"
        posts_in.append(({"t": "post", "activity": board, "text": text,
                          "type": rng.choice(["need", "offer"]),
                          "category": rng.choice(["Pain", "Bois", "Brasserie"])},
                         author, 2000.0 + 10.0 * n))
    post_us = timed(engine, posts_in)
    tally = engine.activity(board).tally
    post_ids = list(tally.posts)  # type: ignore[attr-defined]
    authors = {p: tally.posts[p].device for p in post_ids}  # type: ignore[attr-defined]

    votes_in = []
    held: set[tuple[str, str]] = set()
    while len(votes_in) < args.upvotes:
        peer = rng.choice(phones)
        post = post_ids[min(int(rng.expovariate(1 / 200)), len(post_ids) - 1)]
        if authors[post] == peer.client:
            continue
        on = (peer.client, post) not in held
        (held.add if on else held.discard)((peer.client, post))
        votes_in.append(({"t": "upvote", "post": post, "on": on}, peer, 1e6))
    upvote_us = timed(engine, votes_in)

    choice_in = [({"t": "respond", "activity": choice, "value": rng.randrange(3)},
                  rng.choice(phones), 1e6) for _ in range(args.upvotes)]
    choice_us = timed(engine, choice_in)

    act = engine.activity(board)
    engine.dirty.add(act.id)
    started = time.perf_counter()
    snap = act.tally.snapshot()
    snapshot_ms = (time.perf_counter() - started) * 1e3
    top, second = snap["posts"][0]["id"], snap["posts"][1]["id"]
    started = time.perf_counter()
    send({"t": "moderate", "activity": board, "entry": second, "action": "merge",
          "into": top})
    merge_ms = (time.perf_counter() - started) * 1e3

    def line(name: str, us: list[float]) -> None:
        ordered = sorted(us)
        print(f"{name:34}{statistics.median(us):9.1f}{ordered[int(0.99 * len(us))]:9.1f}"
              f"{statistics.fmean(us):9.1f}")

    print(f"board: {args.posts} posts, {args.upvotes} upvotes, {devices} devices "
          f"({snap['n']} posts shown)")
    print(f"{'µs per input':34}{'p50':>9}{'p99':>9}{'mean':>9}")
    line("choice vote (baseline)", choice_us)
    line("post", post_us)
    line("upvote", upvote_us)
    line("  first 1,000 upvotes", upvote_us[:1000])
    line("  last 1,000 upvotes", upvote_us[-1000:])
    print(f"snapshot of the whole board: {snapshot_ms:.1f} ms; merge of the second most "
          f"voted post into the first: {merge_ms:.1f} ms")


if __name__ == "__main__":
    main()
