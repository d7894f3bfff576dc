"""Where the server's CPU goes per input: the hub under a steady temperature stream,
sampled by py-spy, summarised by own time and by inclusive time.

    python benchmarks/profile_hub.py --rate 8000 --seconds 15 [--phones 2000] [--top 30]

Uses `crowd bench`'s load generator (pinned to core 1, the server to core 0) and the
same server settings; needs `py-spy` (pip install py-spy). Prints the server's CPU per
input over the run and, with py-spy, the functions that cost the most.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from crowd.commands.bench import FULL, Bench, CpuMeter, Recorder, Template, drain, paced, periodic


def summarise(collapsed: Path, top: int) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        thread, _, stack = stack.partition(";")  # --threads: the thread is the root
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1]
                  for f in stack.split(";") if f]
        if not frames:
            continue
        n = int(count)
        total += n
        threads[thread.split(" ")[-1].strip('"')] += n
        own[frames[-1]] += n
        for name in set(frames):
            inclusive[name] += n
    lines = [f"{total} samples; by thread: "
             + ", ".join(f"{name} {n / total:.0%}" for name, n in threads.most_common()),
             "", "own time:"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in own.most_common(top)]
    lines += ["", "inclusive time:"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(FULL, Path(tmp), print)
        with bench.hub() as (target, server):
            room, (activity,) = await bench._room(server, "temperature")
            await bench._panel_do(server, ("open", activity))
            rec = Recorder()
            phones = await target.phones(args.phones, room, rec)
            for phone in phones:
                phone.template = Template(activity, integer=False)
            spy = None
            out = Path(tmp) / "profile.txt"
            if args.profile and shutil.which("py-spy"):
                spy = subprocess.Popen(
                    ["py-spy", "record", "--pid", str(target.pid), "--duration",
                     str(int(args.seconds)), "--rate", "250", "--format", "raw",
                     "--nonblocking", "--threads", "-o", str(out)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            meter = CpuMeter(target.pid)
            t0 = time.perf_counter() + 0.05
            await paced(periodic(phones, args.rate, args.seconds,
                                 lambda i, beat: 0.05 * ((i + beat) % 21 - 10)), t0)
            cpu = meter.read()
            await drain(rec, phones, 10.0)
            print(f"{rec.acked:,} acked of {rec.sent:,}; server {cpu['server_cores']} cores, "
                  f"{cpu['server_cores'] * args.seconds / max(rec.acked, 1) * 1e6:.1f} "
                  f"µs per input")
            if spy is not None:
                spy.wait(timeout=args.seconds + 30)
                print(summarise(out, args.top))
            elif args.profile:
                print("py-spy not found: no profile")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=8000.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="only the CPU per input (no sampling overhead)")
    asyncio.run(main(parser.parse_args()))
