"""The panel's view of an opinion map in headless Chromium: per group, the statements
that define it, with the agree shares inside and outside the group as the server
computed them."""

from __future__ import annotations

import contextlib
import math
import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, snapshot
from tests.browser.test_panel_presenter import open_panel

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

STATEMENTS = ["Mutualiser un four entre boulangeries", "Vendre aussi en ligne",
              "Garder une seule assemblée générale par an", "Salarier un livreur commun",
              "Acheter le terrain de la grange"]
NNBSP = "\u202f"


def share(x: float) -> str:
    """As the page rounds (JavaScript's Math.round: halves up)."""
    return f"{math.floor(100 * x + 0.5)}{NNBSP}%"


async def test_the_panel_reads_what_defines_each_group(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Carte du panel")
        act = await panel.add_activity(code, "opinion", "Notre coopérative dans cinq ans",
                                       statements=STATEMENTS)
        await panel.open(act)
        tab = await open_panel(browser, server, code)
        item = tab.page.locator(f'.agenda-item[data-activity="{act}"]')
        # a few votes: no groups yet, and the panel says what is missing
        phone = await stack.enter_async_context(Phone.connect(server.url, code))
        await phone.respond(act, {"statement": 0, "vote": 1})
        await item.locator(".opinion-nogroups").wait_for()
        assert "5 par personne" in await item.locator(".opinion-nogroups").inner_text()
        # a room in two camps: 8 agree with the first three statements, 6 disagree
        for n in range(14):
            voter = phone if n == 0 else await stack.enter_async_context(
                Phone.connect(server.url, code))
            for s in range(5):
                camp = 1 if n < 8 else -1
                await voter.respond(act, {"statement": s, "vote": camp if s < 3 else 1})
        groups = item.locator(".opinion-group")
        await tab.page.wait_for_function(
            "(sel) => document.querySelectorAll(sel).length === 2",
            arg=f'.agenda-item[data-activity="{act}"] .opinion-group')
        snap = await snapshot(tab, server, act)
        for g, group in enumerate(snap["groups"]):
            shown = groups.nth(g)
            assert await shown.locator(".opinion-group-title").inner_text() == \
                f"Groupe {'AB'[g]} · {group['size']} personnes"
            rows = shown.locator(".opinion-def")
            assert await rows.count() == len(group["representative"]) > 0
            for k, s in enumerate(group["representative"]):
                row = rows.nth(k)
                assert await row.locator(".opinion-def-text").inner_text() == STATEMENTS[s]
                stance = "le groupe est d'accord" if group["stance"][k] == 1 \
                    else "le groupe n'est pas d'accord"
                assert await row.locator(".opinion-def-figures").inner_text() == (
                    f"{stance} · d'accord{NNBSP}: {share(group['agree'][k])} dans le groupe, "
                    f"{share(group['agree_out'][k])} hors du groupe")
        # the camp of 8 agrees with the first statement (by hand: (8 + 1) / (8 + 2) = 0.9
        # inside, (0 + 1) / (6 + 2) = 0.125 outside), and the page says so
        big = next(g for g in snap["groups"] if g["size"] == 8)
        k = big["representative"].index(0)
        assert big["agree"][k] == pytest.approx(0.9) and big["agree_out"][k] == 0.125
        box = await groups.first.bounding_box()
        assert box is not None and box["width"] > 200
    await tab.close()
