"""The layers of docs/design.md, checked: every import of every module against the
design's layer table, the pure layers load no I/O library, and every greeted message
reaches its handler through the one authorization point."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "crowd"
IO_MODULES = {"asyncio", "starlette", "websockets", "aiosqlite", "uvicorn"}
#: What may sit at the top of crowd/ beside the layer folders.
TOP_LEVEL = {"__init__.py", "__main__.py", "data", "__pycache__", "static"}


def layer_table() -> dict[str, set[str]]:
    """package -> the crowd packages it may import, read from docs/design.md's table."""
    text = (ROOT / "docs" / "design.md").read_text()
    section = text[text.index("## Layers"):text.index("## Domain")]
    table: dict[str, set[str]] = {}
    for row in re.findall(r"^\|([^|]*)\|([^|]*)\|([^|]*)\|", section, flags=re.M):
        package = re.fullmatch(r"\s*`crowd/(\w+)/`\s*", row[1])
        if package:
            allowed = set(re.findall(r"`(\w+)`", row[2]))
            table[package.group(1)] = allowed if "every package" not in row[2] else {"*"}
    return table


LAYERS = layer_table()


def crowd_imports(path: Path) -> set[str]:
    """The crowd packages a module imports, function-level imports included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = ([f"crowd.{alias.name}" for alias in node.names]
                     if node.module == "crowd" else [node.module])
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "crowd" and len(parts) > 1 and (PACKAGE / parts[1]).is_dir():
                found.add(parts[1])
    return found


def test_the_table_covers_every_package_and_the_top_holds_only_layers() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(LAYERS), "every package of crowd/ needs its row in design.md"
    assert {p.name for p in PACKAGE.iterdir()} <= TOP_LEVEL | packages, (
        "a module at the top of crowd/ belongs in one of the layer folders")


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_every_import_follows_the_layer_table(package: str) -> None:
    allowed = LAYERS[package]
    for path in sorted((PACKAGE / package).rglob("*.py")):
        outside = crowd_imports(path) - {package}
        if "*" not in allowed:
            assert outside <= allowed, (
                f"{path.relative_to(ROOT)} imports {sorted(outside - allowed)}: "
                f"{package} may import only {sorted(allowed) or 'nothing of crowd'}")


def test_nothing_below_the_commands_imports_them() -> None:
    for package in set(LAYERS) - {"commands"}:
        for path in (PACKAGE / package).rglob("*.py"):
            assert "commands" not in crowd_imports(path), path


def all_modules(*packages: str) -> list[str]:
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                  for package in packages for p in (PACKAGE / package).rglob("*.py"))


def loaded_after_import(modules: list[str]) -> set[str]:
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print('\\n'.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    return {name.split(".")[0] for name in out.split()} | set(out.split())


def test_the_pure_layers_are_sans_io() -> None:
    """Core, kinds and models import no I/O library and no plotting library at all."""
    loaded = loaded_after_import(all_modules("core", "activities", "models"))
    assert not loaded & (IO_MODULES | {"bokeh"}), loaded & (IO_MODULES | {"bokeh"})


def test_views_never_load_the_server() -> None:
    loaded = loaded_after_import(all_modules("views"))
    assert not {m for m in loaded if m.startswith(("crowd.server", "crowd.clients"))}
    assert not loaded & (IO_MODULES - {"asyncio"}), "bokeh may load asyncio, nothing more"
    assert "bokeh.server.server" not in loaded


def test_clients_never_load_the_server() -> None:
    loaded = loaded_after_import(all_modules("clients"))
    assert not {m for m in loaded if m.startswith(("crowd.server", "crowd.views"))}


def test_no_module_a_newcomer_cannot_read_in_one_sitting() -> None:
    too_long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
                if (n := len(p.read_text().splitlines())) > 700}
    assert not too_long, too_long


def test_the_engine_names_no_kind() -> None:
    """Kinds are plug-ins (docs/kinds.md): the engine routes to them by registry."""
    source = (PACKAGE / "core" / "engine.py").read_text()
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("crowd.activities")
                for alias in node.names}
    assert imported <= {"ActivityType", "activity_type", "all_types"}, imported
    assert "Kind." not in source


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
