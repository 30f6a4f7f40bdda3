"""Small-cell suppression: no group of fewer than 5 people is ever shown.

A group is *small* when one of its cells (its people in one cohort) holds 1 to 4
people; a cell of 0 reveals no one and is shown. Suppressing only the small groups
is not enough when the totals are shown elsewhere (the overall result gives each
cohort's size): with a single group hidden, its size is the total minus the
others. So, within one attribute (complementary suppression):

* if exactly one group is hidden, the next smallest group is hidden too;
* while the hidden groups of a cohort add up to 1-4 people, one more is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MIN_CELL = 5

SMALL = "small_group"
COMPLEMENTARY = "complementary"


def _is_small(cells: np.ndarray, min_cell: int) -> np.ndarray:
    return np.asarray(((cells > 0) & (cells < min_cell)).any(axis=1))


def suppression(cells: Sequence[Sequence[int]] | Sequence[int], *,
                min_cell: int = MIN_CELL) -> list[str | None]:
    """Which groups of one attribute to hide, and why.

    Parameters
    ----------
    cells : one row per group: its people per cohort (or one count per group)
    min_cell : the smallest group that may be shown

    Returns
    -------
    list of None, ``'small_group'`` or ``'complementary'``, one per group.
    """
    table = np.asarray(cells, dtype=float)
    if table.ndim == 1:
        table = table[:, None]
    reasons: list[str | None] = [SMALL if s else None for s in _is_small(table, min_cell)]

    def leaks() -> bool:
        hidden = [i for i, r in enumerate(reasons) if r is not None]
        if not hidden:
            return False
        sums = table[hidden].sum(axis=0)
        return len(hidden) == 1 or bool(((sums > 0) & (sums < min_cell)).any())

    while leaks():
        shown = [i for i, r in enumerate(reasons) if r is None]
        if not shown:
            break
        nxt = min(shown, key=lambda i: (table[i].sum(), i))  # the next smallest
        reasons[nxt] = COMPLEMENTARY
    return reasons
