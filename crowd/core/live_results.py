"""Live results on phones while an activity is open and revealed.

Phones get no frames: a frame per tick to 2,000 phones would fill the one router of the
hall. A phone sees results once the animator reveals them (`result`), and fresh ones at
reopen and close (`activity` with `snapshot`). But an activity revealed while still open
keeps changing: its results on phones must follow, or a person reads figures the
projector contradicts.

So, at the hub's tick, each open and revealed activity whose figures changed sends its
snapshot to the room's phones, at most every `RESULTS_EVERY_S` seconds (the first change
after a quiet spell at the next tick): a rush of 500 answers costs each phone one small
message every two seconds, not 500. The activities looked at are the ones whose frames
were just built (their figures changed): no scan of the room, nothing per input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crowd.activities import activity_type
from crowd.core.protocol import out
from crowd.core.steps import PHONES, Target, ToRoom
from crowd.core.types import State

if TYPE_CHECKING:
    from crowd.core.engine import Engine

#: Seconds between two `result` messages of one open activity, at least.
RESULTS_EVERY_S = 2.0


@dataclass(slots=True)
class LiveResults:
    """Open revealed activities whose figures changed since phones last got them."""

    pending: set[str] = field(default_factory=set)
    sent_at: dict[str, float] = field(default_factory=dict)

    def due(self, engine: Engine, changed: Iterable[str],
            now: float) -> list[tuple[Target, dict[str, Any]]]:
        """`result` messages owed now; `changed`: activities whose figures changed since
        the last call (the frames of this tick)."""
        self.pending.update(changed)
        sends: list[tuple[Target, dict[str, Any]]] = []
        for activity_id in sorted(self.pending):
            act = engine.activities.get(activity_id)
            if (act is None or not act.revealed or act.state is not State.OPEN
                    or activity_type(act.kind).on_screens):  # a call tells its places
                self.pending.discard(activity_id)
                self.sent_at.pop(activity_id, None)
                continue
            if now - self.sent_at.get(activity_id, -1e18) < RESULTS_EVERY_S:
                continue  # stays pending: sent at a later tick
            self.pending.discard(activity_id)
            snapshot = engine.snapshot(act)
            if snapshot is None:
                continue
            self.sent_at[activity_id] = now
            sends.append((ToRoom(act.room, PHONES),
                          out("result", activity=activity_id, snapshot=snapshot)))
        return sends
