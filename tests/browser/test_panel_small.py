"""The panel on a phone and on an upright tablet, measured in headless Chromium: at 360
and 390 px nothing is wider than the screen (the page was 620 px wide at 390 and cut
"Changer de code" and "EN"), the targets are big, the remote keeps the four commands; at
768 px no field is squeezed (the quick criée's title was 90 px wide)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM
from tests.browser.test_panel_presenter import open_panel

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= innerWidth"

#: Visible elements sticking out of the viewport, for the failure message.
OUTSIDE = """() => Array.from(document.querySelectorAll('body *')).filter((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5);
}).map((el) => el.tagName + '.' + el.className).slice(0, 10)"""

#: Visible buttons (and button-like labels) lower than `min` px: [text, height].
SMALL_TARGETS = """(min) => Array.from(document.querySelectorAll('button, .btn, summary'))
    .filter((el) => el.offsetParent !== null && !el.closest('.hidden'))
    .map((el) => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
    .filter(([, height]) => height < min)"""

#: Visible fields and their widths: [id, type, width].
FIELDS = """() => Array.from(document.querySelectorAll('input, textarea, select'))
    .filter((el) => el.offsetParent !== null && el.type !== 'checkbox' && el.type !== 'file'
        && el.type !== 'hidden')
    .map((el) => [el.id || el.name, el.type, el.getBoundingClientRect().width,
        el.classList.contains('input-small')])"""


async def room_with_everything(server: Any) -> tuple[str, str]:
    """A room whose agenda has every kind of card: a poll with answers, an estimate with
    its tools, a call with a roster, a long prompt."""
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Assemblée générale des coopératives du Grand Ouest")
        poll = await panel.add_activity(
            code, "choice", "Anticonstitutionnellement, quelle proposition retenez-vous pour "
            "l'organisation de la prochaine assemblée ?",
            options=["Proposition numéro un, très longue à lire", "Deux", "Trois"])
        estimate = await panel.add_activity(code, "estimate", "Combien pèse la vache ?", unit="kg")
        await panel.add_activity(code, "words", "Un mot ?")
        call = await panel.call(code, "Six bras pour ranger les chaises", 6, ask_contact=True)
        await panel.open(estimate)
        async with Phone.connect(server.url, code) as phone:
            await phone.respond(estimate, 500)
            await phone.volunteer(call, nickname="Maximilien-Alexandre",
                                  contact="maximilien.alexandre@cooperative-exemple.org")
        await panel.open(poll)
        await panel.project(poll)
    return code, poll


@pytest.mark.parametrize("width", [360, 390])
async def test_the_panel_fits_a_phone_without_sideways_scroll(
        browser: Any, server: Any, width: int) -> None:
    code, poll = await room_with_everything(server)
    tab = await open_panel(browser, server, code, {"width": width, "height": 800})
    page = tab.page
    await page.wait_for_selector(f"#presenter[data-current='{poll}']")
    await page.wait_for_selector(".roster")  # the call's roster is in the agenda
    for lang in ("fr", "en"):
        assert await page.get_attribute("html", "lang") == lang
        assert await page.evaluate(NO_SIDEWAYS_SCROLL), await page.evaluate(OUTSIDE)
        for selector in ("#logout", "#lang"):  # the top bar's buttons are whole and on screen
            box = await page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        assert await page.evaluate(SMALL_TARGETS, 44) == []
        await page.click("#lang")
    await page.wait_for_selector("html[lang=fr]")
    # the remote: the four commands, big, and still nothing sideways
    await page.click("#remote-toggle")
    await page.wait_for_selector("body.remote")
    assert await page.is_hidden(".agenda") and await page.is_hidden(".add")
    assert await page.evaluate(NO_SIDEWAYS_SCROLL), await page.evaluate(OUTSIDE)
    buttons = page.locator(".presenter-controls .btn")
    assert [await b.inner_text() for b in await buttons.all()] == [
        "Précédent", "Suivant", "Révéler", "Ne plus projeter"]
    for button in await buttons.all():
        box = await button.bounding_box()
        assert box is not None and box["height"] >= 72 and box["width"] >= width / 2 - 40
    await page.reload()  # the remote is remembered on this device
    await page.wait_for_selector("body.remote")
    await page.click("#remote-toggle")
    await tab.close()


async def test_at_768_px_no_field_is_squeezed(browser: Any, server: Any) -> None:
    code, _ = await room_with_everything(server)
    tab = await open_panel(browser, server, code, {"width": 768, "height": 1024})
    page = tab.page
    await page.wait_for_selector(".roster")
    await page.click(".criee-more summary")  # the call's other fields too
    assert await page.evaluate(NO_SIDEWAYS_SCROLL), await page.evaluate(OUTSIDE)
    fields = await page.evaluate(FIELDS)
    assert len(fields) >= 8
    for name, kind, width, small in fields:
        least = 96 if kind == "number" or small else 200
        assert width >= least, f"{name} ({kind}) is {width:.0f} px wide"
    title = await page.locator("#criee-form input[name=title]").bounding_box()
    assert title is not None and title["width"] >= 300  # was 90
    await tab.close()
