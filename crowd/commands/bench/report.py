"""The bench's report: the machine it ran on, each figure against its target, as a table.
"""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgpack

from crowd.commands.bench.measure import ratio_of
from crowd.commands.bench.plan import TARGETS


def targets_of(sections: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for (section, figure), (op, goal) in TARGETS.items():
        if section not in sections:
            continue
        value = sections[section].get(figure)
        ok = None
        if isinstance(value, int | float):
            ok = value <= goal if op == "<=" else value >= goal
        out.append({"section": section, "figure": figure, "target": f"{op} {goal:g}",
                    "value": value, "ok": ok})
    return out


def machine() -> dict[str, Any]:
    import starlette
    import uvicorn
    import websockets

    mem = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    model = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_mib": mem,
            "python": platform.python_version(), "platform": platform.platform(),
            "uvicorn": uvicorn.__version__, "starlette": starlette.__version__,
            "websockets": websockets.__version__, "msgpack": ".".join(
                str(x) for x in msgpack.version),
            "open_files": _open_files(),
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None}


def _open_files() -> int | None:
    """The soft open-file limit (None where `resource` does not exist: Windows)."""
    try:
        import resource
    except ImportError:
        return None
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:,.3f}" if abs(x) < 10 else f"{x:,.1f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def table(report: Mapping[str, Any]) -> str:
    """The human summary: one line per figure, hub beside baseline where there is one."""
    s = report["sections"]
    rows: list[tuple[str, str, Any, Any, Any, str]] = []

    def target(section: str, figure: str) -> str:
        op_goal = TARGETS.get((section, figure))
        return "" if op_goal is None else f"{op_goal[0]} {op_goal[1]:g}"

    if "burst" in s:
        b = s["burst"]
        title = f"burst ({b['phones']:,} phones in {b['window_s']:g} s, x{b['rounds']})"
        for q in ("p50", "p99"):
            rows.append((title, f"ack {q} ms", b["hub"]["ack_ms"][q],
                         b["baseline"]["ack_ms"][q], b.get(f"ratio_ack_{q}"),
                         target("burst", f"ack_{q}_ms")))
        for q in ("p50", "p99"):
            rows.append((title, f"vote-to-screen {q} ms", b["hub"]["screen_ms"][q], None, None,
                         target("burst", f"screen_{q}_ms")))
        rows.append((title, "lost / errors", f"{b['hub']['lost']} / "
                     f"{sum(b['hub']['errors'].values())}", None, None, ""))
    if "stream" in s:
        st = s["stream"]
        h, bl = st["hub"], st["baseline"]
        title = (f"stream ({st['phones']:,} phones x {st['hz']:g} Hz, {st['duration_s']:g} s, "
                 f"{st['kind']})")
        rows += [
            (title, "inputs acked per s", h["acked_rate"], bl["acked_rate"], None, ""),
            (title, "server CPU (cores)", h["server_cores"], bl["server_cores"],
             st["ratio_cpu"], target("stream", "server_cores")),
            (title, "ack p50 ms", h["ack_ms"]["p50"], bl["ack_ms"]["p50"], None, ""),
            (title, "ack p99 ms", h["ack_ms"]["p99"], bl["ack_ms"]["p99"], st["ratio_ack_p99"],
             target("stream", "ack_p99_ms")),
            (title, "screen staleness p99 ms", h["staleness_ms"]["p99"], None, None,
             target("stream", "staleness_p99_ms")),
            (title, "event-loop lag p99 ms", h["loop_lag_ms"]["p99"],
             bl["loop_lag_ms"]["p99"], None, ""),
            (title, "inputs lost", h["lost"], bl["lost"], None, target("stream", "lost")),
            (title, "load generator CPU (cores)", h["load_cores"], bl["load_cores"], None, ""),
        ]
    if "ceiling" in s:
        c = s["ceiling"]
        title = f"ceiling (ack p99 <= {c['p99_limit_ms']:g} ms, {c['phones']:,} phones)"
        base = c["baseline"]
        base_rate = f">= {base['rate']:,.0f} (load cap)" if base.get("capped") \
            else base["rate"]
        rows.append((title, "inputs/s", c["hub"]["rate"], base_rate, c["ratio"],
                     target("ceiling", "ratio")))
        rows.append((title, "server µs CPU per input", c["hub"].get("us_per_input"),
                     base.get("us_per_input"), ratio_of(c["hub"].get("us_per_input"),
                                                      base.get("us_per_input")), ""))
    if "memory" in s:
        m = s["memory"]
        for hp, bp in zip(m["hub"]["points"], m["baseline"]["points"], strict=True):
            rows.append(("memory (idle phone connections)",
                         f"KiB per phone at {hp['phones']:,}", hp["kib_per_phone"],
                         bp["kib_per_phone"], ratio_of(hp["kib_per_phone"], bp["kib_per_phone"]),
                         target("memory", "kib_per_phone_max")))
    if "restart" in s:
        r = s["restart"]
        title = f"restart ({r['events']:,} events, {r['db_mib']:g} MiB)"
        rows.append((title, f"after a crash ({r['tail_events']:,} to replay) s", r["ready_s"],
                     None, None, target("restart", "ready_s")))
        rows.append((title, "  of which load + replay s", r["replay_s"], None, None, ""))
        rows.append((title, "after a clean stop s", r["clean_stop_ready_s"], None, None, ""))
        rows.append((title, "no checkpoint (whole log) s", r["whole_log_ready_s"], None, None,
                     ""))
    lines = [f"{'':46}{'figure':36}{'hub':>12}{'baseline':>20}{'ratio':>8}  target"]
    last = None
    for title, figure, hub, base, ratio, goal in rows:
        lines.append(f"{(title if title != last else ''):46}{figure:36}{_fmt(hub):>12}"
                     f"{_fmt(base):>20}{_fmt(ratio):>8}  {goal}")
        last = title
    verdicts = [t for t in report["targets"] if t["ok"] is not None]
    held = sum(1 for t in verdicts if t["ok"])
    lines.append("")
    lines.append(f"targets held: {held}/{len(verdicts)}" + "".join(
        f"\n  missed: {t['section']} {t['figure']} = {_fmt(t['value'])} (target {t['target']})"
        for t in verdicts if not t["ok"]))
    return "\n".join(lines)


# ---------------------------------------------------------------- command


