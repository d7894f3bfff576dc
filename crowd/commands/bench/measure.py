"""Measuring instruments: percentiles, a process's CPU and memory, the server's health.
"""

from __future__ import annotations

import json
import math
import os
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------- measuring


def percentiles(samples: Sequence[float]) -> dict[str, float | None]:
    """p50/p90/p99/max by the nearest-rank method (no interpolation between samples)."""
    if not samples:
        return {"n": 0, "p50": None, "p90": None, "p99": None, "max": None}
    ordered = sorted(samples)

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))], 2)

    return {"n": len(ordered), "p50": rank(0.50), "p90": rank(0.90), "p99": rank(0.99),
            "max": round(ordered[-1], 2)}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process so far (Linux /proc), None elsewhere."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def get_json(url: str, timeout: float = 5.0) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=timeout) as reply:  # our own 127.0.0.1 server
        return dict(json.loads(reply.read()))


class CpuMeter:
    """CPU used by the server process and by this (load) process over a window."""

    def __init__(self, server_pid: int) -> None:
        self.pid = server_pid
        self.wall = time.perf_counter()
        self.server = cpu_seconds(server_pid)
        self.load = time.process_time()

    def read(self) -> dict[str, float | None]:
        wall = time.perf_counter() - self.wall
        server = cpu_seconds(self.pid)
        load = time.process_time() - self.load
        used = None if server is None or self.server is None else server - self.server
        cores = None if used is None or wall <= 0 else round(used / wall, 3)
        return {"wall_s": round(wall, 2), "server_cores": cores,
                "server_cpu_s": None if used is None else round(used, 3),
                "load_cores": round(load / wall, 3) if wall > 0 else None}


# ---------------------------------------------------------------- a bare websocket client


def vote_to_screen(sent: Sequence[float], frames: Sequence[tuple[float, int]],
                   base: int = 0) -> list[float]:
    """Latency of the k-th input sent to the first frame counting at least base + k
    answers (inputs are applied in arrival order; `n` counts devices that answered)."""
    out = []
    j = 0
    ordered = sorted(frames)
    for k, at in enumerate(sorted(sent), start=1):
        while j < len(ordered) and (ordered[j][1] < base + k or ordered[j][0] < at):
            j += 1
        if j == len(ordered):
            break
        out.append((ordered[j][0] - at) * 1000)
    return out


def ratio_of(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 3)

