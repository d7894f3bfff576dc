"""The `crowd` command: one sub-command per module of `crowd.commands`.

Each command module exposes `add_arguments(parser)` and `run(args) -> int` and is listed
in COMMANDS, so a feature owns its command and this file only dispatches.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from crowd import __version__
from crowd.core.features import optional_module

#: name -> (module, one-line help). A module that is not there yet is simply not listed.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("crowd.commands.serve", "run the server (SQLite file, LAN join URL, QR code)"),
    "doctor": ("crowd.commands.doctor", "check before the doors open that phones can join"),
    "demo": ("crowd.commands.demo", "a server with a simulated crowd and a scripted agenda"),
    "swarm": ("crowd.commands.swarm", "join a running server with simulated phones"),
    "bench": ("crowd.commands.bench", "measure the server against a same-run baseline"),
    "timelapse": ("crowd.commands.timelapse", "build the replay of a room from its event log"),
    "export": ("crowd.commands.export", "export a room's results and event log"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crowd", description="crowd: live crowd sensing and voting on a local network.")
    parser.add_argument("--version", action="version", version=f"crowd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        module = optional_module(module_name)
        if module is None:
            continue
        command = sub.add_parser(name, help=help_text, description=module.__doc__)
        module.add_arguments(command)
        command.set_defaults(func=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s", stream=sys.stderr)
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
