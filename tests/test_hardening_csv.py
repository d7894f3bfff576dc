"""results.csv never hands a spreadsheet a formula: texts from the crowd and the animator
that start like one get a leading apostrophe; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import httpx

from crowd.clients import Panel, Phone
from crowd.views.exports import csv_cell
from tests.support import ServerProcess

FORMULAS = ["=1+1", "@a1+a2", "+33 6 12 34 56 78", "-2+3"]


def test_text_cells_are_neutralised_and_numbers_kept() -> None:
    assert [csv_cell(t) for t in ("=cmd", "+x", "-x", "@x", "\tx", "\rx")] == [
        "'=cmd", "'+x", "'-x", "'@x", "'\tx", "'\rx"]
    assert [csv_cell(v) for v in (-3.5, -2, "-3.5", "+12", "-1e5", "plain", "a=b")] == [
        -3.5, -2, "-3.5", "+12", "-1e5", "plain", "a=b"]
    assert [csv_cell(v) for v in (None, True, float("nan"))] == ["", "true", ""]


async def test_results_csv_over_http(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("CSV")
        poll = await panel.add_activity(room, "choice", '=HYPERLINK("http://x","clic")',
                                        options=["=1+1", "normal"])
        words = await panel.add_activity(room, "words", "Un mot ?", max_words=4)
        guess = await panel.add_activity(room, "estimate", "Combien ?", min=-10, max=10)
        for act in (poll, words, guess):
            await panel.open(act)
        async with Phone.connect(server.url, room) as phone:
            await phone.respond(poll, 0)
            await phone.respond(words, FORMULAS)
            await phone.respond(guess, -3.5)
        for act in (poll, words, guess):
            await panel.close(act)
    async with httpx.AsyncClient(base_url=server.url) as http:
        reply = await http.get(f"/api/rooms/{room}/export/results.csv",
                               headers={"X-Crowd-Secret": server.secret})
    assert reply.status_code == 200
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if c[:1] in {"=", "+", "-", "@", "\t", "\r"}
                and not _number(c)]
    assert rows[0]["prompt"] == "'" + '=HYPERLINK("http://x","clic")'
    assert {r["label"] for r in rows if r["activity"] == poll} >= {"'=1+1", "normal"}
    labels = {r["label"] for r in rows if r["activity"] == words and r["measure"] == "counts"}
    assert labels == {"'" + w for w in FORMULAS}
    mean = next(r["value"] for r in rows if r["activity"] == guess and r["measure"] == "mean")
    assert float(mean) == -3.5  # a number cell, readable as it is


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
