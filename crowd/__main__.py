"""`python -m crowd` is the same as the `crowd` command."""

from crowd.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
