"""The board: questions, ideas, needs and offers, posted from phones and upvoted.

An animator opens a board in one of three modes: `questions` (Q&A: the audience asks and
upvotes, the animator marks answered and pins one), `ideas` (a wall of proposals, in
optional categories), `needs_offers` (each post is a need or an offer of one of the
animator's categories, and phones link them: "je peux aider" on a need, "ça
m'intéresse" on an offer). The posts are free text shown in public: they go through
the core's moderation (default `filter`), entry = post id (see `board_tally`).

Every refusal changes nothing: the checks come before the first `commit`. A device
posts at most `POSTS_PER_DEVICE` times per board and waits `POST_EVERY_S` seconds of
event time between two posts (a flood from one phone stops there); a board holds at
most `MAX_POSTS` posts. Costs: a post or an upvote is O(the device's own posts and
votes); the lists for phones and animators are built at the tick, at most every
`PHONES_EVERY_S` / `PANELS_EVERY_S` seconds per board, never per input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from crowd.activities import board_matches
from crowd.activities.base import (
    ActivityType,
    Applier,
    Command,
    EngineAPI,
    Tally,
    moderation_field,
    text,
)
from crowd.activities.board_matches import LINKED, LinkMessage, Matched, parse_link
from crowd.activities.board_tally import (
    MAX_CONTACT,
    MAX_NICKNAME,
    MAX_RAW_POST,
    TYPES,
    BoardTally,
    Link,
    Post,
    clean_text,
    short_field,
)
from crowd.activities.registry import register
from crowd.core.authorization import Peer
from crowd.core.errors import (
    BadMessage,
    BadValue,
    ClientError,
    Conflict,
    NotOpen,
    RateLimited,
    UnknownActivity,
    declare_reasons,
)
from crowd.core.events import Event
from crowd.core.protocol import Message, get_field, is_id, out, short_text
from crowd.core.steps import PANELS, PHONES, Step, ToRoom
from crowd.core.types import Moderation, Role, State, normalize_code

if TYPE_CHECKING:
    from crowd.activities.base import Sends
    from crowd.core.room import Activity

KIND = "board"
MODES = ("questions", "ideas", "needs_offers")
MAX_CATEGORIES = 30
MAX_CATEGORY = 60
#: Posts per device and per board (documented in docs/protocol.md).
POSTS_PER_DEVICE = 10
#: Seconds of event time between two posts of one device.
POST_EVERY_S = 3.0
MAX_POSTS = 5000
#: Upvotes one device holds on a board at once: an upvote re-counts the device's own
#: posts and votes (the moderation's unit), so this bounds its cost whatever the board.
UPVOTES_PER_DEVICE = 200
#: Links one device may make on a board ("je peux aider", "ça m'intéresse").
LINKS_PER_DEVICE = 50
#: The phones' list of posts is sent at most this often per board, the panels' too.
PHONES_EVERY_S = 3.0
PANELS_EVERY_S = 1.0

POSTED = "board_posted"
UPVOTED = "board_upvoted"
HELPED = "board_helped"
ANSWERED = "board_answered"
PINNED = "board_pinned"

declare_reasons({
    "board_mode": "the mode is questions, ideas or needs_offers",
    "board_not_open": "this board is not open",
    "post_type_needed": "say whether it is a need or an offer",
    "post_type_unexpected": "this board has no needs and offers",
    "post_category_unknown": "choose one of the board's categories",
    "post_contact_unexpected": "a contact is only asked on a board of needs and offers",
    "posts_per_person": "at most {max} posts per person on this board",
    "posts_too_fast": "wait a few seconds between two posts",
    "board_full": "this board is full ({max} posts)",
    "post_unknown": "this post does not exist or is not shown",
    "upvote_own_post": "you cannot upvote your own post",
    "upvote_twice": "you already upvoted this post",
    "upvote_not_given": "you have not upvoted this post",
    "help_not_needs_offers": "only needs and offers can be linked",
    "help_own_post": "you cannot answer your own post",
    "help_twice": "you already answered this post",
    "help_wrong_side": "\"I can help\" answers a need, \"I'm interested\" an offer",
    "links_per_person": "at most {max} links per person on this board",
    "upvotes_per_person": "at most {max} upvotes per person on this board",
})


class UnknownPost(ClientError):
    """A post that does not exist, is hidden, waits for an animator or was merged."""

    code = "unknown_post"


# ---------------------------------------------------------------- messages


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class PostMessage(Message):
    """A phone posts on a board (acknowledged with the post's id)."""

    TYPE: ClassVar[str] = "post"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PHONE})
    activity: str
    text: str
    type: str | None = None
    category: str | None = None
    nickname: str | None = None
    contact: str | None = None


@dataclass(frozen=True, slots=True)
class Upvote(Message):
    """A phone upvotes a post (`on`) or takes its upvote back."""

    TYPE: ClassVar[str] = "upvote"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PHONE})
    post: str
    on: bool = True


@dataclass(frozen=True, slots=True)
class Help(Message):
    """"Je peux aider" on a need, "ça m'intéresse" on an offer (`how` says which the
    phone meant; a mismatch is refused)."""

    TYPE: ClassVar[str] = "help"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PHONE})
    post: str
    how: str | None = None


@dataclass(frozen=True, slots=True)
class Answered(Message):
    """An animator marks a question answered (or not)."""

    TYPE: ClassVar[str] = "board_answer"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PANEL})
    post: str
    on: bool = True


@dataclass(frozen=True, slots=True)
class Pin(Message):
    """An animator pins one post to the projector (None: unpin)."""

    TYPE: ClassVar[str] = "board_pin"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PANEL})
    activity: str
    post: str | None = None


MESSAGES: dict[str, Callable[[Mapping[str, Any]], Message]] = {
    "post": lambda raw: PostMessage(
        activity=get_field(raw, "activity", is_id, "an activity id"),
        text=get_field(raw, "text", short_text(MAX_RAW_POST), "a text"),
        type=get_field(raw, "type", short_text(20), "need or offer", required=False),
        category=get_field(raw, "category", short_text(4 * MAX_CATEGORY), "a category",
                           required=False),
        nickname=get_field(raw, "nickname", short_text(4 * MAX_NICKNAME), "a nickname",
                           required=False),
        contact=get_field(raw, "contact", short_text(4 * MAX_CONTACT), "a contact",
                          required=False)),
    "upvote": lambda raw: Upvote(
        post=get_field(raw, "post", is_id, "a post id"),
        on=get_field(raw, "on", _is_bool, "true or false", required=False, default=True)),
    "help": lambda raw: Help(
        post=get_field(raw, "post", is_id, "a post id"),
        how=get_field(raw, "how", lambda v: v in ("help", "interest"), "help or interest",
                      required=False)),
    "board_answer": lambda raw: Answered(
        post=get_field(raw, "post", is_id, "a post id"),
        on=get_field(raw, "on", _is_bool, "true or false", required=False, default=True)),
    "board_link": parse_link,
    "board_pin": lambda raw: Pin(
        activity=get_field(raw, "activity", is_id, "an activity id"),
        post=get_field(raw, "post", is_id, "a post id", required=False)),
}


# ---------------------------------------------------------------- finding things


def _board(engine: EngineAPI, activity_id: str, peer: Peer) -> Activity:
    act = engine.activity(activity_id)
    if act.kind != KIND or (peer.role is Role.PHONE and (
            peer.room is None or act.room != normalize_code(peer.room))):
        raise UnknownActivity(reason="not_in_room", field="activity", id=activity_id[:40])
    return act


def _tally(act: Activity) -> BoardTally:
    tally = act.tally
    assert isinstance(tally, BoardTally)
    return tally


def _post(engine: EngineAPI, post_id: str, peer: Peer, *, shown: bool = True
          ) -> tuple[Activity, Post]:
    """The post a message names, with its board; shown ones only unless `shown` is
    False (animators may act on any post)."""
    act = engine.activities.get(post_id.rsplit(".", 1)[0])
    if act is None or act.kind != KIND or (
            peer.role is Role.PHONE and act.room != normalize_code(peer.room or "")):
        raise UnknownPost(reason="post_unknown")
    post = _tally(act).posts.get(post_id)
    if post is None or (shown and not _tally(act).shows(post_id)):
        raise UnknownPost(reason="post_unknown")
    return act, post


def _open(act: Activity) -> None:
    if act.state is not State.OPEN:
        raise NotOpen(reason="board_not_open")


def _answer(act: Activity, device: str) -> dict[str, list[str]]:
    stored = act.responses.get(device)
    return stored if isinstance(stored, dict) else {"posts": [], "votes": []}


# ---------------------------------------------------------------- commands


def _post_command(engine: EngineAPI, msg: PostMessage, peer: Peer, now: float) -> Step:
    act = _board(engine, msg.activity, peer)
    _open(act)
    spec = act.spec
    words = clean_text(msg.text)
    mode = spec["mode"]
    if mode == "needs_offers":
        if msg.type not in TYPES:
            raise BadValue(reason="post_type_needed")
    elif msg.type is not None:
        raise BadValue(reason="post_type_unexpected")
    category = short_field(msg.category, MAX_CATEGORY)
    if category is not None and category not in spec["categories"]:
        raise BadValue(reason="post_category_unknown")
    if msg.contact and mode != "needs_offers":
        raise BadValue(reason="post_contact_unexpected")
    tally = _tally(act)
    device = peer.client
    if tally.by_device.get(device, 0) >= POSTS_PER_DEVICE:
        raise RateLimited(reason="posts_per_person", max=POSTS_PER_DEVICE)
    if now - tally.last_post.get(device, float("-inf")) < POST_EVERY_S:
        raise RateLimited(reason="posts_too_fast")
    if len(tally.posts) >= MAX_POSTS:
        raise Conflict(reason="board_full", max=MAX_POSTS)
    post_id = f"{act.id}.{len(tally.posts) + 1}"
    data: dict[str, Any] = {"id": act.id, "post": post_id, "device": device, "text": words,
                            "type": msg.type, "category": category,
                            "nickname": short_field(msg.nickname, MAX_NICKNAME),
                            "contact": short_field(msg.contact, MAX_CONTACT)}
    if engine.blocklist.matches(words):  # type: ignore[attr-defined]
        data["flagged"] = True  # logged: a replay hides the same posts whatever the list
    step = Step()
    engine.commit(step, engine.event(POSTED, act.room, data, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, post=post_id)
    return step


def _upvote(engine: EngineAPI, msg: Upvote, peer: Peer, now: float) -> Step:
    voted = msg.post in _answer_of(engine, msg.post, peer.client)
    if msg.on or not voted:  # taking back a vote on a post since hidden is fine
        act, post = _post(engine, msg.post, peer)
    else:
        act, post = _post(engine, msg.post, peer, shown=False)
    _open(act)
    if post.device == peer.client:
        raise Conflict(reason="upvote_own_post")
    if msg.on and voted:
        raise Conflict(reason="upvote_twice")
    if not msg.on and not voted:
        raise Conflict(reason="upvote_not_given")
    if msg.on and len(_answer(act, peer.client)["votes"]) >= UPVOTES_PER_DEVICE:
        raise RateLimited(reason="upvotes_per_person", max=UPVOTES_PER_DEVICE)
    step = Step()
    engine.commit(step, engine.event(UPVOTED, act.room, {
        "id": act.id, "post": msg.post, "device": peer.client, "on": msg.on}, now, peer,
        msg.seq))
    engine.ack(step, peer, msg.seq, post=msg.post, on=msg.on)
    return step


def _answer_of(engine: EngineAPI, post_id: str, device: str) -> list[str]:
    act = engine.activities.get(post_id.rsplit(".", 1)[0])
    if act is None or act.kind != KIND:
        return []
    return _answer(act, device)["votes"]


def _help(engine: EngineAPI, msg: Help, peer: Peer, now: float) -> Step:
    act, post = _post(engine, msg.post, peer)
    _open(act)
    if act.spec["mode"] != "needs_offers":
        raise Conflict(reason="help_not_needs_offers")
    if msg.how is not None and msg.how != ("help" if post.type == "need" else "interest"):
        raise Conflict(reason="help_wrong_side")
    if post.device == peer.client:
        raise Conflict(reason="help_own_post")
    tally = _tally(act)
    if (peer.client, post.id) in tally.helped:
        raise Conflict(reason="help_twice")
    if tally.links_by_device.get(peer.client, 0) >= LINKS_PER_DEVICE:
        raise RateLimited(reason="links_per_person", max=LINKS_PER_DEVICE)
    # the other end: the device's own latest shown post of the other side, if any
    other = "offer" if post.type == "need" else "need"
    mine = [p for p in _answer(act, peer.client)["posts"]
            if tally.posts[p].type == other and tally.shows(p)]
    link_id = f"{act.id}.L{len(tally.links) + 1}"
    ends = {post.type: post.id, other: mine[-1] if mine else None}
    step = Step()
    engine.commit(step, engine.event(HELPED, act.room, {
        "id": act.id, "link": link_id, "device": peer.client, "post": post.id, **ends},
        now, peer, msg.seq))
    fields: dict[str, Any] = {"link": link_id}
    if post.contact:  # given with consent for animators and the person who answers
        fields["contact"] = post.contact
    engine.ack(step, peer, msg.seq, **fields)
    return step


def _answered(engine: EngineAPI, msg: Answered, peer: Peer, now: float) -> Step:
    act, post = _post(engine, msg.post, peer, shown=False)
    step = Step()
    engine.commit(step, engine.event(ANSWERED, act.room, {
        "id": act.id, "post": post.id, "on": msg.on}, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, post=post.id, answered=msg.on)
    return step


def _pin(engine: EngineAPI, msg: Pin, peer: Peer, now: float) -> Step:
    act = _board(engine, msg.activity, peer)
    if msg.post is not None:
        pinned_act, _ = _post(engine, msg.post, peer)
        if pinned_act.id != act.id:
            raise UnknownPost(reason="post_unknown")
    step = Step()
    engine.commit(step, engine.event(PINNED, act.room, {
        "id": act.id, "post": msg.post}, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, pinned=msg.post)
    return step


# ---------------------------------------------------------------- appliers


def _on_posted(engine: EngineAPI, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    tally = _tally(act)
    data = event.data
    device = str(data["device"])
    post = Post(id=data["post"], number=len(tally.posts) + 1, device=device,
                text=data["text"], type=data.get("type"), category=data.get("category"),
                nickname=data.get("nickname"), contact=data.get("contact"), ts=event.ts)
    tally.posts[post.id] = post
    tally.by_device[device] = tally.by_device.get(device, 0) + 1
    tally.last_post[device] = event.ts
    if data.get("flagged"):
        tally.flagged.add(post.id)
        if act.moderation is not None:
            act.moderation.flagged.add(post.id)
    act.set_response(device, {"post": post.id})
    engine.rooms[act.room].note_response(device, event.ts)
    engine.dirty.add(act.id)


def _on_upvoted(engine: EngineAPI, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    device = str(event.data["device"])
    act.set_response(device, {"vote": event.data["post"], "on": bool(event.data["on"])})
    engine.rooms[act.room].note_response(device, event.ts)
    engine.dirty.add(act.id)


def _on_helped(engine: EngineAPI, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    tally = _tally(act)
    data = event.data
    device = str(data["device"])
    link = Link(id=data["link"], need=data.get("need"), offer=data.get("offer"),
                how="explicit", device=device)
    tally.links[link.id] = link
    tally.helped.add((device, str(data["post"])))
    tally.links_by_device[device] = tally.links_by_device.get(device, 0) + 1
    tally.touch()
    engine.dirty.add(act.id)


def _on_answered(engine: EngineAPI, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    tally = _tally(act)
    tally.posts[event.data["post"]].answered = bool(event.data["on"])
    tally.touch()
    engine.dirty.add(act.id)


def _on_pinned(engine: EngineAPI, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    tally = _tally(act)
    tally.pinned = event.data.get("post")
    tally.touch()
    engine.dirty.add(act.id)


# ---------------------------------------------------------------- deliveries


@dataclass(slots=True)
class Told:
    """Per engine, not logged: the version of each board last sent, and when."""

    phones: dict[str, tuple[int, float]] = field(default_factory=dict)
    panels: dict[str, tuple[int, float]] = field(default_factory=dict)
    matched: Matched = field(default_factory=Matched)


def _due(told: dict[str, tuple[int, float]], act_id: str, version: int, now: float,
         every: float) -> bool:
    last = told.get(act_id)
    if last is not None and (last[0] == version or now - last[1] < every):
        return False
    told[act_id] = (version, now)
    return True


# ---------------------------------------------------------------- the kind


@register
class BoardType(ActivityType):
    kind = KIND
    messages = MESSAGES
    state_messages: ClassVar[Mapping[str, str | None]] = {
        "board": "activity", "board_posts": "activity", "board_suggestions": "activity"}
    free_text = True

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        spec = {"kind": KIND, "prompt": text(raw, "prompt", 500, required=True),
                "note": text(raw, "note", 500)}
        mode = raw.get("mode", "questions")
        if mode not in MODES:
            raise BadMessage(reason="board_mode", field="mode")
        spec["mode"] = mode
        categories = raw.get("categories", [])
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise BadMessage(reason="field_not_texts", field="categories")
        cleaned = [" ".join(c.split()) for c in categories]
        if len(cleaned) > MAX_CATEGORIES:
            raise BadMessage(reason="field_count", field="categories", min=0,
                             max=MAX_CATEGORIES)
        if any(not c or len(c) > MAX_CATEGORY for c in cleaned):
            raise BadMessage(reason="field_entry_length", field="categories",
                             limit=MAX_CATEGORY)
        if len(set(cleaned)) != len(cleaned):
            raise BadMessage(reason="field_entry_twice", field="categories")
        spec["categories"] = cleaned
        # boards are moderated by default: the list of insults holds back what matches
        spec.update(moderation_field({"moderation": raw.get("moderation",
                                                            Moderation.FILTER)}))
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        raise BadValue(reason="value_board_post")

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return BoardTally(spec)

    def merge(self, previous: Any | None, value: Any) -> Any:
        """A device's answer: the posts it wrote and those it upvoted (new lists: the
        stored answer is never changed in place, the moderation compares them)."""
        answer = previous if isinstance(previous, dict) else {"posts": [], "votes": []}
        if "post" in value:
            return {"posts": [*answer["posts"], value["post"]], "votes": answer["votes"]}
        votes = [p for p in answer["votes"] if p != value["vote"]]
        if value["on"]:
            votes.append(value["vote"])
        return {"posts": answer["posts"], "votes": votes}

    # free text: each post id is an entry of the moderation
    def entries(self, value: Any) -> list[str]:
        return list(dict.fromkeys([*value.get("posts", ()), *value.get("votes", ())]))

    def keep_entries(self, value: Any, entries: list[str]) -> Any:
        return entries

    def entry_text(self, tally: Tally, entry: str) -> str:
        post = tally.posts.get(entry) if isinstance(tally, BoardTally) else None
        return post.text if post is not None else entry

    def commands(self) -> Mapping[type[Message], Command]:
        return {PostMessage: _post_command, Upvote: _upvote, Help: _help,
                Answered: _answered, Pin: _pin,
                LinkMessage: lambda engine, msg, peer, now: board_matches.decide(
                    engine, msg, peer, now, _board)}

    def appliers(self) -> Mapping[str, Applier]:
        return {POSTED: _on_posted, UPVOTED: _on_upvoted, HELPED: _on_helped,
                ANSWERED: _on_answered, PINNED: _on_pinned, LINKED: board_matches.on_linked}

    def new_state(self) -> Any:
        return Told()

    def welcome(self, engine: EngineAPI, act: Activity, role: Role,
                device: str | None) -> Mapping[str, Any]:
        """A phone gets the posts of the open boards (it upvotes them)."""
        if role is Role.PHONE and act.state is State.OPEN:
            snap = engine.snapshot(act)
            return {"boards": {act.id: _tally(act).phone_list(snap)}} if snap else {}
        return {}

    def panel_messages(self, engine: EngineAPI, act: Activity) -> list[dict[str, Any]]:
        """Every post with its contact and the suggestions, for a panel that starts
        following the room."""
        told: Told = engine.kind_state(self)
        return [out("board_posts", activity=act.id, posts=_tally(act).panel_posts()),
                board_matches.message(act, told.matched.found.get(act.id, []))]

    def tick(self, engine: EngineAPI, now: float, watched: Callable[[str], bool]) -> Sends:
        """The posts shown, to the room's phones, and every post, to its animators: at
        most once a second per board, when it changed (O(its posts) each time)."""
        told: Told = engine.kind_state(self)
        sends: Sends = []
        for act in list(engine.activities.values()):
            if act.kind != KIND or act.state is not State.OPEN:
                continue
            tally = _tally(act)
            if _due(told.phones, act.id, tally.version, now, PHONES_EVERY_S):
                snap = engine.snapshot(act)
                if snap is not None:
                    sends.append((ToRoom(act.room, PHONES), out(
                        "board", activity=act.id, snapshot=tally.phone_list(snap))))
            if watched(act.room) and _due(told.panels, act.id, tally.version, now,
                                          PANELS_EVERY_S):
                sends.append((ToRoom(act.room, PANELS), out(
                    "board_posts", activity=act.id, posts=tally.panel_posts())))
        sends.extend(board_matches.tick(engine, told.matched, now, watched,
                                        lambda act: act.kind == KIND))
        return sends
