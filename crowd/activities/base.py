"""What every activity kind provides: a spec checker and an incremental tally.

A kind is a small class registered under its `Kind`. The room engine never knows the
details of a kind: it asks the kind to normalise the animator's spec, to check a phone's
value, and keeps one `Tally` per activity that is updated in place on each response
(add the new value, remove the replaced one) so a snapshot never rescans every response.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from crowd.errors import BadMessage, BadValue
from crowd.types import Kind

MAX_PROMPT = 500
MAX_OPTION = 120
MAX_OPTIONS = 20


class Tally(ABC):
    """Running aggregate of one activity's responses (latest response per device)."""

    @abstractmethod
    def add(self, value: Any) -> None: ...

    @abstractmethod
    def remove(self, value: Any) -> None: ...

    @abstractmethod
    def snapshot(self) -> dict[str, Any]:
        """Plain data for screens, panels and revealed results: names its figures."""

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        """Columns for the projector's Bokeh sources, by source name (see crowd.charts)."""
        return {}

    def observe(self, now: float) -> None:  # noqa: B027 - optional hook, no-op by default
        """Called after each response with the event's time (for trends); most ignore it."""

    def link(self, other: Tally) -> None:  # noqa: B027 - optional hook, no-op by default
        """Called when an activity follows another (second round of an estimate)."""

    def set_truth(self, value: float | None) -> None:
        """The true value, entered by the animator after the fact (estimates only)."""
        raise BadMessage("this activity has no true value")


class ActivityType(ABC):
    """One activity kind: how its spec and its values look, and how it is tallied."""

    kind: ClassVar[Kind]

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The animator's map -> a clean spec (fields the kind does not know are dropped)."""
        return {"kind": self.kind.value, "prompt": text(raw, "prompt", MAX_PROMPT, required=True),
                "note": text(raw, "note", MAX_PROMPT)}

    @abstractmethod
    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        """A phone's value -> its normalised form, or BadValue. Never changes state."""

    @abstractmethod
    def new_tally(self, spec: Mapping[str, Any]) -> Tally: ...


# ---------------------------------------------------------------- spec helpers


def text(raw: Mapping[str, Any], name: str, limit: int, *, required: bool = False,
         default: str = "") -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise BadMessage(f"'{name}' is required")
        return default
    if not isinstance(value, str):
        raise BadMessage(f"'{name}' must be a text")
    value = value.strip()
    if len(value) > limit:
        raise BadMessage(f"'{name}' is longer than {limit} characters")
    if required and not value:
        raise BadMessage(f"'{name}' is required")
    return value


def labels(raw: Mapping[str, Any], name: str, *, minimum: int = 2, maximum: int = MAX_OPTIONS,
           default: list[str] | None = None) -> list[str]:
    value = raw.get(name)
    if value is None and default is not None:
        return list(default)
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise BadMessage(f"'{name}' must be a list of texts")
    items = [x.strip() for x in value]
    if not minimum <= len(items) <= maximum:
        raise BadMessage(f"'{name}' needs between {minimum} and {maximum} entries")
    if any(not x or len(x) > MAX_OPTION for x in items):
        raise BadMessage(f"each of '{name}' must be 1 to {MAX_OPTION} characters")
    if len(set(items)) != len(items):
        raise BadMessage(f"'{name}' has the same entry twice")
    return items


def number(raw: Mapping[str, Any], name: str, default: float | None = None) -> float | None:
    value = raw.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadMessage(f"'{name}' must be a finite number")
    return float(value) if isinstance(value, float) else value


def integer(raw: Mapping[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise BadMessage(f"'{name}' must be a whole number from {lo} to {hi}")
    return value


# ---------------------------------------------------------------- value helpers


def option_index(value: Any, n: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue("the answer must be an option number")
    if not 0 <= value < n:
        raise BadValue(f"option {value} does not exist (0 to {n - 1})")
    return value


def index_list(value: Any, n: int, *, minimum: int, maximum: int) -> list[int]:
    if not isinstance(value, list):
        raise BadValue("the answer must be a list of option numbers")
    indices = [option_index(v, n) for v in value]
    if len(set(indices)) != len(indices):
        raise BadValue("the same option appears twice")
    if not minimum <= len(indices) <= maximum:
        raise BadValue(f"choose between {minimum} and {maximum} options")
    return indices


def finite(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue("the answer must be a number")
    if not math.isfinite(value):
        raise BadValue("the answer must be a finite number")
    return float(value)
