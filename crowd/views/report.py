"""The report a cooperative keeps: a room's activities for people, in French or English.

Per activity: the question, when it ran, how many answered, its chart (the projector's
own figure, `crowd.views.charts`), and its result in words ("Brioche : 67 % (3 réponses) ;
écart avec le 2e : 33 points"). Numbers in the reader's format, no internal field name.
One self-contained HTML page (BokehJS inlined) that prints well (print CSS, a page break
before each activity when it would not fit): the server also turns it into a PDF with
headless Chromium.

The result sentences use only what a snapshot states; a kind without a sentence here
shows its chart and its count, never a made-up reading.
"""

from __future__ import annotations

import html
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from crowd.activities.board_map import counts_line
from crowd.views.workbook import KINDS

TEXT = {
    "fr": {"title": "Compte rendu", "answers": ("réponse", "réponses"),
           "ran": "ouverte {when}", "gap": "écart avec le 2e\u202f: {gap}\u202fpoints",
           "tie": "à égalité", "median": "médiane {x}", "quartiles": "la moitié entre {a} et {b}",
           "surprise": "réponse surprenante\u202f: {label} ({actual}\u202f%, la salle en "
                       "prévoyait {predicted}\u202f%)",
           "truth": "valeur réelle {x}", "words": "mots les plus cités\u202f: {w}",
           "temperature": "moyenne {mean} sur une échelle de −1 à +1",
           "direction": "direction moyenne {deg}\u202f°, accord {r}\u202f%",
           "no_direction": "pas de direction commune",
           "two_directions": "deux directions",
           "several_directions": "plusieurs directions",
           "budget": "{label} reçoit le plus\u202f: {share}\u202f% des points en moyenne",
           "call": "{confirmed} volontaire{s} sur {quota} demandé{s2}",
           "opinion_groups": "{n} groupes d'opinion", "opinion_one": "pas de groupes distincts",
           "opinion_unites": "ce qui rassemble\u202f: {x}", "empty": "Aucune activité à montrer.",
           "board_top": "le plus soutenu : « {text} » ({votes})",
           "board_votes": ("soutien", "soutiens"), "board_posts": ("message", "messages"),
           "generated": "Établi le {date} par crowd", "winner": "{label} en tête",
           "none": "pas encore de réponse",
           "scale": "en unités de « {ref} » : {items}",
           "levels": {"coherent": "la salle est cohérente", "fair": "la salle est assez cohérente",
                      "hesitant": "la salle hésite", "contradictory": "la salle se contredit"},
           "contradiction": "elle se contredit le plus sur {a} / {b}",
           "opinion_divides": "ce qui divise : {x}", "rooms": ("salle", "salles"),
           "image": "Le graphique en image :"},
    "en": {"title": "Report", "answers": ("answer", "answers"),
           "ran": "opened {when}", "gap": "lead over the 2nd: {gap} points",
           "tie": "tied", "median": "median {x}", "quartiles": "half between {a} and {b}",
           "surprise": "surprisingly popular: {label} ({actual}%, the room expected "
                       "{predicted}%)",
           "truth": "true value {x}", "words": "most cited words: {w}",
           "temperature": "mean {mean} on a scale from −1 to +1",
           "direction": "mean direction {deg}°, agreement {r}%",
           "no_direction": "no common direction",
           "two_directions": "two directions",
           "several_directions": "several directions",
           "budget": "{label} gets the most: {share}% of the points on average",
           "call": "{confirmed} volunteer{s} of {quota} asked",
           "opinion_groups": "{n} opinion groups", "opinion_one": "no distinct groups",
           "opinion_unites": "what unites: {x}", "empty": "No activity to show.",
           "board_top": "most upvoted: “{text}” ({votes})",
           "board_votes": ("upvote", "upvotes"), "board_posts": ("post", "posts"),
           "generated": "Made on {date} by crowd", "winner": "{label} leads",
           "none": "no answer yet",
           "scale": "in units of “{ref}”: {items}",
           "levels": {"coherent": "the room is coherent",
                      "fair": "the room is fairly coherent", "hesitant": "the room hesitates",
                      "contradictory": "the room contradicts itself"},
           "contradiction": "it contradicts itself most on {a} / {b}",
           "opinion_divides": "what divides: {x}", "rooms": ("room", "rooms"),
           "image": "The chart as an image:"},
}

CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
       color: #1d232a; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 2rem; margin-bottom: .2rem; }
.meta { color: #5c6b77; margin-top: 0; }
section { border-top: 2px solid #d5dde3; padding-top: 1rem; margin-top: 1.5rem;
          break-inside: avoid; page-break-inside: avoid; }
h2 { font-size: 1.35rem; margin: 0 0 .3rem; }
h2.room { font-size: 1.6rem; margin-top: 2rem; }
h3 { font-size: 1.25rem; margin: 0 0 .3rem; }
.kind { color: #5c6b77; font-size: .95rem; margin: 0 0 .4rem; }
.result { font-size: 1.15rem; font-weight: 600; margin: .5rem 0; }
.chart { width: 100%; height: 22rem; background: #101418; border-radius: 6px; }
.images { font-size: .95rem; margin: .3rem 0 0; }
footer { color: #5c6b77; margin-top: 2rem; font-size: .9rem; }
@page { margin: 15mm; }
@media print { body { margin: 0; max-width: none; } .chart { height: 9cm; }
               .images { display: none; } }
"""


def number(x: float, lang: str, digits: int = 0) -> str:
    """French: thin no-break thousands and a decimal comma; English: commas and a point."""
    if not isinstance(x, int | float) or not math.isfinite(x):
        return "–"
    text = f"{x:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def plural(n: int, words: tuple[str, str], lang: str) -> str:
    """`1 réponse`, `0 réponse`, `267 réponses` (French: 0 and 1 are singular)."""
    singular = n in (0, 1) if lang == "fr" else n == 1
    return f"{number(n, lang)} {words[0] if singular else words[1]}"


def _options(act: Mapping[str, Any]) -> list[str]:
    raw = (act.get("spec") or {}).get("options") or []
    return [o.get("label", "") if isinstance(o, Mapping) else str(o) for o in raw]


def _shares_sentence(act: Mapping[str, Any], t: Mapping[str, Any], lang: str) -> str | None:
    snap, options = act.get("snapshot") or {}, _options(act)
    shares = snap.get("shares")
    if not options or not isinstance(shares, list) or len(shares) != len(options):
        return None
    order = sorted(range(len(shares)), key=lambda i: (-shares[i], i))
    first = order[0]
    percent = number(100 * shares[first], lang)
    sentence = (f"{options[first]}\u202f: {percent}\u202f%" if lang == "fr"
                else f"{options[first]}: {percent}%")
    if len(order) > 1:
        gap = round(100 * (shares[first] - shares[order[1]]))
        sentence += " ; " + (t["tie"] if gap == 0 else t["gap"].format(gap=gap))
    return sentence


def _sentence(act: Mapping[str, Any], lang: str) -> str:
    t = TEXT[lang]
    snap = act.get("snapshot") or {}
    kind = act.get("kind")
    unit = (act.get("spec") or {}).get("unit") or ""
    unit = f"\u202f{unit}" if unit else ""
    if not snap.get("n") and kind != "call":
        return t["none"]
    if kind in ("choice", "approval"):
        sentence = _shares_sentence(act, t, lang) or ""
        found = snap.get("surprise") or {}
        options = _options(act)
        answer = found.get("answer")
        if isinstance(answer, int) and answer < len(options):  # only when supported
            sentence += " ; " + t["surprise"].format(
                label=options[answer], actual=number(100 * found["actual"][answer], lang, 0),
                predicted=number(100 * found["predicted"][answer], lang, 0))
        return sentence
    if kind == "ranking" and snap.get("ranking"):
        options = _options(act)
        best = snap["ranking"][0]
        return t["winner"].format(label=options[best] if best < len(options) else best)
    if kind == "estimate" and isinstance(snap.get("median"), int | float):
        parts = [t["median"].format(x=number(snap["median"], lang) + unit)]
        if isinstance(snap.get("q1"), int | float) and isinstance(snap.get("q3"), int | float):
            parts.append(t["quartiles"].format(a=number(snap["q1"], lang) + unit,
                                               b=number(snap["q3"], lang) + unit))
        if isinstance(snap.get("truth"), int | float):
            parts.append(t["truth"].format(x=number(snap["truth"], lang) + unit))
        return " ; ".join(parts)
    if kind == "words" and snap.get("words"):
        return t["words"].format(w=", ".join(snap["words"][:5]))
    if kind == "temperature" and isinstance(snap.get("mean"), int | float):
        return t["temperature"].format(mean=number(snap["mean"], lang, 2))
    if kind == "orientation":  # the rose's verdict (crowd.models.orientation), not p alone
        code = snap.get("verdict_code")
        if isinstance(snap.get("mean_deg"), int | float) and code == "agree":
            return t["direction"].format(deg=number(snap["mean_deg"], lang),
                                         r=number(100 * snap.get("resultant_length", 0), lang))
        if code in ("two", "several"):
            return t[f"{code}_directions"]
        return t["no_direction"]
    if kind == "weighting" and snap.get("mean_shares"):
        options, shares = _options(act), snap["mean_shares"]
        best = max(range(len(shares)), key=lambda i: (shares[i], -i))
        label = options[best] if best < len(options) else str(best)
        return t["budget"].format(label=label, share=number(100 * shares[best], lang))
    if kind == "call":
        confirmed, quota = int(snap.get("confirmed") or 0), int(snap.get("quota") or 0)
        return t["call"].format(confirmed=number(confirmed, lang), quota=number(quota, lang),
                                s="s" if confirmed > 1 else "", s2="s" if quota > 1 else "")
    if kind == "opinion":
        groups = snap.get("groups") or []
        parts = [t["opinion_groups"].format(n=len(groups)) if groups else t["opinion_one"]]
        statements = (act.get("spec") or {}).get("statements") or []
        consensus = [statements[i] for i in snap.get("consensus") or [] if i < len(statements)]
        if consensus:
            parts.append(t["opinion_unites"].format(x=consensus[0]))
        divisive = [statements[i] for i in snap.get("divisive") or [] if i < len(statements)]
        if divisive and groups:
            parts.append(t["opinion_divides"].format(x=divisive[0]))
        return " ; ".join(parts)
    if kind == "value_scale":
        return _scale_sentence(act, t, lang)
    if kind == "board":  # posts shown only: the snapshot never holds a hidden one
        posts = snap.get("posts") or []
        parts = [counts_line(snap.get("needs", 0), snap.get("offers", 0),
                             len(snap.get("links") or []))
                 if (act.get("spec") or {}).get("mode") == "needs_offers"
                 else plural(snap["n"], t["board_posts"], lang)]
        if posts:
            parts.append(t["board_top"].format(text=posts[0]["text"], votes=plural(
                posts[0].get("votes", 0), t["board_votes"], lang)))
        return " ; ".join(parts)
    return ""


def result_sentence(act: Mapping[str, Any], lang: str = "fr") -> str:
    """An activity's result in words (the report's line; the workbook's headline)."""
    return _sentence(act, lang if lang in TEXT else "fr")


def _ratio_text(x: float, lang: str) -> str:
    """2 significant figures, as the projector writes them."""
    from crowd.activities.value_scale import french_number

    if lang == "fr":
        return french_number(x)
    return f"{x:,.2g}" if x >= 1 else f"{x:.2g}"


def _scale_sentence(act: Mapping[str, Any], t: Mapping[str, Any], lang: str) -> str:
    """The items in units of the reference, largest first, and how coherent the room is."""
    snap = act.get("snapshot") or {}
    items = [str(i) for i in (act.get("spec") or {}).get("items") or []]
    weights, ref = snap.get("weights") or [], snap.get("reference")
    if not items or not isinstance(ref, int) or not 0 <= ref < len(items):
        return ""
    placed = sorted(((w, name) for name, w, i in zip(items, weights, range(len(items)),
                                                     strict=False)
                     if isinstance(w, int | float) and i != ref), reverse=True)
    parts = [t["scale"].format(ref=items[ref], items=", ".join(
        f"{name} ≈ {_ratio_text(w, lang)}" for w, name in placed))] if placed else []
    if snap.get("level") in t["levels"]:
        parts.append(t["levels"][snap["level"]])
    pair = (snap.get("contradiction") or {}).get("pair")
    if snap.get("level") in ("hesitant", "contradictory") and isinstance(pair, list) and all(
            isinstance(i, int) and 0 <= i < len(items) for i in pair):
        parts.append(t["contradiction"].format(a=items[pair[0]], b=items[pair[1]]))
    return " ; ".join(parts)


def _image_links(room: str, activity_id: str, t: Mapping[str, Any]) -> str:
    """Links to the chart as PNG and SVG (`/api/rooms/CODE/charts/ID.png`)."""
    base = html.escape(f"/api/rooms/{room}/charts/{activity_id}")
    return (f'<p class="images">{html.escape(t["image"])} '
            f'<a href="{base}.png" download>PNG</a> · '
            f'<a href="{base}.svg" download>SVG</a></p>')


def _when(spans: Sequence[tuple[float, float | None]] | None, lang: str,
          offset: float) -> str:
    if not spans:
        return ""
    start = spans[0][0] + offset
    clock = time.strftime("%d/%m %H:%M" if lang == "fr" else "%m/%d %H:%M", time.gmtime(start))
    return TEXT[lang]["ran"].format(when=clock)


def _sections(doc: Mapping[str, Any], lang: str, times: Mapping[str, Any] | None,
              utc_offset: float, chart_item: Callable[..., Any] | None,
              items: dict[str, Any], level: int = 2) -> str:
    """One section per activity of a room's results; charts to embed go into `items`."""
    t, kinds = TEXT[lang], KINDS[lang]
    code = str((doc.get("room") or {}).get("code", ""))
    sections = []
    for act in doc.get("activities") or []:
        item = chart_item(act["spec"], act["snapshot"], act.get("chart") or {}) \
            if chart_item else None
        chart = ""
        if item is not None:
            target = f"chart-{len(items)}"
            items[target] = item
            chart = f'<div class="chart" id="{target}"></div>' + _image_links(code, act["id"], t)
        meta = " · ".join(x for x in (kinds.get(act.get("kind"), ""),
                                      plural(int(act.get("n") or 0), t["answers"], lang),
                                      _when((times or {}).get(act["id"]), lang, utc_offset)) if x)
        sections.append(
            f'<section><h{level}>{html.escape(str(act.get("prompt", "")))}</h{level}>'
            f'<p class="kind">{html.escape(meta)}</p>'
            f'<p class="result">{html.escape(_sentence(act, lang))}</p>{chart}</section>')
    return "".join(sections)


def _page(lang: str, title: str, meta: str, body: str, items: Mapping[str, Any],
          bokeh_js: str) -> str:
    t = TEXT[lang]
    date = time.strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d", time.gmtime())
    script = ""
    if items:
        embed = json.dumps(items).replace("</", "<\\/")
        script = (f"<script>{bokeh_js}</script><script>const items = {embed};"
                  "for (const [id, item] of Object.entries(items))"
                  " Bokeh.embed.embed_item(item, id);</script>")
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(t['title'])} · {html.escape(title)}"
            f"</title><style>{CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>"
            f'<p class="meta">{html.escape(t["title"])} · {html.escape(meta)}'
            f"</p>{body}<footer>{html.escape(t['generated'].format(date=date))}</footer>"
            f"{script}</body></html>")


def report_html(doc: Mapping[str, Any], *, lang: str = "fr",
                times: Mapping[str, Sequence[tuple[float, float | None]]] | None = None,
                utc_offset: float = 0.0, chart_item: Callable[..., Any] | None = None,
                bokeh_js: str = "") -> str:
    """The report page. `chart_item(activity, snapshot, chart)` gives each activity's
    Bokeh `json_item` (None: no chart); `bokeh_js` is BokehJS itself, inlined."""
    lang = lang if lang in TEXT else "fr"
    room = doc.get("room") or {}
    items: dict[str, Any] = {}
    body = _sections(doc, lang, times, utc_offset, chart_item, items) \
        or f"<p>{TEXT[lang]['empty']}</p>"
    return _page(lang, str(room.get("title", "")), str(room.get("code", "")), body, items,
                 bokeh_js)


def festival_report_html(docs: Sequence[Mapping[str, Any]], *, title: str, lang: str = "fr",
                         times: Mapping[str, Sequence[tuple[float, float | None]]] | None = None,
                         utc_offset: float = 0.0, chart_item: Callable[..., Any] | None = None,
                         bokeh_js: str = "") -> str:
    """The whole festival's report: each room with activities to show, in turn."""
    lang = lang if lang in TEXT else "fr"
    items: dict[str, Any] = {}
    parts = []
    for doc in docs:
        body = _sections(doc, lang, times, utc_offset, chart_item, items, level=3)
        if body:
            room = doc.get("room") or {}
            parts.append(f'<h2 class="room">{html.escape(str(room.get("title", "")))}'
                         f' <span class="kind">{html.escape(str(room.get("code", "")))}'
                         f"</span></h2>{body}")
    rooms = plural(len(parts), TEXT[lang]["rooms"], lang)
    return _page(lang, title, rooms, "".join(parts) or f"<p>{TEXT[lang]['empty']}</p>", items,
                 bokeh_js)


def bokeh_inline_js() -> str:
    """BokehJS (core and widgets) as one script, for a self-contained page, followed by
    the script that writes its axes' numbers in the page's language."""
    from bokeh.resources import Resources

    from crowd.views.charts import axis_numbers_js

    return "\n".join([*Resources(mode="inline", components=["bokeh", "bokeh-widgets"]).js_raw,
                      axis_numbers_js()])
