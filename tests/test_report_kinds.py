"""The value scale and the opinion map in what a cooperative keeps: the report says their
result in a sentence, the workbook and the CSV name items and statements, never indices."""

from __future__ import annotations

import io
import random
from typing import Any

import openpyxl
import pytest

from crowd.activities import value_scale as vs
from crowd.core.engine import Engine, Peer
from crowd.core.protocol import ActivityNew, CreateRoom, Open, Respond
from crowd.core.types import Role
from crowd.views import exports, workbook
from crowd.views.report import report_html, result_sentence

PANEL = Peer(Role.PANEL, "panel")
ITEMS = ["1 h de plomberie", "1 pain", "1 kg de tomates"]
WORTH = [30.0, 1.0, 3.0]  # in loaves of bread
STATEMENTS = ["Mutualiser le four", "Un seul site", "Vendre en ligne", "Garder l'AG"]


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    rng = random.Random(4)
    engine = Engine(random.Random(1))
    now = [100.0]

    def do(msg: Any, peer: Peer = PANEL) -> dict[str, Any]:
        now[0] += 0.5
        step = engine.handle(msg, peer, now[0])
        reply = next(m for _, m in step.sends if m["t"] in ("ack", "error"))
        assert reply["t"] == "ack", reply
        return reply

    room = do(CreateRoom(title="Salle des valeurs", seq=1))["room"]
    scale = do(ActivityNew(room=room, seq=2, spec={
        "kind": "value_scale", "prompt": "Ça vaut combien ?", "items": ITEMS,
        "reference": 1}))["activity"]
    opinion = do(ActivityNew(room=room, seq=3, spec={
        "kind": "opinion", "prompt": "Notre coopérative", "statements": STATEMENTS}))["activity"]
    do(Open(activity=scale, seq=4))
    do(Open(activity=opinion, seq=5))
    for n in range(8):
        phone = Peer(Role.PHONE, f"device-{n}", room)
        for s, (i, j) in enumerate(vs.assigned_pairs(scale, f"device-{n}", 3, 3)):
            ratio = WORTH[i] / WORTH[j] * rng.uniform(0.9, 1.1)
            do(Respond(activity=scale, value={"pair": [i, j], "ratio": ratio}, seq=10 + s), phone)
        camp = 1 if n < 4 else -1  # two camps on the first two statements, all agree after
        for s in range(4):
            do(Respond(activity=opinion, value={"statement": s, "vote": camp if s < 2 else 1},
                       seq=20 + s), phone)
    return exports.results(engine, room, public=False)


def _act(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(a for a in doc["activities"] if a["kind"] == kind)


def test_a_sentence_per_kind_in_french_and_english(doc: dict[str, Any]) -> None:
    scale, opinion = _act(doc, "value_scale"), _act(doc, "opinion")
    weights = scale["snapshot"]["weights"]
    assert weights[0] == pytest.approx(30, rel=0.15) and weights[2] == pytest.approx(3, rel=0.15)
    fr = result_sentence(scale, "fr")
    assert fr.startswith("en unités de «\u202f1 pain\u202f»\u202f: 1 h de plomberie ≈ ")
    assert f"1 h de plomberie ≈ {vs.french_number(weights[0])}" in fr
    assert f"1 kg de tomates ≈ {vs.french_number(weights[2])}" in fr
    assert "la salle est cohérente" in fr
    assert "1 pain ≈" not in fr  # the reference is the unit, not an entry
    assert result_sentence(scale, "en").startswith("in units of “1 pain”: 1 h de plomberie")
    words = result_sentence(opinion, "fr")
    assert words.startswith("2 groupes d'opinion")
    assert "ce qui rassemble\u202f: " in words and "ce qui divise\u202f: " in words
    united = STATEMENTS[opinion["snapshot"]["consensus"][0]]
    divided = STATEMENTS[opinion["snapshot"]["divisive"][0]]
    assert united in STATEMENTS[2:] and divided in STATEMENTS[:2]
    assert f"rassemble\u202f: {united}" in words and f"divise\u202f: {divided}" in words
    page = report_html(doc, lang="fr")
    assert "Échelle de valeurs" in page and "Carte des opinions" in page
    assert fr.replace("«", "&laquo;") in page or fr in page.replace("&#x27;", "'")


def test_the_workbook_and_the_csv_name_items_and_statements(doc: dict[str, Any]) -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook.results_xlsx(doc, "fr")))
    summary = book.worksheets[0]
    kinds = [summary.cell(row, 3).value for row in range(4, 6)]
    assert kinds == ["Échelle de valeurs", "Carte des opinions"]
    headline = summary.cell(4, 6).value
    assert headline.startswith("en unités de «\u202f1 pain\u202f»")
    assert "1 h de plomberie" in headline
    assert summary.cell(5, 6).value == "2 groupes d'opinion"
    rows = [[c.value for c in row] for row in book.worksheets[1].iter_rows(min_row=4)]
    weights = {label: value for measure, label, value, _ in rows if measure == "weights"}
    assert set(weights) == set(ITEMS) and weights["1 pain"] == 1
    assert ["reference", "", 1, "1 pain"] in rows
    opinion_rows = [[c.value for c in row] for row in book.worksheets[2].iter_rows(min_row=4)]
    named = {(m, vl) for m, _, _, vl in opinion_rows if m in ("consensus", "divisive")}
    assert {vl for _, vl in named} <= set(STATEMENTS) and len(named) >= 2
    votes = {label for m, label, _, _ in opinion_rows if m == "statement_votes"}
    assert votes == set(STATEMENTS)
    text = exports.results_csv(doc, sep=";")
    assert "1 h de plomberie" in text and "Mutualiser le four" in text
