"""A foreign page must not be able to erase the animator's secret nor lock the animator
out through the panel's own `#secret=` link (headless Chromium, a real server, and a
second small server on another origin for the attacker's page).

The attack: with the animator logged in, a page of another site opens
`/panel?n=i#secret=wrongI` in a popup and navigates it again and again. The panel used
to store whatever secret its address held (erasing the good one at the first wrong
answer) and to try it at once, from this server's own origin, so each load counted a
guess against the animator's address: after 10, a 5-minute lock-out.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import CHROMIUM, open_tab
from tests.inprocess import in_process_server
from tests.support import SECRET, free_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]
pytest.importorskip("playwright.async_api")

PANEL_VIEWPORT = {"width": 1024, "height": 768}

#: The attacker's page: `go(n, secret)` (re)navigates its popup to the panel link.
ATTACK = """<!doctype html><meta charset=utf-8><title>jeu concours</title>
<script>
let popup = null;
function go(n, secret) {
  const url = "%(target)s/panel?n=" + n + "#secret=" + encodeURIComponent(secret);
  if (popup === null || popup.closed) popup = window.open(url, "victim");
  else popup.location = url;
}
</script><p>Gagnez un vélo !</p>"""

#: The panel settled after the load numbered `n`: welcomed, or showing its login.
SETTLED = """(n) => location.search === "?n=" + n && (
    !document.querySelector("#app").classList.contains("hidden")
    || (!document.querySelector("#login").classList.contains("hidden")
        && (document.querySelector("#login-error").textContent !== ""
            || !document.querySelector("#link-offer").classList.contains("hidden"))))"""


@contextlib.contextmanager
def foreign_site(target: str) -> Iterator[str]:
    """Another origin (another host name and port) serving the attacker's page."""
    body = (ATTACK % {"target": target}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}/"  # the crowd server is 127.0.0.1: cross-site
    finally:
        server.shutdown()
        server.server_close()


async def _stored(page: Any) -> str | None:
    return await page.evaluate("localStorage.getItem('crowd.secret')")


async def test_a_foreign_page_cannot_erase_the_secret_nor_lock_the_panel_out(
        browser: Any, tmp_path: Path) -> None:
    async with in_process_server(tmp_path / "popup.db") as (url, hub):
        # the normal link (typed, scanned: Sec-Fetch-Site none) logs in and is remembered
        panel = await open_tab(browser, None, PANEL_VIEWPORT)
        await panel.page.goto(f"{url}/panel#secret={SECRET}")
        await panel.page.wait_for_selector("#room-form")
        assert "secret" not in panel.page.url
        assert await panel.page.get_attribute("html", "data-arrival") is None
        assert await _stored(panel.page) == SECRET

        with foreign_site(url) as evil_url:
            evil = await panel.context.new_page()
            await evil.goto(evil_url)
            async with panel.context.expect_page() as opened:
                await evil.evaluate("go(0, 'wrong0')")
            popup = await opened.value
            await popup.wait_for_function(SETTLED, arg=0)
            for n in range(1, hub.guard.lockout_after + 1):
                await evil.evaluate(f"go({n}, 'wrong{n}')")
                await popup.wait_for_function(SETTLED, arg=n)

            # nothing was tried: the secret is intact, no guess counted, no lock-out
            assert await _stored(popup) == SECRET
            assert "127.0.0.1" not in hub.guard._seen
            assert not hub.guard.locked("127.0.0.1", time.time())
            assert await popup.get_attribute("html", "data-arrival") == "foreign"
            assert "secret" not in popup.url
            # the popup is the animator's panel (remembered secret), asking about the link
            await popup.wait_for_selector("#room-form")
            offer = popup.locator("#link-offer")
            await offer.wait_for()
            assert "Utiliser le secret de ce lien\u202f?" in await offer.inner_text()

            # the animator clicks anyway: refused, the remembered secret kept and used
            # again (which clears the address's count)
            await popup.click("#link-use")
            await popup.wait_for_selector("#flash:has-text('refusé')")
            await popup.wait_for_selector("#room-form")
            assert await _stored(popup) == SECRET

            # a foreign link with the right secret, on a device that remembers none: asked,
            # then welcomed and remembered
            fresh = await open_tab(browser, None, PANEL_VIEWPORT)
            other = await fresh.context.new_page()
            await other.goto(evil_url)
            async with fresh.context.expect_page() as opened:
                await other.evaluate(f"go(1, {SECRET!r})")
            invited = await opened.value
            await invited.wait_for_function(SETTLED, arg=1)
            assert await invited.is_visible("#link-offer")
            assert await invited.is_hidden("#app") and await _stored(invited) is None
            await invited.click("#link-use")
            await invited.wait_for_selector("#room-form")
            assert await _stored(invited) == SECRET
            await fresh.close()

        # a typo in a typed link: refused, the remembered secret kept and used
        await panel.page.goto(f"{url}/panel?again#secret=typo")  # a new document
        await panel.page.wait_for_selector("#flash:has-text('refusé')")
        await panel.page.wait_for_selector("#room-form")
        assert await _stored(panel.page) == SECRET
        assert not hub.guard.locked("127.0.0.1", time.time())
        await panel.close()
