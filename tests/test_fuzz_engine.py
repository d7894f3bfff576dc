"""Fuzzing the codec and the engine, without a server: random bytes, random maps and
schema-aware mutations of valid messages of every type, sent as every role.

The rules checked on every example:
- decoding, parsing and `Engine.handle` raise nothing but a `CrowdError`;
- a refused input changes nothing (a digest of the whole engine state before and after);
- an accepted input is acknowledged once with its seq, its events pack for the log and
  every message it sends encodes in both encodings (msgpack, and JSON as UTF-8);
- after each example, the tick's frames, every welcome and every room state still encode,
  and replaying the log (through msgpack, as a restart does) rebuilds the same state.

10^4 examples in all by default; `CROWD_HEAVY=1` runs ten times more.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import enum
import json
import math
import os
import pickle
import random
from collections import deque
from collections.abc import Iterator
from typing import Any

import msgpack
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from crowd.core.engine import Engine, Peer, Reply
from crowd.core.errors import CrowdError
from crowd.core.events import Event
from crowd.core.protocol import Encoding, decode_message, encode, message_types, parse
from crowd.core.types import Role

HEAVY = os.environ.get("CROWD_HEAVY") == "1"
SCALE = 10 if HEAVY else 1
# No shrinking: the examples are small already, and a failure is reported at once instead
# of after minutes of shrinking (hypothesis still replays a saved failure first).
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
BYTES_EXAMPLES = 6000 * SCALE
MAPS_EXAMPLES = 2500 * SCALE
ENGINE_EXAMPLES = 1500 * SCALE  # each one a sequence of 1 to 6 messages (about 5,500)
T0 = 1_750_000_000.0


# ---------------------------------------------------------------- the world


def _send(engine: Engine, raw: dict[str, Any], peer: Peer, now: float) -> Any:
    return engine.handle(parse(raw), peer, now)


@dataclasses.dataclass
class World:
    events: list[Event]
    ids: dict[str, str]
    peers: dict[str, Peer]


def _build_world() -> World:
    """Two rooms holding every kind of activity in every state, built through the engine."""
    engine = Engine(rng=random.Random(7))
    events: list[Event] = []
    panel = Peer(Role.PANEL, "panel-1")
    seq = iter(range(1, 10_000))
    now = T0

    def run(raw: dict[str, Any], peer: Peer = panel) -> dict[str, Any]:
        step = _send(engine, {**raw, "seq": next(seq)}, peer, now)
        events.extend(step.events)
        return next(m for t, m in step.sends if isinstance(t, Reply))

    a = run({"t": "create_room", "title": "Plénière"})["room"]
    b = run({"t": "create_room", "title": "Atelier"})["room"]
    opts = ["pain", "vin", "fromage"]
    specs = {
        "choice": {"kind": "choice", "prompt": "Où ?", "options": opts},
        "approval": {"kind": "approval", "prompt": "Quoi ?", "options": opts, "max": 2},
        "ranking": {"kind": "ranking", "prompt": "Classez", "options": opts},
        "grades": {"kind": "grades", "prompt": "Notez", "options": opts},
        "estimate": {"kind": "estimate", "prompt": "Poids ?", "unit": "kg", "min": 0,
                     "max": 2000},
        "round1": {"kind": "estimate", "prompt": "Vache ?", "unit": "lb"},
        "free": {"kind": "estimate", "prompt": "Combien ?"},  # no bounds, no answers yet
        "logscale": {"kind": "estimate", "prompt": "Combien ?", "scale": "log"},
        "words": {"kind": "words", "prompt": "Un mot", "max_words": 2},
        "temperature": {"kind": "temperature", "prompt": "Alors ?"},
        "weighting": {"kind": "weighting", "prompt": "Budget", "options": opts,
                      "budget": 100},
        "orientation": {"kind": "orientation", "prompt": "Où ?",
                        "options": [{"label": "mer", "angle": 270}]},
        "draft": {"kind": "choice", "prompt": "Plus tard", "options": ["a", "b"]},
        "closed": {"kind": "choice", "prompt": "Fini", "options": ["a", "b"]},
        "opinion": {"kind": "opinion", "prompt": "Débat", "submissions": True,
                    "statements": ["Un four", "Deux fours", "Pas de four"]},
        "board": {"kind": "board", "prompt": "Besoins", "mode": "needs_offers",
                  "categories": ["Pain", "Bois"]},
    }
    ids = {"room": a, "room_b": b}
    for name, spec in specs.items():
        ids[name] = run({"t": "activity_new", "room": a, "spec": spec})["activity"]
        if name != "draft":
            run({"t": "open", "activity": ids[name]})
    ids["other"] = run({"t": "activity_new", "room": b, "spec": specs["choice"]})["activity"]
    run({"t": "open", "activity": ids["other"]})
    ids["call"] = run({"t": "call", "room": a, "spec": {"prompt": "Bras", "quota": 1}})["call"]
    ids["call_deadline"] = run({"t": "call", "room": a, "spec": {
        "prompt": "Vite", "quota": 2, "deadline": T0 + 30}})["call"]
    run({"t": "project", "room": a, "activity": ids["choice"]})
    values = {"choice": 1, "approval": [0, 2], "ranking": [2, 0], "grades": [0, 3, 6],
              "estimate": 1355, "round1": 1200, "words": ["pain"], "temperature": 0.5,
              "weighting": [50, 25, 25], "orientation": {"angle": 90, "strength": 0.5},
              "closed": 0, "opinion": {"statement": 1, "vote": -1}}
    for d in range(4):
        phone = Peer(Role.PHONE, f"dev-{d}", a)
        for name, value in values.items():  # "free" and "logscale" stay unanswered
            run({"t": "respond", "activity": ids[name], "value": value}, phone)
        run({"t": "volunteer", "call": ids["call"], "nickname": f"v{d}"}, phone)
        now += 1.0
    for text in ("Un four commun", "Deux fours"):  # submissions 1 and 2 await review
        run({"t": "statement", "activity": ids["opinion"], "text": text},
            Peer(Role.PHONE, "dev-1", a))
    ids["need"] = run({"t": "post", "activity": ids["board"], "text": "Cherche un pétrin",
                       "type": "need", "category": "Pain"}, Peer(Role.PHONE, "dev-1", a))["post"]
    ids["offer"] = run({"t": "post", "activity": ids["board"], "text": "Prête un pétrin",
                        "type": "offer", "category": "Pain"}, Peer(Role.PHONE, "dev-2", a))["post"]
    run({"t": "close", "activity": ids["closed"]})
    run({"t": "reveal", "activity": ids["closed"]})
    ids["round2"] = run({"t": "influence_round", "activity": ids["round1"]})["activity"]
    peers = {
        "panel": Peer(Role.PANEL, "panel-1"),
        "panel_a": Peer(Role.PANEL, "panel-2", a),
        "phone": Peer(Role.PHONE, "dev-0", a),  # answered everything, on the call
        "phone_new": Peer(Role.PHONE, "dev-new", a),
        "phone_b": Peer(Role.PHONE, "dev-b", b),
        "screen": Peer(Role.SCREEN, "screen-1", a),
        # a room animator of room b: anything about room a must be refused
        "animator_b": Peer(Role.PANEL, "panel-3", b, frozenset({b})),
    }
    return World(events, ids, peers)


WORLD = _build_world()
IDS = WORLD.ids


def _replayed(events: list[Event]) -> Engine:
    engine = Engine(rng=random.Random(11))
    engine.replay(events)
    return engine


def digest(engine: Engine) -> bytes:
    """Everything an input may change: rooms, activities, tallies, idempotency keys, the
    last ack per client. Pickled: exact and cheap, and the same objects left untouched
    pickle to the same bytes."""
    return pickle.dumps((engine.rooms, engine.activities, engine.last_seq, engine._last_ack))


def _state(obj: Any, depth: int = 0) -> Any:
    """A comparable picture of any state object (floats by repr, so NaN equals NaN)."""
    if depth > 15:
        return "..."
    if obj is None or isinstance(obj, bool | int | str | bytes):
        return obj
    if isinstance(obj, float):
        return repr(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dict):
        return tuple((repr(k), _state(v, depth + 1)) for k, v in obj.items())
    if isinstance(obj, list | tuple | deque):
        return tuple(_state(x, depth + 1) for x in obj)
    if isinstance(obj, set | frozenset):
        return tuple(sorted(repr(_state(x, depth + 1)) for x in obj))
    if isinstance(obj, np.ndarray):
        return ("ndarray", _state(obj.tolist(), depth + 1))
    if isinstance(obj, np.generic):
        return _state(obj.item(), depth + 1)
    names: list[str] = []
    for cls in type(obj).__mro__:
        names += list(getattr(cls, "__slots__", ()))
    names += list(getattr(obj, "__dict__", {}))
    memo = getattr(type(obj), "memo_fields", frozenset())  # remembered computations
    names = [n for n in names if n not in memo]
    return (type(obj).__name__,
            tuple((n, _state(getattr(obj, n), depth + 1)) for n in names if hasattr(obj, n)))


def rebuilt(engine: Engine, touched: set[str]) -> Any:
    """What a restart must rebuild, compared by value: every room, the activities an
    example touched (their tallies included) and the idempotency keys. The last acks live
    in memory only (after a restart a resend gets a bare `dup` ack)."""
    rooms = [(r.code, r.title, r.projected, r.nicks, r.next_number, list(r.activities),
              r.per_second, r.last_seen) for code, r in engine.rooms.items() if code in touched]
    return _state((list(engine.rooms), rooms,
                   {a: engine.activities.get(a) for a in sorted(touched)}, engine.last_seq))


# ---------------------------------------------------------------- strategies

KEYS = ["t", "v", "seq", "role", "room", "device", "secret", "resume", "activity", "value",
        "spec", "on", "title", "name", "activities", "call", "quota", "nickname", "contact"]
SPEC_KEYS = ["kind", "prompt", "note", "options", "max", "grades", "unit", "min", "scale",
             "round", "previous", "social", "truth", "max_words", "left", "right", "budget",
             "quota", "deadline", "place", "when", "ask_nickname", "ask_contact", "title",
             "description"]
TEXTS = ["", " ", "\ud800", "a\udfff", "\x00", "x" * 5000, "é" * 41, "<script>", "KXT4",
         "NaN", "ranking", *IDS.values()]
NUMBERS = [-1, 0, 1, 2, 3, 6, 9, 20, 21, 100, 10_000, 10_001, 2**31, 2**53 - 1, 2**53,
           2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30, 10**400, -(10**400), 0.5, -0.0,
           1e308, -1e308, 1e-320, math.inf, -math.inf, math.nan, T0 + 40, T0 - 1]
ATOMS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.sampled_from(NUMBERS),
    st.text(max_size=10), st.sampled_from(TEXTS), st.binary(max_size=6),
)


def _nested_pool(size: int = 3000) -> list[Any]:
    """Nested junk (lists and maps of odd atoms), built once: drawing from a pool costs
    hypothesis far less than a recursive strategy, which keeps 10^4 examples fast."""
    rng = random.Random(2026)
    keys = [*KEYS, *SPEC_KEYS, "angle", "strength", "label", "", "\ud800", "é"]
    atoms: list[Any] = [None, True, False, *NUMBERS, *TEXTS, b"", b"\xff",
                        msgpack.ExtType(1, b"x"), msgpack.Timestamp(0, 0)]

    def make(depth: int) -> Any:
        if depth == 0 or rng.random() < 0.3:
            return rng.choice(atoms)
        if rng.random() < 0.5:
            return [make(depth - 1) for _ in range(rng.randint(0, 5))]
        return {rng.choice(keys): make(depth - 1) for _ in range(rng.randint(0, 4))}

    return [make(4) for _ in range(size)]


JUNK = st.one_of(ATOMS, st.sampled_from(_nested_pool()).map(copy.deepcopy))

_OPTS = ["a", "b", "c"]
SPECS = [
    {"kind": "choice", "prompt": "?", "options": _OPTS},
    {"kind": "approval", "prompt": "?", "options": _OPTS, "max": 2},
    {"kind": "ranking", "prompt": "?", "options": _OPTS},
    {"kind": "grades", "prompt": "?", "options": _OPTS, "grades": ["bof", "oui"]},
    {"kind": "estimate", "prompt": "?", "min": 1, "max": 10, "scale": "log"},
    {"kind": "estimate", "prompt": "?", "round": 2, "previous": IDS["round1"],
     "social": {"n": 1, "median": 2, "q1": 1, "q3": 3}, "truth": 1355},
    {"kind": "words", "prompt": "?", "max_words": 5},
    {"kind": "temperature", "prompt": "?", "left": "froid", "right": "chaud"},
    {"kind": "weighting", "prompt": "?", "options": _OPTS, "budget": 10},
    {"kind": "orientation", "prompt": "?", "options": [{"label": "N", "angle": 0}]},
    {"kind": "call", "prompt": "?", "quota": 3, "deadline": T0 + 100, "place": "ici",
     "ask_contact": True},
]
RESPONSES = {
    "choice": [0, 2], "approval": [[], [1, 0]], "ranking": [[0, 1, 2], [1]],
    "grades": [[0, 1, 2], [6, 6, 6]], "estimate": [0, 1999.5], "round1": [3.5],
    "round2": [1300, 1e6], "words": [["Solidarité!"], "pain vin", ["connard", "fête"]],
    # valid, finite, and at the edges of what a float holds
    "free": [1355, 1e308, -1.7976931348623157e308, 5e-324, 0],
    "logscale": [42, 1e308, 5e-324, -1],
    "temperature": [-1, 0.25], "weighting": [[0, 0, 100], [33.3, 33.3, 33.3]],
    "orientation": [370, {"angle": -45, "strength": 1}], "closed": [1], "draft": [0],
    "other": [1], "call": [0],
    "opinion": [{"statement": 0, "vote": 1}, {"statement": 2, "vote": 0}],
}


def _templates() -> list[tuple[str, dict[str, Any]]]:
    """Valid messages of every type (for the role named first), referring to real ids."""
    a, b = IDS["room"], IDS["room_b"]
    out: list[tuple[str, dict[str, Any]]] = [
        ("phone", {"t": "ping"}),
        ("phone", {"t": "hello", "role": "phone", "room": a}),
        ("phone", {"t": "nick", "name": "Léa"}),
        ("phone", {"t": "volunteer", "call": IDS["call"], "nickname": "Jo", "contact": "06"}),
        ("phone_new", {"t": "volunteer", "call": IDS["call_deadline"]}),
        ("phone", {"t": "withdraw", "call": IDS["call"]}),
        ("phone_new", {"t": "decline", "call": IDS["call"]}),
        ("panel", {"t": "create_room", "title": "Nouvelle"}),
        ("panel", {"t": "watch", "room": b}),
        ("panel", {"t": "activity_update", "activity": IDS["draft"],
                   "spec": {"prompt": "Changé", "options": ["x", "y", "z"]}}),
        ("panel", {"t": "activity_delete", "activity": IDS["draft"]}),
        ("panel", {"t": "activity_delete", "activity": IDS["closed"]}),
        ("panel", {"t": "agenda_export", "room": a}),
        ("panel", {"t": "agenda_import", "room": b, "activities": SPECS[:4]}),
        ("panel", {"t": "influence_round", "activity": IDS["estimate"]}),
        ("panel", {"t": "set_truth", "activity": IDS["round1"], "value": 1355}),
        ("panel", {"t": "set_truth", "activity": IDS["round2"], "value": None}),
        ("panel", {"t": "call", "room": a, "spec": SPECS[-1]}),
        ("panel", {"t": "set_quota", "call": IDS["call"], "quota": 5}),
        ("panel", {"t": "project", "room": a, "activity": None}),
        ("phone", {"t": "statement", "activity": IDS["opinion"], "text": "Un four à pain"}),
        ("panel", {"t": "statement_review", "activity": IDS["opinion"], "submission": 1,
                   "accept": True}),
        ("panel", {"t": "statement_review", "activity": IDS["opinion"], "submission": 2,
                   "accept": False}),
        ("panel", {"t": "segment", "activity": IDS["approval"], "by": IDS["choice"]}),
        ("panel", {"t": "segment", "activity": IDS["ranking"], "by": IDS["closed"]}),
        ("panel", {"t": "segment", "activity": IDS["choice"], "by": IDS["other"]}),
        ("panel", {"t": "segment", "activity": IDS["approval"], "by": None}),
        ("panel", {"t": "advance", "room": a}),
        ("panel", {"t": "advance", "room": a, "back": True}),
        ("panel", {"t": "program_set", "room": a, "space": "salle 2",
                   "slots": [{"start": 1.7e9, "end": 1.7e9 + 3600, "title": "Atelier"}]}),
        ("panel", {"t": "program_export"}),
        ("panel", {"t": "program_import", "program": {
            "format": "crowd-program", "version": 1, "rooms": [
                {"key": "pain", "title": "Atelier pain", "activities": SPECS[:2]}]}}),
        ("panel", {"t": "reorder", "room": a, "order": [IDS["closed"], IDS["choice"]]}),
        ("panel", {"t": "duplicate", "activity": IDS["closed"]}),
        ("panel", {"t": "set_moderation", "activity": IDS["words"], "mode": "filter"}),
        ("panel", {"t": "set_moderation", "activity": IDS["words"], "mode": "approve"}),
        ("panel", {"t": "set_moderation", "activity": IDS["words"], "mode": "off"}),
        ("panel", {"t": "set_results", "activity": IDS["choice"], "results": "hidden"}),
        ("panel", {"t": "set_results", "activity": IDS["choice"], "results": "live"}),
        ("panel", {"t": "moderate", "activity": IDS["words"], "entry": "pain",
                   "action": "approve"}),
        ("panel", {"t": "moderate", "activity": IDS["words"], "entry": "pain",
                   "action": "hide"}),
        ("panel", {"t": "moderate", "activity": IDS["words"], "entry": "pain",
                   "action": "merge", "into": "connard"}),
        # the organiser's: answered by the hub (the engine says so), or by the engine
        ("panel", {"t": "room_link", "rooms": [a], "label": "Léa"}),
        ("panel", {"t": "revoke_link", "id": "ab12cd34"}),
        ("panel", {"t": "links"}),
        ("panel", {"t": "regie"}),
        ("panel", {"t": "push", "room": b, "activity": IDS["closed"]}),
        ("panel", {"t": "push", "room": b, "activity": None}),
        ("panel", {"t": "festival_call", "text": "Deux chauffeurs à la gare"}),
        ("panel", {"t": "festival_call", "text": None}),
        ("animator_b", {"t": "watch", "room": a}),
        ("animator_b", {"t": "close", "activity": IDS["choice"]}),
        ("animator_b", {"t": "agenda_import", "room": b, "activities": SPECS[:2]}),
        ("phone", {"t": "post", "activity": IDS["board"], "text": "Prête une remorque",
                   "type": "offer", "category": "Bois", "contact": "06 00"}),
        ("phone_new", {"t": "post", "activity": IDS["board"], "text": "\u200b"}),
        ("phone", {"t": "upvote", "post": IDS["need"]}),
        ("phone", {"t": "upvote", "post": IDS["need"], "on": False}),
        ("phone_new", {"t": "help", "post": IDS["need"], "how": "help"}),
        ("panel", {"t": "board_answer", "post": IDS["need"]}),
        ("panel", {"t": "board_pin", "activity": IDS["board"], "post": IDS["need"]}),
        ("panel", {"t": "board_link", "activity": IDS["board"], "need": IDS["need"],
                   "offer": IDS["offer"]}),
        ("panel", {"t": "board_link", "activity": IDS["board"], "need": IDS["need"],
                   "offer": IDS["offer"], "accept": False}),
        ("panel", {"t": "moderate", "activity": IDS["board"], "entry": IDS["need"],
                   "action": "hide"}),
    ]
    for spec in SPECS:
        out.append(("panel", {"t": "activity_new", "room": a, "spec": spec}))
    for name, values in RESPONSES.items():
        out += [("phone_new", {"t": "respond", "activity": IDS[name], "value": v})
                for v in values]
    for name in ("choice", "draft", "closed", "round2", "temperature", "call", "call_deadline"):
        act = IDS[name]
        out += [("panel", {"t": "open", "activity": act}),
                ("panel_a", {"t": "close", "activity": act}),
                ("panel", {"t": "reveal", "activity": act, "on": name != "closed"}),
                ("panel", {"t": "project", "room": a, "activity": act})]
    return out


TEMPLATES = _templates()
assert {raw["t"] for _, raw in TEMPLATES} == set(message_types())  # every message type


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A valid message of some type, then 0 to 3 schema-aware mutations."""
    peer, raw = draw(st.sampled_from(TEMPLATES))
    raw = copy.deepcopy(raw)
    if draw(st.integers(0, 3)) == 0:
        peer = draw(st.sampled_from(sorted(WORLD.peers)))
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.integers(0, 9))
        if how <= 2:  # one field gets any value
            raw[draw(st.sampled_from([*raw, *KEYS]))] = draw(JUNK)
        elif how == 3 and len(raw) > 1:  # a field goes missing
            raw.pop(draw(st.sampled_from(sorted(raw))))
        elif how == 4:  # the fields of one type under another type's name
            raw["t"] = draw(st.sampled_from(sorted(message_types())))
        elif how == 5:  # a real id where another is expected
            field = draw(st.sampled_from(["activity", "call", "room", "previous"]))
            target = raw["spec"] if field == "previous" and isinstance(
                raw.get("spec"), dict) else raw
            target[field] = draw(st.sampled_from(sorted(IDS.values())))
        elif how == 6 and isinstance(raw.get("spec"), dict):  # inside a spec
            spec = raw["spec"]
            key = draw(st.sampled_from([*spec, *SPEC_KEYS]))
            if draw(st.booleans()) or key not in spec:
                spec[key] = draw(JUNK)
            else:
                del spec[key]
        elif how == 7 and isinstance(raw.get("value"), list) and raw["value"]:
            value = raw["value"]  # inside a value list
            value[draw(st.integers(0, len(value) - 1))] = draw(JUNK)
            if draw(st.booleans()):
                value.append(draw(JUNK))
        elif how == 8:
            raw["seq"] = draw(st.sampled_from([None, 0, 1, 2, -1, 2**53 - 1, 2**53, "7", 1.0,
                                               True]))
        else:
            raw["value"] = draw(JUNK)
    return peer, raw


def _frame(raw: dict[str, Any], prefer_json: bool) -> bytes | str | None:
    """The frame a client could really send for this map, or None if no encoding can."""
    attempts = [True, False] if prefer_json else [False, True]
    for as_json in attempts:
        try:
            if as_json:
                return json.dumps(raw)
            return msgpack.packb(raw, use_bin_type=True)
        except (TypeError, ValueError, OverflowError):
            continue
    return None


def _encodes(msg: dict[str, Any]) -> None:
    """What the server sends must go out in either encoding, as valid UTF-8 text."""
    text = encode(msg, Encoding.JSON)
    assert isinstance(text, str)
    text.encode("utf-8")
    encode(msg, Encoding.MSGPACK)


# ---------------------------------------------------------------- the codec alone

STATS: dict[str, Any] = {"frames": 0, "maps": 0, "examples": 0, "inputs": 0, "accepted": 0,
                         "refused": 0, "codes": set(), "failures": 0}


@contextlib.contextmanager
def _counting_failures() -> Iterator[None]:
    """Counts the examples that broke a rule (for the printed figures), then re-raises."""
    try:
        yield
    except Exception:
        STATS["failures"] += 1
        raise



@settings(max_examples=BYTES_EXAMPLES, deadline=None, derandomize=not HEAVY, phases=PHASES)
@given(st.one_of(st.binary(max_size=80),
                 st.binary(max_size=40).map(lambda b: b"\x81\xa1t" + b),  # a map with "t"
                 st.binary(max_size=40).map(lambda b: b.decode("latin-1"))))
def test_random_bytes_only_raise_crowd_errors(frame: bytes | str) -> None:
    STATS["frames"] += 1
    with _counting_failures(), contextlib.suppress(CrowdError):
        decode_message(frame)


@settings(max_examples=MAPS_EXAMPLES, deadline=None, derandomize=not HEAVY, phases=PHASES,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated().map(lambda pr: pr[1]),
                 st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), JUNK,
                                 max_size=6)),
       st.booleans())
def test_random_and_mutated_maps_only_raise_crowd_errors(raw: dict[str, Any],
                                                         as_json: bool) -> None:
    frame = _frame(raw, as_json)
    if frame is None:
        return
    STATS["maps"] += 1
    with _counting_failures(), contextlib.suppress(CrowdError):
        decode_message(frame)


# ---------------------------------------------------------------- the engine



@settings(max_examples=ENGINE_EXAMPLES, deadline=None, derandomize=not HEAVY, phases=PHASES,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(mutated(), st.booleans(), st.sampled_from([1.0, 20.0, 3600.0])),
                min_size=1, max_size=6))
def test_engine_refuses_cleanly_and_accepts_consistently(
        inputs: list[tuple[tuple[str, dict[str, Any]], bool, float]]) -> None:
    with _counting_failures():
        _run_sequence(inputs)


def _run_sequence(inputs: list[tuple[tuple[str, dict[str, Any]], bool, float]]) -> None:
    engine = _replayed(WORLD.events)
    log: list[Event] = []
    seqs = {name: 1000 for name in WORLD.peers}
    now = T0 + 5.0
    STATS["examples"] += 1
    for (peer_name, raw), as_json, dt in inputs:
        now += dt
        peer = WORLD.peers[peer_name]
        if "seq" not in raw:
            seqs[peer_name] += 1
            raw = {**raw, "seq": seqs[peer_name]}
        frame = _frame(raw, as_json)
        if frame is None:
            continue
        STATS["inputs"] += 1
        before = digest(engine)
        try:
            msg, _ = decode_message(frame)
            step = engine.handle(msg, peer, now)
        except CrowdError as exc:
            STATS["refused"] += 1
            STATS["codes"].add(exc.code)
            assert digest(engine) == before, f"refused {raw!r} changed the state"
            continue
        STATS["accepted"] += 1
        replies = [m for target, m in step.sends if isinstance(target, Reply)]
        assert [(m["t"], m["seq"]) for m in replies] == [("ack", msg.seq)], raw
        for _, out_msg in step.sends:
            _encodes(out_msg)
        for event in step.events:
            log.append(Event.from_row(event.type, event.room, event.pack_data(), event.ts,
                                      event.client, event.seq))
    if not log:
        return
    # what the tick, a newcomer and a restart do with the changed state
    for frame_out in engine.collect_frames():
        _encodes(frame_out.message)
    touched = {str(e.data["id"]) for e in log if e.data.get("id")} | {e.room for e in log}
    for act in engine.activities.values():
        if act.id in touched:
            _encodes(engine._frame(act))
    for peer in WORLD.peers.values():
        _encodes(engine.welcome(peer, device=peer.client))
    for code in engine.rooms:
        if code in touched:
            _encodes(engine.room_state(code, for_panel=True))
    replayed = _replayed(WORLD.events + log)
    assert rebuilt(replayed, touched) == rebuilt(engine, touched), "replay differs"
    expired = engine.expire(now + 7200.0, Peer(Role.PANEL, "deadline"))
    for event in expired.events:
        event.pack_data()


# Valid, finite answers at the edges of what a float holds, to an estimate without
# bounds: accepted or refused, the snapshot of the activity must still render (the tick,
# the projector, the welcome of a screen all need it).
EXTREMES = [("auto", [1e308]), ("linear", [1.5e308, 1.5e308]), ("auto", [-1e308, 1e308]),
            ("log", [1e308]), ("log", [5e-324]), ("auto", [1e308, 1e308, 1e308])]


@pytest.mark.parametrize(("scale", "values"), EXTREMES,
                         ids=[f"{scale}-{values}" for scale, values in EXTREMES])
def test_extreme_estimates_keep_the_snapshot_renderable(scale: str,
                                                        values: list[float]) -> None:
    engine = Engine()
    panel = Peer(Role.PANEL, "panel")
    code = _send(engine, {"t": "create_room", "title": "x"}, panel, T0).sends[0][1]["room"]
    step = _send(engine, {"t": "activity_new", "room": code, "spec": {
        "kind": "estimate", "prompt": "?", "scale": scale}}, panel, T0)
    act = step.sends[0][1]["activity"]
    _send(engine, {"t": "open", "activity": act}, panel, T0)
    for i, value in enumerate(values):
        with contextlib.suppress(CrowdError):  # refusing such a value is fine too
            _send(engine, {"t": "respond", "activity": act, "value": value},
                  Peer(Role.PHONE, f"d{i}", code), T0)
    for frame_out in engine.collect_frames():  # what the tick does, 10 times a second
        _encodes(frame_out.message)
    _encodes(engine._frame(engine.activity(act)))


# Frames a JSON client can send that msgpack (the log, the msgpack clients) cannot carry:
# each must be refused, or stored and answered like any other input.
UNSTORABLE = [
    ("phone", {"t": "nick", "name": "\ud800"}),
    ("phone_new", {"t": "respond", "activity": IDS["words"], "value": ["pain\udfff"]}),
    ("phone_new", {"t": "volunteer", "call": IDS["call"], "nickname": "\ud83d"}),
    ("panel", {"t": "create_room", "title": "Salle \udc00"}),
    ("panel", {"t": "set_truth", "activity": IDS["round1"], "value": 2**64}),
    ("panel", {"t": "activity_new", "room": IDS["room"], "spec": {
        "kind": "estimate", "prompt": "?", "max": 10**23}}),
    ("phone_new", {"t": "respond", "activity": IDS["estimate"], "value": 10**400}),
]


@pytest.mark.parametrize(("peer", "raw"), UNSTORABLE, ids=[
    "nick-surrogate", "words-surrogate", "volunteer-surrogate", "room-title-surrogate",
    "truth-2**64", "estimate-max-10**23", "estimate-answer-10**400"])
def test_json_that_the_log_cannot_store_is_refused(peer: str, raw: dict[str, Any]) -> None:
    """A lone surrogate or an integer beyond 64 bits, sent as JSON: refused, or else its
    events pack for the log and its messages encode. (The live consequence of the first
    cases is in tests/test_fuzz_live.py: the log's writer stops and every input after is
    refused until a restart.)"""
    engine = _replayed(WORLD.events)
    frame = json.dumps({**raw, "seq": 5000})
    try:
        msg, _ = decode_message(frame)
        step = engine.handle(msg, WORLD.peers[peer], T0 + 10)
    except CrowdError:
        return
    for event in step.events:
        event.pack_data()
    for _, out_msg in step.sends:
        _encodes(out_msg)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    if STATS["examples"] or STATS["frames"]:
        print(f"\nfuzz engine: {STATS['examples']} sequences, {STATS['inputs']} inputs "
              f"({STATS['accepted']} accepted, {STATS['refused']} refused with "
              f"{len(STATS['codes'])} codes: {', '.join(sorted(STATS['codes']))}); "
              f"codec: {STATS['frames']} byte frames, {STATS['maps']} maps; examples that "
              f"broke a rule: {STATS['failures']}")
