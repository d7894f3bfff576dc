"""Photograph the closing film for the README: a title card, a scene, the finale.

    .venv/bin/python scripts/film_screenshots.py [--out docs/img]

Plays a small day through the real engine (its own clock: answers a few seconds apart,
a pause between the sessions), builds the film from the day's log as the server does,
and photographs it in headless Chromium at 1280x720 (a beamer).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from pathlib import Path
from typing import Any

from crowd.activities.calls import Call, Volunteer
from crowd.core.engine import Engine, Peer
from crowd.core.protocol import ActivityNew, Close, CreateRoom, Open, Respond, Reveal
from crowd.core.types import Role
from crowd.views.film import build_film
from crowd.views.film_page import write_film

CHROMIUM = "/usr/bin/chromium"
PANEL = Peer(Role.PANEL, "panel")
WORDS = ["ensemble", "soleil", "partage", "pain", "merci", "demain", "ensemble", "partage"]


def a_day() -> list[Any]:
    rng = random.Random(7)
    engine = Engine(random.Random(7))
    events: list[Any] = []
    clock = [1_752_307_200.0]  # a Saturday, 08:00 UTC

    def do(msg: Any, peer: Peer = PANEL, dt: float = 1.0) -> dict[str, Any]:
        clock[0] += dt
        step = engine.handle(msg, peer, clock[0])
        events.extend(step.events)
        return next(m for _, m in step.sends if m["t"] in ("ack", "error"))

    room = do(CreateRoom(title="Fête des coopératives", seq=1))["room"]
    specs = [{"kind": "choice", "prompt": "On garde la même date l'an prochain ?",
              "options": ["oui", "non", "plutôt en juin"]},
             {"kind": "words", "prompt": "Un mot pour la journée"},
             {"kind": "estimate", "prompt": "Combien de pains cuits au four commun ?",
              "unit": "pains"}]
    acts = [do(ActivityNew(room=room, spec=s, seq=2 + i))["activity"]
            for i, s in enumerate(specs)]
    phones = [Peer(Role.PHONE, f"phone-{i:03d}-abcdefghijk", room) for i in range(40)]
    seqs = dict.fromkeys(range(40), 0)

    def answer(k: int, act: str, value: Any) -> None:
        seqs[k] += 1
        do(Respond(activity=act, value=value, seq=seqs[k]), phones[k], dt=rng.expovariate(1.5))

    do(Open(activity=acts[0], seq=10))
    for k in range(40):
        answer(k, acts[0], rng.choices([0, 1, 2], [6, 1, 3])[0])
    do(Close(activity=acts[0], seq=11))
    do(Open(activity=acts[1], seq=12), dt=1800)
    do(Open(activity=acts[2], seq=13))
    for k in range(36):
        answer(k, acts[1], [WORDS[k % len(WORDS)]])
        answer(k, acts[2], round(rng.gauss(420, 60)))
    for n, act in enumerate(acts[1:]):
        do(Close(activity=act, seq=20 + n))
    for n, act in enumerate(acts):
        do(Reveal(activity=act, on=True, seq=30 + n))
    call = do(Call(room=room, spec={"prompt": "Qui aide à ranger les tables ?", "quota": 6},
                   seq=40), dt=900)["call"]
    for k in range(5):
        seqs[k] += 1
        do(Volunteer(call=call, nickname=f"aide {k + 1}", seq=seqs[k]), phones[k], dt=3)
    do(Close(activity=call, seq=41), dt=5)
    return events


async def photograph(film_path: Path, out: Path) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 720})
            await page.goto(film_path.as_uri())
            await page.wait_for_function("window.crowdFilm && window.crowdFilm.ready")
            await page.evaluate("crowdFilm.toggle()")  # hold each picture still
            await page.evaluate("crowdFilm.go(2)")
            await page.screenshot(path=str(out / "film-card.png"))
            await page.evaluate("crowdFilm.go(3)")
            await page.evaluate("crowdFilm.toggle()")
            await page.wait_for_timeout(9_000)  # the scene grows for a while
            await page.evaluate("crowdFilm.toggle()")
            await page.wait_for_timeout(300)
            await page.screenshot(path=str(out / "film-scene.png"))
            await page.evaluate("crowdFilm.go(crowdFilm.chapters.length - 1)")
            await page.wait_for_timeout(300)
            await page.screenshot(path=str(out / "film-finale.png"))
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    args = parser.parse_args()
    events = a_day()
    film = build_film(lambda: iter(events), only_revealed=False, utc_offset=7200.0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "film.html"
        write_film(film, path)
        asyncio.run(photograph(path, args.out))


if __name__ == "__main__":
    main()
