"""The panel says every refusal in the animator's language (headless Chromium, a real
server): the server's English message is for the Python clients only."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from crowd.clients import Panel
from tests.browser.support import CHROMIUM, open_tab

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

PANEL_VIEWPORT = {"width": 1024, "height": 768}


async def test_a_refused_agenda_is_explained_in_french_then_in_english(
        browser: Any, server: Any, tmp_path: Path) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Erreurs lisibles")
    tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}", PANEL_VIEWPORT)
    page = tab.page
    await page.locator(".room-btn", has_text=code).click()
    await page.wait_for_selector(f"#room-code:has-text('{code}')")
    bad = tmp_path / "agenda.json"
    bad.write_text(json.dumps({"activities": [
        {"kind": "choice", "prompt": "Bon", "options": ["a", "b"]},
        {"kind": "choice", "prompt": "Une seule option", "options": ["seule"]}]}))
    await page.set_input_files("#import", bad)
    flash = page.locator("#flash.flash-error")
    await flash.wait_for()
    text = await flash.inner_text()
    assert text == ("Demande refusée — Activité n°\u00a02\u202f: "
                    "Options\u202f: entre 2 et 20 lignes")
    assert "needs" not in text and "entries" not in text

    await page.click("#lang")  # the same refusal in English
    await page.set_input_files("#import", bad)
    await page.wait_for_selector("#flash.flash-error:has-text('Request refused')")
    assert await flash.inner_text() == ("Request refused — Activity no. 2: "
                                        "Options: between 2 and 20 lines")
    await page.click("#lang")
    await tab.close()
