"""What every benchmark script shares: a real server on its own core, and percentiles."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crowd.clients.launcher import ServerProcess

T = TypeVar("T")


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "p99": q[98], "max": ordered[-1]}


def with_server(load: Callable[[str, str], Awaitable[T]], env: dict[str, str] | None = None) -> T:
    """Start `crowd serve` pinned to core 0 (when there are two), run `load(url, secret)`
    here on core 1, stop the server, return what the load returned."""
    return with_server_process(lambda server: load(server.url, server.secret), env)


def with_server_process(load: Callable[[ServerProcess], Awaitable[T]],
                        env: dict[str, str] | None = None) -> T:
    """`with_server` for a load that needs the server process itself (its PID)."""
    two_cores = (os.cpu_count() or 1) >= 2
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "bench.db", env=env, cpu=0 if two_cores else None)
        server.start()
        if two_cores:
            os.sched_setaffinity(0, {1})
        try:
            return asyncio.run(load(server))  # type: ignore[arg-type]
        finally:
            server.stop()


def print_table(title: str, rows: dict[str, dict[str, float]],
                columns: tuple[str, ...] = ("p50", "p95", "p99", "max")) -> None:
    print(title)
    print(f"{'':24}" + "".join(f"{c:>8}" for c in columns))
    for name, values in rows.items():
        print(f"{name:24}" + "".join(f"{values[c]:8.1f}" for c in columns))
