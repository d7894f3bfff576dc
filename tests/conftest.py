"""Shared fixtures: a real server process per test session (and fresh ones when needed)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import SECRET, ServerProcess

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server for the session; tests isolate themselves by creating their own room."""
    proc = ServerProcess(tmp_path_factory.mktemp("srv") / "crowd.db", secret=SECRET)
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of its own on a new database (restart and crash tests)."""
    proc = ServerProcess(tmp_path / "crowd.db", secret=SECRET)
    proc.start()
    yield proc
    proc.stop()
