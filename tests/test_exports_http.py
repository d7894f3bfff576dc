"""Exports and the replay over HTTP, against the real server and its SQLite log."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import msgpack
import pytest

from crowd.clients import Panel, Phone
from crowd.server import video
from tests.support import ServerProcess

CONTACT = "07 00 00 00 01"


@dataclass
class Room:
    code: str
    poll: str  # revealed choice poll: [pain, brioche, les deux] got [1, 2, 0]
    hidden: str  # words activity, never revealed
    call: str  # criée call with a contact
    devices: list[str]


@pytest.fixture(scope="module")
async def room(server: ServerProcess) -> AsyncIterator[Room]:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Clôture")
        poll = await panel.add_activity(code, kind="choice", prompt="Pain ou brioche ?",
                                        options=["pain", "brioche", "les deux"])
        hidden = await panel.add_activity(code, kind="words", prompt="Un secret ?")
        await panel.open(poll)
        await panel.open(hidden)
        async with Phone.connect(server.url, code) as a, Phone.connect(server.url, code) as b, \
                Phone.connect(server.url, code) as c:
            for phone, choice in ((a, 0), (b, 1), (c, 1)):
                await phone.respond(poll, choice)
                await phone.respond(hidden, ["confidentiel"])
            call = await panel.call(code, "Qui range les chaises ?", 1, ask_contact=True)
            await a.volunteer(call, nickname="Léa", contact=CONTACT)
            devices = [a.device, b.device, c.device]
        await panel.close(poll)
        await panel.reveal(poll)
        yield Room(code, poll, hidden, call, devices)


def animator(server: ServerProcess) -> dict[str, str]:
    return {"X-Crowd-Secret": server.secret}


async def test_results_json_and_csv(server: ServerProcess, room: Room) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        reply = await http.get(f"/api/rooms/{room.code}/export/results.json")
        assert reply.status_code == 200 and "attachment" in reply.headers["content-disposition"]
        doc = reply.json()
        assert doc["format"] == "crowd-results" and doc["public"] is True
        assert [a["id"] for a in doc["activities"]] == [room.poll]  # revealed only
        assert doc["activities"][0]["snapshot"]["counts"] == [1, 2, 0]
        raw = (await http.get(f"/api/rooms/{room.code.lower()}/export/results.csv")).content
        assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: spreadsheets read UTF-8
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        counts = {r["label"]: r["value"] for r in rows if r["measure"] == "counts"}
        assert counts == {"pain": "1", "brioche": "2", "les deux": "0"}
        assert {r["n"] for r in rows} == {"3"}
        full = (await http.get(f"/api/rooms/{room.code}/export/results.json",
                               headers=animator(server))).json()
        assert [a["id"] for a in full["activities"]] == [room.poll, room.hidden, room.call]
        assert full["activities"][1]["snapshot"]["words"] == ["confidentiel"]
        text = json.dumps(full)
        assert CONTACT not in text and not any(d in text for d in room.devices)
        assert (await http.get("/api/rooms/ZZZZ/export/results.json")).status_code == 404


async def test_raw_event_log_needs_the_secret(server: ServerProcess, room: Room) -> None:
    path = f"/api/rooms/{room.code}/export/events.msgpack"
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        assert (await http.get(path)).status_code == 401
        assert (await http.get(path, headers={"X-Crowd-Secret": "not-it"})).status_code == 403
        # never in an address (histories, logs, and foreign pages' <img> tags)
        assert (await http.get(path, params={"secret": server.secret})).status_code == 400
        reply = await http.get(path, headers=animator(server))
        assert reply.status_code == 200
        records = list(msgpack.Unpacker(io.BytesIO(reply.content), raw=False))
    assert records[0]["type"] == "room_created" and records[0]["room"] == room.code
    responded = [r for r in records if r["type"] == "responded"]
    assert len(responded) == 6
    assert {r["data"]["device"] for r in responded} == {r["client"] for r in responded}
    assert all(re.fullmatch(r"p\d+", r["client"]) for r in responded)
    volunteered = [r for r in records if r["type"] == "volunteered"]
    assert volunteered[0]["data"]["nickname"] == "Léa" and "contact" not in volunteered[0]["data"]
    blob = reply.content.decode("utf-8", "replace")
    assert CONTACT not in blob and not any(d in blob for d in room.devices)


async def test_summary_is_printable_and_contacts_are_for_animators(
        server: ServerProcess, room: Room) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        page = (await http.get(f"/api/rooms/{room.code}/export/summary")).text
        assert "@media print" in page and "Pain ou brioche ?" in page
        assert "Un secret ?" not in page and CONTACT not in page
        full = (await http.get(f"/api/rooms/{room.code}/export/summary",
                               headers=animator(server))).text
        assert "Un secret ?" in full and CONTACT in full and "Léa" in full
        assert not any(d in full for d in room.devices)


async def test_replay_page_and_download(server: ServerProcess, room: Room) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        page = await http.get(f"/replay/{room.code}", headers=animator(server))
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        data = json.loads(re.search(r'id="crowd-timeline">(.*?)</script>', page.text,
                                    re.S).group(1))
        assert [t["id"] for t in data["tracks"]] == [room.poll, room.hidden, room.call]
        poll = data["tracks"][0]
        # votes within one second share a sample: the column may be static
        values = poll["cols"].get("bars", {}).get("value") or [poll["static"]["bars"]["value"]]
        assert values[-1] == [1, 2, 0] and poll["states"][-1] == "closed"
        assert not re.search(r"<script[^>]+src=", page.text)
        public = await http.get(f"/api/rooms/{room.code}/timelapse.html",
                                params={"activities": room.poll})
        assert "attachment" in public.headers["content-disposition"]
        assert "Un secret ?" not in public.text and "crowd-scrubber" in public.text
        assert CONTACT not in page.text and not any(d in page.text for d in room.devices)
        assert (await http.get("/replay/ZZZZ")).status_code == 404
        everything = await http.get("/replay/all", headers=animator(server))
        assert everything.status_code == 200 and f'"id":"{room.poll}"' in everything.text


async def test_video_job_or_a_clear_refusal(server: ServerProcess, room: Room) -> None:
    start = f"/api/rooms/{room.code}/video"
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        assert (await http.post(start, params={"format": "gif"})).status_code == 401
        capabilities = (await http.get("/api/video")).json()
        reply = await http.post(start, params={"format": "gif", "seconds": 1},
                                headers=animator(server))
        if video.missing("gif"):
            assert reply.status_code == 503 and "missing" in reply.json()["message"]
            assert capabilities["gif"]["available"] is False
            return
        assert capabilities["gif"]["available"] is True
        assert reply.status_code == 202, reply.text
        job = reply.json()
        seen = set()

        async def finished() -> dict[str, object]:
            while True:
                status = (await http.get(f"/api/video-jobs/{job['id']}",
                                         headers=animator(server))).json()
                seen.add(status["status"])
                if status["status"] in {"done", "failed"}:
                    return status
                await asyncio.sleep(0.2)  # polling another process's progress

        status = await asyncio.wait_for(finished(), 90)
        assert status["status"] == "done", status
        assert status["done"] == status["total"] > 0
        assert status["of"] == "replay"
        assert status["name"] == f"crowd-{room.code.lower()}-timelapse.gif"
        gif = await http.get(str(status["file"]), headers=animator(server))
        assert gif.status_code == 200 and gif.content[:6] in {b"GIF87a", b"GIF89a"}
        assert (await http.get(str(status["file"]))).status_code == 401


async def test_cli_on_the_live_database(server: ServerProcess, room: Room,
                                        tmp_path: Path) -> None:
    """`crowd timelapse` and `crowd export` read the server's SQLite file while it runs."""
    async def crowd(*args: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "crowd", *args, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate()
        return proc.returncode or 0, out.decode(errors="replace")

    html = tmp_path / "closing.html"
    (code1, log1), (code2, log2) = await asyncio.gather(
        crowd("timelapse", "--db", str(server.db), "--room", room.code, "-o", str(html)),
        crowd("export", "--db", str(server.db), "--room", room.code.lower(), "-o",
              str(tmp_path / "out")))
    assert code1 == 0, log1
    assert code2 == 0, log2
    page = html.read_text(encoding="utf-8")
    assert room.poll in page and "crowd-scrubber" in page and CONTACT not in page
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert files == {"results.csv", "results.xlsx", "results.json", "events.msgpack",
                     "summary.html"}
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert doc["activities"][0]["snapshot"]["counts"] == [1, 2, 0]
    assert CONTACT not in (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    # the open-data example reads the exported log as a newcomer would run it
    example = Path(__file__).resolve().parents[1] / "examples" / "read_events.py"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(example), str(tmp_path / "out" / "events.msgpack"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    told = (await proc.communicate())[0].decode()
    assert proc.returncode == 0, told
    assert f"{room.poll}  choice: Pain ou brioche ?" in told and "3 answers from 3" in told
    missing, text = await crowd("timelapse", "--db", str(tmp_path / "nope.db"))
    assert missing == 2 and "no database" in text


async def test_spreadsheets_open_right(server: ServerProcess, room: Room) -> None:
    """The French CSV (semicolons, decimal commas, BOM) and the workbook (a summary sheet,
    a sheet per activity), read back as a spreadsheet would: `csv` with the BOM, openpyxl
    for the workbook."""
    from openpyxl import load_workbook

    async with httpx.AsyncClient(base_url=server.url) as http:
        raw = (await http.get(f"/api/rooms/{room.code}/export/results.csv",
                              params={"sep": "semicolon"})).content
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert {r["prompt"] for r in rows} == {"Pain ou brioche ?"}  # accents intact
        shares = {r["label"]: r["value"] for r in rows if r["measure"] == "shares"}
        assert shares["brioche"] == "0,6666666666666666"  # a French decimal comma
        reply = await http.get(f"/api/rooms/{room.code}/export/results.xlsx",
                               headers=animator(server))
        assert reply.status_code == 200
        assert "spreadsheetml" in reply.headers["content-type"]
        book = load_workbook(io.BytesIO(reply.content), read_only=True)
        names = book.sheetnames
        assert names[0] == "Résumé" and len(names) == 1 + 3  # poll, words, call
        summary = [row for row in book["Résumé"].iter_rows(values_only=True) if any(row)]
        assert summary[1] == ("Activité", "Question", "Type", "État", "Réponses", "En tête")
        poll = next(r for r in summary if r[0] == room.poll)
        assert poll[1:5] == ("Pain ou brioche ?", "Choix unique", "close", 3)
        assert poll[5] == "brioche\u202f: 67\u202f%"
        sheet = [r for r in book[names[1]].iter_rows(values_only=True) if any(r)]
        counts = {r[1]: r[2] for r in sheet if r[0] == "counts"}
        assert counts == {"pain": 1, "brioche": 2, "les deux": 0}  # numbers, not texts
        public = await http.get(f"/api/rooms/{room.code}/export/results.xlsx")
        assert len(load_workbook(io.BytesIO(public.content)).sheetnames) == 2  # revealed


def test_a_formula_in_a_prompt_stays_text_in_the_workbook() -> None:
    from openpyxl import load_workbook

    from crowd.views.workbook import results_xlsx, sheet_name

    doc = {"room": {"code": "ABCD", "title": "=1+1"}, "activities": [{
        "id": "ABCD-1", "kind": "words", "prompt": "=HYPERLINK(\"http://x\")",
        "state": "closed", "n": 1, "spec": {},
        "snapshot": {"n": 1, "words": ["=cmd|' /C calc'!A0"], "counts": [1]}}]}
    book = load_workbook(io.BytesIO(results_xlsx(doc)))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    assert all(c.data_type != "f" for c in cells)  # no formula anywhere
    assert any(c.value == "=cmd|' /C calc'!A0" for c in cells)
    taken: set[str] = set()
    names = [sheet_name(1, "Où [vraiment] ? * / \\ : " + "x" * 40, taken),
             sheet_name(1, "Où [vraiment] ? * / \\ : " + "x" * 40, taken)]
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert names[0] != names[1]

