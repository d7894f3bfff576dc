"""Small cells of a cross-tab hidden, with the cells that would give them away."""

from __future__ import annotations

import random

from crowd.models.crosstab import suppress


def test_cells_of_five_and_more_show_zeros_too() -> None:
    shown = suppress([[7, 0, 5], [10, 6, 0]], [12, 16])
    assert shown.cells == [[7, 0, 5], [10, 6, 0]]
    assert shown.sizes == [12, 16]


def test_a_cell_of_four_is_hidden_with_the_cell_that_would_reveal_it() -> None:
    # Row 0 has 12 people: 7, 4, 1 -> 4 and 1 hidden (primary). Column 1: 4 hidden alone
    # against 6 -> 6 hidden too; column 2: 1 hidden alone against 5 -> 5 hidden. Row 1
    # then hides 6 and 5 (two cells): no lone cell anywhere.
    shown = suppress([[7, 4, 1], [10, 6, 5]], [12, 21])
    assert shown.cells == [[7, None, None], [10, None, None]]
    assert shown.sizes == [12, 21]


def test_a_lone_small_cell_in_a_row_takes_the_next_smallest_with_it() -> None:
    # row 0: 20, 9, 3 -> 3 hidden, and 9 (the smallest other) so 20 + ? + ? = 32 tells
    # nothing; the columns then need a partner each: 8 (col 1) and 6 (col 2) in row 1.
    shown = suppress([[20, 9, 3], [15, 8, 6]], [32, 29])
    for row in shown.cells:
        hidden = [c is None for c in row]
        assert sum(hidden) != 1
    for j in range(3):
        assert sum(shown.cells[i][j] is None for i in range(2)) != 1
    assert shown.cells[0][2] is None  # the 3 never shows


def test_a_segment_of_four_is_hidden_whole_and_another_with_it() -> None:
    # segments of 4, 9 and 30 people: the 4 hidden whole (its cells too); the sizes'
    # total would give it away, so the smallest other segment (9) goes as well.
    shown = suppress([[4, 0], [5, 4], [20, 10]], [4, 9, 30])
    assert shown.sizes == [None, None, 30]
    assert shown.cells[0] == [None, None] and shown.cells[1] == [None, None]
    assert all(c is None or c >= 5 for row in shown.cells for c in row)


def test_no_shown_figure_is_ever_between_one_and_four() -> None:
    rng = random.Random(5)
    for _ in range(300):
        rows, cols = rng.randint(1, 5), rng.randint(2, 6)
        table = [[rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15]) for _ in range(cols)]
                 for _ in range(rows)]
        sizes = [sum(r) for r in table]
        shown = suppress(table, sizes)
        assert all(c is None or c == 0 or c >= 5 for row in shown.cells for c in row)
        assert all(s is None or s == 0 or s >= 5 for s in shown.sizes)
        # no line whose only hidden cell is positive while it still shows a cell
        lines = [[(i, j) for j in range(cols)] for i in range(rows) if shown.sizes[i]] + \
                [[(i, j) for i in range(rows)] for j in range(cols)]
        for line in lines:
            unknown = [c for c in line if shown.cells[c[0]][c[1]] is None]
            others = [c for c in line if shown.cells[c[0]][c[1]] is not None]
            assert not (len(unknown) == 1 and table[unknown[0][0]][unknown[0][1]] and others)


def test_a_zero_next_to_a_lone_hidden_cell_is_hidden_too() -> None:
    # a segment of 8 with cells 0 and 8, the 8 hidden by its column: "0, ?" with n = 8
    # would tell it, so the 0 goes too.
    shown = suppress([[9, 3], [0, 8]], [12, 8])
    assert shown.cells[1] == [None, None]
    assert shown.cells[0][1] is None
