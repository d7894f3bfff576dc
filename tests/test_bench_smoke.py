"""CI smoke of the benchmark: `crowd bench --quick` runs and writes a complete report.

The figures of a quick run on a shared CI machine mean nothing; the shape of the report,
the load generator's framing and the latency arithmetic are what is checked here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgpack

from crowd.commands.bench import SECTIONS, TARGETS, vote_to_screen
from crowd.commands.bench.loadgen import Template, ws_frame
from crowd.commands.bench.measure import percentiles


def unmask(frame: bytes) -> tuple[int, bytes]:
    """Server side of RFC 6455 for one short masked frame: (opcode, payload)."""
    assert frame[1] & 0x80, "client frames must be masked"
    n = frame[1] & 0x7F
    start = 2
    if n == 126:
        n, start = int.from_bytes(frame[2:4], "big"), 4
    mask = frame[start:start + 4]
    body = frame[start + 4:start + 4 + n]
    return frame[0] & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(body))


def test_pre_encoded_frames_decode_to_the_protocol_message() -> None:
    for integer, value in ((False, -0.35), (True, 3)):
        payload = Template("KXT4-12", integer).fill(123_456, value)
        opcode, body = unmask(ws_frame(payload, b"\x01\x02\x03\x04"))
        assert opcode == 2
        assert msgpack.unpackb(body, raw=False) == {"v": 1, "t": "respond", "seq": 123_456,
                                                    "activity": "KXT4-12", "value": value}
    long = bytes(range(256)) * 2
    assert unmask(ws_frame(long, b"\xff\x00\xaa\x55"))[1] == long


def test_vote_to_screen_counts_the_kth_vote_in_the_kth_answer() -> None:
    sent = [1.00, 1.02, 1.50]
    frames = [(1.05, 1), (1.15, 2), (1.45, 2), (1.55, 3)]
    assert [round(x) for x in vote_to_screen(sent, frames)] == [50, 130, 50]
    assert [round(x) for x in vote_to_screen([2.0], [(1.9, 11), (2.1, 11)], base=10)] == [100]
    assert vote_to_screen([1.0, 2.0], [(1.1, 1)]) == [100.00000000000009]


def test_percentiles_are_nearest_rank() -> None:
    p = percentiles([float(x) for x in range(1, 101)])
    assert (p["p50"], p["p99"], p["max"], p["n"]) == (50.0, 99.0, 100.0, 100)
    assert percentiles([])["p99"] is None


def check_section(name: str, section: dict[str, Any]) -> None:
    assert section["took_s"] > 0
    if name in {"burst", "stream", "ceiling"}:
        assert {"hub", "baseline"} <= set(section)
    if name == "burst":
        for side in ("hub", "baseline"):
            run = section[side]
            assert run["sent"] == section["phones"] * section["rounds"] == run["acked"]
            assert 0 < run["ack_ms"]["p50"] <= run["ack_ms"]["p99"]
        assert section["hub"]["screen_ms"]["n"] > 0
        assert section["ratio_ack_p99"] > 0
    if name == "stream":
        assert section["kind"] in {"temperature", "estimate"}
        hub = section["hub"]
        assert hub["sent"] > section["rate"] * section["duration_s"] * 0.9
        assert hub["lost"] == 0 == section["lost"]
        assert hub["staleness_ms"]["n"] > 0 and hub["loop_lag_ms"]["n"] > 0
        assert hub["server_cores"] is not None and hub["load_cores"] > 0
    if name == "ceiling":
        for side in ("hub", "baseline"):  # a loaded CI machine may hold no rate at all
            assert section[side]["steps"] and section[side]["rate"] >= 0
            assert all(s["sent"] > 0 and "ack_ms" in s for s in section[side]["steps"])
    if name == "memory":
        for side in ("hub", "baseline"):
            points = section[side]["points"]
            assert [p["phones"] for p in points] == section["counts"]
        hub = section["hub"]
        assert hub["points"][-1]["connected"] == section["counts"][-1] + hub["warm"]
        assert 0 < section["kib_per_phone_max"] < 1024
    if name == "restart":
        runs = section["runs"]
        events, tail = section["events"], section["tail_events"]
        assert runs["whole_log"]["replayed"] == events > tail > 0
        assert runs["after_clean_stop"]["replayed"] == 0
        assert runs["after_clean_stop"]["from_checkpoint"] == events
        assert runs["after_crash"]["replayed"] == tail
        assert runs["after_crash"]["from_checkpoint"] == events - tail
        assert 0 < section["ready_s"] < 120


def test_quick_bench_writes_a_complete_report(tmp_path: Path) -> None:
    report_path = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "crowd", "bench", "--quick", "--json",
                           str(report_path)], capture_output=True, text=True, timeout=170)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "targets held:" in done.stdout and "ack p99 ms" in done.stdout
    report = json.loads(report_path.read_text())
    assert report["format"] == "crowd-bench" and report["quick"] is True
    assert report["machine"]["cpus"] >= 1 and report["machine"]["python"]
    assert list(report["sections"]) == list(SECTIONS)
    for name, section in report["sections"].items():
        check_section(name, section)
    assert {(t["section"], t["figure"]) for t in report["targets"]} == set(TARGETS)
    assert all(isinstance(t["ok"], bool) for t in report["targets"])


def test_only_runs_the_named_sections(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "crowd", "bench", "--quick", "--only",
                           "nope"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "unknown section" in done.stderr
