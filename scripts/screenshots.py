"""Refresh the screenshots in docs/img/ from a real server and headless Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/img]

Starts a server on 127.0.0.1 (a free port, a temporary database), builds the page
states the README shows through the Python clients (the phone's criée banner, an
estimate's projector before its figures show included), and photographs each page at the
sizes the audience has: phones at 393x851 (Pixel 5) and 360x640, projectors at
1280x720 and 1920x1080. Stops the server it started, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from crowd.clients import Panel, Phone
from crowd.clients.launcher import SECRET, ServerProcess

CHROMIUM = "/usr/bin/chromium"
PIXEL_5 = {"width": 393, "height": 851}
SMALL_PHONE = {"width": 360, "height": 640}
BEAMER = {"width": 1280, "height": 720}
FULL_HD = {"width": 1920, "height": 1080}

PROJECTS = [
    "Une coopérative d'habitants avec jardin partagé et atelier de réparation ouvert",
    "Une cantine solidaire le midi, avec les produits des fermes voisines",
    "Un fonds commun pour les réparations du toit de la grange",
    "Une navette partagée vers la gare le samedi matin",
    "Une salle commune chauffée l'hiver pour les réunions",
    "Un atelier vélo tenu par des bénévoles deux soirs par semaine",
    "Une bibliothèque d'outils avec prêt par l'application",
    "Un marché de producteurs le premier dimanche du mois",
]


async def shoot(page: Any, path: Path) -> None:
    await page.wait_for_timeout(400)  # let transitions end: a picture, not a test
    await page.screenshot(path=str(path))
    print("wrote", path)


async def main(out: Path) -> None:
    from playwright.async_api import async_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "crowd.db", secret=SECRET)
        server.start()
        try:
            await states(server, out, async_playwright)
        finally:
            server.stop()


async def states(server: Any, out: Path, async_playwright: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM)
        code = await panel.create_room("Plénière des coopératives")
        done = await panel.add_activity(code, kind="choice", prompt="Pain ou brioche ?",
                                        options=["Pain", "Brioche", "Les deux"])
        vote = await panel.add_activity(code, kind="approval", prompt="Quels projets soutenir ?",
                                        options=PROJECTS)
        words = await panel.add_activity(code, kind="words", prompt="Un mot pour demain ?")
        ranking = await panel.add_activity(code, kind="ranking", prompt="Par quoi commencer ?",
                                           options=["Buvette", "Accueil", "Scène", "Parking"])
        guess = await panel.add_activity(code, kind="estimate", unit="kg",
                                         prompt="Combien pèse la vache ?")
        temperature = await panel.add_activity(code, kind="temperature",
                                               prompt="Le rythme de la matinée ?",
                                               left="trop lent", right="trop rapide")
        await panel.open(done)
        for i in range(7):
            async with Phone.connect(server.url, code) as voter:
                await voter.respond(done, i % 3)
        await panel.close(done)
        await panel.reveal(done)
        await panel.open(vote)
        await panel.open(words)
        await panel.open(temperature)
        for i in range(14):
            async with Phone.connect(server.url, code) as voter:
                await voter.respond(vote, sorted({i % 8, (i * 3) % 8}))
                await voter.respond(words, [["Coopérative", "coopérative 🌱", "entraide"][i % 3],
                                            ["partage", "confiance", "jardin", "vélo", "pain",
                                             "ensemble", "avenir"][i % 7]])
                await voter.respond(temperature, round(((i * 37) % 21 - 10) / 12, 2))

        # projector: the bars, then the word cloud, at both sizes
        context = await browser.new_context(viewport=BEAMER)
        screen = await context.new_page()
        await panel.project(vote, room=code)
        await screen.goto(f"{server.url}/screen/{code}")
        await screen.wait_for_selector(".board-row")
        await shoot(screen, out / "screen.png")
        await screen.set_viewport_size(FULL_HD)
        await shoot(screen, out / "screen-1080.png")
        await panel.project(words, room=code)
        await screen.wait_for_selector(".cloud-word")
        await shoot(screen, out / "words.png")
        await screen.set_viewport_size(BEAMER)
        await shoot(screen, out / "words-720.png")
        await panel.project(temperature, room=code)
        await screen.wait_for_selector(".chart canvas, .chart .bk-Figure")
        await shoot(screen, out / "temperature.png")
        # an estimate's first round: no figure before the close, how to answer instead
        await panel.open(guess)
        for value in (480, 550, 620, 700, 910):
            async with Phone.connect(server.url, code) as voter:
                await voter.respond(guess, value)
        await panel.project(guess, room=code)
        await screen.wait_for_selector("#veil .veil-code")
        await screen.wait_for_selector("#answers:has-text('5 réponses')")
        await shoot(screen, out / "screen-hidden.png")
        await context.close()

        # phones: open votes first, closed ones folded; a vote opening out of sight
        context = await browser.new_context(viewport=PIXEL_5, device_scale_factor=2)
        phone = await context.new_page()
        await phone.goto(f"{server.url}/r/{code}")
        await phone.wait_for_selector(f'.card[data-activity="{vote}"] .opt')
        await phone.get_by_role("button", name=PROJECTS[1]).click()
        await shoot(phone, out / "phone.png")
        await phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        await panel.open(ranking)
        await phone.wait_for_selector(".newvote:not(.hidden)")
        await shoot(phone, out / "phone-new-vote.png")
        await context.close()

        context = await browser.new_context(viewport=SMALL_PHONE, device_scale_factor=2)
        phone = await context.new_page()
        await phone.goto(f"{server.url}/r/{code}")
        await phone.wait_for_selector(f'.card[data-activity="{ranking}"] .opt')
        await shoot(phone, out / "phone-small.png")
        await context.close()

        # the criée on a phone that has not answered: the places left, live
        context = await browser.new_context(viewport=PIXEL_5, device_scale_factor=2)
        phone = await context.new_page()
        await phone.goto(f"{server.url}/r/{code}")
        await phone.wait_for_selector(".card .opt")
        call = await panel.call(code, "Quatre bras pour monter le chapiteau", 4,
                                place="Pré du bas", when="à 14 h")
        banner = phone.locator(f'.criee-banner[data-call="{call}"]')
        await banner.wait_for()
        for _ in range(3):
            async with Phone.connect(server.url, code) as volunteer:
                await volunteer.volunteer(call, "Camille")
        await banner.locator(".criee-places:has-text('Encore 1 place sur 4')").wait_for()
        await phone.evaluate("window.scrollTo(0, 0)")
        await shoot(phone, out / "criee.png")
        await context.close()
        await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    asyncio.run(main(parser.parse_args().out))
