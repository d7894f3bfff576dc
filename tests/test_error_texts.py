"""Every refusal has its words in both languages of the pages.

The error tree (crowd/core/errors.py) gives each refusal a code and, through a declared
reason, its parameters; the pages translate both from static/shared/errors.js. These
tests list the codes of the tree and every declared reason (the kinds' included) and
check the French and the English table, and that every refusal the server raises names
its reason (a bare English sentence would reach a French page untranslated).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import crowd.activities  # every kind declares its reasons on import
import crowd.core.engine  # noqa: F401 - so do the agenda's and the moderation's modules
from crowd.core import errors
from crowd.core.errors import BadMessage, CrowdError, error_codes, reasons

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "static" / "shared" / "errors.js"


def js_tables() -> dict[str, dict[str, str]]:
    """{lang: {key: text}} read from errors.js (keys and their text, concatenations
    joined; the NNBSP constant stands for the narrow no-break space)."""
    text = TABLES.read_text()
    blocks = re.split(r"^  (fr|en): \{$", text, flags=re.M)
    tables: dict[str, dict[str, str]] = {}
    for lang, body in zip(blocks[1::2], blocks[2::2], strict=True):
        entries = {}
        for key, value in re.findall(r'^\s+"([\w.]+)": (.+),$', body, flags=re.M):
            parts = re.findall(r'"((?:[^"\\]|\\.)*)"|NNBSP', value)
            entries[key] = "".join(p if p else "\u202f" for p in parts)
        tables[lang] = entries
    return tables


TABLE = js_tables()


def placeholders(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


def test_both_tables_have_the_same_keys() -> None:
    assert set(TABLE) == {"fr", "en"}
    assert set(TABLE["fr"]) == set(TABLE["en"])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_code_of_the_error_tree_has_its_sentence(lang: str) -> None:
    codes = error_codes()
    assert {"bad_message", "conflict", "forbidden", "unavailable", "hello_timeout"} <= codes
    missing = sorted(c for c in codes if f"error.{c}" not in TABLE[lang])
    assert missing == [], f"codes without a {lang} sentence"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_declared_reason_has_its_sentence_with_the_same_parameters(lang: str) -> None:
    declared = reasons()
    assert "field_count" in declared and "value_words_count" in declared  # core and kinds
    missing = sorted(r for r in declared if f"reason.{r}" not in TABLE[lang])
    assert missing == [], f"reasons without a {lang} sentence"
    for name, english in declared.items():
        shown = placeholders(TABLE[lang][f"reason.{name}"])
        assert shown <= placeholders(english), (
            f"{lang} reason.{name} uses parameters the server does not send")
    unknown = sorted(k[7:] for k in TABLE[lang] if k.startswith("reason.")
                     and k[7:] not in declared)
    assert unknown == [], "sentences for reasons nobody declares"


def test_french_sentences_use_a_narrow_no_break_space_before_a_colon() -> None:
    for key, text in TABLE["fr"].items():
        assert not re.search(r"[^\u202f\u00a0] ?[:;?!](\s|$)", text), key


def test_an_error_builds_its_english_message_from_its_reason() -> None:
    exc = BadMessage(reason="field_count", field="options", min=2, max=20, seq=7)
    assert exc.message == "'options' needs between 2 and 20 entries"
    assert exc.details() == {"reason": "field_count",
                             "params": {"field": "options", "min": 2, "max": 20}}
    assert exc.seq == 7 and exc.code == "bad_message"
    with pytest.raises(KeyError):
        BadMessage(reason="no_such_reason")
    with pytest.raises(ValueError):
        errors.declare_reasons({"field_count": "something else"})


def _crowd_error_names() -> set[str]:
    names: set[str] = set()
    todo: list[type[CrowdError]] = [CrowdError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def test_every_refusal_the_server_raises_names_its_reason() -> None:
    names = _crowd_error_names()
    bare = []
    for path in sorted((ROOT / "crowd").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in names and not any(k.arg == "reason" for k in node.exc.keywords):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert bare == []
