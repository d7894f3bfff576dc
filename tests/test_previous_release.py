"""Jusqu'au prochain: what the previous release (crowd 0.1.0) wrote opens with this one.

`tests/data/crowd-0.1.0/` holds a results.json and an events.msgpack written by 0.1.0's
own exporter (see its README). This crowd reads the results into its report, replays the
anonymised log into the same results and into the closing film, and the open-data
example script reads the log. A file of a newer version is refused in words.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crowd.core.engine import Engine
from crowd.server.eventlog import iter_events_file
from crowd.views import exports
from crowd.views.archive import NotReadable, events_from_records, read_results
from crowd.views.film import build_film
from crowd.views.film_page import standalone_film
from crowd.views.report import report_html

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "crowd-0.1.0"
RESULTS = DATA / "results.json"
EVENTS = DATA / "events.msgpack"
ROOM = "KF3M"


def old_results() -> dict:
    return read_results(RESULTS.read_text(encoding="utf-8"))


def old_events() -> list:
    return list(events_from_records(exports.read_records(EVENTS.read_bytes())))


def _close(a: object, b: object) -> bool:
    """Equal, floats to 1e-9 relative, through lists."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9)
    return a == b


def test_the_report_reads_the_previous_releases_results() -> None:
    doc = old_results()
    assert doc["version"] == 1 and doc["room"]["code"] == ROOM
    page = report_html(doc, lang="fr")
    text = re.sub(r"<[^>]+>", " ", page)
    assert "Plénière du samedi" in text and "Pain ou brioche ?" in text
    # a result sentence per activity, in French, from the old file's figures
    assert "6 réponses" in text and "médiane" in text and "3 volontaires sur 3" in text
    for internal in ("None", "NaN", "ci_low", "mean_shares", "snapshot"):
        assert internal not in text, internal


def test_the_previous_releases_log_replays_to_its_own_results() -> None:
    engine = Engine()
    engine.replay(old_events())
    now = exports.results(engine, ROOM, public=False)
    then = old_results()
    assert [a["id"] for a in now["activities"]] == [a["id"] for a in then["activities"]]
    for new, old in zip(now["activities"], then["activities"], strict=True):
        assert new["n"] == old["n"], new["id"]
        for key in ("counts", "shares", "median", "words", "confirmed", "ranking"):
            if key in old["snapshot"]:
                assert _close(new["snapshot"][key], old["snapshot"][key]), (new["id"], key)


def test_the_closing_film_of_the_previous_edition() -> None:
    events = old_events()
    film = build_film(lambda: iter(events), [ROOM])
    then = old_results()["activities"]
    shown = [a for a in then if a["n"] or a["kind"] == "call"]
    assert film.figures["answers"] == sum(a["n"] for a in then if a["kind"] != "call") == 59
    assert film.figures["confirmed"] == next(a for a in then if a["kind"] == "call")["n"]
    assert {t.id for t in film.timeline.tracks} >= {a["id"] for a in shown}
    # each activity ends on the counts the old crowd wrote (its bars' values)
    charts = {a["id"]: a["chart"] for a in then}
    compared = 0
    for track in film.timeline.tracks:
        last, old = track.samples[-1].chart, charts[track.id]
        if "bars" in old and "value" in old["bars"]:
            assert _close(last["bars"]["value"], old["bars"]["value"]), track.id
            compared += 1
    assert compared >= 2
    assert "Pain ou brioche ?" in standalone_film(film)
    # the same log, straight from the old database, gives the same film
    from_db = build_film(lambda: iter_events_file(str(ROOT / "tests" / "fixtures"
                                                      / "v1-festival.db"), [ROOM]), [ROOM])
    assert from_db.figures == film.figures


def test_the_command_line_films_the_previous_releases_database(tmp_path: Path) -> None:
    db = tmp_path / "crowd.db"
    db.write_bytes((ROOT / "tests" / "fixtures" / "v1-festival.db").read_bytes())
    out = tmp_path / "film.html"
    done = subprocess.run([sys.executable, "-m", "crowd", "timelapse", "--db", str(db),
                           "--room", ROOM, "--film", "-o", str(out)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and 'id="crowd-film"' in page
    figures = json.loads(page.split('id="crowd-film">', 1)[1].split("</script>", 1)[0])
    assert figures["figures"]["answers"] == 59
    assert "scenes" in done.stderr


def test_the_open_data_example_reads_the_previous_releases_log() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "read_events.py"),
                          str(EVENTS)], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    assert out.startswith("106 events, 13 activities")
    for act in old_results()["activities"]:
        if act["kind"] in ("call", "choice") or not act["n"]:
            continue  # a criée counts volunteers; a changed choice counts twice here
        block = out.split(act["id"] + " ", 1)[1]
        assert f"from {act['n']} participants" in block.split("\n")[1], act["id"]


def test_a_newer_or_foreign_file_is_refused_in_words() -> None:
    newer = {**old_results(), "version": 2}
    with pytest.raises(NotReadable, match="newer than this crowd reads"):
        read_results(newer)
    with pytest.raises(NotReadable, match="not a crowd results file"):
        read_results(json.dumps({"activities": []}))
    record = next(exports.read_records(EVENTS.read_bytes()))
    del record["ts"]
    with pytest.raises(NotReadable, match="lacks ts"):
        list(events_from_records([record]))
