"""What every activity kind provides, and what a kind may add: the plug-in contract.

A kind is a class registered under its `Kind` (`crowd.activities.register`). The room
engine never names a kind: it asks the kind to normalise the animator's spec, to check
a phone's value, and keeps one `Tally` per activity that is updated in place on each
response (add the new value, remove the replaced one) so a snapshot never rescans every
response. A kind may also bring, through the hooks below (all optional, no-ops here):

- its own **messages** (`messages`: type -> parser, registered with the protocol) and
  **commands** (`commands()`: message class -> handler), authorized like every message
  by their class's `ROLES`;
- its own **events** and how they change the state (`appliers()`: event type -> applier);
- whether its open activities are always on the room's screens (`on_screens`), when an
  activity closes by itself (`closes_at`), a check before opening (`check_open`);
- its part of a welcome (`welcome`), and what it sends at the hub's tick (`tick`).

Commands and appliers get the engine through `EngineAPI`: the few operations every
command needs (find, log and apply, acknowledge, announce a change). docs/kinds.md is
the recipe for a new kind.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from crowd.core.errors import BadMessage, BadValue, Conflict
from crowd.core.types import Moderation, Results, Role

if TYPE_CHECKING:
    from crowd.core.authorization import Peer
    from crowd.core.events import Event
    from crowd.core.protocol import Message
    from crowd.core.room import Activity, Room
    from crowd.core.steps import Step, Target

    Sends = list[tuple[Target, dict[str, Any]]]

MAX_PROMPT = 500
MAX_OPTION = 120
MAX_OPTIONS = 20


class Tally(ABC):
    """Running aggregate of one activity's responses (latest response per device)."""

    #: Attributes that only remember a computation (computed again from the rest when
    #: missing or stale): not state, so a replay that never drew a frame may differ there.
    memo_fields: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def add(self, value: Any) -> None: ...

    @abstractmethod
    def remove(self, value: Any) -> None: ...

    @abstractmethod
    def snapshot(self) -> dict[str, Any]:
        """Plain data for screens, panels and revealed results: names its figures."""

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        """Columns for the projector's Bokeh sources, by source name (see crowd.views.charts)."""
        return {}

    def respond(self, device: str, previous: Any | None, stored: Any, value: Any) -> None:
        """One device answered `value`; its stored answer went from `previous` (None at
        first) to `stored` (see `ActivityType.merge`). By default the previous answer
        leaves and the new one enters; a kind whose answers come in parts (one vote per
        statement) updates only the part that changed."""
        if previous is not None:
            self.remove(previous)
        self.add(stored)

    def observe(self, now: float) -> None:  # noqa: B027 - optional hook, no-op by default
        """Called after each response with the event's time (for trends); most ignore it."""

    def link(self, other: Tally) -> None:  # noqa: B027 - optional hook, no-op by default
        """Called when an activity follows another (second round of an estimate)."""

    def check_truth(self, value: float) -> float:
        """A true value the animator enters (`set_truth`), checked: the value to log, or
        Conflict when the kind has none (estimates: a number; orientations: a bearing)."""
        raise Conflict(reason="truth_estimate_only")

    def set_truth(self, value: float | None) -> None:
        """The true value, entered by the animator after the fact (estimates, bearings)."""
        raise BadMessage(reason="no_truth")

    def panel_fields(self) -> dict[str, Any]:
        """Extra fields of the activity in the panel's agenda (a criée's roster)."""
        return {}

    # Cross-tab segments (crowd/core/segments.py): a kind whose answers make segments
    # (one segment per option of a single choice), and a kind whose results can be split
    # (counts per option, the cells of the table). None: not this kind.

    def segment_labels(self) -> list[str] | None:
        """The segments this kind's answers define, by name (None: it defines none)."""
        return None

    def segment_of(self, stored: Any) -> int | None:
        """Which segment a device's stored answer puts it in."""
        return None

    def segment_of_device(self, device: str, stored: Any) -> int | None:
        """Which segment a device is in (by default, what its answer says)."""
        return self.segment_of(stored)

    def segments_version(self) -> int | None:
        """For segments that change without an answer changing (an opinion map computed
        again): a number that changes with them. None: they change only with answers."""
        return None

    def cells(self) -> list[int] | None:
        """The counts a split shows for this tally (None: it cannot be split)."""
        return None
    def redact(self, chart: dict[str, dict[str, list[Any]]]) -> dict[str, dict[str, list[Any]]]:
        """Columns of a past frame without what the state now hides (the closing film
        never shows a post an animator hid later); unchanged by default."""
        return chart

    def carry_over(self, old: Tally) -> None:  # noqa: B027 - optional hook, no-op by default
        """The moderation counts the answers again in a fresh tally: keep here what the
        answers do not carry (a board's posts)."""


class EngineAPI(Protocol):
    """What a kind's commands and appliers may ask of the engine."""

    rooms: dict[str, Room]
    activities: dict[str, Activity]
    dirty: set[str]

    def room(self, code: str) -> Room: ...
    def activity(self, activity_id: str) -> Activity: ...
    def event(self, type_: str, room: str, data: dict[str, Any], now: float, peer: Peer,
              seq: int | None) -> Event: ...
    def commit(self, step: Step, event: Event) -> None: ...
    def ack(self, step: Step, peer: Peer, seq: int | None, **fields: Any) -> None: ...
    def add_activity(self, step: Step, room: Room, spec: dict[str, Any], now: float,
                     peer: Peer, seq: int | None) -> Activity: ...
    def activity_changed(self, step: Step, act: Activity) -> None: ...
    def room_changed(self, step: Step, code: str) -> None: ...
    def snapshot(self, act: Activity) -> dict[str, Any] | None: ...
    def kind_state(self, kind: ActivityType) -> Any: ...


Command = Callable[["EngineAPI", Any, "Peer", float], "Step"]
Applier = Callable[["EngineAPI", "Event"], None]


class ActivityType(ABC):
    """One activity kind: how its spec and its values look, and how it is tallied."""

    #: The kind's name in specs and on the wire; a member of `Kind` for the kinds shipped
    #: with crowd, any new name for a kind of one's own (no central list to edit).
    kind: ClassVar[str]

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The animator's map -> a clean spec (fields the kind does not know are dropped)."""
        spec = {"kind": str(self.kind), "prompt": text(raw, "prompt", MAX_PROMPT, required=True),
                "note": text(raw, "note", MAX_PROMPT)}
        if self.free_text:
            spec.update(moderation_field(raw))
        spec.update(schedule_fields(raw))
        spec.update(results_field(raw))
        return spec

    @abstractmethod
    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        """A phone's value -> its normalised form, or BadValue. Never changes state."""

    @abstractmethod
    def new_tally(self, spec: Mapping[str, Any]) -> Tally: ...

    def merge(self, previous: Any | None, value: Any) -> Any:
        """A device's stored answer once `value` arrives: by default the latest answer
        replaces the previous one; a kind answered in parts keeps them together."""
        return value

    # ------------------------------------------------------------ optional plug-in hooks

    #: Message types this kind adds to the protocol: type name -> parser.
    messages: ClassVar[Mapping[str, Callable[[Mapping[str, Any]], Message]]] = {}
    #: State messages this kind sends (latest wins): type name -> the field naming which.
    state_messages: ClassVar[Mapping[str, str | None]] = {}
    #: Its open activities are always on the room's screens (and their figures public).
    on_screens: ClassVar[bool] = False

    def commands(self) -> Mapping[type[Message], Command]:
        """The handlers of this kind's messages."""
        return {}

    def appliers(self) -> Mapping[str, Applier]:
        """How this kind's events change the state (live and at replay alike)."""
        return {}

    def new_state(self) -> Any:
        """Per-engine bookkeeping of the kind that is not logged state (deliveries)."""
        return None

    def closes_at(self, spec: Mapping[str, Any]) -> float | None:
        """When an open activity closes by itself (a deadline), if ever."""
        return None

    def check_open(self, act: Activity, now: float) -> None:  # noqa: B027 - optional hook
        """Raise Conflict if the activity cannot open now."""

    def public_spec(self, spec: Mapping[str, Any]) -> Mapping[str, Any]:
        """The spec as every phone, screen and panel receives it: whole, unless part of it
        is meant for some devices only (an experiment's arm), which `welcome` and the
        kind's commands then send to those devices alone."""
        return spec

    def welcome(self, engine: EngineAPI, act: Activity, role: Role,
                device: str | None) -> Mapping[str, Any]:
        """This activity's part of a welcome, as {field: {id: value}} or {field: [items]}."""
        return {}

    def welcome_fields(self, role: Role) -> Mapping[str, Any]:
        """Welcome fields this kind always fills for `role`, with their empty value."""
        return {}

    def panel_messages(self, engine: EngineAPI, act: Activity) -> list[dict[str, Any]]:
        """State messages for a panel that starts following the room (watch, welcome,
        resume): what the room's state does not carry (a criée's withdrawals)."""
        return []

    def tick(self, engine: EngineAPI, now: float, watched: Callable[[str], bool]) -> Sends:
        """What to send at the hub's tick (bounded work, never per input)."""
        return []

    # ------------------------------------------------------------ free text (moderation)
    # A kind whose answers hold free text that may reach the big screen (a word cloud, a
    # board of ideas) says so, and says what its entries are: the core's moderation
    # (crowd/core/moderation.py) then decides, entry by entry, what the tally counts,
    # the same way for every such kind. The spec field `moderation` is theirs.

    #: Its answers hold free text shown in public (moderated: off, filter, approve).
    free_text: ClassVar[bool] = False

    def entries(self, value: Any) -> list[str]:
        """The free-text entries of an accepted value (distinct, normalised)."""
        return []

    def entry_text(self, tally: Tally, entry: str) -> str:
        """The text the list of insults reads for an entry (the entry itself, or the
        text of a post when entries are post ids)."""
        return entry

    def keep_entries(self, value: Any, entries: list[str]) -> Any:
        """The value the tally counts when only `entries` show (the visible ones, variants
        merged into their target, in the value's order)."""
        return value


# ---------------------------------------------------------------- spec helpers


def text(raw: Mapping[str, Any], name: str, limit: int, *, required: bool = False,
         default: str = "") -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise BadMessage(reason="field_required", field=name)
        return default
    if not isinstance(value, str):
        raise BadMessage(reason="field_not_text", field=name)
    value = value.strip()
    if len(value) > limit:
        raise BadMessage(reason="field_too_long", field=name, limit=limit)
    if required and not value:
        raise BadMessage(reason="field_required", field=name)
    return value


def labels(raw: Mapping[str, Any], name: str, *, minimum: int = 2, maximum: int = MAX_OPTIONS,
           default: list[str] | None = None) -> list[str]:
    value = raw.get(name)
    if value is None and default is not None:
        return list(default)
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise BadMessage(reason="field_not_texts", field=name)
    items = [x.strip() for x in value]
    if not minimum <= len(items) <= maximum:
        raise BadMessage(reason="field_count", field=name, min=minimum, max=maximum)
    if any(not x or len(x) > MAX_OPTION for x in items):
        raise BadMessage(reason="field_entry_length", field=name, limit=MAX_OPTION)
    if len(set(items)) != len(items):
        raise BadMessage(reason="field_entry_twice", field=name)
    return items


def moderation_field(raw: Mapping[str, Any]) -> dict[str, str]:
    """The spec's `moderation` ({} when off, so specs written before it stay the same)."""
    value = raw.get("moderation", Moderation.OFF)
    if value not in Moderation.__members__.values():
        raise BadMessage(reason="moderation_unknown", field="moderation")
    return {} if value == Moderation.OFF else {"moderation": str(value)}


def schedule_fields(raw: Mapping[str, Any]) -> dict[str, float]:
    """When the activity opens and closes by itself (crowd/core/schedule.py), seconds since
    the epoch; absent when not scheduled, so specs written before it stay the same."""
    times = {name: number(raw, name) for name in ("open_at", "close_at")}
    found = {name: float(value) for name, value in times.items() if value is not None}
    if "open_at" in found and "close_at" in found and found["close_at"] <= found["open_at"]:
        raise BadMessage(reason="schedule_order", field="close_at")
    return found


def results_field(raw: Mapping[str, Any]) -> dict[str, str]:
    """The spec's `results` when the animator chose one ({} otherwise: the kind's default
    applies, see crowd.core.visibility, and specs written before it stay the same)."""
    value = raw.get("results")
    if value is None:
        return {}
    if value not in Results.__members__.values():
        raise BadMessage(reason="results_unknown", field="results")
    return {"results": str(value)}


def number(raw: Mapping[str, Any], name: str, default: float | None = None) -> float | None:
    value = raw.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadMessage(reason="field_not_number", field=name)
    return float(value) if isinstance(value, float) else value


def integer(raw: Mapping[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise BadMessage(reason="field_not_whole", field=name, min=lo, max=hi)
    return value


# ---------------------------------------------------------------- value helpers


def option_index(value: Any, n: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(reason="value_not_option")
    if not 0 <= value < n:
        raise BadValue(reason="value_option_range", value=value, last=n - 1)
    return value


def index_list(value: Any, n: int, *, minimum: int, maximum: int) -> list[int]:
    if not isinstance(value, list):
        raise BadValue(reason="value_not_options")
    indices = [option_index(v, n) for v in value]
    if len(set(indices)) != len(indices):
        raise BadValue(reason="value_option_twice")
    if not minimum <= len(indices) <= maximum:
        raise BadValue(reason="value_options_count", min=minimum, max=maximum)
    return indices


def finite(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue(reason="value_not_number")
    if not math.isfinite(value):
        raise BadValue(reason="value_not_finite")
    return float(value)
