"""The layers of docs/design.md, checked: the core must not load any I/O library, and
every greeted message reaches its handler through the one authorization point."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

IO_MODULES = ["asyncio", "starlette", "websockets", "aiosqlite", "uvicorn"]
CORE = ["crowd.types", "crowd.errors", "crowd.protocol", "crowd.authorization",
        "crowd.events", "crowd.steps", "crowd.room",
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


@pytest.mark.parametrize("module", ["crowd.charts", "crowd.timelapse", "crowd.exports"])
def test_views_never_import_the_server(module: str) -> None:
    loaded = loaded_after_import([module])
    assert not {m for m in loaded if m.startswith("crowd.server")}
    assert not loaded & {"starlette", "websockets", "aiosqlite", "uvicorn"}


def test_the_engine_names_no_kind() -> None:
    """Kinds are plug-ins (docs/kinds.md): the engine routes to them by registry."""
    source = (PACKAGE / "engine.py").read_text()
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("crowd.activities")
                for alias in node.names}
    assert imported <= {"ActivityType", "activity_type", "all_types"}, imported
    assert "Kind." not in source


def test_clients_never_import_the_server() -> None:
    loaded = loaded_after_import(["crowd.clients"])
    assert not {m for m in loaded if m.startswith("crowd.server")}


PACKAGE = Path(__file__).resolve().parents[1] / "crowd"


def calls_in(tree: ast.AST, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == name]


def test_every_message_is_authorized_before_any_layer_handles_it() -> None:
    """`Hub.submit` authorizes first; nothing else in the server hands a client's message
    to the engine or to the hub's own handlers."""
    hub = ast.parse((PACKAGE / "server" / "hub.py").read_text())
    submit = next(node for node in ast.walk(hub)
                  if isinstance(node, ast.AsyncFunctionDef) and node.name == "submit")
    first = next(stmt for stmt in submit.body
                 if not isinstance(stmt, ast.Assert | ast.Expr)
                 or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)))
    assert calls_in(first, "authorize"), "Hub.submit must call authorize() first"
    for path in (PACKAGE / "server").glob("*.py"):
        tree = ast.parse(path.read_text())
        for call in calls_in(tree, "handle"):
            owner = next(node for node in ast.walk(tree)
                         if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                         and call in list(ast.walk(node)))
            assert (path.name, owner.name) == ("hub.py", "submit"), (
                f"{path.name}:{call.lineno} hands a message to the engine outside "
                "Hub.submit")
