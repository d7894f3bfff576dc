"""Where the pages are: `static/` beside the package in a checkout, `crowd/static` in a wheel."""

from __future__ import annotations

from pathlib import Path

import crowd


def static_dir() -> Path:
    package = Path(crowd.__file__).resolve().parent
    for candidate in (package / "static", package.parent / "static"):
        if (candidate / "phone").is_dir():
            return candidate
    raise FileNotFoundError("the static/ pages are missing from this installation")
