"""Moderation: the animator decides what free text reaches the big screen.

One joker in a 1,000-person plenary could put an insult or a person's name on the
projector: every word went straight to the screen. An activity of a free-text kind (the
kind says so, `ActivityType.free_text`, and what its entries are) has a mode, changeable
live: `off` (everything shows), `filter` (entries matching the list of insults wait for
an animator), `approve` (nothing shows before an animator approves it). The animator
approves, hides, or merges a variant into another entry ("fete" into "fête": its
answers count for "fête").

How: the activity's tally counts only what shows. Each device's answer is kept whole
(`Activity.responses`, the log), and what the tally was given for it (`shown`), so a
later decision re-tallies exactly the devices that wrote the entry (an index entry ->
devices): an answer costs O(its entries), a decision O(the devices concerned). Every
snapshot, frame, projection, revealed result, public export and replay is built from
the tally, so a waiting or hidden entry is in none of them; the animator sees the queue
(`moderation` messages, the room's state) and the animator's export marks them.

Decisions are events (`moderation_set`, `entry_moderated`), and whether an entry
matched the list is decided when it arrives and logged with it (`flagged` in the
`responded` event), so a replay gives the same screens whatever the list is then.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crowd.activities import activity_type
from crowd.core import events as ev
from crowd.core.authorization import Peer
from crowd.core.errors import Conflict, declare_reasons
from crowd.core.events import Event
from crowd.core.protocol import Moderate, SetModeration, out
from crowd.core.steps import PANELS, Step, Target, ToRoom
from crowd.core.types import Moderation as Mode

if TYPE_CHECKING:
    from crowd.activities.base import ActivityType, Tally
    from crowd.core.engine import Engine
    from crowd.core.room import Activity

declare_reasons({
    "not_free_text": "this activity has no free text to moderate",
    "entry_unknown": "nobody wrote {entry!r} here",
    "merge_into_itself": "an entry cannot be merged into itself",
})

#: Entries listed in a `moderation` message (waiting ones first, then by count).
QUEUE_LIMIT = 300
#: At most one `moderation` message per activity and per this many seconds.
QUEUE_EVERY_S = 1.0

ACTIONS = ("approve", "hide", "merge")

# ---------------------------------------------------------------- the list of insults

#: Built in, French and English, compared without accents or case, word by word. A
#: festival adds its own (names of people, local slurs) with a file, one entry a line
#: (`crowd serve --blocklist FILE`, read by the server; the core only gets the words).
BUILT_IN = frozenset("""
abruti abrutie batard batarde bite bordel bouffon bougnoule branleur chiasse chier con
conasse connard connasse couille couilles crevard debile encule enculee enculer enfoire
enfoiree fdp gouine grognasse merde merdeux negre niquer nique ntm pd pede petasse pouffiasse
pute putain salaud salope salopard tafiole tapette trouduc youpin
arse arsehole asshole bastard bitch bollocks bullshit cock crap cunt dick dickhead fag
faggot fuck fucker fucking motherfucker nigga nigger piss prick pussy retard shit slut
twat wanker whore
""".split())  # noqa: SIM905 - a list of words reads best as words

_SPLIT = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lower case, no accents: 'Enculé' and 'encule' are the same entry for the list."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Blocklist:
    """The words an entry may not show with in `filter` mode (built in, plus a file's).

    An entry is checked once: answers repeat the same few hundred words, and folding
    accents at every answer halved the answers an engine takes per second."""

    CACHED = 65_536  # distinct entries remembered

    def __init__(self, words: Iterable[str] = BUILT_IN) -> None:
        self.words: set[str] = set()
        self.checked: dict[str, bool] = {}
        self.extend(words)

    def extend(self, words: Iterable[str]) -> None:
        self.words.update(w for w in (fold(x.strip()) for x in words) if w)
        self.checked.clear()

    def matches(self, entry: str) -> bool:
        found = self.checked.get(entry)
        if found is None:
            folded = fold(entry)
            found = folded in self.words or any(t in self.words for t in _SPLIT.split(folded)
                                                if t)
            if len(self.checked) >= self.CACHED:
                self.checked.clear()
            self.checked[entry] = found
        return found


def read_blocklist(text: str) -> list[str]:
    """A blocklist file's entries: one a line, `#` starts a comment."""
    return [line.split("#", 1)[0].strip() for line in text.splitlines()
            if line.split("#", 1)[0].strip()]


# ---------------------------------------------------------------- one activity's state


@dataclass(slots=True)
class Moderated:
    """The moderation of one activity: the mode, the animator's decisions, and what the
    tally was given per device. Changed only by the appliers below (live and replay)."""

    mode: str = Mode.OFF
    approved: set[str] = field(default_factory=set)
    hidden: set[str] = field(default_factory=set)
    merged: dict[str, str] = field(default_factory=dict)  # variant -> target
    flagged: set[str] = field(default_factory=set)  # matched the list when they arrived
    writers: dict[str, set[str]] = field(default_factory=dict)  # entry -> devices
    shown: dict[str, Any] = field(default_factory=dict)  # device -> value given the tally
    version: int = 0  # bumped by every change of the queue

    def target(self, entry: str) -> str:
        return self.merged.get(entry, entry)

    def visible(self, entry: str) -> bool:
        target = self.target(entry)
        if target in self.hidden:
            return False
        if target in self.approved or self.mode == Mode.OFF:
            return True
        return self.mode == Mode.FILTER and target not in self.flagged

    def status(self, entry: str) -> str:
        if entry in self.merged:
            return "merged"
        if entry in self.hidden:
            return "hidden"
        if entry in self.approved:
            return "approved"
        return "shown" if self.visible(entry) else "waiting"

    def shown_value(self, kind: ActivityType, value: Any) -> Any:
        kept = list(dict.fromkeys(self.target(e) for e in kind.entries(value) if self.visible(e)))
        return kind.keep_entries(value, kept)

    def answer(self, kind: ActivityType, tally: Tally, device: str, previous: Any,
               value: Any) -> None:
        """A device's new answer (its previous one leaves the tally first)."""
        if previous is not None:
            for entry in kind.entries(previous):
                devices = self.writers.get(entry)
                if devices is not None:
                    devices.discard(device)
                    if not devices:
                        del self.writers[entry]
            tally.remove(self.shown.pop(device))
        for entry in kind.entries(value):
            self.writers.setdefault(entry, set()).add(device)
        shown = self.shown[device] = self.shown_value(kind, value)
        tally.add(shown)
        self.version += 1  # counts changed: the queue is sent again at most once a second

    def retally(self, kind: ActivityType, tally: Tally, responses: dict[str, Any],
                devices: Iterable[str]) -> None:
        """Give the tally again what these devices' answers show now."""
        for device in list(devices):
            shown = self.shown_value(kind, responses[device])
            if shown == self.shown[device]:
                continue  # approving what already showed changes nothing
            tally.remove(self.shown[device])
            self.shown[device] = shown
            tally.add(shown)
        self.version += 1

    def queue(self, limit: int = QUEUE_LIMIT) -> list[dict[str, Any]]:
        """The entries for the animator: waiting ones first, then by count."""
        known = set(self.writers) | self.hidden | self.approved | set(self.merged)
        variants: dict[str, list[str]] = {}
        for variant, target in self.merged.items():
            variants.setdefault(target, []).append(variant)
        rows = []
        for entry in known:
            status = self.status(entry)
            own = self.writers.get(entry, set())
            # devices it counts for on the screen: its own and its merged variants'
            total = own.union(*(self.writers.get(v, ()) for v in variants.get(entry, ())))
            row: dict[str, Any] = {"entry": entry, "count": len(own), "total": len(total),
                                   "status": status, "flagged": entry in self.flagged}
            if status == "merged":
                row["into"] = self.merged[entry]
            rows.append(row)
        rows.sort(key=lambda r: (r["status"] != "waiting", -r["total"], r["entry"]))
        return rows[:limit]

    def describe(self) -> dict[str, Any]:
        return {"mode": str(self.mode), "entries": self.queue()}


def start(engine: Engine, act: Activity, mode: str) -> Moderated:
    """The activity's moderation, made on first need: the tally is rebuilt from the
    answers so far through it (an animator's action, once per activity)."""
    engine.moderated.add(act.id)
    if act.moderation is None:
        kind = activity_type(act.kind)
        act.moderation = Moderated(mode=mode)
        fresh = kind.new_tally(act.spec)
        fresh.carry_over(act.tally)
        act.tally = fresh
        for device, value in act.responses.items():
            act.moderation.answer(kind, act.tally, device, None, value)
    return act.moderation


# ---------------------------------------------------------------- commands


def _free_text(engine: Engine, activity_id: str) -> tuple[Activity, ActivityType]:
    act = engine.activity(activity_id)
    kind = activity_type(act.kind)
    if not kind.free_text:
        raise Conflict(reason="not_free_text")
    return act, kind


def flags_for(engine: Engine, act: Activity, value: Any) -> list[str]:
    """The entries of an answer that match the list and were not flagged before (logged
    with the answer, so a replay flags the same ones)."""
    mod = act.moderation
    if mod is None:
        return []
    kind = activity_type(act.kind)
    return [e for e in kind.entries(value)
            if e not in mod.flagged
            and engine.blocklist.matches(kind.entry_text(act.tally, e))]


def set_moderation(engine: Engine, msg: SetModeration, peer: Peer, now: float) -> Step:
    act, kind = _free_text(engine, msg.activity)
    known = act.moderation.writers if act.moderation is not None else {
        e for v in act.responses.values() for e in kind.entries(v)}
    flagged = sorted(e for e in known if engine.blocklist.matches(kind.entry_text(act.tally, e))
                     and (act.moderation is None or e not in act.moderation.flagged))
    step = Step()
    data: dict[str, Any] = {"id": act.id, "mode": msg.mode}
    if flagged:
        data["flagged"] = flagged
    engine.commit(step, engine.event(ev.MODERATION_SET, act.room, data, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, activity=act.id, mode=msg.mode)
    engine.activity_changed(step, act)
    return step


def moderate(engine: Engine, msg: Moderate, peer: Peer, now: float) -> Step:
    """Approve, hide or merge one entry (also in `off` mode: an insult shown live can
    still be taken off the screen)."""
    act, kind = _free_text(engine, msg.activity)
    mod = act.moderation
    known = (mod.writers.keys() | mod.hidden | mod.approved | mod.merged.keys() if mod
             else {e for v in act.responses.values() for e in kind.entries(v)})
    if msg.entry not in known:
        raise Conflict(reason="entry_unknown", entry=msg.entry[:60])
    data: dict[str, Any] = {"id": act.id, "entry": msg.entry, "action": msg.action}
    if msg.action == "merge":
        into = mod.target(msg.into or "") if mod else (msg.into or "")
        if msg.into not in known:
            raise Conflict(reason="entry_unknown", entry=(msg.into or "")[:60])
        if into == msg.entry:
            raise Conflict(reason="merge_into_itself")
        data["into"] = into
    step = Step()
    engine.commit(step, engine.event(ev.ENTRY_MODERATED, act.room, data, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, activity=act.id, entry=msg.entry)
    return step


# ---------------------------------------------------------------- appliers


def on_moderation_set(engine: Engine, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    mode = event.data["mode"]
    act.spec = {k: v for k, v in act.spec.items() if k != "moderation"}
    if mode != Mode.OFF:
        act.spec["moderation"] = mode
    mod = start(engine, act, mode)
    mod.mode = mode
    mod.flagged.update(event.data.get("flagged", ()))
    mod.retally(activity_type(act.kind), act.tally, act.responses, list(mod.shown))
    engine.dirty.add(act.id)


def on_entry_moderated(engine: Engine, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    mod = start(engine, act, Mode.OFF)  # a decision in `off` mode starts it, live
    entry, action = event.data["entry"], event.data["action"]
    concerned = {entry} | {v for v, t in mod.merged.items() if t == entry}
    mod.approved.discard(entry)
    mod.hidden.discard(entry)
    if action == "merge":
        into = event.data["into"]
        for variant in concerned:  # what was merged into this entry follows it
            mod.merged[variant] = into
        mod.merged.pop(into, None)
    else:
        mod.merged.pop(entry, None)
        (mod.approved if action == "approve" else mod.hidden).add(entry)
    devices = set().union(*(mod.writers.get(e, set()) for e in concerned))
    mod.retally(activity_type(act.kind), act.tally, act.responses, devices)
    engine.dirty.add(act.id)


def on_activity_spec(engine: Engine, act: Activity) -> None:
    """An activity added or edited with a moderated spec gets its moderation (an edited
    draft starts over: it has no answers)."""
    act.moderation = None
    engine.moderated.discard(act.id)
    mode = act.spec.get("moderation")
    if mode in (Mode.FILTER, Mode.APPROVE):
        start(engine, act, mode)


# ---------------------------------------------------------------- the panels' queue


def message(act: Activity) -> dict[str, Any]:
    mod = act.moderation
    assert mod is not None
    return out("moderation", room=act.room, activity=act.id, **mod.describe())


@dataclass(slots=True)
class Told:
    """Per engine, not logged: the queue version last sent per activity, and when."""

    versions: dict[str, int] = field(default_factory=dict)
    at: dict[str, float] = field(default_factory=dict)


def tick(engine: Engine, told: Told, now: float, watched: Callable[[str], bool]
         ) -> list[tuple[Target, dict[str, Any]]]:
    """A new queue for the panels watching, when it changed, at most once a second per
    activity (building one is O(its distinct entries))."""
    sends: list[tuple[Target, dict[str, Any]]] = []
    for activity_id in list(engine.moderated):
        act = engine.activities.get(activity_id)
        mod = act.moderation if act is not None else None
        if act is None or mod is None or told.versions.get(act.id) == mod.version:
            continue
        if now - told.at.get(act.id, float("-inf")) < QUEUE_EVERY_S or not watched(act.room):
            continue
        told.versions[act.id] = mod.version
        told.at[act.id] = now
        sends.append((ToRoom(act.room, PANELS), message(act)))
    return sends


COMMANDS = {SetModeration: set_moderation, Moderate: moderate}
APPLIERS = {ev.MODERATION_SET: on_moderation_set, ev.ENTRY_MODERATED: on_entry_moderated}
