"""Small cells of a cross-tabulation, hidden so that no one's answer can be told.

A split of a poll by another answer ("the people who chose A voted ...") is a table of
counts: one row per segment, one column per option. A cell of 1 to 4 people could point
at someone in a room where people know each other, so it is *suppressed* (primary
suppression, the usual rule of statistical offices with a threshold of 5), and a segment
of fewer than 5 people is hidden whole.

Hiding one cell is not enough when totals are known: a row of 12 with cells 7, ?, 2
gives the ? away. So, as in the classic secondary suppression (Cox 1980, "Suppression
methodology and statistical disclosure control", JASA 75:377-385; Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012, ch. 4), whenever a row, a column or the
list of segment sizes has exactly one hidden cell and it is positive, the smallest visible
positive cell of that line is hidden too (a zero when there is none: "0 and ?" with a known total
is no secret), until no line has a lone hidden cell. A heuristic, not
an optimal pattern (that is an integer program): it may hide more than needed, never
less on a single line, and the bounds a reader could still derive from several lines
together (a linear program) are not checked. Zeros otherwise stay shown: "nobody" tells
nothing about anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MIN_CELL", "Suppressed", "suppress"]

#: Smallest count shown in a cell, and smallest segment shown.
MIN_CELL = 5


@dataclass(frozen=True, slots=True)
class Suppressed:
    """`cells[i][j]` the count or None (hidden); `sizes[i]` the segment's size or None."""

    cells: list[list[int | None]]
    sizes: list[int | None]


def suppress(table: Sequence[Sequence[int]], sizes: Sequence[int],
             minimum: int = MIN_CELL) -> Suppressed:
    """Hide the small cells of `table` (segments x options) and the small segments
    (`sizes`: people per segment; a row's counts may add up to more, for approvals)."""
    rows, cols = len(table), len(table[0]) if table else 0
    hidden = [[0 < table[i][j] < minimum for j in range(cols)] for i in range(rows)]
    whole = [0 < sizes[i] < minimum for i in range(rows)]

    def hide_row(i: int) -> None:
        whole[i] = True
        for j in range(cols):
            hidden[i][j] = True

    for i in range(rows):
        if whole[i]:
            hide_row(i)
    changed = True
    while changed:
        changed = False
        # segment sizes: a lone hidden segment is given away by the others and the total
        lone = [i for i in range(rows) if whole[i] and sizes[i] > 0]
        if len(lone) == 1:
            visible = [i for i in range(rows) if not whole[i] and sizes[i] > 0]
            if visible:
                hide_row(min(visible, key=lambda i: (sizes[i], i)))
                changed = True
        for i in range(rows):
            if whole[i]:
                continue
            line = [(i, j) for j in range(cols)]
            changed |= _second(line, table, hidden)
        for j in range(cols):
            line = [(i, j) for i in range(rows)]
            changed |= _second(line, table, hidden)
    cells = [[None if hidden[i][j] else int(table[i][j]) for j in range(cols)]
             for i in range(rows)]
    return Suppressed(cells, [None if whole[i] else int(sizes[i]) for i in range(rows)])


def _second(line: list[tuple[int, int]], table: Sequence[Sequence[int]],
            hidden: list[list[bool]]) -> bool:
    """If the line's only hidden cell is a positive one, hide a visible one too (the
    smallest positive, else a zero: "0 and ?" with a known total gives the ? away);
    returns whether it hid anything."""
    lone = [(i, j) for i, j in line if hidden[i][j]]
    if len(lone) != 1 or table[lone[0][0]][lone[0][1]] == 0:
        return False  # two unknowns (a hidden zero is one too) cannot be told apart
    visible = [(i, j) for i, j in line if not hidden[i][j]]
    if not visible:
        return False
    i, j = min(visible, key=lambda c: (table[c[0]][c[1]] == 0, table[c[0]][c[1]], c))
    hidden[i][j] = True
    return True
