"""The board's state: its posts, links and the votes the screens may show.

A board is an activity where phones post short texts (questions, ideas, needs and
offers) and upvote the others' posts. Every post, shown or not, is kept here with its
author's device; what the screens may see goes through the core's moderation
(crowd/core/moderation.py) like any free text: a device's answer is the list of posts it
wrote and the list it upvoted (`{"posts": [...], "votes": [...]}`), each post id an
*entry* of the moderation. The moderation gives this tally, per device, the ids of the
posts that show (a merged duplicate's id replaced by the post it was merged into), so

- a post shows when its author's answer shows it (waiting, hidden and merged posts do
  not: nobody's shown list holds them);
- a post's votes are the devices whose shown list holds it, its author excepted: a
  merged duplicate brings its author and its voters to the post it joins, each device
  once ("merging adds their votes");
- a post or an upvote costs O(the device's posts and votes), never O(the board).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crowd.activities.base import Tally
from crowd.activities.board_map import layout, rows
from crowd.core.errors import BadValue, declare_reasons

#: Longest post, in characters once spaces are collapsed (the issue's 280).
MAX_POST = 280
#: Longest text a phone may send before cleaning (invisible characters included).
MAX_RAW_POST = 4 * MAX_POST
#: At most this many combining marks on one letter (accents stacked into a smear).
MAX_MARKS = 3
MAX_NICKNAME = 40
MAX_CONTACT = 120
#: Posts listed in a snapshot (the most voted, the pinned one always): a projector and a
#: phone show a few dozen; `n` still counts every post shown.
SNAPSHOT_POSTS = 500
#: Posts in the phones' list: the most voted, then the newest (a phone scrolls a few
#: dozen; a list of 500 sent to 1,000 phones every change would fill the wifi).
PHONE_TOP, PHONE_NEWEST = 30, 20

TYPES = ("need", "offer")
#: Unicode categories never shown: format (zero-width spaces, joiners, direction marks),
#: controls, private use, surrogates, unassigned.
INVISIBLE = frozenset({"Cf", "Cc", "Co", "Cs", "Cn"})

declare_reasons({
    "post_empty": "write something before posting",
    "post_too_long": "a post has at most {limit} characters",
    "post_garbled": "too many accents stacked on one letter",
    "value_board_post": "posts and votes on a board are sent as post and upvote",
})


@dataclass(slots=True)
class Post:
    """One post, as written (its visibility and votes are the tally's)."""

    id: str
    number: int
    device: str
    text: str
    type: str | None
    category: str | None
    nickname: str | None
    contact: str | None
    ts: float
    answered: bool = False

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "type": self.type,
                "category": self.category, "nickname": self.nickname}


@dataclass(slots=True)
class Link:
    """A need and an offer that go together: `explicit` (a phone's "je peux aider" or
    "ça m'intéresse") or `suggested` (similar texts, approved by an animator). One end
    may be a person who has not posted (None)."""

    id: str
    need: str | None
    offer: str | None
    how: str
    device: str | None = None


def clean_text(raw: str) -> str:
    """A post's text as shown: NFC, invisible characters dropped, spaces collapsed.
    Refuses (BadValue) an empty text, one over `MAX_POST`, or letters under a pile of
    combining marks (checked before any costly work: the raw size is bounded by the
    message's parser)."""
    marks = 0
    for char in raw:  # piled accents are refused before any costly work on the text
        if unicodedata.category(char).startswith("M"):
            marks += 1
            if marks > MAX_MARKS:
                raise BadValue(reason="post_garbled")
        else:
            marks = 0
    kept = [char for char in unicodedata.normalize("NFC", raw)
            if char in "\n\t" or unicodedata.category(char) not in INVISIBLE]
    words = " ".join("".join(kept).split())
    if not any(unicodedata.category(c)[0] in "LNS" for c in words):
        raise BadValue(reason="post_empty")
    if len(words) > MAX_POST:
        raise BadValue(reason="post_too_long", limit=MAX_POST)
    return words


def short_field(raw: str | None, limit: int) -> str | None:
    """An optional short text (nickname, contact): cleaned, None when empty."""
    if raw is None:
        return None
    words = " ".join("".join(c for c in unicodedata.normalize("NFC", raw)
                             if unicodedata.category(c)[0] != "C").split())
    return words[:limit] or None


def _cut_from(shown: str, texts: set[str]) -> bool:
    """Whether a text drawn (maybe cut with "…") is one of `texts`."""
    if shown in texts:
        return True
    stem = shown[:-1].rstrip() if shown.endswith("…") else None
    return stem is not None and any(t.startswith(stem) for t in texts)


def supported(value: Any) -> list[str]:
    """The post ids a device's raw answer holds (its posts, then its votes)."""
    if isinstance(value, list):  # already what the moderation shows
        return value
    return list(dict.fromkeys([*value.get("posts", ()), *value.get("votes", ())]))


class BoardTally(Tally):
    """Posts, links, and per post the devices that show it (see the module's docstring)."""

    memo_fields = frozenset({"cached", "cached_version"})

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.mode = str(spec.get("mode", "questions"))
        self.categories: list[str] = list(spec.get("categories", ()))
        self.posts: dict[str, Post] = {}
        self.support: dict[str, int] = {}  # post id -> devices whose shown list holds it
        self.links: dict[str, Link] = {}
        self.pinned: str | None = None
        self.by_device: dict[str, int] = {}  # device -> posts written
        self.last_post: dict[str, float] = {}  # device -> time of its latest post
        self.helped: set[tuple[str, str]] = set()  # (device, post) already linked
        self.links_by_device: dict[str, int] = {}  # device -> links it made
        self.suggested: set[tuple[str, str]] = set()  # (need, offer) suggested
        self.flagged: set[str] = set()  # posts that matched the list of insults
        self.version = 0
        self.cached: dict[str, Any] = {}
        self.cached_version = -1

    # ------------------------------------------------------------ the moderation's side

    def add(self, value: Any) -> None:
        for post in supported(value):
            self.support[post] = self.support.get(post, 0) + 1
        self.version += 1

    def remove(self, value: Any) -> None:
        for post in supported(value):
            left = self.support.get(post, 0) - 1
            if left > 0:
                self.support[post] = left
            else:
                self.support.pop(post, None)
        self.version += 1

    def carry_over(self, old: BoardTally) -> None:
        """Keep what was written when the moderation counts again from the answers."""
        for name in ("posts", "links", "pinned", "by_device", "last_post", "helped",
                     "links_by_device", "suggested", "flagged"):
            setattr(self, name, getattr(old, name))

    # ------------------------------------------------------------ reading

    def shows(self, post: str) -> bool:
        return post in self.support

    def votes(self, post: str) -> int:
        return max(self.support.get(post, 0) - 1, 0)

    def touch(self) -> None:
        self.version += 1

    def snapshot(self) -> dict[str, Any]:
        """The posts that show (the most voted first, at most `SNAPSHOT_POSTS`, the
        pinned one always), the links between posts that show, and `n`: posts shown.
        O(shown posts · log) once per change: the engine caches it per version."""
        if self.cached_version == self.version:
            return self.cached
        shown = [self.posts[p] for p in self.support if p in self.posts]
        shown.sort(key=lambda p: (-self.votes(p.id), p.number))
        listed = shown[:SNAPSHOT_POSTS]
        if self.pinned in self.support and all(p.id != self.pinned for p in listed):
            listed.append(self.posts[self.pinned])
        posts = [{**p.public(), "votes": self.votes(p.id), "answered": p.answered,
                  "pinned": p.id == self.pinned} for p in listed]
        links = [{"need": link.need, "offer": link.offer, "how": link.how}
                 for link in self.links.values()
                 if all(end is None or end in self.support for end in (link.need, link.offer))]
        counts = {t: sum(1 for p in shown if p.type == t) for t in TYPES}
        self.cached = {"n": len(shown), "posts": posts, "links": links,
                       "pinned": self.pinned if self.pinned in self.support else None,
                       "needs": counts["need"], "offers": counts["offer"]}
        self.cached_version = self.version
        return self.cached

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        """The synergy map's columns (needs and offers), or the most voted posts as rows
        of text (questions, ideas: the projector's page draws those from the snapshot;
        the rows are for the replay, the report and the charts as images)."""
        if self.mode != "needs_offers":
            return {"rows": rows(snap)}
        return layout(self.categories, snap)

    def redact(self, chart: dict[str, dict[str, list[Any]]]) -> dict[str, dict[str, list[Any]]]:
        """A past frame's columns without the posts not shown now (hidden, merged or
        waiting since): their nodes, their texts. O(the frame's rows)."""
        shown = {p.text for p in self.posts.values() if p.id in self.support}
        gone = {p.text for p in self.posts.values() if p.id not in self.support} - shown
        if not gone:
            return chart
        out = dict(chart)
        for name, key in (("rows", "text"), ("labels", "text"), ("nodes", "id")):
            columns = chart.get(name)
            if not columns or key not in columns:
                continue
            values = columns[key]
            if key == "id":
                keep = [i for i, v in enumerate(values) if v in self.support or v not in self.posts]
            else:
                keep = [i for i, v in enumerate(values) if not _cut_from(v, gone)]
            out[name] = {k: [col[i] for i in keep] for k, col in columns.items()}
        return out

    def phone_list(self, snap: Mapping[str, Any]) -> dict[str, Any]:
        """What the phones get: the most voted posts and the newest ones (see
        `PHONE_TOP`), from the snapshot (no second pass over the board)."""
        posts = snap["posts"]
        top = posts[:PHONE_TOP]
        ids = {p["id"] for p in top}
        newest = sorted((p for p in posts if p["id"] not in ids),
                        key=lambda p: -self.posts[p["id"]].number)[:PHONE_NEWEST]
        return {**snap, "posts": top + newest}

    def panel_fields(self) -> dict[str, Any]:
        return {"posts_total": len(self.posts)}

    def panel_posts(self) -> list[dict[str, Any]]:
        """Every post for the animators: shown or not, with its contact."""
        return [{**p.public(), "contact": p.contact, "votes": self.votes(p.id),
                 "shown": p.id in self.support, "answered": p.answered,
                 "pinned": p.id == self.pinned, "flagged": p.id in self.flagged,
                 "at": p.ts} for p in self.posts.values()]
