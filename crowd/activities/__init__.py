"""Activity kinds, one module per kind, each a plug-in registered by its name.

`activity_type(kind)` and `all_types()` are the only entry points the room engine uses:
it never names a kind. See `base.py` for what a kind may bring, `registry.py` for how it
plugs in, and docs/kinds.md for the recipe.
"""

from __future__ import annotations

# crowd's own kinds (importing a kind's module registers it)
from crowd.activities import calls, estimate, gestures, opinion, polls
from crowd.activities.base import ActivityType, Tally
from crowd.activities.registry import activity_type, all_types, known_kinds, register

__all__ = ["ActivityType", "Tally", "activity_type", "all_types", "calls", "estimate",
           "gestures", "known_kinds", "opinion", "polls", "register"]

# The relative value scale (pairwise ratio judgments) and the board (questions, ideas,
# needs and offers): importing their modules registers them.
from crowd.activities import board, value_scale  # noqa: F401
