"""Join a running server with simulated phones (see `crowd.clients.swarm`).

    crowd swarm --url http://127.0.0.1:8000 --room KXT4 --phones 500
    crowd swarm --url ... --room KXT4,MPW7 --phones 200      # several rooms
    crowd swarm --url ... --rooms 10 --secret S --phones 200  # a festival rehearsal

With several rooms, each room gets `--phones` phones and a crowd of its own (the seed
plus the room's rank): the rooms answer at their own pace and lean their own way. With
`--rooms N`, the organiser's secret creates N rooms first (named "Atelier 1"...), whose
codes are printed: open them in the panel and the control room, and drive them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from pathlib import Path

from crowd.clients import Panel
from crowd.clients.swarm import CrowdModel, Swarm, load_estimates


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--room", help="room code to join (or several, comma-separated)")
    where.add_argument("--rooms", type=int, help="create this many rooms and join them all "
                       "(needs --secret)")
    parser.add_argument("--secret", default=None,
                        help="the organiser's secret, to create the rooms of --rooms")
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


def model_from_args(args: argparse.Namespace, rank: int = 0) -> CrowdModel:
    estimates = load_estimates(args.estimates) if args.estimates else None
    return CrowdModel(seed=args.seed + rank, tempo=args.tempo, reaction_median_s=args.reaction,
                      polarisation=args.polarisation, herding=args.herding,
                      naps_per_min=args.naps, estimates=estimates)


async def _codes(args: argparse.Namespace) -> list[str]:
    """The rooms to join: those named, or `--rooms` new ones made with the secret."""
    if args.room:
        return [code.strip().upper() for code in args.room.split(",") if code.strip()]
    if not args.secret:
        raise SystemExit("swarm: --rooms needs the organiser's --secret to create rooms")
    async with Panel.connect(args.url, args.secret) as panel:
        return [await panel.create_room(f"Atelier {n + 1}") for n in range(args.rooms)]


async def _run(args: argparse.Namespace) -> int:
    codes = await _codes(args)
    swarms = [Swarm(args.url, code, args.phones, model_from_args(args, rank),
                    arrival_s=args.arrival) for rank, code in enumerate(codes)]
    started = time.monotonic()
    print(f"swarm: {args.phones} phones joining each of {', '.join(codes)} at {args.url} "
          f"(seed {args.seed}); Ctrl-C stops", flush=True)
    async with contextlib.AsyncExitStack() as stack:
        for swarm in swarms:
            await stack.enter_async_context(swarm)
        while not args.duration or time.monotonic() - started < args.duration:
            await asyncio.sleep(min(5.0, args.duration or 5.0))
            failed = [s for s in swarms if s.failure is not None]
            if failed:
                print(f"swarm: stopped: {failed[0].failure}", flush=True)
                return 1
            for code, swarm in zip(codes, swarms, strict=True):
                print(f"[{time.monotonic() - started:6.0f} s] {code} {swarm.summary()}",
                      flush=True)
    for code, swarm in zip(codes, swarms, strict=True):
        print(f"swarm: done. {code} {swarm.summary()}", flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        print("swarm: stopped", flush=True)
        return 0
