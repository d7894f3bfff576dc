"""A board after the session: its posts, votes, categories and links as JSON and CSV, and
a printable "needs and offers" sheet per category for the restitution plenary.

Two audiences. The public export lists only the posts the moderation shows (a hidden,
waiting or merged post is not in it at all) and no contact. The animator's export lists
every post with its status (`shown`, `waiting`, `approved`, `hidden`, or `merged` and
into which post) and the contacts people gave with their consent. Votes are counts per
post (who voted is never exported). Texts typed by the crowd are escaped in the sheet
and start no formula in the CSV.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Mapping
from typing import Any

from crowd.activities.board_tally import BoardTally
from crowd.core.room import Activity
from crowd.views.exports import csv_cell

BOARD_FORMAT = "crowd-board"
VERSION = 1
NO_CATEGORY = "Sans catégorie"
COLUMNS = ["id", "type", "category", "text", "nickname", "votes", "answered", "pinned",
           "status", "into", "links", "at"]
TYPE_FR = {"need": "besoin", "offer": "offre", None: ""}


def _status(act: Activity, post: str, tally: BoardTally) -> tuple[str, str | None]:
    mod = act.moderation
    if mod is None:
        return ("shown" if tally.shows(post) else "hidden"), None
    status = mod.status(post)
    return status, (mod.merged.get(post) if status == "merged" else None)


def board_document(act: Activity, *, public: bool) -> dict[str, Any]:
    """The board as one JSON-ready document (see the module's docstring)."""
    tally = act.tally
    assert isinstance(tally, BoardTally)
    posts = []
    listed = set()
    for post in tally.posts.values():
        status, into = _status(act, post.id, tally)
        shown = tally.shows(post.id)
        if public and not shown:
            continue
        listed.add(post.id)
        row: dict[str, Any] = {
            "id": post.id, "type": post.type, "category": post.category, "text": post.text,
            "nickname": post.nickname, "votes": tally.votes(post.id) if shown else None,
            "answered": post.answered, "pinned": post.id == tally.pinned, "at": post.ts}
        if not public:
            row.update(status=status, into=into, contact=post.contact)
        posts.append(row)
    links = [{"need": link.need, "offer": link.offer, "how": link.how}
             for link in tally.links.values()
             if all(end is None or end in listed for end in (link.need, link.offer))
             and (not public or all(end is None or tally.shows(end)
                                    for end in (link.need, link.offer)))]
    return {"format": BOARD_FORMAT, "version": VERSION, "public": public,
            "activity": act.id, "prompt": act.spec.get("prompt", ""),
            "mode": act.spec.get("mode"), "categories": list(act.spec.get("categories", ())),
            "posts": posts, "links": links}


def board_json(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)


def board_csv(doc: Mapping[str, Any], sep: str = ",") -> str:
    """One row per post, with the posts it is linked to (a UTF-8 BOM: French Excel)."""
    linked: dict[str, list[str]] = {}
    for link in doc["links"]:
        if link["need"] and link["offer"]:
            linked.setdefault(link["need"], []).append(link["offer"])
            linked.setdefault(link["offer"], []).append(link["need"])
    columns = COLUMNS + ([] if doc["public"] else ["contact"])
    if doc["public"]:
        columns = [c for c in columns if c not in ("status", "into")]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(columns)
    for post in doc["posts"]:
        row = {**post, "links": " ".join(linked.get(post["id"], []))}
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return "\ufeff" + out.getvalue()


SHEET_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111;
       max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.35; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { font-size: 1.3rem; margin: 0 0 .4rem; }
section { border-top: 2px solid #333; padding: .8rem 0; break-after: page; }
section:last-child { break-after: auto; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
h3 { font-size: 1.05rem; margin: 0 0 .3rem; } ul { margin: 0; padding-left: 1.1rem; }
li { margin: 0 0 .35rem; } .meta { color: #555; font-size: .85rem; }
.empty { color: #555; font-style: italic; }
@page { margin: 15mm; } @media print { body { margin: 0; max-width: none; } }
"""


def _plural(n: int, one: str, many: str) -> str:
    return f"{n}\u202f{one if n < 2 else many}"


def _item(post: Mapping[str, Any], texts: Mapping[str, str], links: Mapping[str, list[str]],
          public: bool) -> str:
    parts = [html.escape(post["text"])]
    meta = [_plural(post.get("votes") or 0, "soutien", "soutiens")]
    if post.get("nickname"):
        meta.append(html.escape(post["nickname"]))
    if not public and post.get("contact"):
        meta.append("contact\u202f: " + html.escape(post["contact"]))
    if not public and post.get("status") not in (None, "shown", "approved"):
        meta.append(html.escape(str(post["status"])))
    for other in links.get(post["id"], []):
        if other in texts:
            meta.append("↔ " + html.escape(texts[other][:60]))
    return f"<li>{parts[0]}<br><span class=meta>{' · '.join(meta)}</span></li>"


def needs_offers_sheet(doc: Mapping[str, Any]) -> str:
    """The printable sheet: one page per category, its needs and its offers side by
    side, most voted first, each with the posts it is linked to."""
    public = bool(doc["public"])
    texts = {p["id"]: p["text"] for p in doc["posts"]}
    links: dict[str, list[str]] = {}
    for link in doc["links"]:
        if link["need"] and link["offer"]:
            links.setdefault(link["need"], []).append(link["offer"])
            links.setdefault(link["offer"], []).append(link["need"])
    categories = list(doc["categories"])
    if any(p["category"] not in categories for p in doc["posts"]) or not categories:
        categories.append(NO_CATEGORY)
    sections = []
    for category in categories:
        mine = [p for p in doc["posts"]
                if (p["category"] if p["category"] in doc["categories"] else NO_CATEGORY)
                == category]
        columns = []
        sides = ((("need", "Besoins"), ("offer", "Offres")) if doc["mode"] == "needs_offers"
                 else ((None, "Questions" if doc["mode"] == "questions" else "Idées"),))
        for kind, title in sides:
            items = sorted((p for p in mine if p["type"] == kind),
                           key=lambda p: (-(p.get("votes") or 0), p["at"]))
            body = ("<ul>" + "".join(_item(p, texts, links, public) for p in items) + "</ul>"
                    if items else "<p class=empty>Aucun pour l'instant</p>")
            columns.append(f"<div><h3>{title} ({len(items)})</h3>{body}</div>")
        needs = sum(1 for p in mine if p["type"] == "need")
        counts = (f"{_plural(needs, 'besoin', 'besoins')} · "
                  f"{_plural(len(mine) - needs, 'offre', 'offres')}"
                  if doc["mode"] == "needs_offers" else _plural(len(mine), "message", "messages"))
        sections.append(
            f"<section><h2>{html.escape(category)}</h2><p class=meta>{counts}</p>"
            f"<div class=columns>{''.join(columns)}</div></section>")
    title = html.escape(doc["prompt"] or "Besoins et offres")
    return ("<!doctype html><html lang=fr><meta charset=utf-8>"
            f"<title>{title}</title><style>{SHEET_CSS}</style>"
            f"<h1>{title}</h1>{''.join(sections)}</html>")
