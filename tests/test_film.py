"""The closing film without a browser: hidden answers never appear, scenes follow the
day, the day's figures are the room's counts."""

from __future__ import annotations

import json
import random

import pytest

from crowd.activities import activity_type
from crowd.activities.calls import Call, Volunteer
from crowd.core.engine import Engine, Peer
from crowd.core.protocol import ActivityNew, Close, CreateRoom, Moderate, Open, Respond, Reveal
from crowd.core.types import Role
from crowd.views import charts, exports
from crowd.views.film import MAX_SCENE_S, MIN_SCENE_S, build_film
from crowd.views.film_page import FILM_MIN_PX, FONT_PROPS, readable, standalone_film
from crowd.views.timelapse import build_timeline
from tests.test_timelapse import Day

HIDDEN = "crétin"
WORDS = ["soleil", "pain", "musique", HIDDEN]


def festival_day(seed: int = 3, phones: int = 12) -> Day:
    """A poll, then a word cloud and an estimate open together (an insult written, shown,
    then hidden by the animator), then a criée call; all revealed."""
    rng = random.Random(seed)
    day = Day(Engine(random.Random(seed)))
    day.room = day.panel(CreateRoom, title="Clôture des coopératives")["room"]
    specs = [{"kind": "choice", "prompt": "Pain ou brioche ?", "options": ["pain", "brioche"]},
             {"kind": "words", "prompt": "Un mot pour la journée"},
             {"kind": "estimate", "prompt": "Poids de la vache ?", "unit": "kg"}]
    day.activities = [day.panel(ActivityNew, room=day.room, spec=s)["activity"] for s in specs]
    peers = [Peer(Role.PHONE, f"Tok{i:02d}abcdefghijkl.mnopqrstuvwx", day.room)
             for i in range(phones)]
    seqs = [0] * phones

    def answer(k: int, act: str, value: object) -> None:
        seqs[k] += 1
        day.do(Respond(activity=act, value=value, seq=seqs[k]), peers[k], dt=rng.uniform(1, 3))

    poll, cloud, cow = day.activities
    day.panel(Open, activity=poll)
    for k in range(phones):
        answer(k, poll, rng.randrange(2))
    day.panel(Close, activity=poll)
    day.panel(Open, dt=600, activity=cloud)
    day.panel(Open, activity=cow)
    for k in range(phones - 2):  # two phones skip the second part
        answer(k, cloud, [WORDS[k % len(WORDS)]])
        answer(k, cow, rng.gauss(600, 80))
    entry = activity_type("words").entries([HIDDEN])[0]  # "cretin": entries are normalised
    day.panel(Moderate, activity=cloud, entry=entry, action="hide")
    for act in (cloud, cow):
        day.panel(Close, activity=act)
    for act in day.activities:
        day.panel(Reveal, activity=act, on=True)
    call = day.panel(Call, room=day.room, spec={"prompt": "Qui range ?", "quota": 3})["call"]
    for k in range(2):
        seqs[k] += 1
        day.do(Volunteer(call=call, nickname=f"aide{k}", seq=seqs[k]), peers[k], dt=2.0)
    day.panel(Close, dt=5.0, activity=call)
    day.activities.append(call)
    day.tick_until(day.now + 1.0)
    return day


@pytest.fixture(scope="module")
def day() -> Day:
    return festival_day()


def test_a_hidden_word_is_in_no_frame_of_the_film(day: Day) -> None:
    cloud = day.activities[1]
    live = build_timeline(day.events)
    shown_live = json.dumps([s.chart for tr in live.tracks if tr.id == cloud for s in tr.samples],
                            ensure_ascii=False)
    assert HIDDEN in shown_live  # the projector did show it until it was hidden
    film = build_film(lambda: iter(day.events))
    frames = [s.chart for tr in film.timeline.tracks for s in tr.samples]
    assert frames and HIDDEN not in json.dumps(frames, ensure_ascii=False)
    for text in (json.dumps(film.to_json(), ensure_ascii=False), standalone_film(film)):
        assert HIDDEN not in text and "cretin" not in text
    # the other words still grow in, and each last frame is what the projector ended on
    words = next(tr for tr in film.timeline.tracks if tr.id == cloud)
    assert len(words.samples) > 2 and words.samples[0].chart != words.samples[-1].chart
    for track in film.timeline.tracks:
        assert track.samples[-1].chart == json.loads(json.dumps(day.shown[track.id]["chart"]))


def test_activities_open_together_share_a_scene_in_the_order_of_the_day(day: Day) -> None:
    film = build_film(lambda: iter(day.events))
    ids = [[film.timeline.tracks[k].id for k in scene.tracks] for scene in film.scenes]
    poll, cloud, cow, call = day.activities
    assert ids == [[poll], [cloud, cow], [call]]
    starts = [scene.start for scene in film.scenes]
    assert starts == sorted(starts)
    for scene in film.scenes:
        assert MIN_SCENE_S <= scene.seconds <= MAX_SCENE_S and scene.end > scene.start
    # the 10-minute pause between the poll and the cloud is compressed
    assert film.scenes[1].start - film.scenes[0].end < 60


def test_the_day_in_numbers_are_the_rooms_counts(day: Day) -> None:
    film = build_film(lambda: iter(day.events))
    results = exports.results(day.engine, day.room, public=False)
    answered = [a for a in results["activities"] if a["kind"] != "call"]
    assert film.figures["answers"] == sum(a["n"] for a in answered) == 12 + 2 * 10
    assert film.figures["participants"] == 12
    assert film.figures["activities"] == len(results["activities"]) == 4
    assert (film.figures["confirmed"], film.figures["quota"]) == (2, 3)
    assert HIDDEN not in film.figures["words"] and "soleil" in film.figures["words"]


def test_the_public_film_keeps_revealed_activities_only(day: Day) -> None:
    events = [e for e in day.events if not (e.type == "revealed"
                                            and e.data["id"] == day.activities[0])]
    film = build_film(lambda: iter(events), only_revealed=True)
    assert day.activities[0] not in [tr.id for tr in film.timeline.tracks]
    assert film.figures["answers"] == 2 * 10


def test_every_chart_text_is_large(day: Day) -> None:
    film = build_film(lambda: iter(day.events))
    page = standalone_film(film)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    checked = 0
    for track in film.timeline.tracks:
        fig = charts.BUILDERS[track.kind](track.activity, track.snapshot, {})
        readable(fig)
        for model in fig.references():
            for prop in FONT_PROPS:
                if prop in model.properties():
                    value = getattr(model, prop)
                    size = value if isinstance(value, str) else value.value
                    assert float(size.removesuffix("px")) >= FILM_MIN_PX, (track.kind, prop)
                    checked += 1
    assert checked > 10
