"""Test helpers: the real server process comes from the package's launcher; /proc tells
which processes are still there (Linux)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from crowd.clients.launcher import ServerProcess, free_port

SECRET = "test-animator-secret"


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent, process group) of a live process, None once it is gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, ppid, pgrp = text[text.rindex(")") + 2:].split()[:3]
    return None if state in {"Z", "X"} else (state, int(ppid), int(pgrp))


def alive(pid: int) -> bool:
    return _stat(pid) is not None


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children, their children, ...)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                parents[int(entry.name)] = stat[1]
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` (another process's death, a port's release) until a deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"still waiting after {timeout} s: {what}")
        time.sleep(0.05)


__all__ = ["SECRET", "ServerProcess", "alive", "descendants", "free_port", "wait_for"]
