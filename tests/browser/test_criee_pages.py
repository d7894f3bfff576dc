"""The criée in headless Chromium: the panel page shouts a call, phones ring and answer.

The panel page launches a call with its quick form; each phone page shows the banner
and vibrates (navigator.vibrate is stubbed to record its patterns), the first "J'en
suis" is confirmed, the second waits with its position; when the first withdraws, the
second page announces its promotion. The screen page keeps a gauge per open call with
a red COMPLET. Every wait is on what a page shows: never a sleep.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, Tab, open_tab

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


# Phones record their vibrations instead of buzzing.
VIBRATE = """
window.__vibrations = [];
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
"""


def banner(tab: Tab, call: str) -> Any:
    return tab.page.locator(f'.criee-banner[data-call="{call}"]')


async def vibrations(tab: Tab) -> list[list[int]]:
    return list(await tab.page.evaluate("window.__vibrations"))


async def test_a_call_from_the_panel_rings_phones_fills_up_and_promotes(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Grande criée")

    panel_tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                               {"width": 1180, "height": 820})
    page = panel_tab.page
    await page.get_by_role("button", name=code).click()
    await page.wait_for_selector(f"#room-code:has-text('{code}')")
    first = await open_tab(browser, f"{server.url}/r/{code}", init_script=VIBRATE)
    second = await open_tab(browser, f"{server.url}/r/{code}", init_script=VIBRATE)
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    for tab in (first, second):
        await tab.page.wait_for_selector("#room-title:has-text('Grande criée')")
    await screen.page.wait_for_selector("#join-title:has-text('Grande criée')")

    # The quick form: a title, one place, and the call asks for a nickname.
    form = page.locator("#criee-form")
    await form.get_by_label("Titre de l'appel").fill("Vaisselle après le repas")
    await form.get_by_label("Places").fill("1")
    await form.locator("summary").click()
    await form.get_by_label("Lieu (facultatif)").fill("Cuisine")
    await form.get_by_label("Demander un prénom ou pseudo").check()
    await form.get_by_role("button", name="Lancer l'appel").click()
    await page.wait_for_selector("#criee-form .form-message:has-text('Appel lancé')")
    item = page.locator(".agenda-item[data-state='open']", has_text="Vaisselle après le repas")
    await item.wait_for()
    call = await item.get_attribute("data-activity")
    assert call

    # Both phones show the banner, and buzzed.
    for tab in (first, second):
        b = banner(tab, call)
        await b.wait_for()
        assert await b.locator(".criee-title").inner_text() == "Vaisselle après le repas"
        assert "Cuisine" in await b.locator(".criee-meta").inner_text()
        # the call arrives with its figures: the places still free out of the quota
        assert await b.locator(".criee-places").inner_text() == "Encore 1 place sur 1"
        assert await b.get_by_label("Comment vous joindre (téléphone, courriel)").is_hidden()
        assert await vibrations(tab) == [[200, 100, 200]]

    # Without a nickname the call refuses politely; with one, first come is first served.
    await banner(first, call).get_by_role("button", name="J'en suis").click()
    await banner(first, call).locator(".error-text:has-text('Indiquez un prénom')").wait_for()
    await banner(first, call).get_by_label("Prénom ou pseudo").fill("Camille")
    await banner(first, call).get_by_role("button", name="J'en suis").click()
    await banner(first, call).locator(".criee-status:has-text('Vous êtes pris ✓')").wait_for()
    await banner(second, call).get_by_label("Prénom ou pseudo").fill("Dominique")
    await banner(second, call).get_by_role("button", name="J'en suis").click()
    await banner(second, call).locator(
        ".criee-status:has-text('Liste d\\'attente : position 1')").wait_for()
    assert await banner(second, call).get_by_role("button", name="Me retirer").is_visible()

    # The screen: one gauge, full; the panel: the roster, with its CSV.
    card = screen.page.locator(f'.calls .call-card[data-call="{call}"]')
    await card.locator(".call-full:has-text('COMPLET')").wait_for()
    assert "1 / 1" in await card.locator(".call-figure").inner_text()
    assert await card.locator(".call-waiting").inner_text() == "+ 1 en attente"
    await item.locator(".roster tbody tr:nth-child(2)").wait_for()
    assert await item.locator(".full-badge").inner_text() == "COMPLET"
    rows = [await r.inner_text() for r in await item.locator(".roster tbody tr").all()]
    assert "Camille" in rows[0] and "pris" in rows[0]
    assert "Dominique" in rows[1] and "attente n° 1" in rows[1]
    async with page.expect_download() as download:
        await item.get_by_role("button", name="Exporter (CSV)").click()
    path = await (await download.value).path()
    table = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [(r["nickname"], r["status"], r["position"]) for r in table] == [
        ("Camille", "confirmed", ""), ("Dominique", "waiting", "1")]

    # Camille withdraws: Dominique's page says so, loud and clear.
    await banner(first, call).get_by_role("button", name="Me retirer").click()
    await banner(first, call).locator(".criee-status:has-text('Vous vous êtes retiré')").wait_for()
    notice = banner(second, call).locator(".criee-notice")
    await notice.wait_for()
    assert await notice.inner_text() == "Une place s'est libérée\u202f: vous êtes pris\u202f!"
    assert await notice.get_attribute("role") == "alert"
    assert await banner(second, call).locator(".criee-status").inner_text() == "Vous êtes pris ✓"
    assert await vibrations(second) == [[200, 100, 200], [200, 100, 200]]

    # A reload keeps the place (welcome.calls).
    await second.page.reload()
    await banner(second, call).locator(".criee-status:has-text('Vous êtes pris ✓')").wait_for()

    # One more place: the screen's gauge is no longer full; closing takes it off the strip.
    await item.get_by_role("button", name="+1 place").click()
    await screen.page.wait_for_selector(f'.call-card[data-call="{call}"]:not(.is-full)')
    assert "1 / 2" in await card.locator(".call-figure").inner_text()
    await item.get_by_role("button", name="Fermer").click()
    await screen.page.wait_for_selector(f'.call-card[data-call="{call}"]', state="detached")
    assert await screen.page.locator("#calls").is_hidden()
    for tab in (first, second):
        await banner(tab, call).locator(".criee-state:has-text('Appel clos')").wait_for()
    assert await banner(first, call).get_by_role("button", name="J'en suis").is_hidden()

    for tab in (panel_tab, first, second, screen):
        await tab.close()


async def test_several_calls_share_the_screen_strip(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Deux appels")
        dishes = await panel.call(code, "Vaisselle", 3)
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        await screen.page.wait_for_selector(f'.call-card[data-call="{dishes}"]')  # from welcome
        tent = await panel.call(code, "Montage du chapiteau", 2, place="Pré du bas")
        await screen.page.wait_for_selector(f'.call-card[data-call="{tent}"]')  # from `activity`
        assert await screen.page.locator(".calls .call-card").count() == 2
        assert await screen.page.evaluate("window.crowdScreen.calls") == [dishes, tent]

        # Projected, a call takes the stage and leaves the strip to the others.
        await panel.project(tent, room=code)
        await screen.page.wait_for_function(
            "(id) => window.crowdScreen.activity === id && window.crowdScreen.lastChart", arg=tent)
        assert await screen.page.locator(".calls .call-card").count() == 1
        assert await screen.page.locator("#answers").inner_text() == "0 volontaire"
        assert await screen.page.locator("#insight").inner_text() == "Pré du bas"
        await panel.close_call(dishes)
        await screen.page.wait_for_selector("#calls", state="hidden")
    await screen.close()


async def test_a_call_prepared_in_the_agenda_rings_when_opened(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Appel préparé")

    panel_tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                               {"width": 1180, "height": 820})
    page = panel_tab.page
    await page.get_by_role("button", name=code).click()
    await page.wait_for_selector(f"#room-code:has-text('{code}')")
    await page.select_option("#add-kind", "call")
    assert await page.locator("label[data-field='prompt'] span").inner_text() == "Titre de l'appel"
    await page.fill("#add-prompt", "Rangement des chaises")
    await page.fill("#add-quota", "4")
    await page.fill("#add-when", "après la plénière")
    await page.check("#add-ask-contact")
    assert await page.is_checked("#add-ask-nickname")  # a first name is asked by default
    await page.uncheck("#add-ask-nickname")  # this call asks a contact only
    await page.click("#add-form button[type=submit]")
    item = page.locator(".agenda-item[data-state='draft']", has_text="Rangement des chaises")
    await item.wait_for()
    call = await item.get_attribute("data-activity")
    assert call

    phone = await open_tab(browser, f"{server.url}/r/{code}", init_script=VIBRATE)
    await phone.page.wait_for_selector("#notice:has-text('Rien à voter')")
    await item.get_by_role("button", name="Ouvrir").click()
    b = banner(phone, call)
    await b.wait_for()
    assert await vibrations(phone) == [[200, 100, 200]]
    assert "Quand\u202f: après la plénière" in await b.locator(".criee-meta").inner_text()
    assert await b.get_by_label("Prénom ou pseudo").is_hidden()
    assert await b.get_by_label("Comment vous joindre (téléphone, courriel)").is_visible()

    # "Pas pour moi", then changing one's mind.
    await b.get_by_role("button", name="Pas pour moi").click()
    await b.locator(".criee-status:has-text('Pas pour vous cette fois.')").wait_for()
    await b.get_by_label("Comment vous joindre (téléphone, courriel)").fill("06 12 34 56 78")
    await b.get_by_role("button", name="Finalement, j'en suis").click()
    await b.locator(".criee-status:has-text('Vous êtes pris ✓')").wait_for()
    item = page.locator(f'.agenda-item[data-activity="{call}"]')
    await item.locator(".roster td", has_text="06 12 34 56 78").wait_for()
    assert "1 / 4" in await item.locator(".gauge-figure").inner_text()
    for tab in (panel_tab, phone):
        await tab.close()


async def test_places_left_are_live_on_a_phone_that_never_answered(
    browser: Any, server: Any
) -> None:
    """"Encore 3 places" becomes "Complet" on a phone that has not touched the call; when
    the call closes, a phone still waiting is told no place came to it. Nothing a phone
    page receives holds a volunteer's contact or name."""
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Criée en plénière")
        call = await panel.call(code, "Accueil des bus", 3, ask_contact=True)
        idle = await open_tab(browser, f"{server.url}/r/{code}", init_script=VIBRATE)
        received: list[str] = []
        idle.page.on("websocket", lambda ws: ws.on(
            "framereceived", lambda payload: received.append(
                payload if isinstance(payload, str)
                else bytes(payload).decode("utf-8", "replace"))))
        await idle.page.reload()  # the socket opened before the listener: open it again
        places = banner(idle, call).locator(".criee-places")
        await places.filter(has_text="Encore 3 places sur 3").wait_for()

        async with contextlib.AsyncExitStack() as stack:
            phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                      for _ in range(3)]
            first = await phones[0].volunteer(call, "Léa", "06 12 34 56 78")
            assert first.status == "confirmed"
            await places.filter(has_text="Encore 2 places sur 3").wait_for()
            for phone in phones[1:]:
                await phone.volunteer(call, "Noé", "noe@example.org")
            await places.filter(has_text="Complet").wait_for()
            assert await banner(idle, call).get_by_role("button", name="J'en suis").is_visible()

            # The idle phone offers itself now: it waits; the call closes without it.
            await banner(idle, call).get_by_label(
                "Comment vous joindre (téléphone, courriel)").fill("07 00 00 00 00")
            await banner(idle, call).get_by_role("button", name="J'en suis").click()
            await banner(idle, call).locator(
                ".criee-status:has-text('Liste d\\'attente : position 1')").wait_for()
            await panel.close_call(call)
            await banner(idle, call).locator(".criee-state:has-text('Appel clos')").wait_for()
            status = banner(idle, call).locator(".criee-status")
            await status.filter(has_text="Pas de place pour vous cette fois").wait_for()
            assert await places.inner_text() == "Appel clos\u202f: complet, 3 places prises"
            assert await banner(idle, call).get_by_role("button", name="Me retirer").is_hidden()

    assert any("call_places" in frame for frame in received)
    for secret in ("06 12 34 56 78", "noe@example.org", "Léa", "Noé"):
        assert not any(secret in frame for frame in received), secret
    await idle.close()
