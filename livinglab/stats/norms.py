"""Published norms and intervals of the standard instruments: SUS grades, SUS percentiles, NPS.

Kept apart from :mod:`livinglab.stats.surveys` (which scores answers) because
these are fixed tables and closed formulas from the literature, each with its
source.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import special

SUS_GRADES: tuple[tuple[float, str], ...] = (
    (84.1, "A+"),
    (80.8, "A"),
    (78.9, "A-"),
    (77.2, "B+"),
    (74.1, "B"),
    (72.6, "B-"),
    (71.1, "C+"),
    (65.0, "C"),
    (62.7, "C-"),
    (51.7, "D"),
    (0.0, "F"),
)
"""Sauro & Lewis (2016) curved grading scale, Table 8.5 (lower bounds)."""

SUS_PERCENTILE_TABLE: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (51.7, 15.0),
    (62.7, 35.0),
    (65.0, 41.0),
    (71.1, 60.0),
    (72.6, 65.0),
    (74.1, 70.0),
    (77.2, 80.0),
    (78.9, 85.0),
    (80.8, 90.0),
    (84.1, 96.0),
    (100.0, 100.0),
)
"""(SUS score, percentile rank) at the lower bound of each grade of Sauro & Lewis's
curved grading scale (2016, Table 8.5: F 0-51.6 -> 0-14, D 51.7-62.6 -> 15-34,
C- 62.7-64.9 -> 35-40, C 65.0-71.0 -> 41-59, C+ 71.1-72.5 -> 60-64, B- 72.6-74.0 ->
65-69, B 74.1-77.1 -> 70-79, B+ 77.2-78.8 -> 80-84, A- 78.9-80.7 -> 85-89,
A 80.8-84.0 -> 90-95, A+ 84.1-100 -> 96-100), closed by (100, 100)."""

PROMOTER_MIN = 9
DETRACTOR_MAX = 6
NPS_ADDED_RESPONSES = 3.0
"""Adjusted Wald for the NPS: 3 pseudo-responses, 3/4 of them promoters, 3/4 detractors."""


def sus_grade(score: float) -> str:
    """Sauro-Lewis curved grade (A+ ... F) of a mean SUS score.

    Raises
    ------
    ValueError
        When ``score`` is outside [0, 100].

    References
    ----------
    Sauro, J. & Lewis, J. R. (2016). Quantifying the User Experience, 2nd ed.,
    Morgan Kaufmann, Table 8.5.
    """
    if not 0.0 <= score <= 100.0:
        raise ValueError(f"The 'score' must be in [0, 100]. Got {score!r} instead.")
    return next(grade for bound, grade in SUS_GRADES if score >= bound)


def sus_percentile(score: float) -> float:
    """Percentile rank of a mean SUS score from Sauro & Lewis's published table.

    Linear interpolation in :data:`SUS_PERCENTILE_TABLE`, the score and
    percentile ranges of the curved grading scale (68 -> 50.3, 74.1 -> 70,
    80.8 -> 90). The published ranges follow the observed distribution of
    studies' mean scores, which is not normal: a normal curve (mean 68, SD 12.5)
    puts 80.8 at the 85th percentile, not the 90th, and 51.7 at the 10th, not
    the 15th. Within a grade the table gives only a range, so the rank is
    interpolated linearly inside it.

    Parameters
    ----------
    score : float
        A mean SUS score in [0, 100].

    Returns
    -------
    float
        Percentile rank in [0, 100].

    Raises
    ------
    ValueError
        When ``score`` is outside [0, 100].

    References
    ----------
    Sauro, J. & Lewis, J. R. (2016). Quantifying the User Experience, 2nd ed.,
    Morgan Kaufmann, Table 8.5 (curved grading scale with percentile ranges).
    """
    if not 0.0 <= score <= 100.0:
        raise ValueError(f"The 'score' must be in [0, 100]. Got {score!r} instead.")
    scores, percentiles = zip(*SUS_PERCENTILE_TABLE, strict=True)
    return float(np.interp(score, scores, percentiles))


class NpsInterval(NamedTuple):
    """An NPS confidence interval on the -100..100 scale."""

    ci_low: float
    ci_high: float


def nps_interval(promoters: int, detractors: int, n: int, *, alpha: float = 0.05) -> NpsInterval:
    """Adjusted-Wald confidence interval of the Net Promoter Score.

    Parameters
    ----------
    promoters, detractors : int
        Counts of respondents answering 9-10 and 0-6.
    n : int
        Respondents (>= 1).
    alpha : float
        1 - confidence level.

    Returns
    -------
    NpsInterval
        ``ci_low``, ``ci_high`` in NPS points, clipped to [-100, 100]; defined
        for every n >= 1, also when every respondent is a promoter (where the
        plain Wald interval has zero width).

    Notes
    -----
    Add 3 pseudo-responses: :math:`n' = n + 3`,
    :math:`p' = (x_{pro} + 3/4)/n'`, :math:`d' = (x_{det} + 3/4)/n'`;
    :math:`\\widehat{NPS}' = p' - d'`,
    :math:`\\operatorname{Var} = (p' + d' - (p' - d')^2)/n'` (the trinomial
    variance of a difference of two proportions), interval
    :math:`100(\\widehat{NPS}' \\pm z_{1-\\alpha/2}\\sqrt{\\operatorname{Var}})`.
    The reported score stays the plain NPS; only the interval is adjusted.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the 'Net Promoter Score'. The
    American Statistician 70(4), 365-372 (adjusted Wald, best coverage of the
    methods compared). Lewis, J. R. & Sauro, J. (2020). Confidence intervals
    for Net Promoter Scores. MeasuringU (add 3 to n, 3/4 to promoters and to
    detractors).
    """
    if n < 1:
        raise ValueError(f"The 'n' must be >= 1. Got {n!r} instead.")
    if not 0 <= promoters + detractors <= n or promoters < 0 or detractors < 0:
        raise ValueError(
            "The 'promoters' and 'detractors' must be counts that sum to at most 'n'. "
            f"Got {promoters}, {detractors} and {n} instead."
        )
    added = NPS_ADDED_RESPONSES / 4.0
    total = n + NPS_ADDED_RESPONSES
    p = (promoters + added) / total
    d = (detractors + added) / total
    centre = p - d
    margin = float(special.ndtri(1.0 - alpha / 2.0)) * math.sqrt((p + d - centre**2) / total)
    return NpsInterval(
        max(100.0 * (centre - margin), -100.0), min(100.0 * (centre + margin), 100.0)
    )
