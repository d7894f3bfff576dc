"""The participant's festival in headless Chromium: the home page says what is on now and
next and keeps up with it, a phone goes from room to room as one device and finds its
answers on "Mon parcours" (another phone does not), and the program prints."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest

from crowd.clients import Panel
from tests.browser.support import CHROMIUM, open_tab

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

NBSP = "\u00a0"


def clock(at: float) -> str:
    """How the pages write a time of day in French: "16 h", "16 h 05"."""
    moment = time.localtime(at)
    minutes = f"{NBSP}{moment.tm_min:02d}" if moment.tm_min else ""
    return f"{moment.tm_hour}{NBSP}h{minutes}"


async def test_the_home_page_shows_what_is_on_now_and_next_live(
        browser: Any, server: Any) -> None:
    now = time.time()
    later = now + 2 * 3600
    if time.localtime(later).tm_mday != time.localtime(now).tm_mday:
        later = now + 600  # near midnight: still "today"
    tag = str(int(now * 1000))[-6:]  # this test's rooms among the session's others
    async with Panel.connect(server.url, server.secret) as panel:
        report = await panel.program_import({"format": "crowd-program", "version": 1, "rooms": [
            {"key": f"pain-{tag}", "title": f"Atelier pain {tag}", "space": "salle 2",
             "slots": [{"start": now - 600, "end": now + 1800, "title": "Le levain"}]},
            {"key": f"pleniere-{tag}", "title": f"Plénière {tag}", "space": "la grange",
             "slots": [{"start": later, "end": later + 3600, "title": "Restitution"}]},
            {"key": f"bar-{tag}", "title": f"Le bar {tag}", "space": "la cour"},
        ]})
        codes = {r["key"].split("-")[0]: r["room"] for r in report}
        tab = await open_tab(browser, server.url + "/")
        page = tab.page
        now_item = page.locator(f"#now a[data-room='{codes['pain']}']")
        await now_item.wait_for()
        assert (await now_item.inner_text()).splitlines()[0] == f"Atelier pain {tag} (salle 2)"
        next_item = page.locator(f"#next a[data-room='{codes['pleniere']}']")
        assert (await next_item.inner_text()).splitlines()[0] == (
            f"Plénière {tag} à {clock(later)}")
        assert await page.locator("#now-title").inner_text() == "En ce moment"
        assert await page.locator("#next-title").inner_text() == "Ensuite"
        # the bar has no session now: not listed, until a vote opens there
        bar = page.locator(f"#now a[data-room='{codes['bar']}']")
        assert await bar.count() == 0
        vote = await panel.add_activity(codes["bar"], kind="choice", prompt="Bière ou cidre ?",
                                        options=["bière", "cidre"])
        await panel.open(vote)
        await bar.wait_for(timeout=20_000)  # the page asks again on its own
        assert "vote en cours" in await bar.inner_text()
    # what is shown is on screen, thumb-sized, and leads to the room
    box = await now_item.bounding_box()
    assert box is not None and box["height"] >= 48 and box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    await now_item.click()
    await page.wait_for_url(f"**/r/{codes['pain']}")
    await tab.close()


async def test_a_phone_walks_through_two_rooms_as_one_device_and_reads_its_path(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        pain = await panel.create_room("Atelier pain")
        pleniere = await panel.create_room("Plénière")
        await panel.program_set(pain, "salle 2", [])
        bread = await panel.add_activity(pain, kind="choice", prompt="Levain ou levure ?",
                                         options=["Levain", "Levure"])
        ball = await panel.add_activity(pleniere, kind="choice", prompt="Un bal ce soir ?",
                                        options=["Oui", "Non"])
        call = await panel.add_activity(pleniere, kind="call", prompt="Deux bras pour les chaises",
                                        quota=2)
        for act in (bread, ball, call):
            await panel.open(act)

    phone = await open_tab(browser, f"{server.url}/r/{pain}")
    await phone.card(bread).get_by_role("button", name="Levain", exact=True).click()
    await phone.status_is(bread, "received")
    device = await phone.page.evaluate("localStorage.getItem('crowd.device')")
    # to the other room by the page's own link to the home page, then its code
    await phone.page.get_by_role("link", name="Les autres salles").click()
    await phone.page.fill("#code", pleniere)
    await phone.page.click("#join")
    await phone.page.wait_for_url(f"**/r/{pleniere}")
    await phone.card(ball).get_by_role("button", name="Non", exact=True).click()
    await phone.status_is(ball, "received")
    await phone.page.locator(f'.criee-banner[data-call="{call}"]').get_by_role(
        "button", name="J'en suis").click()
    assert await phone.page.evaluate("localStorage.getItem('crowd.device')") == device

    await phone.page.get_by_role("link", name="Mon parcours").click()
    await phone.page.wait_for_url("**/parcours")
    page = phone.page
    await page.wait_for_function("() => window.crowdJourney && window.crowdJourney.rooms.length")
    stops = page.locator(".stop")
    assert await stops.count() == 2
    assert await stops.nth(0).locator("h2").inner_text() == "Atelier pain (salle 2)"
    assert await stops.nth(1).locator("h2").inner_text() == "Plénière"
    lines = [await li.inner_text() for li in await page.locator(".stop li").all()]
    assert [line.replace("\u202f", " ").splitlines() for line in lines] == [
        ["Levain ou levure ?", "Votre réponse : Levain"],
        ["Un bal ce soir ?", "Votre réponse : Non"],
        ["Deux bras pour les chaises", "Criée : vous en êtes"]]
    for li in await page.locator(".stop li").all():  # all of it on the phone's screen
        box = await li.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    await phone.close()

    # another phone: its own (empty) path, never this one's
    other = await open_tab(browser, f"{server.url}/parcours")
    await other.page.locator("#empty").wait_for()
    assert "n'a encore répondu à rien" in await other.page.locator("#empty").inner_text()
    assert await other.page.locator(".stop").count() == 0
    await other.close()


async def test_the_printable_program_lists_the_sessions_in_time_order(
        browser: Any, server: Any) -> None:
    now = time.time()
    tag = str(int(now * 1000))[-6:]
    async with Panel.connect(server.url, server.secret) as panel:
        await panel.program_import({"format": "crowd-program", "version": 1, "rooms": [
            {"key": f"late-{tag}", "title": f"Concert {tag}", "space": "la grange",
             "slots": [{"start": now + 7200, "end": now + 9000, "title": "Fanfare"}]},
            {"key": f"early-{tag}", "title": f"Accueil {tag}", "space": "l'entrée",
             "slots": [{"start": now + 3600, "end": now + 5400, "title": ""}]},
        ]})
    tab = await open_tab(browser, server.url + "/program", {"width": 900, "height": 1200})
    page = tab.page
    rows = page.locator(".program tr").filter(has_text=tag)
    await rows.first.wait_for()
    texts = [await r.inner_text() for r in await rows.all()]
    assert len(texts) == 2
    assert f"Accueil {tag}" in texts[0] and clock(now + 3600) in texts[0]  # earlier first
    assert f"Concert {tag} · Fanfare" in texts[1] and "la grange" in texts[1]
    await page.emulate_media(media="print")
    assert not await page.locator("#print").is_visible()  # no buttons on paper
    colour = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert colour in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    await tab.close()


async def test_the_panel_imports_a_program_file_and_says_what_it_did(
        browser: Any, server: Any, tmp_path: Any) -> None:
    now = time.time()
    tag = str(int(now * 1000))[-6:]
    program = {"format": "crowd-program", "version": 1, "rooms": [
        {"key": f"compost-{tag}", "title": f"Atelier compost {tag}", "space": "le jardin",
         "slots": [{"start": now + 600, "end": now + 4200, "title": "Composter"}],
         "activities": [{"kind": "choice", "prompt": "Bac ou tas ?", "options": ["bac", "tas"],
                         "open_at": now + 700}]}]}
    file = tmp_path / "programme.json"
    file.write_text(json.dumps(program, ensure_ascii=False))
    tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                         {"width": 1180, "height": 820})
    page = tab.page
    await page.locator("#program-import").wait_for(state="attached")
    await page.set_input_files("#program-import", str(file))
    line = page.locator("#program-report li")
    await line.first.wait_for()
    assert (await line.first.inner_text()).replace("\u202f", " ") == (
        f"Atelier compost {tag} : créée, 1 activité ajoutée")
    await page.get_by_role("button", name=f"Atelier compost {tag}").wait_for()
    # the same file again: nothing changes, and the panel says so
    await page.set_input_files("#program-import", str(file))
    await page.locator("#program-report li").filter(has_text="rien de changé").wait_for()
    # a broken file: refused, with where, in French
    program["rooms"][0]["slots"][0]["end"] = now
    file.write_text(json.dumps(program, ensure_ascii=False))
    await page.set_input_files("#program-import", str(file))
    flash = page.locator("#flash.flash-error")
    await flash.wait_for()
    text = (await flash.inner_text()).replace("\u202f", " ").replace("\u00a0", " ")
    assert "Salle n° 1" in text and "créneau n° 1 : il doit finir après son début" in text.lower()
    await tab.close()


async def test_the_panel_sets_a_rooms_place_and_slots_typed_the_french_way(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Atelier vélo")
    tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                         {"width": 1180, "height": 820})
    page = tab.page
    await page.get_by_role("button", name=code).click()
    await page.wait_for_selector(f"#room-code:has-text('{code}')")
    await page.fill("#room-space", "la cour")
    await page.fill("#room-slots", "demain 10h-11h30 Réparer son vélo\ndemain 14h - 13h Faux")
    await page.locator("#room-program button[type=submit]").click()
    await page.locator("#flash.flash-error").filter(has_text="Ligne 2").wait_for()
    await page.fill("#room-slots", "demain 10h-11h30 Réparer son vélo")
    await page.locator("#room-program button[type=submit]").click()
    await page.locator("#flash.flash-ok").filter(has_text="enregistrés").wait_for()
    async with Panel.connect(server.url, server.secret) as panel:
        state = await panel.watch(code)
    assert state["space"] == "la cour"
    [slot] = state["slots"]
    start = time.localtime(slot["start"])
    assert (start.tm_hour, start.tm_min, slot["end"] - slot["start"], slot["title"]) == (
        10, 0, 5400, "Réparer son vélo")
    assert start.tm_yday != time.localtime().tm_yday  # tomorrow
    # shown again as typed (a date first: not today)
    await page.reload()
    await page.get_by_role("button", name=code).click()
    value = page.locator("#room-slots")
    await page.wait_for_function(
        "() => document.getElementById('room-slots').value.endsWith('10h-11h30 Réparer son vélo')")
    assert (await value.input_value()).split(" ")[0] == f"{start.tm_mday}/{start.tm_mon}"
    await tab.close()
