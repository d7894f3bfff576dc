"""Every message type of the protocol, from every role: the documented answer.

Generated from the protocol's own table of message types (`crowd.core.protocol.message_types`,
the kinds' messages included)
and checked against the "who" column of docs/protocol.md, so a new message type cannot
skip the matrix: it fails here until it has a sample frame and a documented role.
A refused message gets `forbidden` and changes nothing; a `watch` from a phone or a
screen, once the way to read criée contacts, joins nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from crowd.clients import Panel, Phone, Screen
from crowd.core.authorization import authorize
from crowd.core.engine import Peer
from crowd.core.errors import CrowdError, Forbidden, UnknownActivity
from crowd.core.protocol import Respond, Watch, message_class, message_types
from crowd.core.types import Role
from tests.inprocess import in_process_server
from tests.support import SECRET

PROTOCOL_MD = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"


def documented_roles() -> dict[str, frozenset[Role]]:
    """The 'Client -> server' table of docs/protocol.md: type -> roles that may send it
    (`organiser`: a panel, the organiser only)."""
    text = PROTOCOL_MD.read_text(encoding="utf-8")
    table = text.split("## Client -> server", 1)[1].split("\n## ", 1)[0]
    found = {}
    for line in table.splitlines():
        match = re.match(r"\| `(\w+)` \| ([\w, ]+) \|", line)
        if match:
            who = match.group(2).strip()
            found[match.group(1)] = (frozenset(Role) if who == "all" else
                                     frozenset(Role.PANEL if w.strip() == "organiser"
                                               else Role(w.strip()) for w in who.split(",")))
    return found


def documented_organiser_only() -> set[str]:
    text = PROTOCOL_MD.read_text(encoding="utf-8")
    table = text.split("## Client -> server", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \| organiser \|", table, flags=re.M))


def roles_of(type_name: str) -> frozenset[Role]:
    return message_class(type_name).ROLES


def test_the_documented_roles_are_the_enforced_roles() -> None:
    documented = documented_roles()
    assert set(documented) == message_types() - {"hello"}
    for type_name, roles in documented.items():
        assert roles_of(type_name) == roles, type_name
    organiser_only = {t for t in documented if message_class(t).ORGANISER}
    assert organiser_only == documented_organiser_only()
    assert {"create_room", "room_link", "revoke_link", "links", "regie", "push",
            "festival_call", "program_export", "program_import"} <= organiser_only


def test_phones_and_screens_are_kept_to_their_room() -> None:
    phone = Peer(Role.PHONE, "d", "ABCD")
    authorize(Respond(activity="ABCD-3", value=0), phone)
    with pytest.raises(UnknownActivity):
        authorize(Respond(activity="WXYZ-3", value=0), phone)
    for role in (Role.PHONE, Role.SCREEN):
        with pytest.raises(Forbidden):
            authorize(Watch(room="ABCD"), Peer(role, "d", "ABCD"))
    authorize(Watch(room="WXYZ"), Peer(Role.PANEL, "p"))  # animators see every room


def samples(ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    """One valid frame per message type; each succeeds once, from its own role."""
    room = ids["room"]
    choice = {"kind": "choice", "prompt": "Pain ?", "options": ["oui", "non"]}
    return {
        "ping": {},
        "respond": {"activity": ids["open"], "value": 0},
        "nick": {"name": "Zoé"},
        "create_room": {"title": "Autre salle"},
        "watch": {"room": room},
        "activity_new": {"room": room, "spec": choice},
        "activity_update": {"activity": ids["draft"], "spec": {"prompt": "Corrigé"}},
        "activity_delete": {"activity": ids["spare"]},
        "open": {"activity": ids["draft"]},
        "close": {"activity": ids["to_close"]},
        "reveal": {"activity": ids["closed"]},
        "project": {"room": room, "activity": ids["open"]},
        "agenda_export": {"room": room},
        "agenda_import": {"room": room, "activities": [choice]},
        "influence_round": {"activity": ids["estimate"]},
        "set_truth": {"activity": ids["estimate"], "value": 1355},
        "call": {"room": room, "spec": {"prompt": "Six bras", "quota": 6}},
        "set_quota": {"call": ids["call"], "quota": 3},
        "volunteer": {"call": ids["call"], "contact": "06 12 34 56 78"},
        "withdraw": {"call": ids["call"]},
        "decline": {"call": ids["other_call"]},
        "statement": {"activity": ids["opinion"], "text": "Une cagnotte commune"},
        "statement_review": {"activity": ids["opinion"], "submission": 1, "accept": True},
        "advance": {"room": room},
        "program_set": {"room": room, "space": "salle 2", "slots": []},
        "program_export": {},
        "program_import": {"program": {"format": "crowd-program", "version": 1, "rooms": [
            {"key": room, "title": "Matrice", "activities": [choice]}]}},
        "reorder": {"room": room, "order": [ids["closed"], ids["to_close"]]},
        "duplicate": {"activity": ids["closed"]},
        "set_moderation": {"activity": ids["words"], "mode": "filter"},
        "set_results": {"activity": ids["estimate"], "results": "live"},
        "moderate": {"activity": ids["words"], "entry": "pain", "action": "approve"},
        "room_link": {"rooms": [room], "label": "Atelier"},
        "revoke_link": {"id": ids["link"]},
        "links": {},
        "regie": {},
        "push": {"room": room, "activity": ids["closed"]},  # revealed by "reveal" above
        "festival_call": {"text": "Deux chauffeurs à la gare"},
        "segment": {"activity": ids["to_close"], "by": ids["open"]},
        "post": {"activity": ids["board"], "text": "Cherche un four", "type": "need",
                 "category": "Pain"},
        "upvote": {"post": ids["need"]},
        "help": {"post": ids["need"]},
        "board_answer": {"post": ids["need"]},
        "board_pin": {"activity": ids["board"], "post": ids["need"]},
        "board_link": {"activity": ids["board"], "need": ids["need"], "offer": ids["offer"]},
    }


async def reply_code(client: Any, type_name: str, fields: dict[str, Any]) -> str:
    """'ack' (or 'pong'), or the error code the server answered."""
    try:
        reply = await client.conn.request(type_name, **fields)
    except CrowdError as exc:
        return str(exc.code)
    return str(reply["t"])


async def room_picture(panel: Panel, room: str) -> Any:
    state = await panel.watch(room)
    return state, len((await panel.conn.request("agenda_export", room=room))["agenda"]
                      ["activities"])


async def furnish(url: str, panel: Panel, room: str) -> dict[str, str]:
    """Activities and calls of `room` in every state the samples need; their ids."""
    ids = {"room": room}
    choice = {"options": ["oui", "non"]}
    for name in ("open", "draft", "spare", "to_close", "closed"):
        ids[name] = await panel.add_activity(room, "choice", name, **choice)
    ids["estimate"] = await panel.add_activity(room, "estimate", "Poids ?")
    ids["opinion"] = await panel.add_activity(room, "opinion", "Débat", submissions=True,
                                              statements=["Un four", "Deux fours"])
    ids["words"] = await panel.add_activity(room, "words", "Un mot ?")
    ids["board"] = await panel.add_activity(room, "board", "Besoins", mode="needs_offers",
                                            categories=["Pain"])
    for name in ("open", "to_close", "closed", "estimate", "opinion", "words", "board"):
        await panel.open(ids[name])
    await panel.close(ids["closed"])
    ids["call"] = await panel.call(room, "Bras", 2)
    ids["other_call"] = await panel.call(room, "Autres bras", 2)
    ids["link"] = (await panel.room_link([room], "Matrice"))["id"]
    async with Phone.connect(url, room) as witness:
        await witness.respond(ids["estimate"], 1200)
        await witness.respond(ids["words"], ["pain"])
        ids["need"] = await witness.post(ids["board"], "Un pétrin", type="need")
    async with Phone.connect(url, room) as other_witness:
        ids["offer"] = await other_witness.post(ids["board"], "Prête un pétrin", type="offer")
    return ids


async def test_every_message_from_every_role_gets_its_documented_answer(
        tmp_path: Path) -> None:
    documented = documented_roles()
    # every type from every role in a row: more than a phone's or a screen's burst of
    # inputs (tests/test_hardening_hub.py tests that limit); here the roles are checked
    async with in_process_server(tmp_path / "crowd.db", phone_burst=400.0) as (url, hub), \
            Panel.connect(url, SECRET) as panel:
        room = await panel.create_room("Matrice")
        ids = await furnish(url, panel, room)
        frames = samples(ids)
        assert set(frames) == message_types() - {"hello"}, "a message type has no sample"

        async with Phone.connect(url, room) as phone, Screen.connect(url, room) as screen:
            clients = {Role.PANEL: panel, Role.PHONE: phone, Role.SCREEN: screen}
            before = await room_picture(panel, room)
            for type_name, fields in frames.items():
                for role, client in clients.items():
                    if role not in documented[type_name]:
                        code = await reply_code(client, type_name, fields)
                        assert code == "forbidden", (type_name, role.value, code)
            assert await room_picture(panel, room) == before, "a refused message changed"
            # the refused watches joined nothing: no panel membership, no roster
            assert hub.members[room][Role.PANEL] == {next(
                c for c in hub.connections if c.role is Role.PANEL)}
            for type_name, fields in frames.items():
                for role in documented[type_name]:
                    code = await reply_code(clients[role], type_name, fields)
                    assert code in {"ack", "pong"}, (type_name, role.value, code)


async def test_watch_from_a_phone_or_screen_reads_no_contact(tmp_path: Path) -> None:
    """The critical finding: a phone of another room watched a room, got its criée
    contacts, and stayed counted among its panels after it left."""
    async with in_process_server(tmp_path / "crowd.db") as (url, hub), \
            Panel.connect(url, SECRET) as panel:
        room = await panel.create_room("Criée")
        other = await panel.create_room("Ailleurs")
        call = await panel.call(room, "Bras", 2)
        await panel.watch(room)
        for _ in range(20):  # watch + disconnect cycles, from both anonymous roles
            for client_type, where in ((Phone, other), (Screen, room)):
                async with client_type.connect(url, where) as spy:
                    with pytest.raises(Forbidden):
                        await spy.conn.request("watch", room=room)
        async with Phone.connect(url, room) as spy, Phone.connect(url, room) as helper:
            with pytest.raises(Forbidden):
                await spy.conn.request("watch", room=room)
            await helper.volunteer(call, nickname="Ana", contact="ana@example.org")
            roster = await panel.next_volunteers()
            assert roster["volunteers"][0]["contact"] == "ana@example.org"
            await spy.ping()
            received = [m for queue in spy.conn._queues.values() for m in queue._queue]
            assert "ana@example.org" not in repr(received)
        assert len(hub.members[room][Role.PANEL]) == 1  # the real panel only
        assert not hub.members[other][Role.PANEL]
