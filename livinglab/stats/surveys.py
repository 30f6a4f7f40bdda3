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
    the percentile rank from their published table (:mod:`.norms`).
``'umux_lite'``
    2 items on 1-7: ``100 * sum(answer - 1) / 12`` (the raw score; Lewis et
    al.'s SUS-comparable version is ``0.65 * raw + 22.9``).
``'nps'``
    One 0-10 item: % promoters (9-10) - % detractors (0-6), with the
    adjusted-Wald CI (:func:`~livinglab.stats.norms.nps_interval`).
``'mean'``
    Likert composite: mean of the (recoded) items per respondent (at least
    half of the items answered), with the top-2-box share.

Cronbach's alpha and its caveats live in :mod:`.reliability`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._checks import (
    DEFAULT_SEED,
    check_choice,
    check_frame,
    check_numeric,
    check_probability,
    no_variation,
)
from .binary import wilson_interval
from .norms import (
    DETRACTOR_MAX,
    PROMOTER_MIN,
    SUS_GRADES,
    nps_interval,
    sus_grade,
    sus_percentile,
)
from .reliability import caveat_note, cronbach_alpha
from .results import MetricResult, ResponseRate, SurveyResult
from .ttests import one_sample_t

SCORINGS = ("sus", "umux_lite", "nps", "mean")
__all__ = [  # re-exported for ``from livinglab.stats.surveys import ...``
    "SUS_GRADES",
    "compare_waves",
    "cronbach_alpha",
    "item_table",
    "respondent_scores",
    "response_rate",
    "response_rates",
    "score_fields",
    "score_survey",
    "scores_of",
    "sus_grade",
    "survey_message",
    "sus_percentile",
]

# --------------------------------------------------------------------------- response rates


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
        "conf_level": 1 - alpha,
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


def scores_of(
    answers: pd.DataFrame,
    *,
    items: Sequence[str],
    scale_min: float,
    scale_max: float,
    scoring: str,
    reversed_items: Sequence[str] = (),
    subject: str = "participant_id",
    item: str = "item",
    answer: str = "answer",
) -> pd.Series:
    """Each respondent's score, the instrument checked as :func:`score_survey` checks it:
    :func:`item_table` then :func:`respondent_scores`. Scoring once and summing up groups
    of respondents with :func:`score_fields` gives the groups' :func:`score_survey`
    numbers without tabulating the answers again for each group.

    Returns
    -------
    Series of float
        Indexed by respondent id (as text); NaN for a respondent with too few items
        answered.

    Raises
    ------
    ValueError
        As :func:`score_survey`: an instrument inconsistent with its scoring, answers
        outside the scale, two answers of one respondent to one item.
    """
    _check_instrument(items, reversed_items, scale_min, scale_max, scoring)
    table = item_table(answers, items=items, reversed_items=reversed_items,
                       scale_min=scale_min, scale_max=scale_max, subject=subject, item=item,
                       answer=answer)
    return respondent_scores(table, scoring=scoring, scale_min=scale_min, scale_max=scale_max)


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
    n_promoters, n_detractors = int(np.sum(scores > 0)), int(np.sum(scores < 0))
    promoters, detractors = n_promoters / n, n_detractors / n
    fields = {
        "score": 100.0 * (promoters - detractors),
        "promoters": promoters,
        "detractors": detractors,
        "passives": 1.0 - promoters - detractors,
        "sd": float(np.std(scores, ddof=1)) if n > 1 else None,
    }
    if n < 2:
        return fields | {"ci_low": None, "ci_high": None}
    interval = nps_interval(n_promoters, n_detractors, n, alpha=alpha)
    return fields | {"ci_low": interval.ci_low, "ci_high": interval.ci_high}


def _top2box(scores: np.ndarray, scale_max: float, alpha: float) -> dict[str, Any]:
    if len(scores) == 0:
        return {}
    interval = wilson_interval(float(np.sum(scores >= scale_max - 1)), len(scores), alpha)
    return {
        "top2box": interval.estimate,
        "top2box_ci_low": interval.ci_low,
        "top2box_ci_high": interval.ci_high,
    }


def score_fields(
    scores: np.ndarray, *, scoring: str, scale_min: float, scale_max: float, alpha: float = 0.05
) -> dict[str, Any]:
    """The score of a set of respondents from their own scores (:func:`respondent_scores`,
    NaN dropped): what :func:`score_survey` reports beside reliability.

    Parameters
    ----------
    scores : ndarray of float, shape (n,)
        One score per respondent (0-100 for sus / umux_lite, +100 / 0 / -100 for nps,
        the scale's unit for mean).

    Returns
    -------
    dict
        ``score``, ``ci_low``, ``ci_high`` (t CI clipped to the score's range; NPS:
        adjusted Wald), ``sd``; NPS shares (nps), ``top2box`` with its Wilson CI
        (mean), ``grade`` and ``percentile`` (sus). None where n is too small.
    """
    fields: dict[str, Any] = (
        _nps_fields(scores, alpha)
        if scoring == "nps"
        else _clip(
            _mean_with_ci(scores, alpha),
            *((0.0, 100.0) if scoring != "mean" else (scale_min, scale_max)),
        )
    )
    if scoring == "mean":
        fields.update(_top2box(scores, scale_max, alpha))
    if scoring == "sus" and fields["score"] is not None:
        fields.update(grade=sus_grade(fields["score"]), percentile=sus_percentile(fields["score"]))
    return fields


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
        (t CI clipped to the score's range; NPS: adjusted-Wald CI), ``n``,
        ``sd``, ``cronbach_alpha`` with Feldt's CI (>= 2 items) and its
        ``reliability_caveats`` / ``constant_items``, ``grade`` and
        ``percentile`` (SUS, Sauro-Lewis table), ``top2box`` with Wilson CI
        (mean), NPS shares, ``n_excluded`` (respondents with too few answers).

    Notes
    -----
    NPS: adjusted Wald (add 3 responses, 3/4 promoters and 3/4 detractors,
    then the trinomial variance :math:`(p_p + p_d - (p_p - p_d)^2)/n`),
    clipped to [-100, 100]; see :func:`~livinglab.stats.norms.nps_interval`.

    References
    ----------
    Brooke, J. (1996). SUS: a "quick and dirty" usability scale. In Usability
    Evaluation in Industry, 189-194. Lewis, J. R., Utesch, B. S. & Maher, D. E.
    (2013). UMUX-LITE: when there's no time for the SUS. CHI '13, 2099-2102.
    Reichheld, F. F. (2003). The one number you need to grow. Harvard Business
    Review 81(12), 46-54. Rocks, B. (2016). Interval estimation for the 'Net
    Promoter Score'. The American Statistician 70(4), 365-372.
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
    fields = score_fields(kept, scoring=scoring, scale_min=scale_min, scale_max=scale_max,
                          alpha=alpha)
    notes = []
    if len(items) >= 2:
        reliability = cronbach_alpha(table.loc[scores.notna()], alpha=alpha)
        fields.update(
            cronbach_alpha=reliability.alpha,
            alpha_ci_low=reliability.ci_low,
            alpha_ci_high=reliability.ci_high,
        )
        fields.update(
            reliability_caveats=reliability.caveats, constant_items=reliability.constant_items
        )
        if reliability.message:
            notes.append(f"Cronbach's alpha: {reliability.message}")
        caveat = caveat_note(reliability)
        if caveat:
            notes.append(caveat)
    excluded = int(scores.isna().sum())
    if excluded:
        notes.append(f"{excluded} respondent(s) left out: too few items answered")
    message = survey_message(len(kept))
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


def survey_message(n: int) -> str | None:
    """Why a score of ``n`` respondents has no value or no interval (None: it has both)."""
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
    and compared with :func:`~livinglab.stats.analyze_metric` (paired t-test
    of the mean change, Wilcoxon signed-rank as the sensitivity check). For
    NPS the per-respondent score is +100 / 0 / -100, so ``estimate`` is the
    change in NPS points among respondents who answered both waves. With a
    ``cohort_column`` (test/control) and ``design='did'``, testers' change
    minus control's change.

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
        scores = scores_of(
            part, items=items, scale_min=scale_min, scale_max=scale_max, scoring=scoring,
            reversed_items=reversed_items, subject=subject, item=item, answer=answer,
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
