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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

MIN_CELL = 5
"""The floor of the threshold: no setting may go below it."""

_THRESHOLD: ContextVar[int] = ContextVar("small_cell_k", default=MIN_CELL)


def min_cell() -> int:
    """The current threshold k: the smallest number of people an aggregate may rest on
    (:data:`MIN_CELL` unless :func:`cell_threshold` set a higher one)."""
    return _THRESHOLD.get()


@contextmanager
def cell_threshold(k: int) -> Iterator[int]:
    """Within the block every suppression of this package uses ``k`` (the settings'
    ``small_cell_k``). ValueError below :data:`MIN_CELL`. Context-local, so two app
    sessions never mix thresholds."""
    if k < MIN_CELL:
        raise ValueError(f"The small-cell threshold must be at least {MIN_CELL}. Got {k} instead.")
    token = _THRESHOLD.set(k)
    try:
        yield k
    finally:
        _THRESHOLD.reset(token)

SMALL = "small_group"
COMPLEMENTARY = "complementary"


def _is_small(cells: np.ndarray, min_cell: int) -> np.ndarray:
    return np.asarray(((cells > 0) & (cells < min_cell)).any(axis=1))


def suppression(cells: Sequence[Sequence[int]] | Sequence[int], *,
                min_cell: int | None = None) -> list[str | None]:
    """Which groups of one attribute to hide, and why.

    Parameters
    ----------
    cells : one row per group: its people per cohort (or one count per group)
    min_cell : the smallest group that may be shown (default: :func:`min_cell`)

    Returns
    -------
    list of None, ``'small_group'`` or ``'complementary'``, one per group.
    """
    if min_cell is None:
        min_cell = _THRESHOLD.get()
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
