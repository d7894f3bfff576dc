"""The `crowd` command.

`serve` lives here; every other command is a module exposing `add_arguments(parser)` and
`run(args) -> int`, listed in COMMANDS, so each feature owns its command.
"""

from __future__ import annotations

import argparse
import errno
import logging
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from crowd import __version__
from crowd.features import optional_module


def listen_problem(host: str, port: int) -> str | None:
    """Why `crowd serve` could not listen on host:port, in one line; None if it can.

    uvicorn binds only after the app started (database opened, log replayed, banner
    printed): a taken port would show a QR code and a secret for a server that is not
    there, then a raw error. Binding the way uvicorn does (SO_REUSEADDR) first says it
    plainly. Another program could still take the port in between: uvicorn then fails
    as before.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"crowd: port {port} is already in use on {host} (another crowd "
                        "serve?): choose another with --port")
            return f"crowd: cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from crowd.clients.launcher import exit_with_parent
    from crowd.server.app import create_app, uvicorn_config
    from crowd.server.eventlog import check_file
    from crowd.server.netinfo import qr_terminal
    from crowd.server.settings import Settings

    settings = Settings.from_env(host=args.host, port=args.port, db=args.db,
                                 public_url=args.public_url)
    problem = listen_problem(settings.host, settings.port) or check_file(settings.db)
    if problem:
        print(problem if problem.startswith("crowd:") else f"crowd: {problem}",
              file=sys.stderr)
        return 1
    exit_with_parent()  # started by a script (demo, tests) that died: stop too
    app = create_app(settings)

    def announce(hub: object) -> None:
        base = settings.public_url.rstrip("/")
        secret = hub.animator_secret  # type: ignore[attr-defined]
        print(f"\ncrowd {__version__} — database {Path(settings.db).resolve()}", flush=True)
        print(qr_terminal(base + "/"), flush=True)
        print(f"  Phones join at   {base}/   (scan the QR code, then type the room code)")
        print(f"  Animator panel   {base}/panel#secret={secret}")
        print(f"  Animator secret  {secret}")
        print("  Projector        open a room in the panel, then 'Ouvrir l'écran'\n", flush=True)

    app.state.on_ready = announce
    uvicorn.run(app, **uvicorn_config(settings))
    return 0


#: name -> (module, one-line help). A module that is not there yet is simply not listed.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("crowd.demo", "a server with a simulated crowd and a scripted agenda"),
    "swarm": ("crowd.clients.swarm", "join a running server with simulated phones"),
    "bench": ("crowd.bench", "measure the server against a same-run baseline"),
    "timelapse": ("crowd.timelapse_cli", "build the replay of a room from its event log"),
    "export": ("crowd.exports_cli", "export a room's results and event log"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crowd", description="crowd: live crowd sensing and voting on a local network.")
    parser.add_argument("--version", action="version", version=f"crowd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server (SQLite file, LAN join URL, QR code)")
    serve.add_argument("--host", default=None, help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument("--db", type=Path, default=None, help="SQLite file (default crowd.db)")
    serve.add_argument("--public-url", default=None,
                       help="base URL for QR codes when the LAN address guess is wrong")
    serve.set_defaults(func=_serve)
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
