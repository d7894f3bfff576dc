"""The panel's "Timelapse & exports": what members take home is a click away, and each
click gives the real thing (report, PDF, workbook, French CSV, film, chart images)."""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from crowd.clients import Phone
from tests.browser.support import CHROMIUM, open_tab

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


async def _downloaded(page: Any, button: Any, timeout: float = 90_000) -> bytes:
    async with page.expect_download(timeout=timeout) as download:
        await button.click()
    return Path(await (await download.value).path()).read_bytes()


async def test_the_export_view_links_what_members_take_home(
        browser: Any, fresh_server: Any) -> None:
    # a server of its own: the festival's report then holds this room only (on the shared
    # server it would hold every room the other tests made)
    server = fresh_server
    tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                         {"width": 1180, "height": 820})
    page = tab.page
    await page.fill("#room-title-input", "Emporter la journée")
    await page.click("#room-form button[type=submit]")
    await page.wait_for_selector("#room-name:has-text('Emporter la journée')")
    code = (await page.inner_text("#room-code")).strip()
    await page.fill("#add-prompt", "Même date l'an prochain ?")
    await page.fill("#add-options", "oui\nnon")
    await page.click("#add-form button[type=submit]")
    item = page.locator(".agenda-item", has_text="Même date")
    await item.get_by_role("button", name="Ouvrir").click()
    await page.wait_for_selector(".agenda-item[data-state='open']")
    for choice in (0, 0, 1):
        async with Phone.connect(server.url, code) as phone:
            await phone.respond(phone.open_activities()[0]["id"], choice)
    activity = f"{code}-1"
    view = page.locator("#exports-title").locator("..")
    assert await view.get_by_role("heading", name="À emporter").is_visible()
    # the report and the film open in a new tab (a signed link: no secret in the address)
    async with page.context.expect_page(timeout=60_000) as opened:
        await view.get_by_role("button", name="Compte rendu", exact=True).click()
    report = await opened.value
    await report.wait_for_url(f"**/api/rooms/{code}/report?link=*", wait_until="domcontentloaded")
    await report.wait_for_selector("text=Même date l'an prochain ?")
    assert "3 réponses" in await report.inner_text("body")
    await report.close()
    async with page.context.expect_page(timeout=60_000) as opened:
        await view.get_by_role("button", name="Compte rendu du festival").click()
    festival = await opened.value
    await festival.wait_for_url("**/api/festival/report?link=*", wait_until="domcontentloaded")
    await festival.locator("h2.room", has_text="Emporter la journée").wait_for()
    await festival.close()
    async with page.context.expect_page(timeout=90_000) as opened:
        await view.get_by_role("button", name="Film de clôture").click()
    film = await opened.value
    await film.wait_for_url(f"**/film/{code}?link=*", timeout=90_000)
    await film.wait_for_function("() => window.crowdFilm && window.crowdFilm.ready", timeout=90_000)
    assert await film.evaluate("crowdFilm.film.figures.answers") == 3
    await film.close()
    # files, fetched with the secret in a header and saved
    pdf = await _downloaded(page, view.get_by_role("button", name="Compte rendu (PDF)"))
    assert pdf.startswith(b"%PDF")
    xlsx = await _downloaded(page, view.get_by_role("button", name="Classeur (Excel, LibreOffice)"))
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(xlsx)).namelist()
    raw = await _downloaded(page, view.get_by_role("button", name="CSV pour tableur français"))
    assert raw.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) > 5 and any("Même date l'an prochain ?" in row for row in rows)
    page_file = await _downloaded(page, view.get_by_role("button", name="Télécharger le film"))
    assert b'<html lang="fr">' in page_file and b"crowd-film" in page_file
    # the film as a video is one button among the videos (its route: test_film.py)
    assert await view.get_by_role("button", name="Film en vidéo (MP4)").count() == 1
    # each activity's chart as PNG and SVG
    await view.get_by_text("Graphiques en image (PNG, SVG)").click()
    row = view.locator(f".exports-charts li[data-activity='{activity}']")
    await row.wait_for()
    assert "Même date" in await row.inner_text()
    png = await _downloaded(page, row.get_by_role("button", name="PNG"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = await _downloaded(page, row.get_by_role("button", name="SVG"))
    assert svg.lstrip().startswith(b"<svg") and b"oui" in svg
    await tab.close()
