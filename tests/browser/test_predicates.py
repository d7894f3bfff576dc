"""How the page tests wait, checked on their source.

Playwright polls a `wait_for_function` predicate given as an expression ("window.x")
through `eval` in the page, which the pages' content policy (script-src 'self') forbids:
such a wait passes when the first check is already true and fails at random when it has
to poll. A predicate written as a function ("() => window.x") is sent as a function and
polls under any policy.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

FUNCTION = re.compile(r"\s*(async\s+)?(\([^)]*\)|\w+)\s*=>|\s*(async\s+)?function\b")


def _predicates(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each literal first argument of a `wait_for_function` call."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "wait_for_function" and node.args):
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
            elif isinstance(first, ast.JoinedStr):
                head = first.values[0] if first.values else None
                text = head.value if isinstance(head, ast.Constant) else ""
                found.append((node.lineno, str(text)))
    return found


def test_every_wait_for_function_predicate_is_a_function() -> None:
    here = Path(__file__).parent
    expressions = [f"{path.name}:{line}: {text[:40]!r}"
                   for path in sorted(here.glob("*.py"))
                   for line, text in _predicates(path) if not FUNCTION.match(text)]
    assert expressions == []
