"""The pages under their Content-Security-Policy, and the panel's secret against a
foreign page, in headless Chromium against a real server (docs/reliability.md, "The HTTP
edge"). Every tab records the policy's violations: a page that needs what the policy
forbids (an inline script, eval) fails here, not in a festival."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, open_tab
from tests.inprocess import in_process_server
from tests.support import SECRET

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]
pytest.importorskip("playwright.async_api")

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""



async def _violations(page: Any) -> list[str]:
    return list(await page.evaluate("window.__csp || []"))


async def test_screen_and_home_work_under_the_policy(browser: Any, server: Any) -> None:
    """BokehJS draws the projected chart with `script-src 'self'` (no unsafe-eval); the
    join page's script, now a file, still checks the typed code."""
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Politique")
        # an estimate: a chart BokehJS draws (option bars are plain HTML)
        act = await panel.add_activity(code, kind="estimate", prompt="Combien ?",
                                       results="live")
        await panel.open(act)
        await panel.project(act, room=code)
        async with Phone.connect(server.url, code) as phone:
            await phone.respond(act, 12)
    screen = await open_tab(browser, None, SCREEN_VIEWPORT, init_script=RECORD_VIOLATIONS)
    reply = await screen.page.goto(f"{server.url}/screen/{code}")
    assert "script-src 'self';" in reply.headers["content-security-policy"]
    await screen.source(act, "hist", "(d) => d.count.reduce((a, b) => a + b, 0) === 1")
    await screen.page.wait_for_selector(".bk-Figure, .bk-Canvas, canvas")
    assert await _violations(screen.page) == []
    await screen.close()

    home = await open_tab(browser, f"{server.url}/", init_script=RECORD_VIOLATIONS)
    await home.page.fill("#code", "KXT4")  # well formed, no such room
    await home.page.click("#join")
    await home.page.wait_for_selector("#message:has-text('Aucune salle')")
    assert await _violations(home.page) == []
    await home.close()


async def test_the_panel_opens_the_replay_through_a_signed_link(browser: Any,
                                                                server: Any) -> None:
    """The replay page is all inline (BokehJS, its document, CustomJS): it opens from
    the panel under its own, sandboxed policy, through a link without the secret."""
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Lien signé")
        act = await panel.add_activity(code, kind="choice", prompt="Déjà ?", options=["a", "b"])
        await panel.open(act)
        async with Phone.connect(server.url, code) as phone:
            await phone.respond(act, 1)
    tab = await open_tab(browser, None, {"width": 1180, "height": 820},
                         init_script=RECORD_VIOLATIONS)
    await tab.page.goto(f"{server.url}/panel#secret={server.secret}")
    await tab.page.click(f".room-btn:has-text('{code}')")
    await tab.page.wait_for_selector(f"#room-code:has-text('{code}')")
    async with tab.context.expect_page() as popup_info:
        await tab.page.get_by_role("button", name="Rejouer la salle").click()
    replay = await popup_info.value
    await replay.wait_for_url("**/replay/**")
    await replay.wait_for_function("() => window.crowdReplay && window.crowdReplay.ready")
    assert "link=" in replay.url and server.secret not in replay.url
    assert await _violations(replay) == [] and await _violations(tab.page) == []
    await tab.close()


async def test_a_foreign_page_cannot_lock_the_panel_out(browser: Any, tmp_path: Path) -> None:
    """A foreign page puts 12 `<img src=".../export...?secret=wrongN">` in the animator's
    browser: the panel still logs in. A real lock-out says so without erasing the
    remembered secret (it may well be right), ready to try again."""
    async with in_process_server(tmp_path / "foreign.db") as (url, hub):
        remember = f"localStorage.setItem('crowd.secret', {SECRET!r});"
        panel = await open_tab(browser, None, {"width": 1024, "height": 768},
                               init_script=remember)
        evil = await panel.context.new_page()
        tags = "".join(f'<img src="{url}/api/rooms/ABCD/export/events.msgpack?secret=wrong{i}">'
                       for i in range(12))
        await evil.route("http://evil.example/", lambda route: route.fulfill(
            content_type="text/html", body=f"<!doctype html><body>{tags}</body>"))
        await evil.goto("http://evil.example/")
        await evil.wait_for_function("() => [...document.images].every((i) => i.complete)")
        await panel.page.goto(f"{url}/panel")
        await panel.page.wait_for_selector("#room-form")  # welcomed: the rooms view

        assert hub.guard is not None
        for _ in range(hub.guard.lockout_after):  # wrong secrets from this address
            hub.guard.check("127.0.0.1", "wrong", time.time())
        await panel.page.reload()
        await panel.page.wait_for_selector("#login-error:has-text('Trop d')")
        kept = await panel.page.evaluate("localStorage.getItem('crowd.secret')")
        filled = await panel.page.input_value("#secret")
        assert kept == SECRET and filled == SECRET
        await panel.close()

