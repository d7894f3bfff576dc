"""What the browser tests share: Chromium, a tab per device, the screen's Bokeh sources.

Each tab is its own browser context (its own localStorage: its own device). A tab fails
its test if the page raised a JavaScript error.
"""

from __future__ import annotations

from typing import Any

CHROMIUM = "/usr/bin/chromium"
PHONE_VIEWPORT = {"width": 390, "height": 844}
SCREEN_VIEWPORT = {"width": 1280, "height": 720}
TIMEOUT_MS = 10_000

# The columns of a named source on the screen page, once it shows `activity`: a Bokeh
# chart's source, or the columns last drawn by the HTML bars (choice, approval, weighting).
SOURCE = """([activity, name]) => {
    const s = window.crowdScreen;
    if (!s || s.activity !== activity) return null;
    for (const doc of (window.Bokeh ? Bokeh.documents : [])) {
        const source = doc.get_model_by_name(name);
        if (source) {
            const out = {};
            for (const key of Object.keys(source.data)) out[key] = Array.from(source.data[key]);
            return out;
        }
    }
    return s.lastChart && s.lastChart[name] && document.querySelector(".board-row")
        ? s.lastChart[name] : null;
}"""


class Tab:
    """A page in its own browser context (its own localStorage: its own device)."""

    def __init__(self, context: Any, page: Any) -> None:
        self.context = context
        self.page = page
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.set_default_timeout(TIMEOUT_MS)

    def card(self, activity: str) -> Any:
        return self.page.locator(f'.card[data-activity="{activity}"]')

    async def status_is(self, activity: str, status: str) -> None:
        await self.page.wait_for_selector(
            f'.card[data-activity="{activity}"] .card-status[data-status="{status}"]'
        )

    async def source(self, activity: str, name: str, predicate: str) -> dict[str, Any]:
        """Waits until the screen's Bokeh source `name` satisfies the JS `predicate(data)`."""
        handle = await self.page.wait_for_function(
            f"(args) => {{ const d = ({SOURCE})(args); return d && ({predicate})(d) ? d : null; }}",
            arg=[activity, name],
        )
        return dict(await handle.json_value())

    async def close(self) -> None:
        await self.context.close()
        assert self.errors == [], f"JavaScript errors on the page: {self.errors}"


#: For `page.wait_for_function(BARS_TOTAL, arg=[activity, total])`: the projector shows
#: `activity`, its bars are drawn and their counts add up to `total`.
BARS_TOTAL = """([activity, total]) => {
    const s = window.crowdScreen;
    if (!s || s.activity !== activity || !s.lastChart || !s.lastChart.bars) return false;
    if (!document.querySelector(".board-row")) return false;
    return Array.from(s.lastChart.bars.value).reduce((a, b) => a + b, 0) === total;
}"""


async def open_tab(browser: Any, url: str | None, viewport: dict[str, int] | None = None,
                   init_script: str | None = None) -> Tab:
    context = await browser.new_context(viewport=viewport or PHONE_VIEWPORT)
    if init_script:
        await context.add_init_script(init_script)
    tab = Tab(context, await context.new_page())
    if url:
        await tab.page.goto(url)
    return tab


async def snapshot(tab: Tab, server: Any, activity: str) -> dict[str, Any]:
    """The server's current snapshot of an activity (the chart API, as an animator)."""
    response = await tab.page.request.get(f"{server.url}/api/activities/{activity}/chart",
                                          headers={"X-Crowd-Secret": server.secret})
    assert response.ok
    return dict((await response.json())["snapshot"])


#: How a page's Bokeh writes axis numbers (static/shared/bokeh_numbers.js): in French,
#: `["12\u202f000,0", "0,5"]`.
AXIS_NUMBERS = "() => new (Bokeh.Models.get('BasicTickFormatter'))().doFormat([12000, 0.5], {})"


#: For `page.evaluate(LAID_OUT)` before reading where to put a finger: the page's fonts
#: have arrived (a font swapped in later re-wraps the text above a control and moves it)
#: and two frames were drawn with them.
LAID_OUT = """() => document.fonts.ready.then(() => new Promise((done) =>
    requestAnimationFrame(() => requestAnimationFrame(() => done(true)))))"""
