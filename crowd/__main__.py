"""`python -m crowd` is the same as the `crowd` command."""

from crowd.cli import main

raise SystemExit(main())
