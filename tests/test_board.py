"""The board in the engine: posts, upvotes (toggle), links, moderation of posts (hide,
approve, merge adds votes), answered and pinned, each bad input refused without a
change, and replay equal to the live state."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.activities.board import (
    POST_EVERY_S,
    POSTS_PER_DEVICE,
    UPVOTES_PER_DEVICE,
    Answered,
    Help,
    Pin,
    PostMessage,
    Upvote,
)
from crowd.activities.board_tally import MAX_POST
from crowd.core import events as ev
from crowd.core.engine import Engine, Peer
from crowd.core.errors import BadMessage, CrowdError
from crowd.core.protocol import ActivityNew, Close, CreateRoom, Moderate, Open, Respond, parse
from crowd.core.types import Role

PANEL = Peer(Role.PANEL, "panel")
FILIERES = ["Pain", "Conserves", "Bois", "Volailles", "Brasserie"]


class Board:
    """A room with one open board, driven through the engine as the hub would."""

    def __init__(self, **spec: Any) -> None:
        self.engine = Engine(random.Random(1))
        self.events: list[ev.Event] = []
        self.now = 100.0
        self.code = self.do(CreateRoom(title="Restitution"))["room"]
        self.act = self.do(ActivityNew(room=self.code, spec={
            "kind": "board", "prompt": "Vos questions", **spec}))["activity"]
        self.do(Open(activity=self.act))

    def do(self, msg: Any, peer: Peer = PANEL) -> dict[str, Any]:
        self.now += POST_EVERY_S  # a human pace: no device posts faster than allowed
        step = self.engine.handle(msg, peer, self.now)
        self.events.extend(step.events)
        return next(m for _, m in step.sends if m["t"] in ("ack", "error"))

    def phone(self, n: int) -> Peer:
        return Peer(Role.PHONE, f"device-{n}", self.code)

    def post(self, n: int, text: str, **fields: Any) -> str:
        return str(self.do(PostMessage(activity=self.act, text=text, **fields),
                           self.phone(n))["post"])

    def upvote(self, n: int, post: str, on: bool = True) -> dict[str, Any]:
        return self.do(Upvote(post=post, on=on), self.phone(n))

    def snapshot(self) -> dict[str, Any]:
        return self.engine.snapshot(self.engine.activity(self.act)) or {}

    def votes(self) -> dict[str, int]:
        return {p["id"]: p["votes"] for p in self.snapshot()["posts"]}

    def refused(self, msg: Any, peer: Peer, code: str, reason: str) -> None:
        """The input is refused with this code and reason, and nothing changed."""
        before = (self.engine.applied, self.snapshot(),
                  self.engine.activity(self.act).tally.panel_posts())
        with pytest.raises(CrowdError) as caught:
            self.engine.handle(msg, peer, self.now + 1000)
        assert (caught.value.code, caught.value.reason) == (code, reason)
        assert (self.engine.applied, self.snapshot(),
                self.engine.activity(self.act).tally.panel_posts()) == before


def test_spec_is_checked_and_boards_filter_by_default() -> None:
    board = Board()
    spec = board.engine.activity(board.act).spec
    assert spec["mode"] == "questions" and spec["categories"] == []
    assert spec["moderation"] == "filter"
    for bad in ({"mode": "wall"}, {"categories": "Pain"}, {"categories": ["Pain", "Pain"]},
                {"categories": [""]}, {"categories": ["x" * 61]}, {"moderation": "maybe"}):
        with pytest.raises(BadMessage):
            board.do(ActivityNew(room=board.code, spec={"kind": "board", "prompt": "p", **bad}))
    off = board.do(ActivityNew(room=board.code, spec={"kind": "board", "prompt": "p",
                                                      "moderation": "off"}))["activity"]
    assert "moderation" not in board.engine.activity(off).spec


def test_post_and_upvote_toggle_one_vote_per_device() -> None:
    board = Board()
    first = board.post(1, "  Quand   ouvre le four ? ", nickname="Léa")
    second = board.post(2, "Qui finance la cuve ?")
    assert first == f"{board.act}.1" and second == f"{board.act}.2"
    assert board.upvote(3, first)["on"] is True
    board.upvote(4, first)
    board.upvote(3, second)
    snap = board.snapshot()
    assert snap["n"] == 2
    assert [(p["text"], p["votes"]) for p in snap["posts"]] == [
        ("Quand ouvre le four ?", 2), ("Qui finance la cuve ?", 1)]
    assert snap["posts"][0]["nickname"] == "Léa"
    board.refused(Upvote(post=first), board.phone(3), "conflict", "upvote_twice")
    board.upvote(3, first, on=False)
    assert board.votes() == {first: 1, second: 1}
    board.refused(Upvote(post=first, on=False), board.phone(3), "conflict",
                  "upvote_not_given")
    board.refused(Upvote(post=first), board.phone(1), "conflict", "upvote_own_post")
    board.refused(Upvote(post=f"{board.act}.99"), board.phone(3), "unknown_post",
                  "post_unknown")
    board.refused(Upvote(post=f"{board.code}-77.1"), board.phone(3), "unknown_post",
                  "post_unknown")
    # a post of another room is answered as one that does not exist (authorization)
    board.refused(Upvote(post="nothing"), board.phone(3), "unknown_activity", "not_in_room")
    # a plain `respond` is not how a board is answered
    board.refused(Respond(activity=board.act, value="hello"), board.phone(3), "bad_value",
                  "value_board_post")


def test_every_bad_post_gets_its_code_and_changes_nothing() -> None:
    board = Board(mode="needs_offers", categories=FILIERES)
    phone = board.phone(1)
    act = board.act

    def post(text: str, **fields: Any) -> PostMessage:
        return PostMessage(activity=act, text=text, **{"type": "need", **fields})

    board.refused(post(""), phone, "bad_value", "post_empty")
    board.refused(post("   \n\t "), phone, "bad_value", "post_empty")
    board.refused(post("\u200b\u200d\u2060\ufeff\u200e"), phone, "bad_value", "post_empty")
    board.refused(post("x" * (MAX_POST + 1)), phone, "bad_value", "post_too_long")
    board.refused(post("a" + "\u0301" * 2000), phone, "bad_value", "post_garbled")
    board.refused(post("Un four", type=None), phone, "bad_value", "post_type_needed")
    board.refused(post("Un four", type="gift"), phone, "bad_value", "post_type_needed")
    board.refused(post("Un four", category="Fromage"), phone, "bad_value",
                  "post_category_unknown")
    # the parser bounds the raw size before anything else: 2,000 marks never reach the kind
    with pytest.raises(BadMessage):
        parse({"t": "post", "activity": act, "text": "a" + "\u0301" * 2000})
    # exactly the limit is fine, spaces collapsed first
    assert board.post(1, "y" * MAX_POST + "   ", type="need", category="Pain")


def test_a_flood_from_one_device_stops_at_the_limits() -> None:
    board = Board()
    phone = board.phone(1)
    board.post(1, "Première question")
    with pytest.raises(CrowdError) as caught:  # at once again: too fast
        board.engine.handle(PostMessage(activity=board.act, text="encore"), phone, board.now)
    assert caught.value.reason == "posts_too_fast"
    for n in range(2, POSTS_PER_DEVICE + 1):
        board.post(1, f"Question {n}")
    board.refused(PostMessage(activity=board.act, text="une de trop"), phone,
                  "rate_limited", "posts_per_person")
    assert board.snapshot()["n"] == POSTS_PER_DEVICE
    # upvotes held at once are bounded too (each costs O(the device's own votes))
    posts = [board.post(2 + n // POSTS_PER_DEVICE, f"Post {n}")
             for n in range(UPVOTES_PER_DEVICE + 1)]
    for post in posts[:UPVOTES_PER_DEVICE]:
        board.upvote(99, post)
    board.refused(Upvote(post=posts[-1]), board.phone(99), "rate_limited",
                  "upvotes_per_person")
    board.upvote(99, posts[0], on=False)  # taking one back makes room
    assert board.upvote(99, posts[-1])["on"] is True
    board.do(Close(activity=board.act))
    board.refused(PostMessage(activity=board.act, text="trop tard"), board.phone(2),
                  "not_open", "board_not_open")


def test_modes_questions_refuse_needs_and_contacts() -> None:
    board = Board(mode="ideas", categories=["Lieu", "Outils"])
    board.refused(PostMessage(activity=board.act, text="Un four", type="need"),
                  board.phone(1), "bad_value", "post_type_unexpected")
    board.refused(PostMessage(activity=board.act, text="Un four", contact="06"),
                  board.phone(1), "bad_value", "post_contact_unexpected")
    idea = board.post(1, "Un four commun", category="Outils")
    assert board.snapshot()["posts"][0]["category"] == "Outils"
    board.refused(Help(post=idea), board.phone(2), "conflict", "help_not_needs_offers")


def test_needs_offers_links_and_contacts() -> None:
    board = Board(mode="needs_offers", categories=FILIERES)
    need = board.post(1, "Cherche un pétrin", type="need", category="Pain",
                      contact="lea@coop.fr")
    offer = board.post(2, "Prête sa remorque", type="offer", category="Bois")
    snap = board.snapshot()
    assert (snap["needs"], snap["offers"]) == (1, 1)
    assert all("contact" not in p for p in snap["posts"])  # contacts never on screens
    ack = board.do(Help(post=need, how="help"), board.phone(2))
    assert ack["link"].startswith(board.act) and ack["contact"] == "lea@coop.fr"
    assert board.snapshot()["links"] == [{"need": need, "offer": offer, "how": "explicit"}]
    board.refused(Help(post=need), board.phone(2), "conflict", "help_twice")
    board.refused(Help(post=need), board.phone(1), "conflict", "help_own_post")
    board.refused(Help(post=offer, how="help"), board.phone(3), "conflict",
                  "help_wrong_side")
    interest = board.do(Help(post=offer, how="interest"), board.phone(3))
    assert "contact" not in interest
    links = board.snapshot()["links"]
    assert {"need": None, "offer": offer, "how": "explicit"} in links


def test_moderation_hides_waits_and_merging_adds_votes() -> None:
    board = Board()
    a = board.post(1, "Quel prix pour le pain ?")
    b = board.post(2, "Le prix du pain ?")
    insult = board.post(3, "Le trésorier est un connard")
    assert insult not in board.votes()  # the list of insults holds it back
    board.refused(Upvote(post=insult), board.phone(4), "unknown_post", "post_unknown")
    for n in (4, 5):
        board.upvote(n, a)
    for n in (5, 6, 7):
        board.upvote(n, b)
    assert board.votes() == {a: 2, b: 3}
    board.do(Moderate(activity=board.act, entry=b, action="merge", into=a))
    # a's voters {4, 5} + b's voters {5, 6, 7} + b's author 2: five devices, 5 once
    assert board.votes() == {a: 5}
    assert board.snapshot()["n"] == 1
    board.do(Moderate(activity=board.act, entry=a, action="hide"))
    assert board.snapshot()["n"] == 0 and board.snapshot()["posts"] == []
    board.do(Moderate(activity=board.act, entry=a, action="approve"))
    assert board.votes() == {a: 5}
    board.do(Moderate(activity=board.act, entry=insult, action="approve"))
    assert insult in board.votes()
    # in approve mode nothing shows before an animator approves it
    strict = Board(moderation="approve")
    post = strict.post(1, "Une question sage")
    assert strict.snapshot()["n"] == 0
    strict.do(Moderate(activity=strict.act, entry=post, action="approve"))
    assert strict.snapshot()["n"] == 1


def test_switching_moderation_on_later_flags_by_text() -> None:
    board = Board(moderation="off")
    insult = board.post(1, "Quelle merde ce planning")
    fine = board.post(2, "Le planning est tard")
    assert set(board.votes()) == {insult, fine}
    from crowd.core.protocol import SetModeration
    board.do(SetModeration(activity=board.act, mode="filter"))
    assert set(board.votes()) == {fine}
    assert board.engine.activity(board.act).tally.posts[insult].text.startswith("Quelle")


def test_answered_and_pinned() -> None:
    board = Board()
    posts = [board.post(n, f"Question {n}") for n in range(3)]
    board.upvote(5, posts[2])
    board.do(Answered(post=posts[0]))
    board.do(Pin(activity=board.act, post=posts[1]))
    snap = board.snapshot()
    assert snap["pinned"] == posts[1]
    by_id = {p["id"]: p for p in snap["posts"]}
    assert by_id[posts[0]]["answered"] and by_id[posts[1]]["pinned"]
    assert snap["posts"][0]["id"] == posts[2]  # the most voted first
    board.do(Pin(activity=board.act, post=None))
    assert board.snapshot()["pinned"] is None
    with pytest.raises(CrowdError):  # a phone may not pin
        board.engine.handle(Pin(activity=board.act, post=posts[0]), board.phone(1), 1e4)


def test_replay_equals_live() -> None:
    board = Board(mode="needs_offers", categories=FILIERES)
    rng = random.Random(5)
    posts = [board.post(n, f"Texte {n}", type=rng.choice(["need", "offer"]),
                        category=rng.choice(FILIERES)) for n in range(12)]
    for n in range(30):
        post = rng.choice(posts)
        if post.endswith(f".{n + 1}"):
            continue
        board.upvote(100 + n, post)
    board.do(Help(post=posts[0]), board.phone(50))
    board.do(Moderate(activity=board.act, entry=posts[3], action="merge", into=posts[4]))
    board.do(Moderate(activity=board.act, entry=posts[5], action="hide"))
    board.do(Answered(post=posts[6]))
    board.do(Pin(activity=board.act, post=posts[7]))
    again = Engine(random.Random(1))
    again.replay(board.events)
    live, replayed = board.engine.activity(board.act), again.activity(board.act)
    assert again.snapshot(replayed) == board.snapshot()
    assert replayed.tally.panel_posts() == live.tally.panel_posts()
    assert replayed.responses == live.responses


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 3), st.booleans()),
                max_size=80))
def test_vote_counts_equal_the_devices_that_hold_an_upvote(
        moves: list[tuple[int, int, bool]]) -> None:
    """Whatever the sequence of upvotes and take-backs (refused ones included), each
    post's votes are the devices whose latest accepted move on it was an upvote."""
    board = Board()
    posts = [board.post(10 + k, f"Post {k}") for k in range(4)]
    held: set[tuple[int, int]] = set()
    for device, k, on in moves:
        try:
            board.upvote(device, posts[k], on)
        except CrowdError:
            assert ((device, k) in held) == on  # refused: twice, or never given
            continue
        (held.add if on else held.discard)((device, k))
    expected = {posts[k]: sum(1 for _, j in held if j == k) for k in range(4)}
    assert board.votes() == expected


def test_suggested_matches_wait_for_an_animator_then_show_dashed() -> None:
    """The tick suggests a need and an offer of one category with similar texts (to the
    animators only); approved, the pair is a `suggested` link on the map, logged, and
    the replay shows it; set aside, it is never suggested again."""
    from crowd.activities.board_matches import LinkMessage

    board = Board(mode="needs_offers", categories=FILIERES)
    need = board.post(1, "Cherche un pétrin pour nos fournées", type="need", category="Pain")
    offer = board.post(2, "Je prête mon pétrin le lundi", type="offer", category="Pain")
    board.post(3, "Prête un pétrin", type="offer", category="Bois")  # another category
    far = board.post(4, "Donne des bocaux", type="offer", category="Pain")
    sends = board.engine.tick(board.now, lambda room: True)
    found = [m for _, m in sends if m["t"] == "board_suggestions"]
    assert len(found) == 1
    pairs = [(s["need"], s["offer"]) for s in found[0]["suggestions"]]
    assert pairs == [(need, offer)]
    assert board.snapshot()["links"] == []  # nothing on the map before a decision
    # not again before MATCH_EVERY_S, nor when nothing changed
    assert not [m for _, m in board.engine.tick(board.now + 1, lambda r: True)
                if m["t"] == "board_suggestions"]
    board.do(LinkMessage(activity=board.act, need=need, offer=offer))
    assert board.snapshot()["links"] == [{"need": need, "offer": offer, "how": "suggested"}]
    board.refused(LinkMessage(activity=board.act, need=need, offer=offer), PANEL, "conflict",
                  "link_decided")
    board.refused(LinkMessage(activity=board.act, need=offer, offer=need), PANEL, "conflict",
                  "link_not_pair")
    board.do(LinkMessage(activity=board.act, need=need, offer=far, accept=False))
    again = Engine(random.Random(1))
    again.replay(board.events)
    assert again.snapshot(again.activity(board.act)) == board.snapshot()
    later = [m for _, m in board.engine.tick(board.now + 60, lambda r: True)
             if m["t"] == "board_suggestions"]
    assert all((s["need"], s["offer"]) not in {(need, offer), (need, far)}
               for m in later for s in m["suggestions"])


def test_a_post_hidden_later_leaves_the_closing_film_and_the_report_names_the_top() -> None:
    """The replay samples frames as the day went: a post shown, then hidden by an
    animator, must be in none of them (nor its map node); the report's sentence names
    the most voted post, with real plurals."""
    from crowd.views import report
    from crowd.views.exports import results
    from crowd.views.replay_page import standalone_html
    from crowd.views.timelapse import build_timeline

    for mode, extra in (("questions", {}), ("needs_offers", {"type": "need"})):
        board = Board(mode=mode, categories=FILIERES)
        kept = board.post(1, "Une question sur le four", **extra)
        gone = board.post(2, "Le nom de mon voisin Paul", **extra)
        board.upvote(3, kept)
        board.upvote(4, kept)
        board.do(Moderate(activity=board.act, entry=gone, action="hide"))
        timeline = build_timeline(board.events)
        page = standalone_html(timeline)
        assert "Une question sur le four" in page and "voisin Paul" not in page, mode
        assert gone not in page
        act = results(board.engine, board.code, public=False)["activities"][0]
        sentence = report._sentence(act, "fr")
        assert "«\u202fUne question sur le four\u202f» (2 soutiens)" in sentence
        assert ("1\u202fbesoin · 0\u202foffre · 0\u202flien" if mode == "needs_offers"
                else "1 message") in sentence


def test_the_simulated_crowd_posts_what_the_board_accepts() -> None:
    """`crowd demo` and rehearsals: some simulated phones post, each post is accepted."""
    from crowd.clients.swarm.behaviours import BEHAVIOURS, context
    from crowd.clients.swarm.crowd_model import CrowdModel

    board = Board(mode="needs_offers", categories=FILIERES)
    activity = board.engine.activity(board.act).public()
    model = CrowdModel()
    posted = 0
    for index in range(60):
        for action in BEHAVIOURS["board"].plan(context(model, index, activity, 1)):
            assert action.type == "post"
            board.do(PostMessage(**action.fields), board.phone(index))  # type: ignore[arg-type]
            posted += 1
    assert 5 <= posted <= 30 and board.snapshot()["n"] == posted


def test_the_open_data_log_of_a_board_follows_its_documented_schema() -> None:
    """Every board event, anonymised, has the keys docs/exports.md lists; no contact and
    no device token leaves."""
    from crowd.activities.board_matches import LinkMessage
    from crowd.views import exports
    from tests.test_open_data import documented

    board = Board(mode="needs_offers", categories=FILIERES)
    need = board.post(1, "Cherche un pétrin", type="need", category="Pain", contact="06 12")
    offer = board.post(2, "Prête un pétrin", type="offer", category="Pain")
    board.upvote(3, need)
    board.do(Help(post=need), board.phone(4))
    board.do(Answered(post=need))
    board.do(Pin(activity=board.act, post=need))
    board.do(LinkMessage(activity=board.act, need=need, offer=offer))
    table = documented()
    records = list(exports.anonymised_records(board.events))
    seen = set()
    for record in records:
        required, optional = table[record["type"]]
        assert required <= set(record["data"]) <= required | optional, record
        seen.add(record["type"])
    assert {"board_posted", "board_upvoted", "board_helped", "board_answered",
            "board_pinned", "board_linked"} <= seen
    assert "06 12" not in repr(records) and "device-1" not in repr(records)
