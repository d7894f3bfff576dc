"""The report a cooperative keeps, as the browser renders it: French figures and plurals,
no internal field name, every chart drawn, and it prints."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, open_tab

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

#: Words of the code and the protocol that a report for people must never show.
INTERNAL = ["counts", "shares", "ci_low", "ci_high", "borda", "pairwise", "mean_shares",
            "snapshot", "choice", "estimate", "bimodal", "resultant_length", "rayleigh",
            "trend.t", "None", "NaN", "undefined", "(s)"]


async def test_the_report_reads_as_a_report(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Assemblée du Gâtinais")
        poll = await panel.add_activity(code, "choice", "Pain ou brioche ?",
                                        options=["pain", "brioche", "les deux"])
        cow = await panel.add_activity(code, "estimate", "Combien pèse la vache ?", unit="kg")
        for act in (poll, cow):
            await panel.open(act)
        for n, (choice, guess) in enumerate([(1, 1200), (1, 1450.5), (0, 980), (1, 2100)]):
            phone = await stack.enter_async_context(Phone.connect(server.url, code))
            await phone.respond(poll, choice)
            await phone.respond(cow, guess)
            assert n >= 0
        for act in (poll, cow):
            await panel.close(act)
            await panel.reveal(act)
    tab = await open_tab(browser, f"{server.url}/api/rooms/{code}/report",
                         {"width": 1100, "height": 900})
    page = tab.page
    # BokehJS draws each figure in a shadow root inside its .chart element
    drawn = ("[...document.querySelectorAll('.chart')].filter(c => c.firstElementChild"
             " && c.firstElementChild.shadowRoot"
             " && c.firstElementChild.getBoundingClientRect().height > 200).length")
    await page.wait_for_function(f"() => {drawn} >= 2")
    assert await page.evaluate("document.documentElement.lang") == "fr"
    text = await page.inner_text("body")
    assert "brioche\u202f: 75\u202f%" in text and "écart avec le 2e\u202f: 50\u202fpoints" in text
    assert "4 réponses" in text and "médiane 1\u202f325\u202fkg" in text
    for word in INTERNAL:
        assert word not in text, word
    # each chart drawn where its section is, inside the page's width
    for box in [await c.bounding_box() for c in await page.query_selector_all(".chart > *")]:
        assert box is not None and box["width"] > 500 and box["height"] > 200
    await page.emulate_media(media="print")
    pdf = await page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    reply = await page.request.get(f"{server.url}/api/rooms/{code}/report.pdf",
                                   headers={"X-Crowd-Secret": server.secret})
    assert reply.ok and reply.headers["content-type"] == "application/pdf"
    printed = await reply.body()
    assert printed.startswith(b"%PDF") and len(printed) > 10_000  # the server's own PDF
    english = await open_tab(browser, f"{server.url}/api/rooms/{code}/report?lang=en")
    await english.page.wait_for_function(f"() => {drawn} >= 2")
    assert "brioche: 75%" in await english.page.inner_text("body")
    await tab.close()
    await english.close()


async def test_the_festivals_report_has_every_room(browser: Any, server: Any) -> None:
    """One page for the whole festival: each room with what it showed, charts drawn."""
    rooms = {"Salle du four": "Quel pain demain ?", "Grange": "Quelle musique ce soir ?"}
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        for title, prompt in rooms.items():
            code = await panel.create_room(title)
            shown = await panel.add_activity(code, "choice", prompt, options=["a", "b"])
            kept = await panel.add_activity(code, "choice", f"{title} : entre animateurs",
                                            options=["x", "y"])
            for act in (shown, kept):
                await panel.open(act)
            phone = await stack.enter_async_context(Phone.connect(server.url, code))
            await phone.respond(shown, 1)
            await phone.respond(kept, 0)
            await panel.close(shown)
            await panel.reveal(shown)
    tab = await open_tab(browser, f"{server.url}/api/festival/report",
                         {"width": 1100, "height": 900})
    page = tab.page
    assert await page.evaluate("document.documentElement.lang") == "fr"
    for title, prompt in rooms.items():
        room = page.locator("h2.room", has_text=title)
        assert await room.count() == 1
        section = page.locator("section", has_text=prompt)
        await section.locator(".chart > *").wait_for()
        assert "b\u202f: 100\u202f%" in await section.inner_text()
    text = await page.inner_text("body")
    assert "entre animateurs" not in text  # not revealed: not in the public report
    assert "Compte rendu · " in text and " salles" in text
    english = await open_tab(browser, f"{server.url}/api/festival/report?lang=en")
    assert "b: 100%" in await english.page.inner_text("body")
    await tab.close()
    await english.close()
