"""The criée from the panel, in headless Chromium against a real server: calls ask a
first name by default (rosters showed "–" for every volunteer); the roster shows who is
confirmed, who waits and who withdrew, with times, after a reload too; the workshop
lead gets a printable list."""

from __future__ import annotations

import os
from typing import Any

import pytest

from crowd.clients import Phone
from tests.browser.support import CHROMIUM
from tests.browser.test_panel_presenter import open_panel

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


async def test_a_call_asks_a_name_and_its_roster_shows_who_withdrew_and_prints(
        browser: Any, server: Any) -> None:
    from crowd.clients import Panel

    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Criée du soir")
    tab = await open_panel(browser, server, code, {"width": 1280, "height": 1400})
    page = tab.page
    assert await page.is_checked("#criee-form input[name=ask-nickname]")  # on by default
    assert await page.is_checked("#add-ask-nickname")
    await page.fill("#criee-form input[name=title]", "Deux bras pour la buvette")
    await page.fill("#criee-form input[name=quota]", "1")
    await page.click("#criee-form button[type=submit]")
    item = page.locator(".agenda-item", has_text="Deux bras pour la buvette")
    await item.wait_for()
    call = await item.get_attribute("data-activity")

    async with Phone.connect(server.url, code) as ana, Phone.connect(server.url, code) as bruno:
        activity = ana.open_activities()[0]
        assert activity["id"] == call and activity["ask_nickname"] is True
        await ana.volunteer(call, nickname="Ana")
        await bruno.volunteer(call, nickname="Bruno")
        await item.locator("tr[data-status=waiting]", has_text="Bruno").wait_for()
        await ana.withdraw(call)
    rows = item.locator(".roster tbody tr")
    await item.locator("tr[data-status=withdrawn]", has_text="Ana").wait_for()
    assert [await r.get_attribute("data-status") for r in await rows.all()] == [
        "confirmed", "withdrawn"]
    withdrawn = await item.locator("tr[data-status=withdrawn]").inner_text()
    assert "retiré·e à" in withdrawn

    await page.reload()  # the withdrawals come back with the room
    item = page.locator(f'.agenda-item[data-activity="{call}"]')
    await item.locator("tr[data-status=withdrawn]", has_text="Ana").wait_for()

    async with page.expect_popup() as opened:
        await item.get_by_role("button", name="Imprimer la liste").click()
    sheet = await opened.value
    await sheet.wait_for_selector("table")
    assert await sheet.title() == "Deux bras pour la buvette"
    text = await sheet.inner_text("body")
    assert "Bruno" in text and "Ana" in text and "Présent·e" in text
    assert await sheet.locator("tr.withdrawn", has_text="Ana").count() == 1
    await sheet.close()
    await tab.close()
