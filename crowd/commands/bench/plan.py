"""What `crowd bench` runs: the sections, their sizes (full and `--quick`) and the targets.
"""

from __future__ import annotations

from dataclasses import dataclass

SECTIONS = ("burst", "stream", "ceiling", "memory", "restart")


@dataclass(frozen=True, slots=True)
class Plan:
    """Sizes of one run: the issue's figures, or a reduced smoke version."""

    burst_phones: int = 2_000
    burst_window_s: float = 2.0
    burst_rounds: int = 3
    stream_phones: int = 5_000
    stream_hz: float = 2.0
    stream_s: float = 30.0
    stream_joiners_per_s: float = 20.0
    ceiling_phones: int = 2_000
    ceiling_step_s: float = 5.0
    ceiling_start: float = 2_000.0
    ceiling_max_steps: int = 12
    ceiling_p99_ms: float = 100.0
    memory_counts: tuple[int, ...] = (1_000, 10_000)
    restart_events: int = 1_000_000
    settle_s: float = 2.0  # idle time before reading memory
    #: One hub and one baseline for every section (quick runs: starts dominate them).
    reuse_servers: bool = False


FULL = Plan()
QUICK = Plan(burst_phones=100, burst_window_s=0.5, burst_rounds=1, stream_phones=100,
             stream_s=2.0, stream_joiners_per_s=10.0, ceiling_phones=50, ceiling_step_s=0.7,
             ceiling_start=300.0, ceiling_max_steps=2, memory_counts=(100, 200),
             restart_events=20_000, settle_s=0.3,
             reuse_servers=True)

#: (section, figure) -> (comparison, target): the issue's targets on this 2-core machine.
TARGETS: dict[tuple[str, str], tuple[str, float]] = {
    ("burst", "ack_p99_ms"): ("<=", 100.0),
    ("burst", "screen_p99_ms"): ("<=", 250.0),
    ("stream", "server_cores"): ("<=", 1.0),
    ("stream", "ack_p99_ms"): ("<=", 150.0),
    ("stream", "staleness_p99_ms"): ("<=", 250.0),
    ("stream", "lost"): ("<=", 0.0),
    ("ceiling", "ratio"): (">=", 0.6),
    ("memory", "kib_per_phone_max"): ("<=", 32.0),
    ("restart", "ready_s"): ("<=", 10.0),
}


