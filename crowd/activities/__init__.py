"""Activity kinds, one module per family, registered by kind.

`activity_type(kind)` is the only entry point the room engine uses.
"""

from __future__ import annotations

from crowd.activities.base import ActivityType, Tally
from crowd.errors import BadMessage
from crowd.types import Kind

_REGISTRY: dict[Kind, ActivityType] = {}


def register(cls: type[ActivityType]) -> type[ActivityType]:
    """Class decorator: one instance of each kind serves every activity of that kind."""
    _REGISTRY[cls.kind] = cls()
    return cls


def activity_type(kind: object) -> ActivityType:
    try:
        return _REGISTRY[Kind(kind)]
    except (ValueError, KeyError):
        known = ", ".join(sorted(k.value for k in _REGISTRY))
        raise BadMessage(f"unknown activity kind {str(kind)[:30]!r} (known: {known})") from None


def known_kinds() -> list[Kind]:
    return sorted(_REGISTRY, key=list(Kind).index)


from crowd.activities import calls, gestures, polls  # noqa: E402  (registers the kinds)

__all__ = ["ActivityType", "Tally", "activity_type", "calls", "gestures", "known_kinds",
           "polls", "register"]
