"""The presenter flow in headless Chromium against a real server: "Suivant" (button,
→ or space) goes through the agenda and the projector follows; "Précédent" (←) goes
back; the presenter view shows the current activity's live figures, the next one, the
phones connected and answering."""

from __future__ import annotations

import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, open_tab

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

PANEL_VIEWPORT = {"width": 1024, "height": 768}
ON_SCREEN = "(id) => window.crowdScreen && window.crowdScreen.activity === id"


async def open_panel(browser: Any, server: Any, code: str,
                     viewport: dict[str, int] | None = None) -> Any:
    tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                         viewport or PANEL_VIEWPORT)
    await tab.page.locator(".room-btn", has_text=code).click()
    await tab.page.wait_for_selector(f"#room-code:has-text('{code}')")
    return tab


async def test_next_goes_from_the_first_to_the_third_activity_and_the_projector_follows(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Plénière suivante")
        ids = [await panel.add_activity(code, "choice", f"Question {i}", options=["oui", "non"])
               for i in (1, 2, 3)]
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        tab = await open_panel(browser, server, code)
        page = tab.page
        presenter = page.locator("#presenter")
        await page.wait_for_selector("#presenter-empty:has-text('Suivant')")  # what to do

        await page.keyboard.press("ArrowRight")  # nothing on: the first one starts
        await page.wait_for_selector(f"#presenter[data-current='{ids[0]}']")
        await screen.page.wait_for_function(ON_SCREEN, arg=ids[0])
        assert await page.inner_text("#presenter-prompt") == "Question 1"
        assert await page.inner_text("#presenter-next") == "Ensuite\u202f: Question 2"

        async with Phone.connect(server.url, code) as phone:  # live figures and counts
            await phone.respond(ids[0], 1)
            await page.wait_for_selector("#presenter-answered:has-text('1 a répondu')")
            await page.wait_for_selector("#presenter-phones:has-text('1 téléphone connecté')")
            await presenter.locator(".bar-row", has_text="non").locator(
                ".bar-figure:has-text('1 ·')").wait_for()
            await page.wait_for_selector("#presenter-clock:has-text('ouvert depuis')")

            await page.click("[data-presenter=next]")
            await page.wait_for_selector(f"#presenter[data-current='{ids[1]}']")
            await screen.page.wait_for_function(ON_SCREEN, arg=ids[1])
            assert (await phone.next_activity())["id"] == ids[0]  # closed
            await page.locator("body").press(" ")  # space: the third
            await page.wait_for_selector(f"#presenter[data-current='{ids[2]}']")
            await screen.page.wait_for_function(ON_SCREEN, arg=ids[2])
        state = await panel.watch(code)
        assert [(a["id"], a["state"], a["projected"]) for a in state["activities"]] == [
            (ids[0], "closed", False), (ids[1], "closed", False), (ids[2], "open", True)]
        assert await page.is_disabled("[data-presenter=next]")  # the end of the agenda
        assert await page.inner_text("#presenter-next") == (
            "C'est la dernière activité du déroulé.")

        await page.click("[data-presenter=reveal]")  # results to the phones
        await page.wait_for_selector("[data-presenter=reveal]:has-text('Masquer les résultats')")
        assert [a["revealed"] for a in (await panel.watch(code))["activities"]][2] is True

        await page.keyboard.press("ArrowLeft")  # back to the second, reopened
        await page.wait_for_selector(f"#presenter[data-current='{ids[1]}']")
        await screen.page.wait_for_function(ON_SCREEN, arg=ids[1])
        await page.click("[data-presenter=project]")  # off the projector
        await screen.page.wait_for_function("() => window.crowdScreen.activity === null")
    await screen.close()
    await tab.close()
