"""The festival on a real server with real clients: the program file exported and imported
back into another server, the public program, and a participant whose phone goes from
room to room as one device, whose path only that phone can read."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from crowd.clients import Panel, Phone
from tests.support import SECRET, ServerProcess


def http_json(url: str, body: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def festival(now: float) -> dict[str, Any]:
    return {"format": "crowd-program", "version": 1, "rooms": [
        {"key": "pain", "title": "Atelier pain", "space": "salle 2",
         "slots": [{"start": now - 600, "end": now + 3000, "title": "Le levain"}],
         "activities": [{"kind": "choice", "prompt": "Levain ou levure ?",
                         "options": ["levain", "levure"]}]},
        {"key": "pleniere", "title": "Plénière", "space": "la grange",
         "slots": [{"start": now + 7200, "end": now + 9000, "title": "Restitution"}],
         "activities": [{"kind": "grades", "prompt": "Le festival ?",
                         "options": ["samedi", "dimanche"], "open_at": now + 7300}]},
    ]}


async def test_a_program_goes_out_of_one_server_and_into_another(
        server: ServerProcess, tmp_path: Path) -> None:
    now = time.time()
    async with Panel.connect(server.url, server.secret) as panel:
        report = await panel.program_import(festival(now))
        exported = await panel.program_export()
    codes = {r["key"]: r["room"] for r in report}
    mine = [r for r in exported["rooms"] if r["code"] in codes.values()]
    assert [r["key"] for r in mine] == ["pain", "pleniere"]
    file = tmp_path / "programme.json"
    file.write_text(json.dumps({**exported, "rooms": mine}, ensure_ascii=False))

    other = ServerProcess(tmp_path / "other.db", secret=SECRET)
    other.start()
    try:
        async with Panel.connect(other.url, other.secret) as panel:
            first = await panel.program_import(json.loads(file.read_text()))
            again = await panel.program_import(json.loads(file.read_text()))
            back = await panel.program_export()
        assert [r["created"] for r in first] == [True, True]
        assert [(r["created"], r["added"], r["updated"]) for r in again] == [(False, 0, 0)] * 2
        assert [{k: v for k, v in r.items() if k != "code"} for r in back["rooms"]] == [
            {k: v for k, v in r.items() if k != "code"} for r in mine]
        status, public = http_json(other.url + "/api/program")
        assert status == 200
        assert [(r["title"], r["space"], r["live"], r["present"]) for r in public["rooms"]] == [
            ("Atelier pain", "salle 2", False, 0), ("Plénière", "la grange", False, 0)]
        assert public["rooms"][0]["slots"][0]["title"] == "Le levain"
        assert "activities" not in public["rooms"][0]  # the agenda is not public
    finally:
        other.stop()


async def test_a_phone_keeps_one_device_across_rooms_and_only_it_reads_its_path(
        server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        pain = await panel.create_room("Atelier pain")
        pleniere = await panel.create_room("Plénière")
        await panel.program_set(pain, "salle 2", [])
        bread = await panel.add_activity(pain, kind="choice", prompt="Levain ou levure ?",
                                         options=["levain", "levure"])
        vote = await panel.add_activity(pleniere, kind="choice", prompt="Un bal ?",
                                        options=["oui", "non"])
        call = await panel.add_activity(pleniere, kind="call", prompt="Deux bras", quota=1)
        for act in (bread, vote, call):
            await panel.open(act)

    async with Phone.connect(server.url, pain) as phone:
        device = phone.device
        await phone.respond(bread, 0)
    # the same phone walks into the plenary: same device, its answer in the bread
    # workshop still its own
    async with Phone.connect(server.url, pleniere, device=device) as phone:
        assert phone.device == device
        await phone.respond(vote, 1)
        await phone.volunteer(call)
    async with Phone.connect(server.url, pain, device=device) as phone:
        assert phone.device == device and phone.welcome["mine"] == {bread: 0}
    async with Phone.connect(server.url, pleniere) as stranger:
        other_device = stranger.device
        await stranger.volunteer(call)  # waits behind the first

    status, path = http_json(server.url + "/api/journey", {"device": device})
    assert status == 200
    assert [(stop["room"]["code"], stop["room"].get("space")) for stop in path["rooms"]] == [
        (pain, "salle 2"), (pleniere, None)]
    assert [(i["activity"]["id"], i.get("answer"), i.get("volunteer"))
            for stop in path["rooms"] for i in stop["items"]] == [
        (bread, 0, None), (vote, 1, None), (call, None, {"status": "confirmed"})]

    # another device sees its own path only; a made-up token, none at all, or a
    # foreign page get nothing
    status, theirs = http_json(server.url + "/api/journey", {"device": other_device})
    assert status == 200 and [i["volunteer"] for s in theirs["rooms"] for i in s["items"]] == [
        {"status": "waiting", "position": 1}]
    forged = device.split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAA"
    for body in ({"device": forged}, {"device": 12}, {}):
        status, refused = http_json(server.url + "/api/journey", body)
        assert (status, refused["code"]) == (403, "forbidden")
    status, refused = http_json(server.url + "/api/journey", {"device": device},
                                {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert status == 403


async def test_phones_are_counted_in_the_space_they_scanned_last(
        server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        bar = await panel.create_room("Le bar")
        market = await panel.create_room("Le marché")

    def present() -> dict[str, int]:
        status, public = http_json(server.url + "/api/program")
        assert status == 200
        return {r["code"]: r["present"] for r in public["rooms"] if r["code"] in (bar, market)}

    async with Phone.connect(server.url, bar) as first, Phone.connect(server.url, bar) as second:
        devices = [first.device, second.device]
    counted = present()
    assert counted == {bar: 2, market: 0}
    # the second walks to the market: it leaves the bar (counts refresh each second)
    async with Phone.connect(server.url, market, device=devices[1]):
        pass
    deadline = time.monotonic() + 5
    while (counted := present()) != {bar: 1, market: 1} and time.monotonic() < deadline:
        await asyncio.sleep(0.2)  # the count is recomputed at most once a second
    assert counted == {bar: 1, market: 1}
    # coming back to the same space counts once: once a newcomer at the market shows,
    # the count after the return is the one read
    async with Phone.connect(server.url, bar, device=devices[0]):
        pass
    async with Phone.connect(server.url, market):
        pass
    deadline = time.monotonic() + 5
    while (counted := present())[market] != 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert counted == {bar: 1, market: 2}
