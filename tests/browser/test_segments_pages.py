"""Cross-tab segments in headless Chromium: the animator chooses "Découper par" in the
panel, phones answer both polls, and the projector and the panel show the split, inside
the screen; a cell of 4 people never appears, on either page."""

from __future__ import annotations

import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, open_tab
from tests.browser.test_panel_presenter import open_panel

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

NNBSP = "\u202f"
# Producteurs: 10 Oui, 4 Non (the 4 must never show); Mangeurs: 12 Oui, 6 Non.
PLAN = [(0, 0)] * 10 + [(0, 1)] * 4 + [(1, 0)] * 12 + [(1, 1)] * 6

CELLS = """(root) => Array.from(document.querySelectorAll(root + ' .split-row[data-segment]'))
    .map((row) => Array.from(row.querySelectorAll('.split-cell')).map((c) =>
        c.getAttribute('data-count')))"""


async def test_the_panel_splits_a_poll_and_small_cells_never_show(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Marché")
        who = await panel.add_activity(code, "choice", "Vous êtes ?",
                                       options=["Producteurs", "Mangeurs"])
        vote = await panel.add_activity(code, "choice", "Un marché le jeudi ?",
                                        options=["Oui", "Non"])
        for act in (who, vote):
            await panel.open(act)
        await panel.project(vote, room=code)

        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        tab = await open_panel(browser, server, code)
        item = tab.page.locator(f'.agenda-item[data-activity="{vote}"]')
        select = item.locator("select.segment-select")
        await select.wait_for()
        assert await tab.page.locator(
            f'.agenda-item[data-activity="{who}"] select.segment-select').count() == 1
        await select.select_option(label="Vous êtes ?")
        await screen.page.locator("#split .split-table").wait_for()
        assert await screen.page.inner_text("#split .split-title") == \
            f"Selon «{NNBSP}Vous êtes ?{NNBSP}»"  # the question as the animator wrote it

        for group, choice in PLAN:
            async with Phone.connect(server.url, code) as phone:
                await phone.respond(who, group)
                await phone.respond(vote, choice)

        # all 32 in: both segments sized, their cells hidden in pairs (the 4, the 10 that
        # the 14 would give it away with, then the column partners 12 and 6)
        await screen.page.wait_for_function(
            "() => document.querySelector('#answers').textContent.startsWith('32')")
        await screen.page.wait_for_selector("#split .split-n:has-text('18')")
        shown = await screen.page.evaluate(CELLS, "#split")
        assert shown == [[None, None], [None, None]]
        text = await screen.page.inner_text("#split")
        assert "14 personnes" in text and "18 personnes" in text
        assert "(4)" not in text and "(10)" not in text

        # one more producer says Non: 10 / 5 and 12 / 6, every cell shown
        async with Phone.connect(server.url, code) as phone:
            await phone.respond(who, 0)
            await phone.respond(vote, 1)
        await screen.page.wait_for_selector("#split .split-cell[data-count='5']")
        assert await screen.page.evaluate(CELLS, "#split") == [["10", "5"], ["12", "6"]]
        first = screen.page.locator("#split .split-row[data-segment='0'] .split-cell").first
        assert await first.inner_text() == f"67{NNBSP}% (10)"
        box = await screen.page.locator("#split").bounding_box()
        assert box is not None and box["height"] > 40
        assert box["y"] + box["height"] <= SCREEN_VIEWPORT["height"]
        assert box["x"] >= 0 and box["x"] + box["width"] <= SCREEN_VIEWPORT["width"]
        chart = await screen.page.locator("#chart").bounding_box()
        assert chart is not None and chart["height"] > 150  # the bars keep their room

        # the panel shows the same table under the live counts
        await item.locator(".split-cell[data-count='5']").wait_for()
        assert await tab.page.evaluate(CELLS, f'.agenda-item[data-activity="{vote}"]') == \
            [["10", "5"], ["12", "6"]]

        # revealed, a phone reads the same table under its bars, within its screen
        phone = await open_tab(browser, f"{server.url}/r/{code}")
        await panel.close(vote)
        await panel.reveal(vote)
        await phone.page.wait_for_selector(f'.card.folded[data-activity="{vote}"]')
        await phone.card(vote).get_by_role("button", name="Un marché le jeudi").click()
        cells = phone.card(vote).locator(".split-table")
        await cells.wait_for()
        assert await phone.page.evaluate(CELLS, f'.card[data-activity="{vote}"]') == \
            [["10", "5"], ["12", "6"]]
        box = await cells.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert await phone.page.evaluate(
            "() => document.documentElement.scrollWidth <= innerWidth")
        await phone.close()

        # "Pas de découpage": the table goes away
        await select.select_option(label="Pas de découpage")
        await screen.page.wait_for_selector("#split", state="hidden")
    await tab.close()
    await screen.close()


async def test_a_poll_split_by_the_groups_of_an_opinion_map(browser: Any, server: Any) -> None:
    statements = ["Un four commun", "Vendre en ligne", "Un livreur", "La grange", "Une AG"]
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Carte et marché")
        vote = await panel.add_activity(code, "choice", "Un marché le jeudi ?",
                                        options=["Oui", "Non"])
        opinion = await panel.add_activity(code, "opinion", "Dans cinq ans",
                                           statements=statements)
        for act in (vote, opinion):
            await panel.open(act)
        await panel.project(vote, room=code)
        await panel.segment(vote, opinion)
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        await screen.page.locator("#split .split-note").wait_for()
        assert "pas encore de groupes" in await screen.page.inner_text("#split")
        # two camps: 8 agree with the first three statements and vote Oui, 6 do not
        for n in range(14):
            camp = 1 if n < 8 else -1
            async with Phone.connect(server.url, code) as phone:
                await phone.respond(vote, 0 if camp == 1 else 1)
                for s in range(5):
                    await phone.respond(opinion, {"statement": s,
                                                  "vote": camp if s < 3 else 1})
        await screen.page.wait_for_selector("#split .split-cell[data-count='6']")
        assert await screen.page.evaluate(CELLS, "#split") == [["8", "0"], ["0", "6"]]
        labels = await screen.page.locator("#split .split-row[data-segment] .split-label")\
            .all_inner_texts()
        assert [label.split("\n")[0] for label in labels] == ["Groupe A", "Groupe B"]
    await screen.close()
