"""Screenshots of the animator's presenter view (1440 px), remote (390 px) and agenda
(1180 px, `panel.png`) for the
docs: `python scripts/panel_screenshots.py` (needs Debian's chromium and Playwright).

A real server on a temporary database, a small plenary driven through the Python
clients (a few phones answering), then the panel page in headless Chromium."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

from crowd.clients import Panel, Phone
from crowd.clients.launcher import ServerProcess

ROOT = Path(__file__).resolve().parents[1]
SECRET = "screenshot-secret"
CHROMIUM = "/usr/bin/chromium"


async def plenary(url: str) -> str:
    async with Panel.connect(url, SECRET) as panel:
        code = await panel.create_room("Plénière des coopératives")
        first = await panel.add_activity(code, "choice", "On repeint la grange en quelle couleur ?",
                                         options=["Rouge brique", "Vert sapin", "Bleu ciel"])
        await panel.add_activity(code, "words", "Un mot pour la journée ?")
        await panel.add_activity(code, "estimate", "Combien pèse la vache ?", unit="kg")
        await panel.advance(code)
        async with contextlib.AsyncExitStack() as stack:
            phones = [await stack.enter_async_context(Phone.connect(url, code))
                      for _ in range(12)]
            for i, phone in enumerate(phones[:9]):
                await phone.respond(first, [0, 1, 1, 2, 1, 0, 1, 2, 1][i])
            await shoot(url, code)
    return code


async def shoot(url: str, code: str) -> None:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True)
        for name, viewport, remote in (("presenter", {"width": 1440, "height": 900}, False),
                                       ("remote", {"width": 390, "height": 844}, True)):
            page = await browser.new_page(viewport=viewport)
            await page.goto(f"{url}/panel#secret={SECRET}")
            await page.locator(".room-btn", has_text=code).click()
            await page.wait_for_selector("#presenter-answered:has-text('9')")
            if remote:
                await page.click("#remote-toggle")
            else:
                await page.locator("#presenter").scroll_into_view_if_needed()
            await page.evaluate("window.scrollTo(0, 0)")
            await page.wait_for_timeout(1200)  # the clock shows a second or so
            await page.screenshot(path=str(ROOT / "docs" / "img" / f"{name}.png"))
            await page.close()
        # the agenda: each activity's commands and when the projector shows its figures
        page = await browser.new_page(viewport={"width": 1180, "height": 900})
        await page.goto(f"{url}/panel#secret={SECRET}")
        await page.locator(".room-btn", has_text=code).click()
        await page.locator(".agenda-item .results-switch").first.wait_for()
        await page.locator(".agenda-item").first.scroll_into_view_if_needed()
        await page.wait_for_timeout(600)
        await page.screenshot(path=str(ROOT / "docs" / "img" / "panel.png"))
        await page.close()
        await browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "crowd.db", secret=SECRET)
        server.start()
        try:
            asyncio.run(plenary(server.url))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
