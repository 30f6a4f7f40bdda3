"""Survey scoring: SUS, UMUX-LITE, NPS and Likert composites.

Pure functions on long answers (one row per participant and item: columns
``participant_id``, ``item``, ``answer``) plus the instrument's parameters
(item ids, reversed items, scale bounds, scoring rule), as declared in
``surveys/*.yaml``. Answers of reversed items are recoded
``scale_min + scale_max - answer`` before anything else.

Scoring rules
-------------
``'sus'``
    System Usability Scale, 10 items on 1-5, even items reversed:
    ``2.5 * sum(contributions)``, 0-100, with the Sauro-Lewis curved grade and
    a percentile rank.
``'umux_lite'``
    2 items on 1-7: ``100 * sum(answer - 1) / 12`` (the raw score; Lewis et
    al.'s SUS-comparable version is ``0.65 * raw + 22.9``).
``'nps'``
    One 0-10 item: % promoters (9-10) - % detractors (0-6).
``'mean'``
    Likert composite: mean of the (recoded) items per respondent (at least
    half of the items answered), with the top-2-box share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from ._checks import (
    DEFAULT_SEED,
    check_choice,
    check_frame,
    check_numeric,
    check_probability,
    no_variation,
)
from .binary import wilson_interval
from .results import MetricResult, ReliabilityResult, ResponseRate, SurveyResult
from .ttests import one_sample_t

SCORINGS = ("sus", "umux_lite", "nps", "mean")

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

SUS_NORM_MEAN = 68.0
SUS_NORM_SD = 12.5
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


# --------------------------------------------------------------------------- small pieces


def sus_grade(score: float) -> str:
    """Sauro-Lewis curved grade (A+ ... F) of a mean SUS score.

    References
    ----------
    Sauro, J. & Lewis, J. R. (2016). Quantifying the User Experience, 2nd ed.,
    Morgan Kaufmann, Table 8.5.
    """
    if not 0.0 <= score <= 100.0:
        raise ValueError(f"The 'score' must be in [0, 100]. Got {score!r} instead.")
    return next(grade for bound, grade in SUS_GRADES if score >= bound)


def sus_percentile(score: float) -> float:
    """Percentile rank of a SUS score against Sauro's norm: 100 * Phi((score - 68) / 12.5).

    References
    ----------
    Sauro, J. (2011). A Practical Guide to the System Usability Scale.
    Measuring Usability LLC (norm: mean 68, SD 12.5, normal approximation).
    """
    return float(100.0 * special.ndtr((score - SUS_NORM_MEAN) / SUS_NORM_SD))


def cronbach_alpha(items: pd.DataFrame | np.ndarray, *, alpha: float = 0.05) -> ReliabilityResult:
    """Cronbach's alpha of a respondents x items table, with Feldt's CI.

    Parameters
    ----------
    items : DataFrame or 2-D array
        One row per respondent, one column per item (reversed items already
        recoded). Rows with a missing answer are dropped (listwise).
    alpha : float
        1 - confidence level of the CI (not to be confused with the
        coefficient).

    Returns
    -------
    ReliabilityResult
        ``alpha`` (the coefficient), ``ci_low``, ``ci_high``,
        ``n_respondents``, ``n_items``; ``message`` when it cannot be computed
        (fewer than 2 items or 2 complete respondents, zero total variance).

    Notes
    -----
    :math:`\\hat\\alpha = \\frac{k}{k-1}\\big(1 - \\sum_j s_j^2 / s_T^2\\big)`
    (sample variances, ddof = 1). Feldt:
    :math:`[1 - (1-\\hat\\alpha) F_{1-a/2}(n-1, (n-1)(k-1)),\\;
    1 - (1-\\hat\\alpha) F_{a/2}(n-1, (n-1)(k-1))]`.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. Psychometrika 16, 297-334. Feldt, L. S., Woodruff, D. J. & Salih,
    F. A. (1987). Statistical inference for coefficient alpha. Applied
    Psychological Measurement 11, 93-103.
    """
    check_probability(alpha, "alpha")
    table = np.asarray(items, dtype=float)
    if table.ndim != 2:
        raise ValueError(f"The 'items' must be a 2-D table. Got {table.ndim} dimension(s) instead.")
    table = table[~np.isnan(table).any(axis=1)]
    n, k = table.shape
    if k < 2 or n < 2:
        return _no_reliability(n, k, alpha, "needs at least 2 items and 2 complete respondents")
    total_variance = float(np.var(table.sum(axis=1), ddof=1))
    if not total_variance > 0:
        return _no_reliability(n, k, alpha, "total scores do not vary: alpha undefined")
    coefficient = k / (k - 1) * (1.0 - float(np.var(table, axis=0, ddof=1).sum()) / total_variance)
    df_1, df_2 = n - 1, (n - 1) * (k - 1)
    low = 1.0 - (1.0 - coefficient) * float(stats.f.ppf(1.0 - alpha / 2.0, df_1, df_2))
    high = 1.0 - (1.0 - coefficient) * float(stats.f.ppf(alpha / 2.0, df_1, df_2))
    return ReliabilityResult(
        alpha=coefficient,
        ci_low=low,
        ci_high=high,
        n_respondents=n,
        n_items=k,
        conf_level=1 - alpha,
    )


def _no_reliability(n: int, k: int, alpha: float, message: str) -> ReliabilityResult:
    """Alpha undefined for this table: counts kept, the reason in ``message``."""
    return ReliabilityResult(
        alpha=None,
        ci_low=None,
        ci_high=None,
        n_respondents=n,
        n_items=k,
        conf_level=1 - alpha,
        message=message,
    )


def response_rate(
    *,
    invited: int,
    responded: int,
    cohort_role: str | None = None,
    wave: str | None = None,
    alpha: float = 0.05,
) -> ResponseRate:
    """Share of invited participants who answered, with a Wilson CI.

    Returns
    -------
    ResponseRate
        ``rate = responded / invited`` with ``ci_low``/``ci_high`` (Wilson);
        None with a ``message`` when nobody was invited.
    """
    check_probability(alpha, "alpha")
    for name, count in (("invited", invited), ("responded", responded)):
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
            raise ValueError(f"The '{name}' must be an int >= 0. Got {count!r} instead.")
    if responded > invited:
        raise ValueError(
            f"The 'responded' must be <= 'invited' ({invited}). Got {responded} instead."
        )
    base: dict[str, Any] = {
        "cohort_role": cohort_role,
        "wave": wave,
        "invited": int(invited),
        "responded": int(responded),
    }
    if invited == 0:
        return ResponseRate(
            **base, rate=None, ci_low=None, ci_high=None, message="nobody was invited"
        )
    interval = wilson_interval(responded, invited, alpha)
    return ResponseRate(
        **base, rate=interval.estimate, ci_low=interval.ci_low, ci_high=interval.ci_high
    )


def response_rates(counts: pd.DataFrame, *, alpha: float = 0.05) -> tuple[ResponseRate, ...]:
    """:func:`response_rate` for every row of a frame with columns
    ``cohort_role``, ``wave``, ``invited``, ``responded``."""
    check_frame(counts, ["cohort_role", "wave", "invited", "responded"], "counts")
    return tuple(
        response_rate(
            invited=int(row.invited),
            responded=int(row.responded),
            cohort_role=str(row.cohort_role),
            wave=str(row.wave),
            alpha=alpha,
        )
        for row in counts.itertuples(index=False)
    )


# --------------------------------------------------------------------------- instrument


def _check_instrument(
    items: Sequence[str],
    reversed_items: Sequence[str],
    scale_min: float,
    scale_max: float,
    scoring: str,
) -> None:
    check_choice(scoring, "scoring", SCORINGS)
    if isinstance(items, str) or len(items) == 0 or len(set(items)) != len(items):
        raise ValueError(
            f"The 'items' must be a non-empty list of distinct item ids. Got {items!r} instead."
        )
    unknown = [item for item in reversed_items if item not in items]
    if unknown:
        raise ValueError(f"The 'reversed_items' must be among 'items'. Got {unknown} instead.")
    if not scale_min < scale_max:
        raise ValueError(
            f"The 'scale_min' must be below 'scale_max'. Got {scale_min} and {scale_max} instead."
        )
    expected = {"sus": (10, 1, 5), "umux_lite": (2, 1, 7), "nps": (1, 0, 10)}.get(scoring)
    if expected and (len(items), scale_min, scale_max) != expected:
        raise ValueError(
            f"The '{scoring}' scoring needs {expected[0]} item(s) "
            f"on a {expected[1]}-{expected[2]} scale. "
            f"Got {len(items)} item(s) on {scale_min}-{scale_max} instead."
        )


def item_table(
    answers: pd.DataFrame,
    *,
    items: Sequence[str],
    reversed_items: Sequence[str] = (),
    scale_min: float,
    scale_max: float,
    subject: str = "participant_id",
    item: str = "item",
    answer: str = "answer",
) -> pd.DataFrame:
    """Respondents x items table of recoded answers (NaN where unanswered).

    Raises
    ------
    ValueError
        Missing columns, an answer outside ``[scale_min, scale_max]``, or two
        answers of one participant to one item.
    """
    frame = check_frame(answers, [subject, item, answer], "answers")
    frame = frame[frame[item].astype(str).isin([str(i) for i in items])]
    values = check_numeric(frame[answer], answer)
    outside = values[(values < scale_min) | (values > scale_max)]
    if len(outside):
        raise ValueError(
            f"The answers must be in [{scale_min}, {scale_max}]. Got {outside.iloc[0]!r} instead."
        )
    long = pd.DataFrame(
        {
            "id": frame[subject].astype(str).to_numpy(),
            "item": frame[item].astype(str).to_numpy(),
            "answer": values.to_numpy(),
        }
    )
    if long.duplicated(["id", "item"]).any():
        row = long[long.duplicated(["id", "item"])].iloc[0]
        raise ValueError(
            f"Each participant answers an item once. "
            f"Got two answers of {row['id']!r} to {row['item']!r}."
        )
    table = long.pivot(index="id", columns="item", values="answer").reindex(
        columns=[str(i) for i in items]
    )
    reversed_columns = [str(i) for i in reversed_items]
    table[reversed_columns] = scale_min + scale_max - table[reversed_columns]
    table.columns.name = None
    return table


def respondent_scores(
    table: pd.DataFrame, *, scoring: str, scale_min: float, scale_max: float
) -> pd.Series:
    """Score of each respondent (NaN when too few items are answered).

    sus / umux_lite: :math:`100 \\sum_j (a_j - \\min) / (k(\\max - \\min))`, all
    items needed (SUS: :math:`2.5 \\sum` contributions). nps: +100 promoter,
    0 passive, -100 detractor, so the mean is the NPS. mean: mean of the
    answered items when at least half are answered.
    """
    check_choice(scoring, "scoring", SCORINGS)
    k = table.shape[1]
    if scoring in ("sus", "umux_lite"):
        complete = table.notna().all(axis=1)
        scores = 100.0 * (table - scale_min).sum(axis=1) / (k * (scale_max - scale_min))
        return scores.where(complete)
    if scoring == "nps":
        answer = table.iloc[:, 0]
        return pd.Series(
            np.select([answer >= PROMOTER_MIN, answer <= DETRACTOR_MAX], [100.0, -100.0], 0.0),
            index=table.index,
        ).where(answer.notna())
    enough = table.notna().sum(axis=1) >= k / 2.0
    return table.mean(axis=1).where(enough)


def _mean_with_ci(scores: np.ndarray, alpha: float) -> dict[str, Any]:
    n = len(scores)
    if n == 0:
        return {"score": None, "ci_low": None, "ci_high": None, "sd": None}
    mean = float(np.mean(scores))
    if n < 2 or no_variation(scores):
        return {
            "score": mean,
            "ci_low": None,
            "ci_high": None,
            "sd": float(np.std(scores, ddof=1)) if n > 1 else None,
        }
    sd = float(np.std(scores, ddof=1))
    t = one_sample_t(mean, sd, n, alpha=alpha)
    return {"score": mean, "ci_low": float(t.ci_low), "ci_high": float(t.ci_high), "sd": sd}


def _clip(fields: dict[str, Any], low: float, high: float) -> dict[str, Any]:
    """Keep a t CI inside the score's range (a mean cannot leave it)."""
    if fields.get("ci_low") is not None:
        fields["ci_low"] = max(fields["ci_low"], low)
        fields["ci_high"] = min(fields["ci_high"], high)
    return fields


def _nps_fields(scores: np.ndarray, alpha: float) -> dict[str, Any]:
    n = len(scores)
    if n == 0:
        return {"score": None, "ci_low": None, "ci_high": None}
    promoters, detractors = float(np.mean(scores > 0)), float(np.mean(scores < 0))
    nps = 100.0 * (promoters - detractors)
    fields = {
        "score": nps,
        "promoters": promoters,
        "detractors": detractors,
        "passives": 1.0 - promoters - detractors,
        "sd": float(np.std(scores, ddof=1)) if n > 1 else None,
    }
    variance = (promoters + detractors - (promoters - detractors) ** 2) / n
    if n < 2 or not variance > 0:
        return fields | {"ci_low": None, "ci_high": None}
    margin = 100.0 * float(special.ndtri(1.0 - alpha / 2.0)) * math.sqrt(variance)
    return fields | {"ci_low": max(nps - margin, -100.0), "ci_high": min(nps + margin, 100.0)}


def _top2box(scores: np.ndarray, scale_max: float, alpha: float) -> dict[str, Any]:
    if len(scores) == 0:
        return {}
    interval = wilson_interval(float(np.sum(scores >= scale_max - 1)), len(scores), alpha)
    return {
        "top2box": interval.estimate,
        "top2box_ci_low": interval.ci_low,
        "top2box_ci_high": interval.ci_high,
    }


def _select_wave(answers: pd.DataFrame, wave: str | None, wave_column: str) -> pd.DataFrame:
    if wave is None or wave_column not in answers.columns:
        return answers
    return answers[answers[wave_column].astype(str) == str(wave)]


def score_survey(
    answers: pd.DataFrame,
    *,
    instrument: str,
    items: Sequence[str],
    scale_min: float,
    scale_max: float,
    scoring: str,
    reversed_items: Sequence[str] = (),
    wave: str | None = None,
    alpha: float = 0.05,
    subject: str = "participant_id",
    item: str = "item",
    answer: str = "answer",
    wave_column: str = "wave",
) -> SurveyResult:
    """Score one instrument in one wave: mean score with CI, reliability, grade.

    Parameters
    ----------
    answers : DataFrame
        Long answers: ``subject``, ``item``, ``answer`` (and optionally
        ``wave_column``: then only rows of ``wave`` are used).
    instrument : str
        Instrument id, copied into the result.
    items : sequence of str
        Item ids in questionnaire order (SUS: Q1 ... Q10).
    scale_min, scale_max : float
        Answer scale (SUS 1-5, UMUX-LITE 1-7, NPS 0-10).
    scoring : {'sus', 'umux_lite', 'nps', 'mean'}
    reversed_items : sequence of str
        Negatively worded items (SUS: the even items).
    wave : str, optional
    alpha : float
        1 - confidence level.

    Returns
    -------
    SurveyResult
        ``score`` (mean per-respondent score) with ``ci_low``/``ci_high``
        (t CI clipped to the score's range; NPS: Wald CI with the trinomial
        variance), ``n``, ``sd``,
        ``cronbach_alpha`` with Feldt's CI (>= 2 items), ``grade`` and
        ``percentile`` (SUS), ``top2box`` with Wilson CI (mean), NPS shares,
        ``n_excluded`` (respondents with too few answers).

    Notes
    -----
    NPS variance: :math:`\\operatorname{Var}(\\widehat{NPS}) = (p_p + p_d -
    (p_p - p_d)^2)/n` (in proportion units; Wald interval, clipped to
    [-100, 100]).

    References
    ----------
    Brooke, J. (1996). SUS: a "quick and dirty" usability scale. In Usability
    Evaluation in Industry, 189-194. Lewis, J. R., Utesch, B. S. & Maher, D. E.
    (2013). UMUX-LITE: when there's no time for the SUS. CHI '13, 2099-2102.
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business
    Review 81(12), 46-54. Rocks, B. (2016). Confidence intervals for the Net
    Promoter Score (trinomial variance).
    """
    _check_instrument(items, reversed_items, scale_min, scale_max, scoring)
    check_probability(alpha, "alpha")
    table = item_table(
        _select_wave(answers, wave, wave_column),
        items=items,
        reversed_items=reversed_items,
        scale_min=scale_min,
        scale_max=scale_max,
        subject=subject,
        item=item,
        answer=answer,
    )
    scores = respondent_scores(table, scoring=scoring, scale_min=scale_min, scale_max=scale_max)
    kept = scores.dropna().to_numpy()
    fields: dict[str, Any] = (
        _nps_fields(kept, alpha)
        if scoring == "nps"
        else _clip(
            _mean_with_ci(kept, alpha),
            *((0.0, 100.0) if scoring != "mean" else (scale_min, scale_max)),
        )
    )
    if scoring == "mean":
        fields.update(_top2box(kept, scale_max, alpha))
    if scoring == "sus" and fields["score"] is not None:
        fields.update(grade=sus_grade(fields["score"]), percentile=sus_percentile(fields["score"]))
    notes = []
    if len(items) >= 2:
        reliability = cronbach_alpha(table.loc[scores.notna()], alpha=alpha)
        fields.update(
            cronbach_alpha=reliability.alpha,
            alpha_ci_low=reliability.ci_low,
            alpha_ci_high=reliability.ci_high,
        )
        if reliability.message:
            notes.append(f"Cronbach's alpha: {reliability.message}")
    excluded = int(scores.isna().sum())
    if excluded:
        notes.append(f"{excluded} respondent(s) left out: too few items answered")
    message = _survey_message(len(kept))
    return SurveyResult(
        instrument=instrument,
        wave=wave,
        scoring=scoring,
        n=len(kept),
        conf_level=1 - alpha,
        n_excluded=excluded,
        message=message,
        notes=tuple(notes),
        **fields,
    )


def _survey_message(n: int) -> str | None:
    if n == 0:
        return "no respondent answered enough items: nothing to score"
    if n < 2:
        return "fewer than 2 respondents: no confidence interval"
    return None


def compare_waves(
    answers: pd.DataFrame,
    *,
    instrument: str,
    items: Sequence[str],
    scale_min: float,
    scale_max: float,
    scoring: str,
    reversed_items: Sequence[str] = (),
    baseline_wave: str = "baseline",
    after_wave: str = "after",
    design: str = "pre_post",
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    subject: str = "participant_id",
    item: str = "item",
    answer: str = "answer",
    wave_column: str = "wave",
    cohort_column: str = "cohort_role",
) -> MetricResult:
    """Change of a survey score between two waves for the same respondents.

    Each respondent's score is computed per wave (:func:`respondent_scores`)
    and compared with :func:`~livinglab.stats.analyze_metric` (paired t /
    Wilcoxon by the usual rule). For NPS the per-respondent score is +100 /
    0 / -100, so ``estimate`` is the change in NPS points among respondents
    who answered both waves. With a ``cohort_column`` (test/control) and
    ``design='did'``, testers' change minus control's change.

    Returns
    -------
    MetricResult
        With ``metric = instrument``; respondents missing a wave appear in
        ``excluded``.
    """
    from .designs import analyze_metric

    _check_instrument(items, reversed_items, scale_min, scale_max, scoring)
    check_frame(answers, [subject, item, answer, wave_column], "answers")
    frames = []
    for wave, period in ((baseline_wave, "baseline"), (after_wave, "intervention")):
        part = answers[answers[wave_column].astype(str) == str(wave)]
        table = item_table(
            part,
            items=items,
            reversed_items=reversed_items,
            scale_min=scale_min,
            scale_max=scale_max,
            subject=subject,
            item=item,
            answer=answer,
        )
        scores = respondent_scores(
            table, scoring=scoring, scale_min=scale_min, scale_max=scale_max
        ).dropna()
        frames.append(
            pd.DataFrame(
                {"participant_id": scores.index, "period": period, "value": scores.to_numpy()}
            )
        )
    long = pd.concat(frames, ignore_index=True)
    long["cohort_role"] = _cohorts(answers, long["participant_id"], subject, cohort_column)
    return analyze_metric(long, metric=instrument, design=design, alpha=alpha, seed=seed)


def _cohorts(answers: pd.DataFrame, ids: pd.Series, subject: str, cohort_column: str) -> np.ndarray:
    if cohort_column not in answers.columns:
        return np.full(len(ids), "test", dtype=object)
    lookup = answers.drop_duplicates(subject).set_index(
        answers.drop_duplicates(subject)[subject].astype(str)
    )
    return lookup[cohort_column].reindex(ids.astype(str)).astype(str).to_numpy()
