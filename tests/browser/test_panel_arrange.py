"""Preparing the agenda from the panel, in headless Chromium against a real server: an
edited draft reaches the phones with its new words once opened; a duplicated closed
activity opens fresh; a reordered agenda (buttons and drag) survives kill -9."""

from __future__ import annotations

import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, open_tab
from tests.browser.test_panel_presenter import open_panel

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


def item(page: Any, activity: str) -> Any:
    return page.locator(f'.agenda-item[data-activity="{activity}"]')


async def agenda_order(page: Any) -> list[str]:
    return list(await page.eval_on_selector_all(
        ".agenda-item", "(items) => items.map((i) => i.getAttribute('data-activity'))"))


async def test_an_edited_draft_reaches_the_phones_with_its_new_prompt_once_opened(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Brouillons")
        act = await panel.add_activity(code, "choice", "Quel jour pour la fète ?",
                                       options=["Samedi", "Dimanch"])
    phone = await open_tab(browser, f"{server.url}/r/{code}")
    await phone.page.wait_for_selector("#notice:has-text(\"Rien à voter\")")
    tab = await open_panel(browser, server, code)
    page = tab.page
    await item(page, act).get_by_role("button", name="Modifier").click()
    await page.fill(f"#edit-prompt-{act}", "Quel jour pour la fête ?")
    await page.fill(f"#edit-options-{act}", "Samedi\nDimanche\nLundi")
    await item(page, act).get_by_role("button", name="Enregistrer").click()
    await page.wait_for_selector(f'.agenda-item[data-activity="{act}"] .agenda-prompt'
                                 ":has-text('fête')")
    assert await page.locator(".edit-form").count() == 0
    assert await phone.card(act).count() == 0  # a draft: the phones see nothing yet

    await page.click("[data-presenter=next]")  # opens (and projects) it
    card = phone.card(act)
    await card.locator(".card-prompt:has-text('Quel jour pour la fête ?')").wait_for()
    # the poll's own module may still be loading (kinds load on demand): its last option
    # drawn means all of them are
    await card.locator(".opt", has_text="Lundi").wait_for()
    assert [await b.inner_text() for b in await card.locator(".opt").all()] == [
        "Samedi", "Dimanche", "Lundi"]
    # open, it can no longer be edited: the button is gone
    assert await item(page, act).get_by_role("button", name="Modifier").count() == 0
    await phone.close()
    await tab.close()


async def test_a_duplicated_closed_activity_opens_fresh(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Redemander")
        first = await panel.add_activity(code, "choice", "On recommence ?", options=["oui", "non"])
        later = await panel.add_activity(code, "words", "Un mot ?")
        await panel.open(first)
        async with Phone.connect(server.url, code) as voter:
            await voter.respond(first, 0)
        await panel.close(first)
        tab = await open_panel(browser, server, code)
        page = tab.page
        await item(page, first).get_by_role("button", name="Dupliquer").click()
        await page.wait_for_function("() => document.querySelectorAll('.agenda-item').length"
                                     " === 3")
        order = await agenda_order(page)
        copy = order[1]
        assert order == [first, copy, later] and copy not in (first, later)
        assert await item(page, copy).get_attribute("data-state") == "draft"
        assert await item(page, copy).locator(".agenda-prompt").inner_text() == "On recommence ?"
        await item(page, copy).get_by_role("button", name="Ouvrir").click()
        await page.wait_for_selector(f'.agenda-item[data-activity="{copy}"][data-state="open"]')
        assert await item(page, copy).locator(".agenda-n").inner_text() == "0 réponse"
        async with Phone.connect(server.url, code) as voter:
            assert [a["id"] for a in voter.open_activities()] == [copy]
            await voter.respond(copy, 1)
            await item(page, copy).locator(".bar-row", has_text="non").locator(
                ".bar-figure:has-text('1 ·')").wait_for()
        assert await item(page, first).locator(".agenda-n").inner_text() == "1 réponse"
    await tab.close()


async def test_a_reordered_agenda_survives_kill_9(browser: Any, fresh_server: Any) -> None:
    server = fresh_server
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Ordre du jour")
        a, b, c, d = [await panel.add_activity(code, "choice", f"Point {i}", options=["x", "y"])
                      for i in (1, 2, 3, 4)]
    # tall enough for the whole agenda: a mouse drag cannot scroll the page
    tab = await open_panel(browser, server, code, {"width": 1024, "height": 2400})
    page = tab.page
    await item(page, a).get_by_role("button", name="Descendre « Point 1 »").click()
    await page.wait_for_function("(first) => document.querySelector('.agenda-item')"
                                 ".getAttribute('data-activity') === first", arg=b)
    assert await agenda_order(page) == [b, a, c, d]
    # drag the last one onto the first place with the mouse
    await page.drag_and_drop(f'.agenda-item[data-activity="{d}"] .drag-handle',
                             f'.agenda-item[data-activity="{b}"] .agenda-prompt')
    await page.wait_for_function("(first) => document.querySelector('.agenda-item')"
                                 ".getAttribute('data-activity') === first", arg=d)
    assert await agenda_order(page) == [d, b, a, c]
    await tab.close()

    server.kill()
    server.start()
    tab = await open_panel(browser, server, code)
    await tab.page.wait_for_selector(".agenda-item")
    assert await agenda_order(tab.page) == [d, b, a, c]
    await tab.page.click("[data-presenter=next]")  # Suivant follows the new order
    await tab.page.wait_for_selector(f"#presenter[data-current='{d}']")
    await tab.close()
