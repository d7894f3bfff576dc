"""The layers of docs/design.md, checked: the core must not load any I/O library."""

from __future__ import annotations

import subprocess
import sys

import pytest

IO_MODULES = ["asyncio", "starlette", "websockets", "aiosqlite", "uvicorn"]
CORE = ["crowd.types", "crowd.errors", "crowd.protocol", "crowd.events", "crowd.room",
        "crowd.checkpoint",
        "crowd.engine", "crowd.activities", "crowd.models"]


def loaded_after_import(modules: list[str]) -> set[str]:
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print('\\n'.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return {name.split(".")[0] for name in out.split()} | set(out.split())


@pytest.mark.parametrize("module", CORE)
def test_core_is_sans_io(module: str) -> None:
    loaded = loaded_after_import([module])
    assert not loaded & set(IO_MODULES), f"{module} loads {loaded & set(IO_MODULES)}"


def test_chart_builders_stay_off_the_server_stack() -> None:
    loaded = loaded_after_import(["crowd.charts"])
    assert not loaded & {"starlette", "websockets", "aiosqlite", "bokeh.server.server"}


def test_clients_never_import_the_server() -> None:
    loaded = loaded_after_import(["crowd.clients"])
    assert not {m for m in loaded if m.startswith("crowd.server")}
