"""Suggested matches between needs and offers: stems, categories, order, exclusions."""

from __future__ import annotations

from crowd.models.matching import THRESHOLD, stems, suggest


def test_stems_meet_across_plurals_accents_and_function_words() -> None:
    assert stems("Les pétrins") == stems("un petrin") == ["petrin"]
    assert stems("mutualiser") == stems("mutualisé")
    assert stems("Nous cherchons de la farine") == stems("farine")  # "cherch" is not a need


def test_only_pairs_of_one_category_similar_enough_best_first() -> None:
    needs = [("n1", "Cherche un pétrin pour la boulangerie", "Pain"),
             ("n2", "Besoin de fûts pour la bière", "Brasserie"),
             ("n3", "Un camion frigorifique", "Pain")]
    offers = [("o1", "Je prête mon pétrin le lundi", "Pain"),
              ("o2", "Fûts de chêne à donner", "Brasserie"),
              ("o3", "Pétrin à vendre", "Bois")]  # same words, other category
    found = suggest(needs, offers)
    assert [(s.need, s.offer) for s in found] == [("n2", "o2"), ("n1", "o1")]
    assert all(s.score >= THRESHOLD for s in found)
    assert found[0].score >= found[1].score
    assert suggest(needs, offers) == found  # the same posts, the same pairs
    assert [(s.need, s.offer) for s in suggest(needs, offers, known={("n2", "o2")})] == [
        ("n1", "o1")]


def test_nothing_to_compare() -> None:
    assert suggest([], [("o1", "pétrin", None)]) == []
    assert suggest([("n1", "le la les", None)], [("o1", "du de des", None)]) == []
