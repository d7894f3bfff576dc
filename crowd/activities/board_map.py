"""The synergy map's layout: categories as hubs, needs and offers around them.

No force simulation: hubs sit on a circle in the order of the animator's categories,
and the k-th post of a category sits on a sunflower spiral around its hub (radius
∝ √k, angle k × the golden angle: Vogel's model of seed heads, evenly spread without
overlap). A post keeps its place when others arrive (only the spiral's scale shrinks as
a category fills), the whole layout is one pass over the posts shown (O(n), well under
a millisecond for 500 nodes), and the same posts always give the same picture, live and
at replay.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: The map's square: hubs on a circle of this radius around (0, 0), inside [-5, 5]².
HUB_RADIUS = 3.3
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
NO_CATEGORY = "Sans catégorie"
LABELLED = 12  # the most voted posts carry their text on the map
LABEL_CHARS = 34
COLORS = {"need": "#e69f00", "offer": "#56b4e9"}


def plural(n: int, one: str, many: str) -> str:
    """French: 0 and 1 take the singular."""
    return f"{n}\u202f{one if n < 2 else many}"


def counts_line(needs: int, offers: int, links: int) -> str:
    """"23 besoins · 31 offres · 12 liens", with real plurals."""
    return " · ".join((plural(needs, "besoin", "besoins"), plural(offers, "offre", "offres"),
                       plural(links, "lien", "liens")))


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def layout(categories: list[str], snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
    """The map's Bokeh columns from a snapshot: `hubs`, `nodes`, `solid` and `dashed`
    edges, `people` (a link's end that is a person without a post) and `counts`."""
    posts = [p for p in snap.get("posts", ()) if p.get("type") in COLORS]
    names = list(categories)
    if any(p.get("category") not in names for p in posts) or not names:
        names.append(NO_CATEGORY)
    spots = len(names)
    hubs = {}
    for k, name in enumerate(names):
        angle = math.pi / 2 - 2 * math.pi * k / spots
        radius = 0.0 if spots == 1 else HUB_RADIUS
        hubs[name] = (radius * math.cos(angle), radius * math.sin(angle))
    per_hub: dict[str, list[Mapping[str, Any]]] = {name: [] for name in names}
    for post in sorted(posts, key=lambda p: _number(p["id"])):
        hub = post.get("category") if post.get("category") in hubs else NO_CATEGORY
        per_hub[hub].append(post)
    # the spiral's scale: the fullest category fits within half the distance of two hubs
    room = HUB_RADIUS * math.sin(math.pi / spots) * 0.92 if spots > 1 else 4.6
    fullest = max((len(v) for v in per_hub.values()), default=0)
    step = min(0.42, room / math.sqrt(fullest + 1))
    where: dict[str, tuple[float, float]] = {}
    nodes: dict[str, list[Any]] = {"x": [], "y": [], "type": [], "size": [], "id": []}
    for name, members in per_hub.items():
        cx, cy = hubs[name]
        for k, post in enumerate(members):
            r = step * math.sqrt(k + 1)
            x, y = cx + r * math.cos(k * GOLDEN_ANGLE), cy + r * math.sin(k * GOLDEN_ANGLE)
            where[post["id"]] = (x, y)
            nodes["x"].append(round(x, 3))
            nodes["y"].append(round(y, 3))
            nodes["type"].append(post["type"])
            nodes["size"].append(round(min(14 + 5 * math.sqrt(post.get("votes", 0)), 44), 1))
            nodes["id"].append(post["id"])
    top = sorted(posts, key=lambda p: (-p.get("votes", 0), _number(p["id"])))[:LABELLED]
    labels = {"x": [where[p["id"]][0] for p in top], "y": [where[p["id"]][1] for p in top],
              "text": [_short(p["text"]) for p in top]}
    edges: dict[str, dict[str, list[Any]]] = {"solid": {"xs": [], "ys": []},
                                              "dashed": {"xs": [], "ys": []}}
    people: dict[str, list[Any]] = {"x": [], "y": []}
    shown = 0
    for link in snap.get("links", ()):
        ends = [where.get(link.get("need") or ""), where.get(link.get("offer") or "")]
        known = [e for e in ends if e is not None]
        if not known:
            continue
        if len(known) == 1:  # a person without a post: a small ring beside the post
            x, y = known[0]
            post_id = link.get("need") or link.get("offer")
            turn = _number(str(post_id)) * 1.3 + len(people["x"]) * 0.7
            px, py = x + 0.35 * math.cos(turn), y + 0.35 * math.sin(turn)
            people["x"].append(round(px, 3))
            people["y"].append(round(py, 3))
            ends = [known[0], (px, py)]
        kind = "solid" if link.get("how") == "explicit" else "dashed"
        edges[kind]["xs"].append([round(ends[0][0], 3), round(ends[1][0], 3)])
        edges[kind]["ys"].append([round(ends[0][1], 3), round(ends[1][1], 3)])
        shown += 1
    needs = snap.get("needs", sum(1 for p in posts if p["type"] == "need"))
    offers = snap.get("offers", len(posts) - needs)
    return {
        "hubs": {"x": [hubs[n][0] for n in names], "y": [hubs[n][1] for n in names],
                 "text": names},
        "nodes": nodes, "labels": labels, **edges, "people": people,
        "counts": {"text": [counts_line(needs, offers, shown)]},
    }


def _number(post_id: str) -> int:
    tail = post_id.rsplit(".", 1)[-1]
    return int(tail) if tail.isdigit() else 0


#: Rows of the questions and ideas in a figure (the replay, the report).
ROWS = 8
ROW_CHARS = 70


def rows(snap: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The most voted posts as rows of text, top first: `y` (8 for the first row, then
    down by one), `text` (cut at `ROW_CHARS`), `votes` ("12 soutiens")."""
    posts = list(snap.get("posts", ()))[:ROWS]
    return {"y": [float(ROWS - k) for k in range(len(posts))],
            "text": [p["text"] if len(p["text"]) <= ROW_CHARS
                     else p["text"][:ROW_CHARS - 1].rstrip() + "…" for p in posts],
            "votes": [plural(p.get("votes", 0), "soutien", "soutiens") for p in posts]}
