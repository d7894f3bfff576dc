"""Moderation of free text in the engine (no server): what the tally counts is what the
big screen may show, decided entry by entry, replayed identically."""

from __future__ import annotations

from typing import Any

import pytest

from crowd.core.engine import Engine, Peer
from crowd.core.errors import BadMessage, Conflict
from crowd.core.events import Event
from crowd.core.moderation import Blocklist, read_blocklist
from crowd.core.protocol import parse
from crowd.core.types import Role
from crowd.views import exports

PANEL = Peer(Role.PANEL, "panel-token")


class Words:
    """A room with one open words activity, its log, and phones to answer."""

    def __init__(self, mode: str | None = None) -> None:
        self.engine = Engine()
        self.log: list[Event] = []
        self.now = 1_000.0
        self.code = self.send({"t": "create_room", "title": "Plénière"})["room"]
        spec: dict[str, Any] = {"kind": "words", "prompt": "Un mot ?", "max_words": 3}
        if mode:
            spec["moderation"] = mode
        self.id = self.send({"t": "activity_new", "room": self.code, "spec": spec})["activity"]
        self.send({"t": "open", "activity": self.id})

    def send(self, raw: dict[str, Any], peer: Peer = PANEL) -> dict[str, Any]:
        self.now += 1.0
        step = self.engine.handle(parse(raw), peer, self.now)
        self.log.extend(step.events)
        return next(m for _, m in step.sends if m["t"] == "ack")

    def answer(self, device: str, words: list[str]) -> None:
        self.send({"t": "respond", "activity": self.id, "value": words},
                  Peer(Role.PHONE, device, self.code))

    def moderate(self, entry: str, action: str, into: str | None = None) -> None:
        self.send({"t": "moderate", "activity": self.id, "entry": entry, "action": action,
                   **({"into": into} if into else {})})

    def shown(self, engine: Engine | None = None) -> dict[str, int]:
        engine = engine or self.engine
        snap = engine.snapshot(engine.activities[self.id])
        assert snap is not None
        return dict(zip(snap["words"], snap["counts"], strict=True))

    def replayed(self, blocklist: Blocklist | None = None) -> Engine:
        other = Engine()
        if blocklist is not None:
            other.blocklist = blocklist
        other.replay(self.log)
        return other


def test_filter_holds_back_an_insult_until_an_animator_approves_it() -> None:
    room = Words("filter")
    room.answer("a", ["Solidarité", "CONNARD"])
    room.answer("b", ["solidarité"])
    room.answer("c", ["Enculé!"])  # accents and case do not hide it from the list
    assert room.shown() == {"Solidarité": 2}  # spellings count together (the first shown)
    queue = room.engine.activities[room.id].moderation.queue()
    assert [(r["entry"], r["status"], r["flagged"]) for r in queue[:2]] == [
        ("connard", "waiting", True), ("encule", "waiting", True)]  # a word's key
    room.moderate("connard", "approve")
    assert room.shown() == {"Solidarité": 2, "CONNARD": 1}
    room.moderate("connard", "hide")
    assert room.shown() == {"Solidarité": 2}
    # the log says the same whatever the list is at replay time (flags are logged)
    assert room.replayed(Blocklist(())).activities[room.id].tally.snapshot() == (
        room.engine.activities[room.id].tally.snapshot())


def test_approve_shows_nothing_before_an_animator_approves_it() -> None:
    room = Words("approve")
    room.answer("a", ["pain", "vin"])
    room.answer("b", ["pain"])
    assert room.shown() == {}
    assert room.engine.snapshot(room.engine.activities[room.id])["n"] == 2
    room.moderate("pain", "approve")
    assert room.shown() == {"pain": 2}
    room.answer("b", ["vin"])  # a changed answer leaves what it showed
    assert room.shown() == {"pain": 1}
    assert room.replayed().activities[room.id].tally.snapshot() == (
        room.engine.activities[room.id].tally.snapshot())


def test_a_merged_variant_adds_its_count_to_its_target_once_per_device() -> None:
    room = Words()
    room.answer("a", ["boulange"])
    room.answer("b", ["boulangerie"])
    room.answer("c", ["boulange", "boulangerie"])
    room.answer("d", ["boulangerie", "pain"])
    assert room.shown() == {"boulangerie": 3, "boulange": 2, "pain": 1}
    room.moderate("boulange", "merge", into="boulangerie")
    assert room.shown() == {"boulangerie": 4, "pain": 1}  # c counts once
    rows = {r["entry"]: r for r in room.engine.activities[room.id].moderation.queue()}
    assert rows["boulange"]["status"] == "merged" and rows["boulange"]["into"] == "boulangerie"
    assert rows["boulangerie"]["total"] == 4
    room.moderate("boulangerie", "hide")  # the variant follows its target off the screen
    assert room.shown() == {"pain": 1}
    room.moderate("boulange", "approve")  # taken back out of the merge
    assert room.shown() == {"boulange": 2, "pain": 1}
    with pytest.raises(Conflict):
        room.moderate("pain", "merge", into="pain")
    with pytest.raises(Conflict):
        room.moderate("jamais écrit", "hide")


def test_off_lets_everything_show_but_an_animator_can_still_hide_one() -> None:
    room = Words()
    room.answer("a", ["salope"])
    room.answer("b", ["merci"])
    assert room.shown() == {"salope": 1, "merci": 1}
    room.moderate("salope", "hide")
    assert room.shown() == {"merci": 1}


def test_switching_to_filter_live_holds_back_what_was_already_said() -> None:
    room = Words()
    room.answer("a", ["merde", "jardin"])
    ack = room.send({"t": "set_moderation", "activity": room.id, "mode": "filter"})
    assert ack["mode"] == "filter"
    assert room.shown() == {"jardin": 1}
    assert room.log[-1].data["flagged"] == ["merde"]
    assert room.engine.activities[room.id].spec["moderation"] == "filter"
    room.answer("b", ["merde"])
    assert room.shown() == {"jardin": 1}
    room.send({"t": "set_moderation", "activity": room.id, "mode": "off"})
    assert room.shown() == {"jardin": 1, "merde": 2}
    assert "moderation" not in room.engine.activities[room.id].spec


def test_public_exports_never_hold_a_hidden_entry_and_the_animators_mark_it() -> None:
    room = Words("filter")
    room.answer("a", ["connard", "vélo"])
    room.send({"t": "reveal", "activity": room.id})
    public = exports.results(room.engine, room.code, public=True)
    assert "connard" not in repr(public)
    assert public["activities"][0]["snapshot"]["words"] == ["vélo"]
    animators = exports.results(room.engine, room.code, public=False)
    entries = {r["entry"]: r["status"] for r in animators["activities"][0]["moderation"]
               ["entries"]}
    assert entries == {"connard": "waiting", "velo": "shown"}  # entries are words' keys


def test_the_spec_field_and_the_kinds_without_free_text() -> None:
    room = Words()
    with pytest.raises(BadMessage) as refused:
        room.send({"t": "activity_new", "room": room.code,
                   "spec": {"kind": "words", "prompt": "?", "moderation": "strict"}})
    assert refused.value.reason == "moderation_unknown"
    choice = room.send({"t": "activity_new", "room": room.code, "spec": {
        "kind": "choice", "prompt": "?", "options": ["a", "b"], "moderation": "filter"}})
    assert "moderation" not in room.engine.activities[choice["activity"]].spec
    with pytest.raises(Conflict) as refused:
        room.send({"t": "set_moderation", "activity": choice["activity"], "mode": "filter"})
    assert refused.value.reason == "not_free_text"


def test_a_festivals_own_list_adds_words_compared_without_accents() -> None:
    words = read_blocklist("# nos mots\nDupont-Aignan\n\nbégueule  # un mot\n")
    assert words == ["Dupont-Aignan", "bégueule"]
    listed = Blocklist(words)
    assert listed.matches("Begueule") and listed.matches("dupont-aignan")
    assert not listed.matches("dupont") and not listed.matches("gueule")
    assert Blocklist().matches("Sale connard")  # word by word, in a longer entry
