"""Suggested matches on a board of needs and offers: a need and an offer of the same
category whose texts say the same things.

Each text becomes a TF-IDF vector (scikit-learn's `TfidfVectorizer`): words are
lower-cased and split by scikit-learn's tokenizer, French function words dropped (the
list below), each word reduced to its stem by the Snowball French stemmer
(`snowballstemmer`: "pétrins", "pétrin" -> "pétrin"; "mutualiser", "mutualisé" ->
"mutualis"), accents then removed so "petrin" typed without them meets "pétrin". The
weight of a stem is (1 + log tf) · idf, with idf = ln((1 + n) / (1 + df)) + 1 over the
board's posts (a word every post uses weighs little), vectors normalised to length 1;
the similarity of a need and an offer is the cosine of their vectors (Salton & Buckley,
"Term-weighting approaches in automatic text retrieval", 1988). A pair is suggested
when it is of the same category (or both have none) and its cosine is at least
`THRESHOLD`; each need keeps its `PER_NEED` best offers. docs/models.md has the details,
docs/decisions.md why these libraries.

Pure: texts in, pairs out; the board calls it off the hot path (at most every few
seconds per board, bounded in posts) and shows the pairs to the animators, who approve
the ones that reach the map.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

#: Cosine from which a need and an offer are suggested (two short texts sharing one
#: rare stem, or two common ones).
THRESHOLD = 0.2
#: Suggestions kept per need (the best ones).
PER_NEED = 3
#: At most this many needs, and as many offers, are compared at once (the newest):
#: bounds the time of one pass (docs/performance.md).
MAX_POSTS = 800

#: French function words: they say nothing of what is needed or offered.
FRENCH_STOP_WORDS = frozenset("""
a à afin ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient
aurais aurait auras aurez auriez aurions aurons auront aussi autre autres aux auxquelles
auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant ayez ayons
bon c ça car ce ceci cela celle celles celui cependant certain certaine certaines
certains ces cet cette ceux chaque chez ci comme comment d dans de des deux dès donc dont
du elle elles en encore entre es est et étaient étais était étant été êtes étiez étions
être eu eue eues eûmes eurent eus eusse eussent eusses eussiez eussions eut eût eûtes
eux fait faire fais faut fois font furent fus fusse fussent fusses fussiez fussions fut
fût fûtes ici il ils j je jusqu jusque l la là le les leur leurs lors lui m ma mais me
même mêmes mes moi mon n ne ni nos notre nous on ont ou où par parce pas peu peut
peuvent plus pour pourquoi qu quand que quel quelle quelles quels qui quoi s sa sans se
sera serai seraient serais serait seras serez seriez serions serons seront ses si sien
sienne siennes siens soi soient sois soit sommes son sont sous soyez soyons suis sur t
ta te tes toi ton tous tout toute toutes très tu un une unes uns vers voici voilà vos
votre vous y
cherche cherchons recherche besoin besoins propose proposons offre offres
""".split())  # noqa: SIM905 - a list of words reads best as words


@dataclass(frozen=True, slots=True)
class Suggestion:
    need: str
    offer: str
    score: float


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    """Text -> stems (lazy: scikit-learn loads only when a board first matches)."""
    import snowballstemmer
    from sklearn.feature_extraction.text import TfidfVectorizer, strip_accents_unicode

    stemmer = snowballstemmer.stemmer("french")
    tokenize = TfidfVectorizer(lowercase=True).build_tokenizer()
    stop = {strip_accents_unicode(w) for w in FRENCH_STOP_WORDS} | FRENCH_STOP_WORDS

    # The pure-Python stemmer takes about a millisecond a word: a board repeats a few
    # hundred words, and a post's text never changes, so both are remembered.
    @lru_cache(maxsize=50_000)
    def stem(word: str) -> str:
        return str(strip_accents_unicode(stemmer.stemWord(word)))

    @lru_cache(maxsize=20_000)
    def analyze(text: str) -> tuple[str, ...]:
        words = [w for w in tokenize(text.lower()) if w not in stop and len(w) > 1]
        return tuple(s for s in map(stem, words) if s)

    return analyze


def stems(text: str) -> list[str]:
    """The stems a text is compared by (for tests and the docs)."""
    return list(_analyzer()(text))


def suggest(needs: Sequence[tuple[str, str, str | None]],
            offers: Sequence[tuple[str, str, str | None]],
            known: Iterable[tuple[str, str]] = ()) -> list[Suggestion]:
    """The suggested (need, offer) pairs, best first: `needs` and `offers` are
    (id, text, category) of the posts shown; `known` pairs (already linked or already
    decided) are left out. Deterministic: the same posts give the same pairs."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    needs, offers = list(needs)[-MAX_POSTS:], list(offers)[-MAX_POSTS:]
    if not needs or not offers:
        return []
    vectorizer = TfidfVectorizer(analyzer=_analyzer(), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([t for _, t, _ in needs] + [t for _, t, _ in offers])
    except ValueError:  # no word at all once function words are gone
        return []
    need_rows, offer_rows = matrix[:len(needs)], matrix[len(needs):]
    skip = set(known)
    found: list[Suggestion] = []
    for category in sorted({c or "" for _, _, c in needs}):
        n_idx = [i for i, (_, _, c) in enumerate(needs) if (c or "") == category]
        o_idx = [j for j, (_, _, c) in enumerate(offers) if (c or "") == category]
        if not o_idx:
            continue
        cosines = (need_rows[n_idx] @ offer_rows[o_idx].T).toarray()
        for row, i in enumerate(n_idx):
            columns = np.flatnonzero(cosines[row] >= THRESHOLD)
            # best first, the earlier offer first among equals
            columns = columns[np.lexsort((columns, -cosines[row, columns]))]
            kept = 0
            for col in columns:
                pair = (needs[i][0], offers[o_idx[col]][0])
                if pair in skip:
                    continue
                found.append(Suggestion(*pair, round(float(cosines[row, col]), 4)))
                kept += 1
                if kept == PER_NEED:
                    break
    found.sort(key=lambda s: (-s.score, s.need, s.offer))
    return found
