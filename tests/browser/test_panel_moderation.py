"""Moderation of what reaches the big screen, in headless Chromium against a real
server: in `filter` mode an insult from a phone is in no frame the projector receives
and in no public export until an animator approves it on the panel; in `approve` mode
nothing shows before approval; a merged variant adds its count to its target."""

from __future__ import annotations

import os
import urllib.request
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

#: Every websocket message the projector page receives, kept as text in the page.
RECORD_FRAMES = """(() => {
  const Native = window.WebSocket;
  window.__received = [];
  window.WebSocket = function (url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    socket.addEventListener("message", (e) => window.__received.push(String(e.data)));
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();"""

#: The projector's word cloud (its Bokeh source `words`) as {word: count}.
WORDS_SHOWN = """(activity) => {
  // the projector's word cloud: each word drawn with its count
  const s = window.crowdScreen;
  if (!s || s.activity !== activity) return null;
  const out = {};
  document.querySelectorAll(".cloud-word").forEach((el) => {
    out[el.dataset.word] = Number(el.dataset.count);
  });
  return out;
}"""


async def shown_words(screen: Any, activity: str, predicate: str) -> dict[str, int]:
    handle = await screen.page.wait_for_function(
        f"(a) => {{ const d = ({WORDS_SHOWN})(a); return d && ({predicate})(d) ? d : null; }}",
        arg=activity)
    return dict(await handle.json_value())


def public(url: str) -> str:
    """A public export, fetched as anyone would (no secret)."""
    with urllib.request.urlopen(url, timeout=10) as reply:
        return reply.read().decode("utf-8")


def entry_row(page: Any, activity: str, entry: str) -> Any:
    return page.locator(f'.agenda-item[data-activity="{activity}"] .mod-row'
                        f'[data-entry="{entry}"]')


async def test_filter_and_approve_keep_free_text_off_the_screen_until_approved(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Nuage modéré")
        act = await panel.add_activity(code, "words", "Un mot pour la journée ?",
                                       moderation="filter")
        await panel.advance(code)  # open and projected
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT,
                            init_script=RECORD_FRAMES)
    tab = await open_panel(browser, server, code, {"width": 1280, "height": 2000})
    page = tab.page
    await page.wait_for_selector(f'.agenda-item[data-activity="{act}"] .mod[data-mode=filter]')

    async with Phone.connect(server.url, code) as a, Phone.connect(server.url, code) as b, \
            Phone.connect(server.url, code) as c:
        await a.respond(act, ["Connard", "vélo"])
        await b.respond(act, ["Vélo", "bicyclette"])  # a spelling of vélo, and a synonym
        await c.respond(act, ["vélo", "pain"])
        # the projector shows the other words; the insult waits on the panel
        await shown_words(screen, act,
                          "(d) => d['vélo'] === 3 && d.bicyclette === 1 && d.pain === 1")
        await entry_row(page, act, "connard").locator(".mod-flag").wait_for()
        assert await entry_row(page, act, "connard").get_attribute("data-status") == "waiting"
        await page.wait_for_selector("#presenter-waiting:has-text('1 entrée à modérer')")
        await page.click(f'.agenda-item[data-activity="{act}"] [data-action="panel.reveal"]')
        await page.wait_for_selector(f'.agenda-item[data-activity="{act}"] .state-revealed')
        received = await screen.page.evaluate("window.__received")
        assert len(received) >= 3 and not any("onnard" in m for m in received)
        for export in ("results.json", "results.csv", "summary"):
            text = public(f"{server.url}/api/rooms/{code}/export/{export}")
            assert "vélo" in text and "onnard" not in text, export
        assert "onnard" not in public(f"{server.url}/replay/{code}")

        # approved, it reaches the screen; the variant merged adds its count to its target
        await entry_row(page, act, "connard").locator("[data-mod=approve]").click()
        await shown_words(screen, act, "(d) => d.Connard === 1")
        synonym = entry_row(page, act, "bicyclette")
        await synonym.locator("select.mod-into").select_option("velo")  # a word's key
        await synonym.locator("[data-mod=merge]").click()
        # merged into vélo, counted once for the phone that wrote both
        assert await shown_words(
            screen, act, "(d) => d['vélo'] === 3 && !('bicyclette' in d)") == {
            "vélo": 3, "pain": 1, "Connard": 1}
        await page.wait_for_selector(f'.agenda-item[data-activity="{act}"] '
                                     '.mod-row[data-entry="bicyclette"][data-status="merged"]')

        # approval mode: what was approved stays, nothing new shows before approval
        await page.click(f'.agenda-item[data-activity="{act}"] .mod-mode[data-mode=approve]')
        await shown_words(screen, act, "(d) => !('pain' in d) && d.Connard === 1")
        before = len(await screen.page.evaluate("window.__received"))
        await c.respond(act, ["pomme", "pain"])
        await entry_row(page, act, "pomme").wait_for()
        assert await entry_row(page, act, "pomme").get_attribute("data-status") == "waiting"
        later = (await screen.page.evaluate("window.__received"))[before:]
        assert not any("pomme" in m for m in later)
        await entry_row(page, act, "pomme").locator("[data-mod=approve]").click()
        await shown_words(screen, act, "(d) => d.pomme === 1")
    await screen.close()
    await tab.close()

