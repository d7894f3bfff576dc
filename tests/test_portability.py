"""Stand-ins for the platforms organisers bring: the package imports with the Unix-only
modules hidden (as on Windows), and a database path with spaces and accents works."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

from crowd.clients import Panel, Phone
from tests.support import ServerProcess

ROOT = Path(__file__).resolve().parents[1]

HIDE_UNIX = textwrap.dedent("""
    import importlib, os, pkgutil, signal, sys

    class Windows:
        '''A finder that makes the Unix-only modules impossible to import.'''
        HIDDEN = {"fcntl", "resource", "termios", "pty", "tty", "grp", "pwd"}

        def find_spec(self, name, path=None, target=None):
            if name in self.HIDDEN:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    for name in Windows.HIDDEN:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, Windows())
    for attr in ("killpg", "getpgid", "setsid", "sched_setaffinity", "sched_getaffinity",
                 "getloadavg", "fork"):
        if hasattr(os, attr):
            delattr(os, attr)
    for attr in ("SIGKILL", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM"):
        if hasattr(signal, attr):
            delattr(signal, attr)

    import crowd
    failed = []
    for info in pkgutil.walk_packages(crowd.__path__, "crowd."):
        if info.name.startswith("crowd.static"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception as exc:
            failed.append(f"{info.name}: {type(exc).__name__}: {exc}")
    print("\\n".join(failed) or "ok")
""")


def test_every_module_imports_without_the_unix_only_modules() -> None:
    """fcntl, resource, termios... and SIGKILL, killpg, sched_setaffinity do not exist on
    Windows: no module of crowd may need them to import."""
    out = subprocess.run([sys.executable, "-c", HIDE_UNIX], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok", out.stdout


def test_unix_only_facilities_are_used_only_where_they_exist() -> None:
    """The same check on the source: a Unix-only name is imported inside a function
    that can do without it, never at a module's top."""
    import ast

    unix_only = {"fcntl", "resource", "termios", "pty", "tty", "grp", "pwd"}
    for path in (ROOT / "crowd").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not set(names) & unix_only, f"{path.relative_to(ROOT)} imports {names}"


async def test_a_database_path_with_spaces_and_accents(tmp_path: Path) -> None:
    """`C:\\Users\\Hélène\\Mes documents\\crowd.db`, the Linux way: the server starts,
    takes a vote, and after a restart still has it."""
    folder = tmp_path / "Hélène" / "Mes documents"
    folder.mkdir(parents=True)
    server = ServerProcess(folder / "fête de l'été.db")
    server.start()
    try:
        async with Panel.connect(server.url, server.secret) as panel:
            room = await panel.create_room("Réunion plénière")
            act = await panel.add_activity(room, kind="choice", prompt="Où ?",
                                           options=["Grange", "Salle"])
            await panel.open(act)
            async with Phone.connect(server.url, room) as phone:
                await phone.respond(act, 1)
        server.kill()
        server.start()
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            reply = await http.get(f"/api/rooms/{room}/export/results.json",
                                   headers={"X-Crowd-Secret": server.secret})
        assert reply.json()["activities"][0]["snapshot"]["counts"] == [0, 1]
    finally:
        server.stop()
    assert (folder / "fête de l'été.db").is_file()
