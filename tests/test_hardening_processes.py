"""Nothing outlives what started it: a stopped or killed server leaves no child behind,
`crowd demo` stopped by SIGTERM stops its server and removes its folder, and a demo
killed with -9 still sees its server stop by itself."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import httpx

from crowd.clients import Panel
from tests.support import SECRET, ServerProcess, alive, descendants, wait_for


def _port_free(port: int) -> bool:
    """Free for a new server (which binds with SO_REUSEADDR, as uvicorn does)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def _start_the_export_child(server: ServerProcess) -> set[int]:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Enfants")
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        page = await http.get(f"/replay/{room}", headers={"X-Crowd-Secret": SECRET})
    assert page.status_code == 200
    assert server.proc is not None
    below = descendants(server.proc.pid)
    assert below, "the replay runs in a child process"
    return below


async def test_a_stopped_server_leaves_no_child_behind(tmp_path: Path) -> None:
    """The export child used to outlive the session's server (ServerProcess.kill ends
    the same process group)."""
    server = ServerProcess(tmp_path / "crowd.db", secret=SECRET)
    server.start()
    try:
        below = await _start_the_export_child(server)
    finally:
        server.stop()
    wait_for(lambda: not any(alive(p) for p in below), 10, f"children {below} after a stop")


async def _demo(tmp_path: Path) -> tuple[asyncio.subprocess.Process, int, int, Path]:
    """A running `crowd demo` (its folder under tmp_path): (process, server pid, port,
    temporary folder), once its room is up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROWD_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "crowd", "demo", "--phones", "2", "--step", "0.5", "--port",
        "0", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**env, "TMPDIR": str(tmp_path)})
    assert proc.stdout is not None
    seen = ""
    while "simulated phones in room" not in seen:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert line, f"the demo ended: {seen}"
        seen += line.decode()
    port = int(re.search(r"http://127\.0\.0\.1:(\d+)", seen).group(1))  # type: ignore[union-attr]
    servers = [p for p in descendants(proc.pid)
               if b"serve" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(servers) == 1
    return proc, servers[0], port, next(tmp_path.glob("crowd-demo-*"))


async def test_demo_stopped_by_sigterm_or_killed_leaves_nothing_running(
        tmp_path: Path) -> None:
    """Two demos side by side (their start is most of the time): SIGTERM stops one
    cleanly; the other, killed with -9, sees its server stop by itself."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (termed, server, port, folder), (killed, orphan, orphan_port, _) = await asyncio.gather(
        _demo(tmp_path / "a"), _demo(tmp_path / "b"))
    termed.send_signal(signal.SIGTERM)
    killed.kill()
    assert termed.stdout is not None
    out = (await asyncio.wait_for(termed.stdout.read(), 30)).decode()
    assert await termed.wait() in {0, 143}
    assert "Traceback" not in out and "stopped" in out
    assert not alive(server) and _port_free(port) and not folder.exists()
    await killed.wait()
    wait_for(lambda: not alive(orphan), 15, "the server of the demo killed with -9")
    wait_for(lambda: _port_free(orphan_port), 5, f"port {orphan_port}")
