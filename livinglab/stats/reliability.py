"""Internal consistency of a multi-item score: Cronbach's alpha, Feldt's CI, and caveats.

The coefficient is computed here in a few vectorised lines (it is called for
every survey wave of every evaluation) and checked against
``pingouin.cronbach_alpha`` in the tests; pingouin rounds its CI to three
decimals, so it serves as the oracle rather than the implementation.

Two situations make a score's reliability unreadable and are reported as
caveats (codes in :data:`CAVEATS`) rather than silently giving a number:

* ``'constant_item'``: an item every respondent answered the same way carries
  no information about differences between respondents (and, alone, makes the
  total's variance a sum of the others');
* ``'negative_alpha'``: the items disagree on average (negative mean
  covariance), typically a reversed item that was not declared as reversed, so
  the composite adds answers that point in opposite directions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import check_probability, no_variation
from .results import ReliabilityResult

CAVEATS = ("constant_item", "negative_alpha")


def cronbach_alpha(items: pd.DataFrame | np.ndarray, *, alpha: float = 0.05) -> ReliabilityResult:
    """Cronbach's alpha of a respondents x items table, with Feldt's CI and caveats.

    Parameters
    ----------
    items : DataFrame or 2-D array, shape (respondents, items)
        One row per respondent, one column per item (reversed items already
        recoded). Rows with a missing answer are dropped (listwise).
    alpha : float
        1 - confidence level of the CI (not to be confused with the
        coefficient).

    Returns
    -------
    ReliabilityResult
        ``alpha`` (the coefficient), ``ci_low``, ``ci_high``,
        ``n_respondents``, ``n_items``; ``caveats`` (codes of
        :data:`CAVEATS`) and ``constant_items`` (column names, or positions
        for an array); ``message`` when it cannot be computed (fewer than 2
        items or 2 complete respondents, total scores without variation).

    Raises
    ------
    ValueError
        When ``items`` is not two-dimensional or ``alpha`` is not in (0, 1).

    Notes
    -----
    :math:`\\hat\\alpha = \\frac{k}{k-1}\\big(1 - \\sum_j s_j^2 / s_T^2\\big)`
    (sample variances, ddof = 1). Feldt:
    :math:`[1 - (1-\\hat\\alpha) F_{1-a/2}(n-1, (n-1)(k-1)),\\;
    1 - (1-\\hat\\alpha) F_{a/2}(n-1, (n-1)(k-1))]`. Same numbers as
    ``pingouin.cronbach_alpha(nan_policy='listwise')``.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. Psychometrika 16, 297-334. Feldt, L. S., Woodruff, D. J. & Salih,
    F. A. (1987). Statistical inference for coefficient alpha. Applied
    Psychological Measurement 11, 93-103.
    """
    check_probability(alpha, "alpha")
    names = [str(c) for c in items.columns] if isinstance(items, pd.DataFrame) else None
    table = np.asarray(items, dtype=float)
    if table.ndim != 2:
        raise ValueError(f"The 'items' must be a 2-D table. Got {table.ndim} dimension(s) instead.")
    names = names or [str(j) for j in range(table.shape[1])]
    table = table[~np.isnan(table).any(axis=1)]
    n, k = table.shape
    if k < 2 or n < 2:
        return _no_reliability(n, k, alpha, "needs at least 2 items and 2 complete respondents")
    scale = float(np.abs(table).max()) or 1.0
    constant = tuple(name for name, column in zip(names, table.T, strict=True)
                     if no_variation(column, scale=scale))
    totals = table.sum(axis=1)
    if no_variation(totals, scale=scale * k):
        return _no_reliability(
            n, k, alpha, "total scores do not vary: alpha undefined", constant_items=constant
        )
    item_variance = float(np.var(table, axis=0, ddof=1).sum())
    coefficient = k / (k - 1) * (1.0 - item_variance / float(np.var(totals, ddof=1)))
    df_1, df_2 = n - 1, (n - 1) * (k - 1)
    low = 1.0 - (1.0 - coefficient) * float(stats.f.ppf(1.0 - alpha / 2.0, df_1, df_2))
    high = 1.0 - (1.0 - coefficient) * float(stats.f.ppf(alpha / 2.0, df_1, df_2))
    caveats = (("constant_item",) if constant else ()) + (
        ("negative_alpha",) if coefficient < 0 else ()
    )
    return ReliabilityResult(
        alpha=coefficient,
        ci_low=low,
        ci_high=high,
        n_respondents=n,
        n_items=k,
        conf_level=1 - alpha,
        caveats=caveats,
        constant_items=constant,
    )


def _no_reliability(
    n: int, k: int, alpha: float, message: str, **fields: Any
) -> ReliabilityResult:
    """Alpha undefined for this table: counts kept, the reason in ``message``."""
    constant = fields.get("constant_items", ())
    return ReliabilityResult(
        alpha=None,
        ci_low=None,
        ci_high=None,
        n_respondents=n,
        n_items=k,
        conf_level=1 - alpha,
        message=message,
        caveats=("constant_item",) if constant else (),
        constant_items=constant,
    )


def caveat_note(reliability: ReliabilityResult) -> str | None:
    """One English sentence for the caveats of ``reliability`` (None without any).

    The decision layer renders the codes in both languages; this sentence goes
    into the survey result's ``notes`` for the JSON output and the logs.
    """
    parts = []
    if "constant_item" in reliability.caveats:
        listed = ", ".join(reliability.constant_items)
        parts.append(f"every respondent gave the same answer to {listed}: "
                     "that item says nothing about differences between respondents")
    if "negative_alpha" in reliability.caveats and reliability.alpha is not None:
        parts.append(f"Cronbach's alpha is {reliability.alpha:.2f} (< 0): the items disagree "
                     "on average; check that every negatively worded item is declared reversed")
    return "; ".join(parts) or None
