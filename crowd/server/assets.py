"""The pages' files on a bad wifi: versioned URLs kept a year, and no import waterfall.

500 phones join at once over one router, each on a link of 50 KB/s and 400 ms. Three
costs dominate and each has a cure that needs no build step:

- bytes: pages and modules are compressed on the way (Starlette's GZipMiddleware, in
  `crowd.server.app`);
- round trips: an ES module's imports are discovered only once it has arrived, so a
  chain of five imports costs five round trips. The page names every module it will
  need up front (`<link rel="modulepreload">`, found by reading the import statements
  once), and the browser asks for them all at once;
- reloads: the files are served under `/static/v/<digest>/`, a digest of their
  contents, and kept a year. Modules import each other by relative paths, so they all
  resolve under the same versioned prefix; a new version of any file is a new digest,
  hence new URLs, and a reload costs the page itself only.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

from crowd.core.paths import static_dir

#: `import ... from "./x.js"`, `import "./x.js"`, `export ... from "./x.js"`.
IMPORT = re.compile(r"""^\s*(?:import|export)\b[^"';]*?["'](\.{1,2}/[^"']+\.js)["']""",
                    re.MULTILINE)


@functools.cache
def static_version() -> str:
    """A digest of every file of the pages (read once at start: about 1 MB)."""
    root = static_dir()
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def static_url() -> str:
    return f"/static/v/{static_version()}"


def module_graph(entry: str) -> list[str]:
    """Every module `entry` (a path under static/) imports, directly or not, entry first."""
    root = static_dir().resolve()
    seen: list[str] = []
    todo = [entry]
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        path = (root / name).resolve()
        if not path.is_file() or root not in path.parents:
            continue
        seen.append(name)
        for target in IMPORT.findall(path.read_text(encoding="utf-8")):
            todo.append(str((path.parent / target).resolve().relative_to(root)))
    return seen


def preload_links(*entries: str) -> str:
    """The `<link rel="modulepreload">` lines for a page whose scripts are `entries`, in
    their order (the first script's modules are asked for first), each module once."""
    base = static_url()
    names = list(dict.fromkeys(name for entry in entries for name in module_graph(entry)))
    return "\n".join(f'  <link rel="modulepreload" href="{base}/{Path(name).as_posix()}">'
                     for name in names)


def kind_preloads(page_entry: str, kinds: tuple[str, ...], *extra: str) -> str:
    """The `<link rel="modulepreload">` lines for the phone's modules of `kinds`, and the
    `extra` modules (paths under static/) the room will need, with what they import,
    that the page's own graph does not already name. The phone page loads a kind's
    module when a card of that kind first shows (static/phone/kinds/), and a few others
    when the room needs them (its schedule): the server, which knows the room, names
    those at once, so the first question costs no round trip more."""
    return module_preloads(page_entry, tuple(f"phone/kinds/{kind}.js" for kind in kinds) + extra)


@functools.cache
def module_preloads(page_entry: str, modules: tuple[str, ...]) -> str:
    """Preload lines for `modules` and their imports, less the page's own graph; cached
    per set (a dozen kinds and a module or two: a few hundred sets at most)."""
    base = static_url()
    known = set(module_graph(page_entry))
    lines = []
    for module in modules:
        for name in module_graph(module):
            if name not in known:
                known.add(name)
                lines.append(f'  <link rel="modulepreload" href="{base}/{Path(name).as_posix()}">')
    return "\n".join(lines)


__all__ = ["kind_preloads", "module_graph", "preload_links", "static_url", "static_version"]
