"""Where the pages are: `static/` beside the package in a checkout, `crowd/static` in a wheel."""

from __future__ import annotations

from pathlib import Path


def static_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "static", here.parent / "static"):
        if (candidate / "phone").is_dir():
            return candidate
    raise FileNotFoundError("the static/ pages are missing from this installation")
