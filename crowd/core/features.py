"""Feature modules are optional: a command or a set of routes whose module is absent (a
slimmer build) is simply not offered, while an import error inside one still raises."""

from __future__ import annotations

import importlib
from types import ModuleType


def optional_module(name: str) -> ModuleType | None:
    """The module `name`, or None when that very module does not exist."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None
