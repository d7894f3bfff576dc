"""Suggested matches on a board of needs and offers, from the texts to the map.

The pairs come from `crowd.models.matching` (TF-IDF of Snowball stems, same category),
computed at the hub's tick, never per input: for one board at a time, at most every
`MATCH_EVERY_S` seconds per board and only when its posts changed, on at most
`matching.MAX_POSTS` needs and as many offers. They go to the animators only
(`board_suggestions`); nothing of them is logged until an animator decides
(`board_link`): approved, the pair is a link `suggested` (a dashed edge on the map),
logged as `board_linked`; set aside, it is logged too and never suggested again. The
map shows only decided links, so a replay shows the same map whatever the matching
computes then.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from crowd.activities.board_tally import BoardTally, Link
from crowd.core.authorization import Peer
from crowd.core.errors import Conflict, declare_reasons
from crowd.core.events import Event
from crowd.core.protocol import Message, get_field, is_id, out
from crowd.core.steps import PANELS, Step, ToRoom
from crowd.core.types import Role, State
from crowd.models import matching

if TYPE_CHECKING:
    from crowd.activities.base import EngineAPI, Sends
    from crowd.core.room import Activity

log = logging.getLogger(__name__)

#: Seconds between two matchings of one board (while its posts change).
MATCH_EVERY_S = 5.0
#: Suggestions sent to the animators per board (the best ones).
LISTED = 100
LINKED = "board_linked"

declare_reasons({
    "link_not_pair": "a link joins a shown need and a shown offer of this board",
    "link_decided": "this pair is already decided",
})


@dataclass(frozen=True, slots=True)
class LinkMessage(Message):
    """An animator shows a suggested pair on the map (`accept`) or sets it aside."""

    TYPE: ClassVar[str] = "board_link"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PANEL})
    activity: str
    need: str
    offer: str
    accept: bool = True


def parse_link(raw: Mapping[str, Any]) -> Message:
    return LinkMessage(
        activity=get_field(raw, "activity", is_id, "an activity id"),
        need=get_field(raw, "need", is_id, "a post id"),
        offer=get_field(raw, "offer", is_id, "a post id"),
        accept=get_field(raw, "accept", lambda v: isinstance(v, bool), "true or false",
                         required=False, default=True))


def decide(engine: EngineAPI, msg: LinkMessage, peer: Peer, now: float,
           board: Callable[[EngineAPI, str, Peer], Activity]) -> Step:
    act = board(engine, msg.activity, peer)
    tally = act.tally
    assert isinstance(tally, BoardTally)
    need, offer = tally.posts.get(msg.need), tally.posts.get(msg.offer)
    if (need is None or offer is None or need.type != "need" or offer.type != "offer"
            or not tally.shows(need.id) or not tally.shows(offer.id)):
        raise Conflict(reason="link_not_pair")
    pair = (need.id, offer.id)
    approved = any(link.how == "suggested" and (link.need, link.offer) == pair
                   for link in tally.links.values())
    if (msg.accept and approved) or (not msg.accept and pair in tally.suggested
                                     and not approved):
        raise Conflict(reason="link_decided")
    step = Step()
    data = {"id": act.id, "need": need.id, "offer": offer.id, "accept": msg.accept,
            "link": f"{act.id}.L{len(tally.links) + 1}"}
    engine.commit(step, engine.event(LINKED, act.room, data, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, link=data["link"] if msg.accept else None)
    return step


def on_linked(engine: EngineAPI, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    tally = act.tally
    assert isinstance(tally, BoardTally)
    pair = (event.data["need"], event.data["offer"])
    tally.suggested.add(pair)
    for key, link in list(tally.links.items()):
        if link.how == "suggested" and (link.need, link.offer) == pair:
            del tally.links[key]  # set aside after all: the dashed edge goes
    if event.data["accept"]:
        link = Link(id=event.data["link"], need=pair[0], offer=pair[1], how="suggested")
        tally.links[link.id] = link
    tally.touch()
    engine.dirty.add(act.id)


# ---------------------------------------------------------------- at the tick


@dataclass(slots=True)
class Matched:
    """Per engine, not logged: each board's suggestions, and when they were computed."""

    version: dict[str, int] = field(default_factory=dict)
    at: dict[str, float] = field(default_factory=dict)
    found: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def compute(act: Activity) -> list[dict[str, Any]]:
    """The board's suggestions for the animators, best first (with both texts)."""
    tally = act.tally
    assert isinstance(tally, BoardTally)
    shown = [p for p in tally.posts.values() if tally.shows(p.id)]
    known = set(tally.suggested) | {(link.need, link.offer) for link in tally.links.values()
                                    if link.need and link.offer}
    pairs = matching.suggest([(p.id, p.text, p.category) for p in shown if p.type == "need"],
                             [(p.id, p.text, p.category) for p in shown if p.type == "offer"],
                             known)
    return [{"need": s.need, "offer": s.offer, "score": s.score,
             "need_text": tally.posts[s.need].text, "offer_text": tally.posts[s.offer].text,
             "category": tally.posts[s.need].category} for s in pairs[:LISTED]]


def message(act: Activity, found: list[dict[str, Any]]) -> dict[str, Any]:
    return out("board_suggestions", room=act.room, activity=act.id, suggestions=found)


def tick(engine: EngineAPI, matched: Matched, now: float, watched: Callable[[str], bool],
         is_board: Callable[[Activity], bool]) -> Sends:
    """Match at most one board per tick: the one waiting longest whose posts changed."""
    due = []
    for act in engine.activities.values():
        if not is_board(act) or act.state is not State.OPEN or (
                act.spec.get("mode") != "needs_offers") or not watched(act.room):
            continue
        if matched.version.get(act.id) == act.tally.version:  # type: ignore[attr-defined]
            continue
        if now - matched.at.get(act.id, float("-inf")) < MATCH_EVERY_S:
            continue
        due.append((matched.at.get(act.id, float("-inf")), act.id, act))
    if not due:
        return []
    _, _, act = min(due)
    matched.version[act.id] = act.tally.version  # type: ignore[attr-defined]
    matched.at[act.id] = now
    started = time.perf_counter()
    try:
        found = compute(act)
    except Exception:  # a matching that fails costs its suggestions, never the board
        log.exception("board %s: matching failed", act.id)
        return []
    log.debug("board %s: %d suggestions in %.0f ms", act.id, len(found),
              (time.perf_counter() - started) * 1e3)
    if found == matched.found.get(act.id):
        return []
    matched.found[act.id] = found
    return [(ToRoom(act.room, PANELS), message(act, found))]
