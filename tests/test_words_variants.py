"""Words: the variants of one word count together, shown in their most frequent spelling."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.activities import activity_type
from crowd.activities.polls import WordsTally, word_key

SPEC = {"max_words": 3}


def test_case_accents_and_emoji_do_not_split_a_word() -> None:
    words = activity_type("words")
    tally = WordsTally()
    for answer in (["Écologie 🌱"], ["ecologie"], ["écologie"], ["écologie", "Pain"],
                   ["ÉCOLOGIE!"], ["🌱"]):
        tally.add(words.validate(SPEC, answer))
    snap = tally.snapshot()
    # one word said five times, in its most frequent spelling; the emoji alone stays
    assert snap["words"][0] == "écologie" and snap["counts"][0] == 5
    assert dict(zip(snap["words"], snap["counts"], strict=True)) == {
        "écologie": 5, "Pain": 1, "🌱": 1}
    assert snap["distinct"] == 3
    # two spellings of one word in one answer count once
    assert words.validate(SPEC, ["Pain", "pain !", "PAIN"]) == ["Pain"]
    assert word_key("Crème brûlée 🍮") == word_key("creme  BRULEE") == "creme brulee"


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.tuples(st.booleans(), st.lists(
    st.sampled_from(["Été", "été", "ete", "ÉTÉ ☀️", "pain", "Pain", "🍞"]),
    min_size=1, max_size=3)), max_size=60))
def test_the_shown_spelling_is_the_most_frequent_as_answers_come_and_go(
        moves: list[tuple[bool, list[str]]]) -> None:
    """Against a full recount after every move: same counts per word, and each word
    shown in its most frequent spelling (the first in code-point order among equals)."""
    words = activity_type("words")
    tally, given_answers = WordsTally(), []
    for remove, raw in moves:
        if remove and given_answers:
            tally.remove(given_answers.pop(0))
        else:
            answer = words.validate(SPEC, raw)
            given_answers.append(answer)
            tally.add(answer)
    spellings: dict[str, Counter[str]] = {}
    for answer in given_answers:
        for w in answer:
            spellings.setdefault(word_key(w), Counter())[w] += 1
    expected = {min(sp, key=lambda w: (-sp[w], w)): sum(sp.values())
                for sp in spellings.values()}
    snap = tally.snapshot()
    assert dict(zip(snap["words"], snap["counts"], strict=True)) == expected
    assert snap["n"] == len(given_answers)
