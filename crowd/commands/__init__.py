"""The `crowd` command: `main` parses, one module (or package) per sub-command.

A command module exposes `add_arguments(parser)` and `run(args) -> int`; it is the only
layer allowed to import everything below it.
"""
