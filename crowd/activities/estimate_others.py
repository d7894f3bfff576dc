"""The social information of the arms that show other people: one random other person's
round-1 estimate (`one_other`), or the median of 5 random others' (`median_of_5`), after
Becker, Brackbill & Centola (2017).

When the second round opens, the first round's devices are put once in a random order
(FNV-1a of the first round's id and each device token, so the log's ids replay the same
order): O(n log n), once. A device of the first round is then shown the 1 or 5 devices
that follow it in that order (wrapping around; never itself; fewer when fewer others
answered). A device that did not answer the first round is shown nobody: it has no first
estimate to revise (and is not paired). Each look-up is O(1), whatever the room's size.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crowd.activities.value_scale import fnv1a

#: How many others each arm shows.
PICKS = {"one_other": 1, "median_of_5": 5}


@dataclass(frozen=True, slots=True)
class OthersDraw:
    """The first round's answers in a random order fixed by the log's ids."""

    first_round: str
    order: tuple[tuple[str, float], ...]
    place: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def draw(cls, first_round: str, answers: Mapping[str, float]) -> OthersDraw:
        """Order `answers` (device -> round-1 estimate) by the hash of each device."""
        devices = sorted(answers, key=lambda d: (fnv1a(f"{first_round}|order|{d}"), d))
        return cls(first_round, tuple((d, answers[d]) for d in devices),
                   {d: i for i, d in enumerate(devices)})

    def others(self, device: str, k: int) -> list[float]:
        """The round-1 estimates of the k others `device` is shown (fewer if fewer)."""
        place = self.place.get(device)
        if place is None:
            return []
        n = len(self.order)
        return [self.order[(place + 1 + i) % n][1] for i in range(min(k, n - 1))]

    def shown(self, device: str, arm: str) -> dict[str, Any] | None:
        """What `device` is shown in `arm`: `{arm, value, n}` (`value` the other's
        estimate or the median of the others', `n` how many), or None for an arm that
        shows nobody (or when nobody else answered)."""
        k = PICKS.get(arm)
        values = self.others(device, k) if k else []
        if not values:
            return None
        return {"arm": arm, "value": float(statistics.median(values)), "n": len(values)}
