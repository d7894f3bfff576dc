"""The festival program in the engine: rooms' places and slots, the whole program as one
file, exported and imported back (idempotent, whole or not at all, errors that say
where), and a replay that rebuilds it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from crowd.core.engine import Engine, Peer
from crowd.core.errors import BadMessage
from crowd.core.events import Event
from crowd.core.protocol import parse
from crowd.core.types import Role

PANEL = Peer(Role.PANEL, "panel-token")
DAY = 1_790_000_000.0
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "festival-program.json"


class Server:
    def __init__(self) -> None:
        self.engine = Engine()
        self.log: list[Event] = []
        self.seq = 0

    def send(self, raw: dict[str, Any], now: float = DAY) -> dict[str, Any]:
        self.seq += 1
        step = self.engine.handle(parse({**raw, "seq": self.seq}), PANEL, now)
        self.log.extend(step.events)
        return next(m for _, m in step.sends if m["t"] == "ack")

    def picture(self) -> list[Any]:
        return [(r.code, r.title, r.key, r.space, r.slots,
                 [(a.id, a.spec, a.state.value) for a in r.activities.values()])
                for r in self.engine.rooms.values()]


def program() -> dict[str, Any]:
    return {"format": "crowd-program", "version": 1, "rooms": [
        {"key": "pain", "title": "Atelier pain", "space": "salle 2",
         "slots": [{"start": DAY + 7200, "end": DAY + 9000, "title": "Le levain"},
                   {"start": DAY + 600, "end": DAY + 3600, "title": "Pétrir"}],
         "activities": [
             {"kind": "choice", "prompt": "Levain ou levure ?", "options": ["levain", "levure"],
              "open_at": DAY + 7300, "close_at": DAY + 8000},
             {"kind": "words", "prompt": "Un mot pour le pain"}]},
        {"key": "pleniere", "title": "Plénière", "space": "la grange",
         "slots": [{"start": DAY + 14400, "end": DAY + 18000, "title": "Restitution"}],
         "activities": [{"kind": "grades", "prompt": "Le festival ?",
                         "options": ["samedi", "dimanche"]}]},
    ]}


def test_an_import_creates_rooms_slots_and_agendas_and_the_export_gives_them_back() -> None:
    srv = Server()
    reply = srv.send({"t": "program_import", "program": program()})
    report = {r["key"]: r for r in reply["rooms"]}
    assert report["pain"]["created"] and report["pain"]["added"] == 2
    assert report["pleniere"]["added"] == 1
    pain = srv.engine.rooms[report["pain"]["room"]]
    assert (pain.title, pain.space) == ("Atelier pain", "salle 2")
    assert [s["title"] for s in pain.slots] == ["Pétrir", "Le levain"]  # sorted by start
    assert [a.spec["prompt"] for a in pain.activities.values()] == [
        "Levain ou levure ?", "Un mot pour le pain"]
    assert pain.activities[f"{pain.code}-1"].spec["open_at"] == DAY + 7300

    exported = srv.send({"t": "program_export"})["program"]
    assert exported["format"] == "crowd-program" and exported["version"] == 1
    # through a file and into a fresh server: the same festival
    text = json.dumps(exported, ensure_ascii=False)
    other = Server()
    other.send({"t": "program_import", "program": json.loads(text)})
    again = other.send({"t": "program_export"})["program"]
    strip = [{k: v for k, v in room.items() if k != "code"} for room in again["rooms"]]
    assert strip == [{k: v for k, v in room.items() if k != "code"}
                     for room in exported["rooms"]]


def test_importing_the_same_file_twice_changes_nothing_the_second_time() -> None:
    srv = Server()
    srv.send({"t": "program_import", "program": program()})
    before, logged = srv.picture(), len(srv.log)
    reply = srv.send({"t": "program_import", "program": program()})
    assert srv.picture() == before and len(srv.log) == logged
    assert all(not r["created"] and r["added"] == r["updated"] == 0 for r in reply["rooms"])
    # the export of this server imported into itself: nothing either (found by key)
    srv.send({"t": "program_import", "program": srv.send({"t": "program_export"})["program"]})
    assert srv.picture() == before


def test_a_changed_file_updates_drafts_adds_the_new_and_keeps_what_already_ran() -> None:
    srv = Server()
    codes = {r["key"]: r["room"] for r in srv.send(
        {"t": "program_import", "program": program()})["rooms"]}
    pain = codes["pain"]
    srv.send({"t": "open", "activity": f"{pain}-2"})  # the words have started
    changed = program()
    room = changed["rooms"][0]
    room["space"] = "salle 3"
    room["activities"][0]["options"] = ["levain", "levure", "les deux"]
    room["activities"][1]["max_words"] = 1
    room["activities"].append({"kind": "choice", "prompt": "Four ?", "options": ["a", "b"]})
    reply = srv.send({"t": "program_import", "program": changed})
    assert reply["rooms"][0] | {"room": ""} == {
        "key": "pain", "room": "", "created": False, "added": 1, "updated": 1, "same": 0,
        "kept": 1}
    acts = srv.engine.rooms[pain].activities
    assert acts[f"{pain}-1"].spec["options"] == ["levain", "levure", "les deux"]
    assert acts[f"{pain}-2"].spec.get("max_words") != 1  # open: left as it ran
    assert srv.engine.rooms[pain].space == "salle 3"


def test_a_replay_rebuilds_the_program() -> None:
    srv = Server()
    srv.send({"t": "program_import", "program": program()})
    code = next(iter(srv.engine.rooms))
    srv.send({"t": "program_set", "room": code, "space": "  la  cour ",
              "slots": [{"start": DAY, "end": DAY + 60, "title": "Accueil"}]})
    assert srv.engine.rooms[code].space == "la cour"
    replayed = Engine()
    replayed.replay(srv.log)
    assert [r.describe() for r in replayed.rooms.values()] == [
        r.describe() for r in srv.engine.rooms.values()]


@pytest.mark.parametrize(("change", "words"), [
    (lambda p: p.update(format="crowd-agenda"), "not a crowd program"),
    (lambda p: p.update(version=2), "version 2"),
    (lambda p: p.update(rooms=[]), "1 to 100 rooms"),
    (lambda p: p["rooms"][1].update(key="pain"), "two rooms have the key 'pain'"),
    (lambda p: p["rooms"][1].update(title=""), "room 2 (pleniere): 'title'"),
    (lambda p: p["rooms"][0]["slots"][1].update(end=DAY), "room 1 (pain): slot 2: it must end"),
    (lambda p: p["rooms"][0]["slots"][0].update(start="10h"), "slot 1: 'start'"),
    (lambda p: p["rooms"][0]["activities"][1].update(kind="nope"), "room 1 (pain): activity 2"),
    (lambda p: p["rooms"][0]["activities"][0].update(close_at=DAY + 7000),
     "activity 1: the scheduled close must come after"),
    (lambda p: p["rooms"][1]["activities"][0].update(open_at=DAY - 86400),
     "activity 1: open_at is more than an hour ago"),
])
def test_a_bad_file_is_refused_whole_saying_where(change: Any, words: str) -> None:
    srv = Server()
    bad = copy.deepcopy(program())
    change(bad)
    with pytest.raises(BadMessage) as refused:
        srv.send({"t": "program_import", "program": bad})
    assert refused.value.code == "bad_message"
    assert words in refused.value.message, refused.value.message
    assert srv.engine.rooms == {} and srv.log == []


def test_the_example_program_imports() -> None:
    """examples/festival-program.json, the documented example, is a valid file."""
    srv = Server()
    example = json.loads(EXAMPLE.read_text())
    times = [s["start"] for r in example["rooms"] for s in r["slots"]]
    reply = srv.send({"t": "program_import", "program": example}, now=min(times) - 3600)
    assert len(reply["rooms"]) == len(example["rooms"])
