"""The control room and the room links in headless Chromium against a real server.

The régie page shows every room as a tile side by side on a laptop, with its counts and
warnings in French (and English on the switch); from a tile, a revealed result of
another room goes onto this room's projector (the projector's page draws it and says
where it comes from) and comes back; the festival criée shows on a projector and a
phone of two different rooms. The panel hands out a room link as a QR code drawn at a
scannable size, lists it with its last use, and revokes it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from crowd.core.errors import BadSecret
from tests.browser.support import BARS_TOTAL, CHROMIUM, PHONE_VIEWPORT, SCREEN_VIEWPORT, open_tab

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

LAPTOP = {"width": 1366, "height": 768}
ON_SCREEN = "(id) => window.crowdScreen && window.crowdScreen.activity === id"


async def box(locator: Any) -> dict[str, float]:
    found = await locator.bounding_box()
    assert found is not None, "not rendered"
    return dict(found)


async def test_the_control_room_shows_every_room_pushes_a_result_and_calls_everyone(
        browser: Any, fresh_server: Any) -> None:
    url, secret = fresh_server.url, fresh_server.secret
    async with Panel.connect(url, secret) as organiser:
        atelier = await organiser.create_room("Atelier pain")
        pleniere = await organiser.create_room("Plénière")
        poll = await organiser.add_activity(atelier, "choice", "Levain ou levure ?",
                                            options=["levain", "levure"])
        await organiser.open(poll)
        async with Phone.connect(url, atelier) as phone:
            await phone.respond(poll, 0)
            await organiser.close(poll)
            await organiser.reveal(poll)

            screen = await open_tab(browser, f"{url}/screen/{pleniere}", SCREEN_VIEWPORT)
            mobile = await open_tab(browser, f"{url}/r/{atelier}", PHONE_VIEWPORT)
            regie = await open_tab(browser, f"{url}/panel#secret={secret}", LAPTOP)
            page = regie.page
            await page.wait_for_selector("#room-list .room-btn")  # the secret is kept
            await page.goto(f"{url}/regie")
            tile_a = page.locator(f'.tile[data-room="{atelier}"]')
            tile_p = page.locator(f'.tile[data-room="{pleniere}"]')
            # two phones: the Python one, and the page of a phone
            await tile_a.locator(".tile-counts", has_text="2 téléphones").wait_for()
            assert await tile_a.locator(".tile-title").inner_text() == "Atelier pain"
            assert "clos" in await tile_a.locator(".tile-activity").inner_text()
            assert "1 réponse" in await tile_a.locator(".tile-activity").inner_text()
            await tile_p.locator(".tile-counts", has_text="1 écran").wait_for()
            warning = tile_a.locator('[data-warning="no_projector"]')
            assert await warning.inner_text() == "Pas de projecteur"

            # readable on a laptop: the tiles side by side, inside the window
            a, p = await box(tile_a), await box(tile_p)
            assert abs(a["y"] - p["y"]) < 1 and p["x"] >= a["x"] + a["width"]
            assert p["x"] + p["width"] <= LAPTOP["width"]
            size = await tile_a.locator(".tile-counts").evaluate(
                "(el) => parseFloat(getComputedStyle(el).fontSize)")
            assert size >= 16

            # push the workshop's result onto the plenary's projector...
            await tile_p.locator("select").select_option(poll)
            await tile_p.locator(".tile-push").click()
            await screen.page.wait_for_function(ON_SCREEN, arg=poll)
            origin = screen.page.locator("#announce-from")
            await origin.filter(has_text="Atelier pain").wait_for()
            assert (await box(origin))["height"] > 0
            assert await screen.page.inner_text("#prompt") == "Levain ou levure\u202f?"
            await screen.page.wait_for_function(BARS_TOTAL, arg=[poll, 1])  # its figures
            await tile_p.locator(".tile-screen", has_text=f"de la salle {atelier}").wait_for()
            # ... and give it back
            await tile_p.locator(".tile-back").click()
            await screen.page.wait_for_function(
                "() => document.body.getAttribute('data-mode') === 'join'")
            assert await origin.is_hidden()

            # the festival criée, on a projector and a phone of two rooms
            await page.fill("#festival-text", "Deux chauffeurs à la gare, maintenant")
            await page.click("#festival-form button[type=submit]")
            for tab, viewport in ((screen, SCREEN_VIEWPORT), (mobile, PHONE_VIEWPORT)):
                banner = tab.page.locator("#announce-call")
                await banner.filter(has_text="Deux chauffeurs").wait_for()
                shown = await box(banner)
                assert shown["y"] >= 0 and shown["y"] + shown["height"] <= viewport["height"]
                assert shown["width"] >= viewport["width"] * 0.9
            await page.locator("#festival-now", has_text="Deux chauffeurs").wait_for()
            await page.click("#festival-clear")
            await mobile.page.locator("#announce-call").wait_for(state="hidden")

            await page.click("#lang")
            await tile_a.locator(".tile-counts", has_text="2 phones").wait_for()
            assert await warning.inner_text() == "No projector"
        for tab in (screen, mobile, regie):
            await tab.close()


async def test_the_panel_hands_out_a_room_link_as_a_qr_code_and_revokes_it(
        browser: Any, fresh_server: Any) -> None:
    url, secret = fresh_server.url, fresh_server.secret
    async with Panel.connect(url, secret) as organiser:
        room = await organiser.create_room("Atelier four")
        used = await organiser.room_link([room], "Samir")
        async with Panel.connect(url, used["secret"]):
            pass
    tab = await open_tab(browser, f"{url}/panel#secret={secret}", {"width": 1024, "height": 900})
    page = tab.page
    access = page.locator("#access")
    await access.locator(".access-link", has_text="Samir").locator(
        ".access-use", has_text="utilisé à").wait_for()
    await access.locator("input[name=label]").fill("Léa, atelier four")
    await access.locator(f"input[name=room][value='{room}']").check()
    await access.locator("button[type=submit]").click()
    qr = access.locator(".access-qr svg")
    await qr.wait_for()
    drawn = await box(qr)
    assert drawn["width"] >= 150 and abs(drawn["width"] - drawn["height"]) < 2  # scannable
    assert "une seule fois" in await access.locator(".access-once").inner_text()
    await access.locator(".access-link", has_text="Léa, atelier four").locator(
        ".access-use", has_text="jamais utilisé").wait_for()

    # revoke Samir's link from the panel: refused from now on
    page.on("dialog", lambda dialog: dialog.accept())
    await access.locator(".access-link", has_text="Samir").locator("button").click()
    await access.locator(".access-link.is-revoked", has_text="Samir").wait_for()
    with pytest.raises(BadSecret):
        async with Panel.connect(url, used["secret"]):
            pass

    # a room animator's panel: its room only, no room creation, no links
    animator = await open_tab(browser, f"{url}/panel#secret={await fresh_link(url, secret, room)}",
                              {"width": 1024, "height": 900})
    await animator.page.locator(".room-btn", has_text=room).wait_for()
    assert await animator.page.locator("#room-form").is_hidden()
    assert await animator.page.locator("#access .access-form").count() == 0
    await animator.page.locator("#access", has_text="Vous animez").wait_for()
    for opened in (tab, animator):
        await opened.close()


async def fresh_link(url: str, secret: str, room: str) -> str:
    async with Panel.connect(url, secret) as organiser:
        return str((await organiser.room_link([room], "Noé"))["secret"])
