"""The real server in the test's own process (real uvicorn, sockets and SQLite file), for
tests that must reach inside it: cap SQLite's file, swap a handler, probe the protocol."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn

from crowd.server.app import create_app, uvicorn_config
from crowd.server.hub import Hub
from crowd.server.settings import Settings
from tests.support import SECRET, free_port


@contextlib.asynccontextmanager
async def serving(config: uvicorn.Config) -> AsyncIterator[None]:
    """Run a uvicorn server on this loop until the block ends."""
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)  # uvicorn exposes no start event
    try:
        yield
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def in_process_server(db: Path, **options: object) -> AsyncIterator[tuple[str, Hub]]:
    """crowd's app on a free port; yields its URL and its hub."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(host="127.0.0.1", port=port, db=db, public_url=url,
                        animator_secret=SECRET, **options)  # type: ignore[arg-type]
    app = create_app(settings)
    async with serving(uvicorn.Config(app, **uvicorn_config(settings))):
        yield url, app.state.hub
