"""Use cases: the one module that sees every layer.

The CLI and the app call these functions and render what they return; nothing
below this module knows about either. Heavy imports (the statistics, pandas) are
made inside the functions that need them, so that ``livinglab validate`` and
``livinglab import`` start fast.
"""

from __future__ import annotations

import tempfile
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from livinglab.errors import ConfigurationError, NotFoundError, Problem, UsageError
from livinglab.settings import get_settings

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.engine import Engine

    from livinglab.evaluation import PilotEvaluation
    from livinglab.spec.models import Instrument, Metric, Pilot
    from livinglab.stats import PowerResult
    from livinglab.store.importer import ImportReport


# --- configuration -----------------------------------------------------------


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    import sqlalchemy.exc
    from sqlalchemy.engine import make_url

    from livinglab.store.engine import make_engine, migrate

    try:
        engine = make_engine(url)
        migrate(engine)
    except (sqlalchemy.exc.SQLAlchemyError, ImportError) as err:
        shown = url
        with suppress(sqlalchemy.exc.ArgumentError):
            shown = make_url(url).render_as_string(hide_password=True)
        reason = str(getattr(err, "orig", None) or err).splitlines()[0]
        raise ConfigurationError(
            f"Cannot open the store at {shown} (LIVINGLAB_DATABASE_URL): {reason}. "
            "Expected a reachable SQLite file or PostgreSQL server, e.g. "
            "sqlite:///livinglab.db or postgresql+psycopg://user:password@host/db."
        ) from err
    return engine


def engine() -> Engine:
    """The store's engine for the configured database, migrated to the latest schema."""
    return _engine_for(get_settings().database_url)


def instruments() -> dict[str, Instrument]:
    """Every instrument of the surveys folder, by id."""
    from livinglab.spec.loader import load_instruments

    return load_instruments(get_settings().surveys_dir)


def load_pilot(pilot_id: str) -> Pilot:
    """The pilot ``pilots/<pilot_id>.yaml``, validated (raises SpecError or NotFoundError)."""
    from livinglab.spec.loader import find_pilot

    settings = get_settings()
    return find_pilot(pilot_id, settings.pilots_dir, settings.surveys_dir)


def pilot_ids() -> list[str]:
    """The ids of the pilot files in the pilots folder, sorted."""
    folder = get_settings().pilots_dir
    if not folder.is_dir():
        raise NotFoundError(
            f"The pilots folder '{folder}' does not exist (set LIVINGLAB_PILOTS_DIR)."
        )
    return sorted(p.stem for p in folder.glob("*.yaml"))


def validate(paths: list[Path]) -> tuple[list[Problem], int]:
    """Every problem in the given pilot and instrument files (default: both folders).

    Returns the problems and the number of files checked.
    """
    from livinglab.spec.loader import validate_paths

    settings = get_settings()
    targets = list(paths) or [settings.surveys_dir, settings.pilots_dir]
    files = _yaml_files(targets)
    return validate_paths(targets, surveys_dir=settings.surveys_dir), len(files)


def _yaml_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        else:
            found.append(path)
    return found


# --- data ----------------------------------------------------------------------


def import_data(
    pilot_id: str,
    *,
    participants: Path | None = None,
    observations: Path | None = None,
    responses: Path | None = None,
) -> ImportReport:
    """Import a pilot's files: validated whole first, then written in one transaction."""
    from livinglab.store.importer import import_files

    for path in (participants, observations, responses):
        if path is not None and not Path(path).is_file():
            raise NotFoundError(f"The file '{path}' does not exist.")
    pilot = load_pilot(pilot_id)
    return import_files(
        engine=engine(),
        pilot=pilot,
        instruments=instruments(),
        participants=participants,
        observations=observations,
        responses=responses,
        secret_key=get_settings().secret_key,
    )


def load_demo(*, out_dir: Path | None = None, seed: int = 20260101) -> dict[str, ImportReport]:
    """Generate the demo pilots' data (seeded) and import it into the store."""
    from livinglab.demo import generate_demo

    with tempfile.TemporaryDirectory(prefix="livinglab-demo-") as tmp:
        target = Path(out_dir) if out_dir else Path(tmp)
        target.mkdir(parents=True, exist_ok=True)
        files = generate_demo(target, seed=seed)
        return {
            pilot_id: import_data(
                pilot_id,
                participants=demo_files.participants,
                observations=demo_files.observations,
                responses=demo_files.responses,
            )
            for pilot_id, demo_files in files.items()
        }


def portfolio() -> pd.DataFrame:
    """One row per pilot: title, domain, participants per cohort, latest data."""
    import pandas as pd

    from livinglab.store import reductions

    rows = []
    for pilot_id in pilot_ids():
        pilot = load_pilot(pilot_id)
        counts = reductions.cohort_counts(engine=engine(), pilot=pilot)
        rows.append(
            {
                "pilot": pilot.id,
                "title": pilot.title.get("fr"),
                "domain": pilot.domain,
                "participants": int(counts["participants"].sum()) if len(counts) else 0,
                "latest_data": reductions.latest_data(engine=engine(), pilot=pilot).latest,
            }
        )
    return pd.DataFrame(rows)


def list_pilots_text() -> list[str]:
    """The portfolio as plain text lines for the CLI."""
    frame = portfolio()
    if frame.empty:
        return ["No pilot found."]
    return frame.to_string(index=False).splitlines()


# --- planning --------------------------------------------------------------------

_POWER_DESIGN = {"pre_post": "paired", "two_group": "two_sample", "did": "did"}


def plan_power(
    *,
    design: str | None = None,
    effect: float | None = None,
    sd: float | None = None,
    n: float | None = None,
    power: float | None = None,
    alpha: float | None = None,
    pilot_id: str | None = None,
    metric_id: str | None = None,
    baseline: float | None = None,
) -> PowerResult:
    """Power, sample size or detectable effect, for a design or for a pilot's metric.

    With ``pilot_id`` and ``metric_id`` the design, alpha, power and the smallest
    worthwhile effect come from the pilot (a relative effect needs ``baseline``, the
    baseline mean; a ``share`` metric's baseline is the proportion). ``effect`` is in
    the metric's unit when ``sd`` is given, else standardised (Cohen's d, or h for
    two proportions). Exactly one of n, effect, power is left to solve.
    """
    from livinglab.stats import cohen_h, power_analysis

    if pilot_id is not None:
        if metric_id is None:
            raise UsageError("Give --metric with --pilot (the metric to plan for).")
        pilot = load_pilot(pilot_id)
        metric = _metric_of(pilot, metric_id)
        alpha = pilot.decision.alpha if alpha is None else alpha
        if metric.min_effect.relative is not None and baseline is None:
            raise UsageError(
                f"The smallest worthwhile effect of '{metric.id}' is relative: give --baseline "
                "(the baseline mean, or proportion for a share) to turn it into units."
            )
        effect = metric.min_effect.in_units(baseline or 0.0) if effect is None else effect
        if metric.binary and baseline is not None:
            better = 1.0 if metric.better == "higher" else -1.0
            effect, design = cohen_h(baseline + better * effect, baseline), "two_proportions"
        else:
            design = design or _POWER_DESIGN[pilot.design_of(metric)]
        if n is None and power is None:
            power = pilot.decision.power
    if design is None:
        raise UsageError("Give --design (paired, two_sample, did, two_proportions) or --pilot.")
    if sd is not None and effect is not None and design != "two_proportions":
        effect = effect / sd
    try:
        return power_analysis(effect=effect, n=n, power=power, alpha=alpha or 0.05, design=design)
    except ValueError as err:
        raise UsageError(str(err)) from err


def _metric_of(pilot: Pilot, metric_id: str) -> Metric:
    known = [m.id for m in pilot.metrics]
    if metric_id not in known:
        raise NotFoundError(
            f"The pilot '{pilot.id}' has no metric '{metric_id}' (expected one of {known})."
        )
    return pilot.metric(metric_id)


# --- evaluation ------------------------------------------------------------------


def evaluate_pilot(pilot_id: str, *, lang: str = "fr") -> PilotEvaluation:
    """Reduce the pilot's data in SQL, analyse every metric and survey, and decide."""
    from livinglab.evaluation import evaluate
    from livinglab.store import reductions

    pilot = load_pilot(pilot_id)
    eng = engine()
    values = {
        m.id: reductions.participant_values(engine=eng, pilot=pilot, metric=m.id)
        for m in pilot.metrics
    }
    answers = {
        plan.instrument: reductions.survey_answers(
            engine=eng, pilot=pilot, instrument=plan.instrument
        )
        for plan in pilot.surveys
    }
    return evaluate(
        pilot,
        values_by_metric=values,
        answers_by_instrument=answers,
        instruments=instruments(),
        participants=reductions.participants(engine=eng, pilot=pilot),
        data_version=reductions.data_version(engine=eng, pilot=pilot),
        lang=lang,
    )


# --- app and dossier (ui) --------------------------------------------------------
# What the Streamlit pages and the exported dossier need beyond the evaluation: the
# weekly series, the surveys' answer distributions (small cells merged or hidden),
# a portfolio row per pilot, and the dossier itself. Every frame returned here is
# already safe to show: no cell of 1 to 4 people.

from collections.abc import Callable, Sequence  # noqa: E402  (this section's own imports)
from dataclasses import dataclass  # noqa: E402
from datetime import datetime  # noqa: E402
from typing import Any  # noqa: E402

if TYPE_CHECKING:
    import numpy as np


def database_url() -> str:
    """The configured store's URL (a cache key: two stores never share a cached result)."""
    return get_settings().database_url


def report_version(pilot_id: str) -> tuple[str, int, int]:
    """What a cached report of ``pilot_id`` depends on: the store, the pilot's data
    version (grows on every import, submission or erasure) and the newest change to its
    spec or the instruments (file modification times, in ns)."""
    from livinglab.store import reductions

    settings = get_settings()
    files = [settings.pilots_dir / f"{pilot_id}.yaml", *settings.surveys_dir.glob("*.yaml")]
    stamp = max((f.stat().st_mtime_ns for f in files if f.is_file()), default=0)
    return (
        settings.database_url,
        reductions.data_version(engine=engine(), pilot=pilot_id),
        stamp,
    )


@dataclass(frozen=True)
class SurveyDetail:
    """One planned instrument in one wave, as the charts draw it (test cohorts only).

    Attributes
    ----------
    instrument, wave, scoring : str
    title : str
        The instrument's title in the report's language.
    n : int
        Respondents with a score.
    scores : DataFrame
        The distribution of respondents' scores: ``low, high, n`` per range
        (neighbouring ranges merged until each holds 0 or at least 5 people).
    items : DataFrame
        Answers per item (Likert instruments): ``item, order, text, level, label,
        side ('disagree' | 'neutral' | 'agree' | 'hidden'), n, share, collapsed``.
        An item whose answers leave a cell of 1-4 people is shown on three levels;
        cells still too small are pooled into one ``hidden`` segment.
    groups : DataFrame
        NPS only: ``group ('detractors' | 'passives' | 'promoters' | 'hidden'), n, share``.
    """

    instrument: str
    wave: str
    scoring: str
    title: str
    n: int
    scores: pd.DataFrame
    items: pd.DataFrame
    groups: pd.DataFrame


@dataclass(frozen=True)
class PilotReport:
    """Everything the pilot page and the dossier show, computed once (then cached).

    Attributes
    ----------
    evaluation : PilotEvaluation
    weekly : DataFrame
        Per metric, cohort and week: ``metric, cohort, cohort_role, week, week_start,
        period, n, mean, sd, ci_low, ci_high`` (weeks with 1-4 participants left out).
    surveys : tuple of SurveyDetail
    latest_observation, latest_answer : datetime or None
    version : tuple
        :func:`report_version` when it was computed.
    lang : str
    """

    evaluation: PilotEvaluation
    weekly: pd.DataFrame
    surveys: tuple[SurveyDetail, ...]
    latest_observation: datetime | None
    latest_answer: datetime | None
    version: tuple[str, int, int]
    lang: str = "fr"

    @property
    def latest(self) -> datetime | None:
        """The latest usage reading (the latest survey answer when there is no reading)."""
        return self.latest_observation or self.latest_answer


def pilot_report(pilot_id: str, *, lang: str = "fr") -> PilotReport:
    """The evaluation of ``pilot_id`` with its weekly series and survey distributions."""
    from livinglab.store import reductions

    version = report_version(pilot_id)
    evaluation = evaluate_pilot(pilot_id, lang=lang)
    latest = reductions.latest_data(engine=engine(), pilot=evaluation.pilot)
    return PilotReport(
        evaluation=evaluation,
        weekly=weekly_series(evaluation.pilot),
        surveys=survey_details(evaluation.pilot, lang=lang),
        latest_observation=latest.observation,
        latest_answer=latest.answer,
        version=version,
        lang=lang,
    )


def weekly_series(pilot: Pilot | str) -> pd.DataFrame:
    """Weekly mean per cohort of every metric, with a t-based 95% CI (see
    :func:`livinglab.store.weekly.weekly_means`); weeks with 1-4 participants are left out."""
    import pandas as pd
    from scipy import stats as st

    from livinglab.decision.privacy import MIN_CELL
    from livinglab.store.weekly import weekly_means

    spec = load_pilot(pilot) if isinstance(pilot, str) else pilot
    frames = []
    for metric in spec.metrics:
        frame = weekly_means(engine=engine(), pilot=spec, metric=metric.id)
        frame = frame[frame["n"] >= MIN_CELL].copy()
        frame.insert(0, "metric", metric.id)
        frames.append(frame)
    weekly = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if weekly.empty:
        return pd.DataFrame(
            columns=[
                "metric",
                "cohort",
                "cohort_role",
                "week",
                "week_start",
                "period",
                "n",
                "mean",
                "sd",
                "ci_low",
                "ci_high",
            ]
        )
    start = pd.Timestamp(spec.periods.baseline.start)
    weekly.insert(4, "week_start", [start + pd.Timedelta(weeks=int(w)) for w in weekly["week"]])
    half = st.t.ppf(0.975, weekly["n"] - 1) * weekly["sd"].astype(float) / weekly["n"] ** 0.5
    weekly["ci_low"] = weekly["mean"] - half
    weekly["ci_high"] = weekly["mean"] + half
    return weekly


def survey_details(pilot: Pilot | str, *, lang: str = "fr") -> tuple[SurveyDetail, ...]:
    """The answer distributions of every planned instrument and wave (test cohorts)."""
    from livinglab.store import reductions

    spec = load_pilot(pilot) if isinstance(pilot, str) else pilot
    catalog = instruments()
    details = []
    for plan in spec.surveys:
        instrument = catalog[plan.instrument]
        answers = reductions.survey_answers(engine=engine(), pilot=spec, instrument=plan.instrument)
        test_cohorts = [c for c in plan.cohorts if spec.cohort(c).role == "test"] or plan.cohorts
        answers = answers[answers["cohort"].isin(test_cohorts)]
        for wave in plan.waves:
            details.append(_survey_detail(instrument, answers[answers["wave"] == wave], wave, lang))
    return tuple(details)


def _survey_detail(
    instrument: Instrument, answers: pd.DataFrame, wave: str, lang: str
) -> SurveyDetail:
    import pandas as pd

    from livinglab.stats.surveys import item_table, respondent_scores

    scale = instrument.scale
    table = item_table(
        answers,
        items=instrument.item_ids,
        reversed_items=instrument.reversed_items,
        scale_min=scale.min,
        scale_max=scale.max,
    )
    scores = respondent_scores(
        table, scoring=instrument.scoring, scale_min=scale.min, scale_max=scale.max
    ).dropna()
    empty_groups = pd.DataFrame(columns=["group", "n", "share"])
    if instrument.scoring == "nps":
        return SurveyDetail(
            instrument=instrument.id,
            wave=wave,
            scoring="nps",
            title=instrument.title.get(lang),
            n=len(scores),
            scores=pd.DataFrame(columns=["low", "high", "n"]),
            items=_no_items(),
            groups=_nps_groups(scores),
        )
    if instrument.scoring in ("sus", "umux_lite"):
        edges = [float(e) for e in range(0, 101, 10)]
    else:
        steps = int(round((scale.max - scale.min) / 0.5))
        edges = [scale.min + 0.5 * i for i in range(steps + 1)]
    return SurveyDetail(
        instrument=instrument.id,
        wave=wave,
        scoring=instrument.scoring,
        title=instrument.title.get(lang),
        n=len(scores),
        scores=merged_bins(scores.to_numpy(), edges),
        items=_item_distribution(instrument, answers, lang),
        groups=empty_groups,
    )


def merged_bins(values: Sequence[float] | np.ndarray, edges: Sequence[float]) -> pd.DataFrame:
    """Counts of ``values`` per range ``[edges[i], edges[i+1])`` (the last one closed),
    neighbouring ranges merged from the left until each holds 0 or at least 5 values
    (a small last group joins the one before it).

    Returns a frame ``low, high, n``.
    """
    import numpy as np
    import pandas as pd

    from livinglab.decision.privacy import MIN_CELL

    counts, _ = np.histogram(np.asarray(values, dtype=float), bins=np.asarray(edges, dtype=float))
    groups: list[list[float]] = []  # [low, high, n]
    pending: list[float] | None = None
    for low, high, n in zip(edges[:-1], edges[1:], counts, strict=True):
        if pending is None:
            pending = [low, high, int(n)]
        else:
            pending[1], pending[2] = high, pending[2] + int(n)
        if pending[2] == 0 or pending[2] >= MIN_CELL:
            groups.append(pending)
            pending = None
    if pending is not None:
        if pending[2] and groups:
            last = next((g for g in reversed(groups) if g[2]), groups[-1])
            index = groups.index(last)
            merged = [last[0], pending[1], last[2] + pending[2]]
            groups = groups[:index] + [merged]
        else:
            groups.append(pending)
    return pd.DataFrame(groups, columns=["low", "high", "n"]).astype({"n": "int64"})


def _no_items() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        columns=["item", "order", "text", "level", "label", "side", "n", "share", "collapsed"]
    )


def _item_distribution(instrument: Instrument, answers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Answers per item; see :class:`SurveyDetail` for the merging of small cells."""
    import pandas as pd

    scale = instrument.scale
    labels = {lab.value: lab.label.get(lang) for lab in scale.labels}
    middle = (scale.min + scale.max) / 2
    rows = []
    for order, item in enumerate(instrument.items):
        given = answers.loc[answers["item"] == item.id, "answer"].astype(int)
        if given.empty:
            continue
        counts = given.value_counts()
        levels = [
            (labels.get(v, str(v)), _side(v, middle), int(counts.get(v, 0)))
            for v in range(int(scale.min), int(scale.max) + 1)
        ]
        collapsed = _has_small(levels)
        if collapsed:
            levels = _safe_levels(levels, lang)
        rows += [
            {
                "item": item.id,
                "order": order,
                "text": item.text.get(lang),
                "level": level,
                "label": label,
                "side": side,
                "n": n,
                "share": n / len(given),
                "collapsed": collapsed,
            }
            for level, (label, side, n) in enumerate(levels)
        ]
    return pd.DataFrame(rows) if rows else _no_items()


def _side(value: float, middle: float) -> str:
    return "disagree" if value < middle else "agree" if value > middle else "neutral"


def _has_small(levels: Sequence[tuple[str, str, int]]) -> bool:
    from livinglab.decision.privacy import MIN_CELL

    return any(0 < n < MIN_CELL for *_, n in levels)


def _safe_levels(levels: list[tuple[str, str, int]], lang: str) -> list[tuple[str, str, int]]:
    """Three levels (disagree, neutral, agree); a small one merges into the neutral
    level (a small neutral into the smaller side); if a cell of 1-4 remains, one
    'hidden' level holds every answer. A merged level that holds the neutral answers
    gets side 'neutral' (drawn across zero), labelled with both words."""
    from livinglab.decision.privacy import MIN_CELL
    from livinglab.i18n import translator

    t = translator(lang)
    count = {
        side: sum(n for _, s, n in levels if s == side) for side in ("disagree", "neutral", "agree")
    }
    groups = [
        [side]
        for side in ("disagree", "neutral", "agree")
        if count[side] or side != "neutral" or any(s == "neutral" for _, s, _ in levels)
    ]

    def total(group: list[str]) -> int:
        return sum(count[side] for side in group)

    def small(group: list[str]) -> bool:
        return 0 < total(group) < MIN_CELL

    middle = next((g for g in groups if g == ["neutral"]), None)
    if middle is not None:
        for side in ("disagree", "agree"):
            group = next(g for g in groups if side in g)
            if small(group) and group is not middle:
                middle += group
                groups.remove(group)
        if small(middle) and len(groups) > 1:
            sides = [g for g in groups if g is not middle]
            target = min(sides, key=total)
            target += middle
            groups.remove(middle)
    else:
        for group in list(groups):
            if small(group) and len(groups) > 1:
                other = next(g for g in groups if g is not group)
                other += group
                groups.remove(group)
    if any(small(g) for g in groups):
        return [(t("hidden"), "hidden", sum(count.values()))]
    order = ("disagree", "neutral", "agree")
    safe = []
    for group in sorted(groups, key=lambda g: min(order.index(s) for s in g)):
        members = sorted(group, key=order.index)
        words = [t(f"likert_{side}") for side in members]
        label = t("likert_or").join([words[0], *(w[0].lower() + w[1:] for w in words[1:])])
        side = "neutral" if "neutral" in members or len(members) > 1 else members[0]
        safe.append((label, side, total(group)))
    return safe


def _nps_groups(scores: pd.Series) -> pd.DataFrame:
    import pandas as pd

    from livinglab.decision.privacy import suppression

    names = ("detractors", "passives", "promoters")
    counts = [int((scores == value).sum()) for value in (-100.0, 0.0, 100.0)]
    hidden = suppression(counts)
    total = max(1, sum(counts))
    rows = [
        {"group": name, "n": n, "share": n / total}
        for name, n, why in zip(names, counts, hidden, strict=True)
        if why is None
    ]
    pooled = sum(n for n, why in zip(counts, hidden, strict=True) if why is not None)
    if pooled:
        rows.append({"group": "hidden", "n": pooled, "share": pooled / total})
    return pd.DataFrame(rows, columns=["group", "n", "share"])


def portfolio_overview(
    *, lang: str = "fr", report: Callable[[str], PilotReport] | None = None
) -> pd.DataFrame:
    """One row per pilot for the portfolio: verdict, evidence, primary effect, cohorts.

    Parameters
    ----------
    report : callable, optional
        ``pilot_id -> PilotReport`` (the app passes its cached version); default
        :func:`pilot_report` in ``lang``.

    Returns
    -------
    DataFrame
        ``pilot, title, domain, phase, verdict, evidence_level, evidence_label,
        primary_metric, primary_label, primary_unit, estimate, ci_low, ci_high,
        estimate_pct, ci_low_pct, ci_high_pct, cohorts (list of (label, n)),
        latest (datetime or None), error (str or None)``. A pilot that cannot be
        evaluated keeps its row, with the reason in ``error``.
    """
    import pandas as pd

    from livinglab.errors import LivingLabError

    make = report or (lambda pilot_id: pilot_report(pilot_id, lang=lang))
    rows = []
    for pilot_id in pilot_ids():
        try:
            rows.append(_portfolio_row(make(pilot_id), lang))
        except LivingLabError as err:
            rows.append({"pilot": pilot_id, "title": pilot_id, "error": str(err)})
    columns = [
        "pilot",
        "title",
        "domain",
        "phase",
        "verdict",
        "evidence_level",
        "evidence_label",
        "primary_metric",
        "primary_label",
        "primary_unit",
        "primary_binary",
        "estimate",
        "ci_low",
        "ci_high",
        "estimate_pct",
        "ci_low_pct",
        "ci_high_pct",
        "cohorts",
        "latest",
        "error",
    ]
    return pd.DataFrame(rows).reindex(columns=columns)


def _portfolio_row(report: PilotReport, lang: str) -> dict[str, Any]:
    evaluation = report.evaluation
    pilot, decision = evaluation.pilot, evaluation.decision
    primary = next((m for m in pilot.metrics if m.role == "primary"), pilot.metrics[0])
    outcome = next(
        (
            c
            for c in decision.criteria
            if c.kind == "metric" and c.target == primary.id and not c.subgroup
        ),
        None,
    )
    result = evaluation.metric(primary.id)
    if outcome is not None:
        effect = (
            outcome.estimate,
            outcome.ci_low,
            outcome.ci_high,
            outcome.estimate_pct,
            outcome.ci_low_pct,
            outcome.ci_high_pct,
        )
    else:
        effect = (
            result.primary_estimate,
            result.primary_ci_low,
            result.primary_ci_high,
            result.estimate_pct,
            result.ci_pct_low,
            result.ci_pct_high,
        )
    checks = decision.checks.cohorts if decision.checks else ()
    cohorts = [
        (
            (c.label.get(lang) if c.label else c.id),
            next((k.n_enrolled for k in checks if k.cohort == c.id), None),
        )
        for c in pilot.cohorts
    ]
    return {
        "pilot": pilot.id,
        "title": pilot.title.get(lang),
        "domain": pilot.domain,
        "phase": pilot.phase,
        "verdict": decision.verdict,
        "evidence_level": decision.evidence_level,
        "evidence_label": decision.evidence_label(lang),
        "primary_metric": primary.id,
        "primary_label": primary.label.get(lang),
        "primary_unit": primary.unit,
        "primary_binary": primary.binary,
        **dict(
            zip(
                ("estimate", "ci_low", "ci_high", "estimate_pct", "ci_low_pct", "ci_high_pct"),
                effect,
                strict=True,
            )
        ),
        "cohorts": cohorts,
        "latest": report.latest,
        "error": None,
    }


def dossier_html(pilot_id: str, *, lang: str = "fr", report: PilotReport | None = None) -> str:
    """The pilot's self-contained HTML dossier (charts inlined as SVG; works offline)."""
    from livinglab import dossier

    report = report or pilot_report(pilot_id, lang=lang)
    return dossier.render_html(report.evaluation, lang=lang, details=report)


def dossier_pdf(pilot_id: str, *, lang: str = "fr", report: PilotReport | None = None) -> bytes:
    """The same dossier printed to PDF by headless Chromium."""
    from livinglab import dossier

    report = report or pilot_report(pilot_id, lang=lang)
    return dossier.render_pdf(report.evaluation, lang=lang, details=report)


def pdf_available() -> bool:
    """Whether the PDF dossier can be printed here (Debian's Chromium is installed)."""
    from livinglab.dossier import chromium_path

    return chromium_path() is not None
