"""Join a running server with simulated phones (see `crowd.clients.swarm`).

    crowd swarm --url http://127.0.0.1:8000 --room KXT4 --phones 500
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from crowd.clients.swarm import CrowdModel, Swarm, load_estimates


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--room", required=True, help="room code to join")
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=0.0,
                        help="seconds to stay (default: until Ctrl-C)")
    parser.add_argument("--arrival", type=float, default=10.0,
                        help="seconds over which the phones arrive")
    parser.add_argument("--tempo", type=float, default=1.0,
                        help="multiplies every delay (0.5: a crowd twice as quick)")
    parser.add_argument("--reaction", type=float, default=3.0,
                        help="median seconds before a first answer")
    parser.add_argument("--polarisation", type=float, default=0.7,
                        help="share of the crowd in two camps on temperatures")
    parser.add_argument("--herding", type=float, default=0.45,
                        help="mean weight given to the revealed result in a social round")
    parser.add_argument("--naps", type=float, default=0.05,
                        help="naps per phone per minute (sockets that die silently)")
    parser.add_argument("--estimates", type=Path, default=None,
                        help="a file of real estimates, one a line (default: the cow data)")


def model_from_args(args: argparse.Namespace) -> CrowdModel:
    estimates = load_estimates(args.estimates) if args.estimates else None
    return CrowdModel(seed=args.seed, tempo=args.tempo, reaction_median_s=args.reaction,
                      polarisation=args.polarisation, herding=args.herding,
                      naps_per_min=args.naps, estimates=estimates)


async def _run(args: argparse.Namespace) -> int:
    swarm = Swarm(args.url, args.room.upper(), args.phones, model_from_args(args),
                  arrival_s=args.arrival)
    started = time.monotonic()
    print(f"swarm: {args.phones} phones joining room {args.room.upper()} at {args.url} "
          f"(seed {args.seed}); Ctrl-C stops", flush=True)
    async with swarm:
        while not args.duration or time.monotonic() - started < args.duration:
            await asyncio.sleep(min(5.0, args.duration or 5.0))
            if swarm.failure is not None:
                print(f"swarm: stopped: {swarm.failure}", flush=True)
                return 1
            print(f"[{time.monotonic() - started:6.0f} s] {swarm.summary()}", flush=True)
    print(f"swarm: done. {swarm.summary()}", flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        print("swarm: stopped", flush=True)
        return 0
