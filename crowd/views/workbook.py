"""A room's results as a workbook that opens right in LibreOffice and Excel.

One summary sheet (every activity: its question, kind, state, answers and headline
figure) and one sheet per activity (each figure of its snapshot as a row, from the same
`flatten_snapshot` as the CSV), with the column names in the reader's language. Written
with XlsxWriter (see docs/decisions.md): every text goes in with `write_string`, so a
prompt or a word that starts like a formula (`=HYPERLINK(...)`) stays text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import xlsxwriter

from crowd.views.exports import flatten_snapshot

HEADERS = {
    "fr": {"summary": "Résumé", "activity": "Activité", "question": "Question",
           "kind": "Type", "state": "État", "n": "Réponses", "headline": "En tête",
           "measure": "Mesure", "label": "Libellé", "value": "Valeur",
           "value_label": "Valeur (texte)", "room": "Salle"},
    "en": {"summary": "Summary", "activity": "Activity", "question": "Question",
           "kind": "Kind", "state": "State", "n": "Answers", "headline": "Leading",
           "measure": "Measure", "label": "Label", "value": "Value",
           "value_label": "Value (text)", "room": "Room"},
}
KINDS = {
    "fr": {"choice": "Choix unique", "approval": "Approbation", "ranking": "Classement",
           "grades": "Jugement majoritaire", "estimate": "Estimation",
           "words": "Nuage de mots", "temperature": "Température", "weighting": "Répartition",
           "orientation": "Orientation", "call": "Criée", "opinion": "Carte des opinions",
           "value_scale": "Échelle de valeurs",
           "board": "Mur"},
    "en": {"choice": "Single choice", "approval": "Approval", "ranking": "Ranking",
           "grades": "Majority judgment", "estimate": "Estimate", "words": "Word cloud",
           "temperature": "Temperature", "weighting": "Weighting",
           "orientation": "Orientation", "call": "Call", "opinion": "Opinion map",
           "value_scale": "Value scale",
           "board": "Board"},
}
STATES = {"fr": {"draft": "brouillon", "open": "ouverte", "closed": "close"},
          "en": {"draft": "draft", "open": "open", "closed": "closed"}}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def headline(act: Mapping[str, Any], lang: str = "fr") -> str:
    """The figure a reader looks for first, in words: the leading option and its share,
    or the median estimate, or the leading word."""
    snap = act.get("snapshot") or {}
    options = (act.get("spec") or {}).get("options")
    shares, counts = snap.get("shares"), snap.get("counts")
    if isinstance(options, list) and isinstance(shares, list) and shares and all(
            isinstance(s, int | float) for s in shares):
        best = max(range(len(shares)), key=lambda i: (shares[i], -i))
        label = options[best] if best < len(options) else ""
        label = label.get("label", "") if isinstance(label, Mapping) else str(label)
        percent = round(100 * shares[best])
        return (f"{label}\u202f: {percent}\u202f%" if lang == "fr"
                else f"{label}: {percent}%")
    if isinstance(snap.get("median"), int | float):
        median = snap["median"]
        text = f"{median:,.4g}".replace(",", "\u202f") if lang == "fr" else f"{median:,.4g}"
        return ("médiane " if lang == "fr" else "median ") + (
            text.replace(".", ",") if lang == "fr" else text)
    words = snap.get("words")
    if isinstance(words, list) and words and isinstance(counts, list) and counts:
        return f"{words[0]} ({counts[0]})"
    if act.get("kind") in ("value_scale", "opinion"):  # the report's sentence, first part
        from crowd.views.report import result_sentence

        return result_sentence(act, lang).split(" ; ")[0]
    return ""


def sheet_name(number: int, prompt: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\."""
    base = _SHEET_FORBIDDEN.sub(" ", f"{number} {prompt}").strip()[:31].rstrip() or str(number)
    name, extra = base, 2
    while name.lower() in taken:
        suffix = f" ({extra})"
        name, extra = base[: 31 - len(suffix)] + suffix, extra + 1
    taken.add(name.lower())
    return name


def _cell(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        if value == value and value not in (float("inf"), float("-inf")):
            sheet.write_number(row, col, value, fmt)
        else:
            sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def results_xlsx(doc: Mapping[str, Any], lang: str = "fr") -> bytes:
    """The results document (`crowd.views.exports.results`) as an .xlsx workbook."""
    words = HEADERS.get(lang, HEADERS["fr"])
    kinds = KINDS.get(lang, KINDS["fr"])
    states = STATES.get(lang, STATES["fr"])
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    summary = book.add_worksheet(words["summary"])
    room = doc.get("room") or {}
    summary.write_string(0, 0, f"{words['room']} {room.get('code', '')} · "
                               f"{room.get('title', '')}", title)
    columns = ["activity", "question", "kind", "state", "n", "headline"]
    for col, key in enumerate(columns):
        summary.write_string(2, col, words[key], bold)
    taken = {words["summary"].lower()}
    for row, act in enumerate(doc.get("activities") or [], start=3):
        values = [act.get("id"), act.get("prompt"), kinds.get(act.get("kind"), act.get("kind")),
                  states.get(act.get("state"), act.get("state")), act.get("n"),
                  headline(act, lang)]
        for col, value in enumerate(values):
            _cell(summary, row, col, value)
        number = int(str(act.get("id", "0")).rsplit("-", 1)[-1] or 0) if str(
            act.get("id", "")).rsplit("-", 1)[-1].isdigit() else row - 2
        sheet = book.add_worksheet(sheet_name(number, str(act.get("prompt", "")), taken))
        sheet.write_string(0, 0, str(act.get("prompt", "")), title)
        for col, key in enumerate(["measure", "label", "value", "value_label"]):
            sheet.write_string(2, col, words[key], bold)
        for line, item in enumerate(flatten_snapshot(act.get("snapshot") or {},
                                                     act.get("spec") or {}), start=3):
            for col, value in enumerate(item):
                _cell(sheet, line, col, value)
        sheet.set_column(0, 1, 24)
        sheet.set_column(2, 3, 16)
    summary.set_column(0, 0, 12)
    summary.set_column(1, 1, 48)
    summary.set_column(2, 5, 18)
    book.close()
    return out.getvalue()
