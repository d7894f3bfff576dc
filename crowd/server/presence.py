"""Who is where, in numbers only: the crowd sensing of the physical crowd.

A permanent space of the festival (the machine room, the market, the bar) is a room
with its QR code on the wall; a phone that scans it (its page's hello) is counted
present there, and only there: entering another space moves it. A phone counts for
`WINDOW_S` after its last hello in a space, then it has left. Nothing is logged and
nothing names a device outside this process: the public program shows a count per
room (`/api/program`, `present`), never who.

`enter` is O(1); `counts` walks the devices seen, at most once a second (cached), so a
home page asked by a thousand phones costs one walk a second.
"""

from __future__ import annotations

#: A phone counts in a space this long after it last arrived (a page open in a pocket
#: reconnects well within it).
WINDOW_S = 30 * 60.0
RECOUNT_EVERY_S = 1.0


class Presence:
    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._where: dict[str, tuple[str, float]] = {}  # device -> (room, last hello)
        self._counts: dict[str, int] = {}
        self._counted_at = float("-inf")

    def enter(self, device: str, room: str, now: float) -> None:
        self._where.pop(device, None)  # re-inserted last: oldest first, for pruning
        self._where[device] = (room, now)

    def counts(self, now: float) -> dict[str, int]:
        """Room -> devices present now."""
        if now - self._counted_at < RECOUNT_EVERY_S:
            return self._counts
        horizon = now - self.window_s
        for device in [d for d, (_, at) in self._where.items() if at < horizon]:
            del self._where[device]
        counts: dict[str, int] = {}
        for room, _ in self._where.values():
            counts[room] = counts.get(room, 0) + 1
        self._counts, self._counted_at = counts, now
        return counts
