"""Results visibility on the projector, in headless Chromium.

While an activity's figures are hidden, the screen page shows the question, whether
voting is open, the number of answers and how to answer with the join code, and
nothing else: no bar, no chart, no share. Not only the page: every websocket frame the
page received carries the number of answers alone, and the chart's HTTP endpoint
refuses it. Once the animator shows them (or the vote closes, for `after_close`), the
figures come.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import BARS_TOTAL, CHROMIUM, SCREEN_VIEWPORT, Tab, open_tab

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

FIGURES = ("counts", "shares", "median", "hist", "bars", "borda")

# Every element of the stage that the browser shows, with its text.
SHOWN_TEXT = """() => Array.from(document.querySelectorAll("#stage *"))
    .filter((el) => el.offsetParent !== null && el.children.length === 0)
    .map((el) => el.textContent.trim()).filter(Boolean)"""


async def screen_tab(browser: Any, url: str) -> tuple[Tab, list[dict[str, Any]]]:
    """A projector page, with every message its websocket received."""
    tab = await open_tab(browser, None, SCREEN_VIEWPORT)
    received: list[dict[str, Any]] = []
    tab.page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: received.append(json.loads(payload))))
    await tab.page.goto(url)
    return tab, received


def about(received: list[dict[str, Any]], activity: str) -> list[dict[str, Any]]:
    """The snapshots and charts the page received for `activity`."""
    found = []
    for msg in received:
        if msg["t"] == "frame" and msg["activity"] == activity:
            found.append(msg)
        projection = msg.get("projection") or msg.get("projected")
        if isinstance(projection, dict) and projection.get("activity", {}).get("id") == activity:
            found.append(projection)
    return found


async def test_hidden_results_reach_no_screen_and_show_once_the_animator_says(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Plénière")
        vote = await panel.add_activity(code, "choice", "Où fêter la fin du festival ?",
                                        options=["La grange", "Le pré"], results="hidden")
        screen, received = await screen_tab(browser, f"{server.url}/screen/{code}")
        page = screen.page
        await page.wait_for_selector("#join-title:has-text('Plénière')")
        await panel.open(vote)
        await panel.project(vote)
        for value in (0, 0, 1):
            async with Phone.connect(server.url, code) as phone:
                await phone.respond(vote, value)
        await page.locator("#answers:has-text('3 réponses')").wait_for()

        # What the page shows: the question, "Vote ouvert", the count, how to answer.
        veil = page.locator("#veil")
        assert await veil.is_visible()
        assert await veil.locator(".veil-call").inner_text() == "Répondez sur votre téléphone"
        assert await veil.locator(".veil-code").inner_text() == code
        assert await page.locator("#closed").inner_text() == "Vote ouvert"
        assert await page.locator("#prompt").inner_text() == "Où fêter la fin du festival\u202f?"
        assert await page.locator("#chart *").count() == 0  # no bar, no canvas
        shown = await page.evaluate(SHOWN_TEXT)
        assert not [text for text in shown if "%" in text or "voix" in text], shown
        box = await veil.locator(".veil-code").bounding_box()
        assert box and box["y"] + box["height"] <= SCREEN_VIEWPORT["height"]

        # What the page received: the number of answers, never a figure.
        messages = about(received, vote)
        assert messages and all(m["snapshot"] == {"n": m["snapshot"]["n"]} for m in messages)
        assert all(m["chart"] is None and m["results"] == "hidden" for m in messages)
        assert not any(name in json.dumps(received) for name in FIGURES)
        chart = await page.request.get(f"{server.url}/api/activities/{vote}/chart")
        assert chart.status == 403

        # Closed, still hidden: "Vote clos", no call to answer, the results wait.
        await panel.close(vote)
        await page.locator("#closed:has-text('Vote clos')").wait_for()
        assert await veil.locator(".veil-when").inner_text() == (
            "Les résultats seront montrés par l'animateur.")
        assert await veil.locator(".veil-code").count() == 0
        assert not any(name in json.dumps(received) for name in FIGURES)

        # The animator shows them: the bars come, the veil goes.
        await panel.set_results(vote, "live")
        await page.wait_for_function(BARS_TOTAL, arg=[vote, 3])
        assert await veil.is_hidden()
        assert await page.locator(".board-row").count() == 2
    await screen.close()


async def test_an_estimates_first_round_shows_its_figures_at_the_close(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Jeu du bocal")
        guess = await panel.add_activity(code, "estimate", "Combien de haricots ?")
        await panel.open(guess)
        await panel.project(guess)
        screen, received = await screen_tab(browser, f"{server.url}/screen/{code}")
        page = screen.page
        for value in (900, 1200, 1500, 2000):
            async with Phone.connect(server.url, code) as phone:
                await phone.respond(guess, value)
        await page.locator("#answers:has-text('4 réponses')").wait_for()
        assert await page.locator("#veil .veil-when").inner_text() == (
            "Les résultats s'afficheront à la clôture du vote.")
        assert await page.evaluate("window.crowdScreen.lastChart") is None
        assert not any(name in json.dumps(received) for name in FIGURES)
        await panel.close(guess)
        await page.wait_for_function(
            "() => window.crowdScreen.lastChart && window.crowdScreen.lastChart.hist")
        assert await page.locator("#veil").is_hidden()
        assert await page.locator("#closed").inner_text() == "Vote clos"
    await screen.close()


async def test_the_panel_hides_live_figures_from_the_projector(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Assemblée")
        vote = await panel.add_activity(code, "choice", "Un budget commun ?",
                                        options=["Oui", "Non"])
        await panel.open(vote)
        await panel.project(vote)
        async with Phone.connect(server.url, code) as phone:
            await phone.respond(vote, 0)
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    await screen.page.wait_for_function(BARS_TOTAL, arg=[vote, 1])
    panel_tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                               {"width": 1180, "height": 820})
    await panel_tab.page.get_by_role("button", name=code).click()
    item = panel_tab.page.locator(f'.agenda-item[data-activity="{vote}"]')
    switch = item.locator(".results-switch")
    assert await switch.locator("[aria-pressed='true']").inner_text() == "En direct"
    await switch.get_by_role("button", name="Cachés").click()
    await screen.page.locator("#veil .veil-code").wait_for()
    assert await screen.page.locator(".board-row").count() == 0
    assert await screen.page.locator("#answers").inner_text() == "1 réponse"
    await switch.locator("[aria-pressed='true']", has_text="Cachés").wait_for()
    for tab in (panel_tab, screen):
        await tab.close()
