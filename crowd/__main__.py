"""`python -m crowd` is the same as the `crowd` command."""

from crowd.commands.main import main

if __name__ == "__main__":
    raise SystemExit(main())
