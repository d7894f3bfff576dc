"""The vocabulary every layer shares: roles, activity kinds and states, identifiers.

Kept free of any crowd import so that every other module may depend on it.
"""

from __future__ import annotations

import enum
from typing import Final

#: Room codes avoid letters and digits that read alike on a projector or a phone keyboard
#: (0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, U/V): a code shouted across a barn must be typed right.
CODE_ALPHABET: Final = "ACEFGHJKMNPRTWXY34679"
CODE_LENGTH: Final = 4

PROTOCOL_VERSION: Final = 1


class Role(enum.StrEnum):
    """Who is on the other end of a connection."""

    PHONE = "phone"  # anonymous participant, identified by a device token
    PANEL = "panel"  # animator, proved by the animator secret
    SCREEN = "screen"  # read-only projector


class Kind(enum.StrEnum):
    """Activity kinds an animator can launch in a room."""

    CHOICE = "choice"
    APPROVAL = "approval"
    RANKING = "ranking"
    GRADES = "grades"
    ESTIMATE = "estimate"
    WORDS = "words"
    TEMPERATURE = "temperature"
    WEIGHTING = "weighting"
    ORIENTATION = "orientation"
    CALL = "call"


class Moderation(enum.StrEnum):
    """What free text reaches the big screen (crowd.core.moderation)."""

    OFF = "off"  # live: everything shows
    FILTER = "filter"  # entries matching the list of insults wait for an animator
    APPROVE = "approve"  # nothing shows before an animator approves it


class Results(enum.StrEnum):
    """When the projector shows an activity's figures (crowd.core.visibility)."""

    LIVE = "live"  # as the answers come
    AFTER_CLOSE = "after_close"  # once voting is closed (or revealed)
    HIDDEN = "hidden"  # only once the animator reveals them


class State(enum.StrEnum):
    """Life cycle of an activity: draft -> open -> closed (and back to open if reopened)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


def normalize_code(code: str) -> str:
    """Room codes are case-insensitive and forgiving about spaces and dashes."""
    return code.strip().upper().replace(" ", "").replace("-", "")


def is_valid_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code)
