"""The opinion map (after Pol.is): phones vote on statements, the map shows the groups.

Each phone answers statements one at a time: d'accord (+1), pas d'accord (-1), je passe
(0), one vote per statement per device, latest wins. A device's answer is the set of its
votes (`merge`), and the tally updates one cell of the participant × statement matrix per
vote. The map itself (`crowd.models.opinion`) costs a principal-component projection and
a few k-means runs: it is computed again at most every `RECOMPUTE_S` seconds of event
time while votes arrive (a cheap room every time), and once more at the tick after the
last vote, so the projector is never more than a couple of seconds behind.

Participants may submit statements when the animator allows it (`submissions`). A
submission waits for an animator's review (`statement_review`) before any phone or
screen sees it: nothing a participant writes reaches the big screen unread.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from crowd.activities.base import (
    ActivityType,
    Applier,
    Command,
    EngineAPI,
    Tally,
    text,
)
from crowd.activities.registry import register
from crowd.core.authorization import Peer
from crowd.core.errors import (
    BadMessage,
    BadValue,
    Conflict,
    RateLimited,
    UnknownActivity,
    declare_reasons,
)
from crowd.core.events import Event
from crowd.core.protocol import Message, get_field, is_id, is_int, short_text
from crowd.core.steps import Step
from crowd.core.types import Role, State, normalize_code
from crowd.models.opinion import opinion_map

if TYPE_CHECKING:
    from crowd.activities.base import Sends
    from crowd.core.room import Activity

declare_reasons({
    "opinion_not_open": "this activity is not open",
    "statements_closed": "this activity does not take new statements",
    "statement_empty": "the statement is empty",
    "statement_too_long": "a statement is at most {limit} characters",
    "statements_per_person": "at most {max} statements per person",
    "statements_queue_full": "too many statements wait for review: try again later",
    "submission_unknown": "no submission {submission} waits for review",
    "statements_full": "this activity has its {max} statements already",
    "statements_too_many": "'statements' has at most {max} entries",
    "statements_too_few": "'statements' needs at least 2 entries (or allow submissions)",
    "value_opinion_shape": 'an opinion vote is {{"statement": INDEX, "vote": 1 | -1 | 0}}',
    "value_no_statement": "no such statement",
    "value_opinion_vote": "a vote is 1 (agree), -1 (disagree) or 0 (pass)",
})

KIND = "opinion"
MAX_STATEMENT = 280
MAX_STATEMENTS = 100  # seeds and accepted submissions together
MAX_PENDING = 200  # submissions waiting for review, per activity
SUBMISSIONS_PER_DEVICE = 5
RECOMPUTE_S = 2.0
#: Below this many votes the map is computed at every snapshot (a few milliseconds).
CHEAP_VOTES = 5_000
STATEMENT_SUBMITTED = "statement_submitted"
STATEMENT_REVIEWED = "statement_reviewed"
VOTES = (1, -1, 0)
LISTED = 3  # statements per list on the projector ("what divides us", "what unites us")
WRAP = 36  # characters per line in the projector's lists (two lines at most)
MAP_SIZE, MAP_MARGIN = 10.0, 0.4  # the map's square in the figure's units
MAP_CENTRE_Y, MAP_SQUASH = 5.5, 0.84  # above the band of group sizes at its foot
#: The lists' rows (the tops of their texts), in the same units: each heading, then three
#: rows of up to two lines each.
ROWS_DIVIDES, ROWS_UNITES, ROW_STEP = 9.05, 4.05, 1.3
NO_DIVIDE = "Pas encore de groupes distincts"
NO_UNITE = "Pas encore d'accord commun"


# ---------------------------------------------------------------- messages


@dataclass(frozen=True, slots=True)
class SubmitStatement(Message):
    """A participant proposes a statement (shown once an animator accepts it)."""

    TYPE: ClassVar[str] = "statement"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PHONE})
    activity: str
    text: str


@dataclass(frozen=True, slots=True)
class ReviewStatement(Message):
    """An animator accepts (the statement joins the activity) or rejects a submission."""

    TYPE: ClassVar[str] = "statement_review"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PANEL})
    activity: str
    submission: int
    accept: bool


MESSAGES: dict[str, Callable[[Mapping[str, Any]], Message]] = {
    "statement": lambda raw: SubmitStatement(
        activity=get_field(raw, "activity", is_id, "an activity id"),
        text=get_field(raw, "text", short_text(4 * MAX_STATEMENT), "a text")),
    "statement_review": lambda raw: ReviewStatement(
        activity=get_field(raw, "activity", is_id, "an activity id"),
        submission=get_field(raw, "submission", is_int, "a submission number"),
        accept=get_field(raw, "accept", lambda v: isinstance(v, bool), "true or false")),
}


# ---------------------------------------------------------------- the tally


class OpinionTally(Tally):
    """The vote matrix, one row per participant in the order of their first vote, and
    the latest map of it. Pending submissions live here too (the animators' queue)."""

    memo_fields = frozenset({"computed_at", "computed_version", "cached", "group_of_row",
                             "map_version"})

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.texts: list[str] = list(spec.get("statements", ()))
        self.statements = len(self.texts)
        self.rows: dict[str, int] = {}
        self.votes: list[dict[int, int]] = []
        self.per_statement: list[int] = [0] * self.statements
        self.total = 0
        self.clock = 0.0  # the latest event time seen
        self.computed_at: float | None = None
        self.version = 0  # votes and statements changed
        self.computed_version = -1
        self.cached: dict[str, Any] = {}
        self.group_of_row: dict[int, int] = {}  # row -> its group in the latest map
        self.map_version = 0  # maps computed: a split by group is rebuilt when it changes
        self.pending: list[dict[str, Any]] = []  # {"n", "text", "device"} awaiting review
        self.submitted: dict[str, int] = {}  # device -> submissions made
        self.received = 0  # submissions so far: numbers them 1, 2, 3...

    def add(self, value: Any) -> None:
        raise NotImplementedError("opinion votes arrive through respond()")

    def remove(self, value: Any) -> None:
        raise NotImplementedError("opinion votes arrive through respond()")

    def respond(self, device: str, previous: Any | None, stored: Any, value: Any) -> None:
        """O(1): one cell of the matrix changes."""
        row = self.rows.get(device)
        if row is None:
            row = self.rows[device] = len(self.votes)
            self.votes.append({})
        statement, vote = int(value["statement"]), int(value["vote"])
        if statement not in self.votes[row]:
            self.per_statement[statement] += 1
            self.total += 1
        self.votes[row][statement] = vote
        self.version += 1

    def observe(self, now: float) -> None:
        self.clock = max(self.clock, now)

    def grow(self, statement: str) -> None:
        """An accepted submission adds a column."""
        self.texts.append(statement)
        self.per_statement.append(0)
        self.statements = len(self.texts)
        self.version += 1

    def stale(self) -> bool:
        return self.version != self.computed_version

    def due(self, force: bool = False) -> bool:
        """Whether the map should be computed again now."""
        if not self.stale():
            return False
        return (force or self.total <= CHEAP_VOTES or self.computed_at is None
                or self.clock - self.computed_at >= RECOMPUTE_S)

    def matrix(self) -> np.ndarray:
        matrix = np.full((len(self.votes), self.statements), np.nan)
        for row, votes in enumerate(self.votes):
            if votes:
                columns = np.fromiter(votes.keys(), dtype=int, count=len(votes))
                matrix[row, columns] = np.fromiter(votes.values(), dtype=float,
                                                   count=len(votes))
        return matrix

    def compute(self) -> None:
        found = opinion_map(self.matrix())
        points = np.round(found.points, 3)
        self.cached = {
            "points": points.tolist(),
            "point_groups": found.labels.astype(int).tolist(),
            "groups": [{"size": len(g.members), "representative": g.representative,
                        "stance": g.stance,
                        "agree": [round(float(g.agree[s]), 3) for s in g.representative],
                        "agree_out": [round(float(g.outside[s]), 3)
                                      for s in g.representative]}
                       for g in found.groups],
            "consensus": found.consensus,
            "divisive": found.divisive,
            "mapped": len(found.mapped),
            "separation": None if found.silhouette is None else round(found.silhouette, 3),
        }
        self.group_of_row = ({int(row): int(g) for row, g in zip(found.mapped, found.labels,
                                                                  strict=True)}
                             if found.groups else {})
        self.map_version += 1
        self.computed_at = self.clock
        self.computed_version = self.version

    # Cross-tab segments (crowd/core/segments.py): the groups of the latest map.

    def segment_labels(self) -> list[str] | None:
        return [chr(65 + g) for g in range(len(self.cached.get("groups") or []))]

    def segment_of_device(self, device: str, stored: Any) -> int | None:
        row = self.rows.get(device)
        return None if row is None else self.group_of_row.get(row)

    def segments_version(self) -> int | None:
        return self.map_version

    def snapshot(self) -> dict[str, Any]:
        if self.due():
            self.compute()
        elif not self.cached:
            self.cached = {"points": [], "point_groups": [], "groups": [], "consensus": [],
                           "divisive": [], "mapped": 0, "separation": None}
        return {"n": len(self.votes), "votes": self.total,
                "statement_votes": list(self.per_statement), **self.cached}

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        """The dots (anonymous, coloured by group) fitted into the square [0, 10]² on the
        left of the projector's figure, and the two lists of statements in fixed rows on
        its right (`crowd.views.opinion_chart` draws both)."""
        points = snap.get("points") or []
        groups = snap.get("point_groups") or []
        reach = max((max(abs(x), abs(y)) for x, y in points), default=0.0) or 1.0
        fit = (MAP_SIZE / 2 - MAP_MARGIN) / reach
        lists: dict[str, list[Any]] = {"y": [], "text": [], "color": []}
        for top, indexes, empty in (
                (ROWS_DIVIDES, snap.get("divisive") or [], NO_DIVIDE),
                (ROWS_UNITES, snap.get("consensus") or [], NO_UNITE)):
            shown = [i for i in indexes if 0 <= i < len(self.texts)][:LISTED]
            if not shown:
                lists["y"].append(top)
                lists["text"].append(empty)
                lists["color"].append("muted")
            for slot, index in enumerate(shown):
                lines = textwrap.wrap(self.texts[index], WRAP, max_lines=2,
                                      placeholder=" …")
                lists["y"].append(top - slot * ROW_STEP)
                lists["text"].append("\n".join(lines))
                lists["color"].append("ink")
        sizes = [g.get("size", 0) for g in snap.get("groups") or []]
        legend = {"x": [0.5 + 3.1 * g for g in range(len(sizes))], "y": [0.55] * len(sizes),
                  "text": [f"{size}\u202f{'personne' if size == 1 else 'personnes'}"
                           for size in sizes],
                  "group": [str(g) for g in range(len(sizes))]}
        return {"legend": legend,
                "dots": {"x": [MAP_SIZE / 2 + x * fit for x, _ in points],
                         "y": [MAP_CENTRE_Y + y * fit * MAP_SQUASH for _, y in points],
                         "group": [str(g) for g in groups]},
                "lists": lists}

    def panel_fields(self) -> dict[str, Any]:
        return {"submissions_pending": [{"submission": p["n"], "text": p["text"]}
                                        for p in self.pending]}


# ---------------------------------------------------------------- commands and events


def _opinion(engine: EngineAPI, activity_id: str, peer: Peer) -> Activity:
    act = engine.activity(activity_id)
    if act.kind != KIND or (peer.role is Role.PHONE and (
            peer.room is None or act.room != normalize_code(peer.room))):
        raise UnknownActivity(reason="not_in_room", field="activity", id=activity_id[:40])
    return act


def _submit(engine: EngineAPI, msg: SubmitStatement, peer: Peer, now: float) -> Step:
    act = _opinion(engine, msg.activity, peer)
    if act.state is not State.OPEN:
        raise Conflict(reason="opinion_not_open")
    if not act.spec.get("submissions"):
        raise Conflict(reason="statements_closed")
    words = " ".join(msg.text.split())
    if not words:
        raise BadValue(reason="statement_empty")
    if len(words) > MAX_STATEMENT:
        raise BadValue(reason="statement_too_long", limit=MAX_STATEMENT)
    tally: OpinionTally = act.tally  # type: ignore[assignment]
    device = peer.client or ""
    if tally.submitted.get(device, 0) >= SUBMISSIONS_PER_DEVICE:
        raise RateLimited(reason="statements_per_person", max=SUBMISSIONS_PER_DEVICE)
    if len(tally.pending) >= MAX_PENDING:
        raise RateLimited(reason="statements_queue_full")
    step = Step()
    engine.commit(step, engine.event(STATEMENT_SUBMITTED, act.room, {
        "id": act.id, "text": words, "device": device}, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, activity=act.id)
    engine.room_changed(step, act.room)  # the animators' queue: nobody else sees it
    return step


def _review(engine: EngineAPI, msg: ReviewStatement, peer: Peer, now: float) -> Step:
    act = _opinion(engine, msg.activity, peer)
    tally: OpinionTally = act.tally  # type: ignore[assignment]
    if not any(p["n"] == msg.submission for p in tally.pending):
        raise BadMessage(reason="submission_unknown", submission=msg.submission)
    if msg.accept and len(act.spec["statements"]) >= MAX_STATEMENTS:
        raise Conflict(reason="statements_full", max=MAX_STATEMENTS)
    step = Step()
    engine.commit(step, engine.event(STATEMENT_REVIEWED, act.room, {
        "id": act.id, "submission": msg.submission, "accept": msg.accept}, now, peer,
        msg.seq))
    engine.ack(step, peer, msg.seq, activity=act.id)
    if msg.accept:
        engine.activity_changed(step, act)  # phones get the new statement
    else:
        engine.room_changed(step, act.room)
    return step


def _on_submitted(engine: EngineAPI, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    tally: OpinionTally = act.tally  # type: ignore[assignment]
    device = str(event.data.get("device") or "")
    tally.submitted[device] = tally.submitted.get(device, 0) + 1
    tally.received += 1
    tally.pending.append({"n": tally.received, "text": str(event.data["text"]),
                          "device": device})


def _on_reviewed(engine: EngineAPI, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    tally: OpinionTally = act.tally  # type: ignore[assignment]
    chosen = next((p for p in tally.pending if p["n"] == event.data["submission"]), None)
    if chosen is None:
        return
    tally.pending.remove(chosen)
    if event.data["accept"]:
        # a new spec, never the logged one changed in place
        act.spec = {**act.spec, "statements": [*act.spec["statements"], chosen["text"]]}
        tally.grow(chosen["text"])
        engine.dirty.add(act.id)


# ---------------------------------------------------------------- the kind


@register
class OpinionType(ActivityType):
    kind = KIND
    messages = MESSAGES

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        spec = super().normalize_spec(raw)
        statements = raw.get("statements", [])
        if not isinstance(statements, list) or not all(isinstance(s, str) for s in statements):
            raise BadMessage(reason="field_not_texts", field="statements")
        cleaned = [" ".join(s.split()) for s in statements]
        if len(cleaned) > MAX_STATEMENTS:
            raise BadMessage(reason="statements_too_many", max=MAX_STATEMENTS)
        if any(not s or len(s) > MAX_STATEMENT for s in cleaned):
            raise BadMessage(reason="field_entry_length", field="statements", limit=MAX_STATEMENT)
        if len(set(cleaned)) != len(cleaned):
            raise BadMessage(reason="field_entry_twice", field="statements")
        submissions = raw.get("submissions", False)
        if not isinstance(submissions, bool):
            raise BadMessage(reason="field_not_bool", field="submissions")
        if len(cleaned) < 2 and not submissions:
            raise BadMessage(reason="statements_too_few")
        spec["statements"] = cleaned
        spec["submissions"] = submissions
        spec["prompt"] = text(raw, "prompt", 500, required=True)
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        if not isinstance(value, Mapping) or set(value) != {"statement", "vote"}:
            raise BadValue(reason="value_opinion_shape")
        statement, vote = value["statement"], value["vote"]
        if isinstance(statement, bool) or not isinstance(statement, int) or not (
                0 <= statement < len(spec["statements"])):
            raise BadValue(reason="value_no_statement")
        if isinstance(vote, bool) or vote not in VOTES:
            raise BadValue(reason="value_opinion_vote")
        return {"statement": statement, "vote": int(vote)}

    def merge(self, previous: Any | None, value: Any) -> Any:
        """A device's answer is its votes by statement (string keys: JSON and msgpack
        carry it alike to the phone's welcome)."""
        votes = dict(previous or {})
        votes[str(value["statement"])] = value["vote"]
        return votes

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return OpinionTally(spec)

    def commands(self) -> Mapping[type[Message], Command]:
        return {SubmitStatement: _submit, ReviewStatement: _review}

    def appliers(self) -> Mapping[str, Applier]:
        return {STATEMENT_SUBMITTED: _on_submitted, STATEMENT_REVIEWED: _on_reviewed}

    def tick(self, engine: EngineAPI, now: float, watched: Callable[[str], bool]) -> Sends:
        """A map left behind by the throttle is brought up to date once the votes pause."""
        for act in engine.activities.values():
            if act.kind == KIND and isinstance(act.tally, OpinionTally) and (
                    act.tally.stale() and act.id not in engine.dirty):
                tally = act.tally
                if tally.computed_at is None or now - tally.computed_at >= RECOMPUTE_S:
                    tally.compute()
                    engine.dirty.add(act.id)
        return []
