"""Public replays: a handful of URLs cycled by anonymous clients must not keep the
export process rebuilding them (the cache held 4, first in first out: 6 keys cycled were
all built again each time). Real server on 127.0.0.1, in this process to count builds.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from crowd.clients import Panel, Phone
from crowd.server import export_jobs
from crowd.server import export_routes as server_exports
from tests.inprocess import in_process_server
from tests.support import SECRET


async def _revealed_room(url: str, title: str) -> str:
    async with Panel.connect(url, SECRET) as panel:
        code = await panel.create_room(title)
        act = await panel.add_activity(code, kind="choice", prompt="Oui ?", options=["o", "n"])
        await panel.open(act)
        async with Phone.connect(url, code) as phone:
            await phone.respond(act, 0)
        await panel.close(act)
        await panel.reveal(act)
    return code


async def test_cycling_public_replays_builds_each_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """5 rooms and /replay/all (6 keys) cycled twice: 6 builds, every answer 200. Once
    keys leave the cache (here shrunk to 2), a key built moments ago is not built
    again: 503 with Retry-After until its reuse window is over."""
    builds: Counter[str] = Counter()
    in_child = server_exports._in_child

    async def counted(request: Any, animator: bool, function: str, *args: Any) -> Any:
        if function == "build_replay" and not animator:
            builds[str(args[1])] += 1
        return await in_child(request, animator, function, *args)

    monkeypatch.setattr(server_exports, "_in_child", counted)
    async with in_process_server(tmp_path / "replays.db") as (url, hub):
        assert hub.settings.public_replay_max_age_s >= 30
        codes = [await _revealed_room(url, f"Salle {i}") for i in range(5)]
        paths = [f"/replay/{code}" for code in codes] + ["/replay/all"]
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            for _ in range(2):
                for path in paths:
                    reply = await http.get(path)
                    assert reply.status_code == 200 and "<html" in reply.text.lower(), path
            assert sum(builds.values()) == len(paths) and set(builds.values()) == {1}, builds

            monkeypatch.setattr(server_exports, "PUBLIC_CACHE_SIZE", 2)
            late = await _revealed_room(url, "Salle tardive")
            assert (await http.get(f"/replay/{late}")).status_code == 200  # trims to 2
            statuses = Counter()
            for path in paths:
                reply = await http.get(path)
                statuses[reply.status_code] += 1
                if reply.status_code == 503:
                    assert 1 <= int(reply.headers["retry-after"]) <= 30
            assert statuses == {200: 1, 503: len(paths) - 1}, statuses
            assert sum(builds.values()) == len(paths) + 1, builds
        child = export_jobs.export_queue().worker._proc
    if child is not None:  # killed with the app: reaped while this loop runs
        await child.wait()
