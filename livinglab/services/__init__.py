"""Use cases: the one module that sees every layer.

The CLI and the app call these functions and render what they return; nothing
below this module knows about either. Heavy imports (the statistics, pandas) are
made inside the functions that need them, so that ``livinglab validate`` and
``livinglab import`` start fast.
"""

from __future__ import annotations

import tempfile
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from livinglab.errors import (
    ConfigurationError,
    NotFoundError,
    Problem,
    StoreUnavailable,
    UsageError,
)
from livinglab.settings import get_settings

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.engine import Engine

    from livinglab.evaluation import PilotEvaluation
    from livinglab.presentation.report import PilotReport, SurveyDetail
    from livinglab.spec.models import Instrument, Metric, Pilot
    from livinglab.stats import PowerResult
    from livinglab.store.dialects import CsvOptions
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
        raise StoreUnavailable(
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
    csv_options: CsvOptions | None = None,
    export_format: str | None = None,
    metric: str | None = None,
    instrument: str | None = None,
    wave: str | None = None,
    meters: Path | None = None,
    actor: str | None = None,
) -> ImportReport:
    """Import a pilot's files: validated whole first, then written in one transaction.
    ``csv_options``: the separator, decimal mark, encoding or date order the user gives
    (the rest is detected). ``export_format``: the observations are a tool's export
    (``enedis``: a load curve file, or a folder of them, read as ``metric``;
    ``limesurvey``: the responses are a LimeSurvey export of ``instrument`` in ``wave``).
    ``actor``: who imports, for the audit log, and under whose name the pilot's analysis
    plan is registered with its first data (default ``cli:<system user>``)."""
    from livinglab.services.audit import actor_or_cli
    from livinglab.store.importer import import_files

    who = actor_or_cli(actor)

    for path in (participants, observations, responses, meters):
        if path is not None and not Path(path).exists():
            raise NotFoundError(f"The file '{path}' does not exist.")
    pilot = load_pilot(pilot_id)
    if export_format is not None:
        from livinglab.store.adapters import import_export

        export = observations if export_format == "enedis" else responses
        if export is None:
            option = "--observations" if export_format == "enedis" else "--responses"
            raise UsageError(f"The {export_format} format reads {option}: give it.")
        return import_export(
            export_format,
            engine=engine(),
            pilot=pilot,
            instruments=instruments(),
            participants=participants,
            export=export,
            metric=metric,
            instrument=instrument,
            wave=wave,
            meters=meters,
            secret_key=get_settings().pilot_pseudonym_key(pilot.id),
            csv_options=csv_options,
            actor=who,
        )
    return import_files(
        engine=engine(),
        pilot=pilot,
        instruments=instruments(),
        participants=participants,
        observations=observations,
        responses=responses,
        secret_key=get_settings().pilot_pseudonym_key(pilot.id),
        csv_options=csv_options,
        actor=who,
    )


def instrument_from_xlsform(
    path: Path, *, out: Path | None = None, instrument_id: str | None = None
) -> tuple[Path, list[str]]:
    """Write an instrument YAML made from an XLSForm (its select_one questions, their
    choices as the scale, French and English labels); returns the file written and the
    questions left out. Never overwrites a file."""
    from livinglab.spec.xlsform import instrument_from_xlsform as made_from
    from livinglab.spec.xlsform import to_yaml

    if not Path(path).is_file():
        raise NotFoundError(f"The file '{path}' does not exist.")
    data, left_out = made_from(Path(path), instrument_id=instrument_id)
    target = Path(out) if out else Path(get_settings().surveys_dir) / f"{data['id']}.yaml"
    if target.exists():
        raise UsageError(f"{target} exists already: give another --out (nothing was written).")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(to_yaml(data, Path(path)), encoding="utf-8")
    return target, left_out


def load_demo(*, out_dir: Path | None = None, seed: int = 20260101) -> dict[str, ImportReport]:
    """Generate the demo pilots' data (seeded), import it into the store and create the
    demo's accounts (:data:`DEMO_ACCOUNTS`)."""
    from livinglab.demo import generate_demo

    if not get_settings().demo:
        raise ConfigurationError(
            "livinglab demo loads invented data and accounts whose passwords are public: "
            "it runs only with LIVINGLAB_ENVIRONMENT=demo (as make run does), never on a "
            "production store."
        )
    with tempfile.TemporaryDirectory(prefix="livinglab-demo-") as tmp:
        target = Path(out_dir) if out_dir else Path(tmp)
        target.mkdir(parents=True, exist_ok=True)
        files = generate_demo(target, seed=seed)
        reports = {
            pilot_id: import_data(
                pilot_id,
                participants=demo_files.participants,
                observations=demo_files.observations,
                responses=demo_files.responses,
            )
            for pilot_id, demo_files in files.items()
        }
    create_demo_accounts()
    return reports


def stored_data() -> pd.DataFrame:
    """One row per pilot and what the store holds for it (no evaluation: fast):
    title, domain, phase, participants enrolled, timestamp of the latest reading stored
    (``latest_reading``: the reading's own time, never the import's)."""
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
                "phase": pilot.phase,
                "participants": _enrolled(counts),
                # The latest reading itself, not when answers were imported.
                "latest_reading": reductions.latest_data(engine=engine(), pilot=pilot).observation,
            }
        )
    return pd.DataFrame(rows)


def _enrolled(counts: pd.DataFrame) -> int | None:
    """The pilot's participants, or None when a cohort of 1 to k-1 people would be the
    difference of this total and the cohorts shown elsewhere (small cells)."""
    from livinglab.decision.disclosure import small
    from livinglab.decision.privacy import cell_threshold

    with cell_threshold(get_settings().small_cell_k):
        if len(counts) and small(*(int(n) for n in counts["participants"])):
            return None
    return int(counts["participants"].sum()) if len(counts) else 0


def list_pilots_text() -> list[str]:
    """:func:`stored_data` as plain text lines for the CLI."""
    frame = stored_data()
    if frame.empty:
        return ["No pilot found."]
    return frame.to_string(index=False).splitlines()


# --- planning --------------------------------------------------------------------

_POWER_DESIGN = {"pre_post": "paired", "two_group": "two_sample", "did": "did"}
DEFAULT_POWER = 0.8
DEFAULT_ALPHA = 0.05


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

    Parameters
    ----------
    design : {'paired', 'two_sample', 'did', 'two_proportions'}, optional
        Given, or the metric's (``pre_post`` -> paired, ``two_group`` -> two_sample,
        ``did``; a ``share`` metric -> two_proportions).
    effect : float, optional
        In the metric's unit when ``sd`` is given (then ``d = effect / sd``); for two
        proportions with ``baseline``, the difference in proportions (0.1: 10 points);
        otherwise standardised (Cohen's d, or h for two proportions). With a pilot, the
        metric's smallest worthwhile effect when not given.
    n, power : float, optional
        Participants per cohort (pairs for paired) and target power. ``power`` defaults
        to the pilot's ``decision.power``, else 0.8, unless it is what is solved for
        (``n`` and ``effect`` both known).
    alpha : float, optional
        Two-sided; the pilot's ``decision.alpha``, else 0.05.
    baseline : float, optional
        The baseline mean (turns a relative smallest effect into units) or, for two
        proportions, the comparison group's proportion.

    Returns
    -------
    PowerResult
        The solved quantity; ``effect`` standardised (``effect_name``), and
        ``effect_units`` the same effect in the metric's unit (or in proportion points)
        when ``sd`` or a baseline proportion makes it known.

    Raises
    ------
    UsageError
        Nothing or everything left to solve, a relative effect without baseline, values
        out of range.

    Notes
    -----
    Two proportions use Cohen's h, :math:`h = 2\\arcsin\\sqrt{p_0 + \\delta} -
    2\\arcsin\\sqrt{p_0}`, with the normal approximation of R's ``pwr.2p.test``
    (:func:`livinglab.stats.power.power_analysis`): the CLI, the planning page and the
    pilot route therefore give the same n for the same proportions (0.6 -> 0.7 at 80 %
    power and alpha 0.05: h = 0.2102, 356 per cohort).
    """
    from dataclasses import replace

    from livinglab.stats import power_analysis

    default_power = DEFAULT_POWER
    better = 1.0
    if pilot_id is not None:
        if metric_id is None:
            raise UsageError("Give --metric with --pilot (the metric to plan for).")
        pilot = load_pilot(pilot_id)
        metric = _metric_of(pilot, metric_id)
        alpha = pilot.decision.alpha if alpha is None else alpha
        default_power = pilot.decision.power
        better = 1.0 if metric.better == "higher" else -1.0
        if metric.binary:
            if baseline is None:
                raise UsageError(
                    f"'{metric.id}' is a share: give --baseline (the proportion expected "
                    "without the service, e.g. 0.6) to plan on two proportions."
                )
            design = "two_proportions"
        else:
            design = design or _POWER_DESIGN[pilot.design_of(metric)]
        if effect is None and not (n is not None and power is not None):
            if metric.min_effect.relative is not None and baseline is None:
                raise UsageError(
                    f"The smallest worthwhile effect of '{metric.id}' is relative: give "
                    "--baseline (the baseline mean, or proportion for a share) to turn it "
                    "into units."
                )
            if not metric.binary and sd is None:
                raise UsageError(
                    f"The smallest worthwhile effect of '{metric.id}' is in {metric.unit}: "
                    "give --sd (its standard deviation between participants) to standardise it."
                )
            effect = metric.min_effect.in_units(baseline or 0.0)
    if design is None:
        raise UsageError("Give --design (paired, two_sample, did, two_proportions) or --pilot.")
    if power is None and (n is None or effect is None):
        power = default_power
    alpha = DEFAULT_ALPHA if alpha is None else alpha
    proportions = design == "two_proportions" and baseline is not None
    standardised = effect
    try:
        if proportions and effect is not None:
            standardised = _cohen_h(float(baseline or 0.0), float(effect), better)
        elif sd is not None and effect is not None and design != "two_proportions":
            if sd <= 0:
                raise ValueError(f"The 'sd' must be > 0. Got {sd!r} instead.")
            standardised = effect / sd
        result = power_analysis(
            effect=standardised, n=n, power=power, alpha=alpha, design=design
        )
    except ValueError as err:
        raise UsageError(str(err)) from err
    if proportions:
        units = _proportion_difference(float(baseline or 0.0), result.effect, better)
        return replace(result, effect_units=units, baseline=baseline)
    if sd is not None and design != "two_proportions":
        return replace(result, effect_units=result.effect * sd, baseline=baseline)
    return result


def _cohen_h(baseline: float, difference: float, better: float = 1.0) -> float:
    """Cohen's h of ``baseline`` against ``baseline + difference`` (in the direction
    ``better``, or the other way when that leaves [0, 1])."""
    from livinglab.stats import cohen_h

    if not 0.0 <= baseline <= 1.0:
        raise ValueError(f"The 'baseline' proportion must be in [0, 1]. Got {baseline!r} instead.")
    target = baseline + better * abs(difference)
    if not 0.0 <= target <= 1.0:
        target = baseline - better * abs(difference)
    if not 0.0 <= target <= 1.0:
        raise ValueError(
            f"A difference of {difference!r} does not fit around the proportion {baseline!r}."
        )
    return abs(cohen_h(target, baseline))


def _proportion_difference(baseline: float, h: float, better: float = 1.0) -> float:
    """The difference in proportions from ``baseline`` that Cohen's ``h`` stands for."""
    import math

    angle = math.asin(math.sqrt(baseline))
    upward = angle + better * abs(h) / 2.0
    if not 0.0 <= upward <= math.pi / 2.0:
        upward = angle - better * abs(h) / 2.0
    return abs(math.sin(upward) ** 2 - baseline)


def _metric_of(pilot: Pilot, metric_id: str) -> Metric:
    known = [m.id for m in pilot.metrics]
    if metric_id not in known:
        raise NotFoundError(
            f"The pilot '{pilot.id}' has no metric '{metric_id}' (expected one of {known})."
        )
    return pilot.metric(metric_id)


# --- evaluation ------------------------------------------------------------------


def evaluate_pilot(pilot_id: str, *, lang: str = "fr") -> PilotEvaluation:
    """Reduce the pilot's data in SQL, analyse every metric and survey, and decide; then
    remove every aggregate of 1 to k-1 people (k: the ``small_cell_k`` setting), so that
    what any view renders is safe (:mod:`livinglab.decision.disclosure`).

    Once the pilot has data, the verdict is the one of its registered analysis plan
    (:mod:`livinglab.services.plans`); if the plan changed since, the evaluation's
    ``plan`` says what changed and the verdict the changed plan would give.
    """
    from dataclasses import replace

    from livinglab.decision.disclosure import disclosed
    from livinglab.decision.privacy import cell_threshold
    from livinglab.services import plans

    current = load_pilot(pilot_id)
    with cell_threshold(get_settings().small_cell_k):
        registered = plans.registered_pilot(current)
        if registered is None:
            return disclosed(evaluate_spec(current, lang=lang))
        evaluation = evaluate_spec(registered.pilot, lang=lang)
        changed = registered.status.changed
        amended = evaluate_spec(current, lang=lang).verdict if changed else None
        status = replace(registered.status, verdict_under_current_plan=amended)
        return disclosed(replace(evaluation, plan=status))


def evaluate_spec(pilot: Pilot, *, lang: str = "fr") -> PilotEvaluation:
    """The evaluation of ``pilot`` exactly as given (no registered plan looked up, no
    small cell removed: :func:`evaluate_pilot` does both)."""
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    from livinglab.evaluation import evaluate
    from livinglab.stats.placebo import PLACEBO_DESIGNS
    from livinglab.store import reductions
    from livinglab.store.rollups import ensure_rollup_zone
    from livinglab.store.weekly import weekly_participant_values

    eng = engine()
    ensure_rollup_zone(eng, pilot_id=pilot.id, timezone=pilot.timezone)  # an edited zone
    # The baseline weeks of each before/after metric (the placebo check) are read on a
    # third thread while the per-participant values are read two at a time, each query on
    # its own connection (SQLite releases the GIL while it steps). Three threads in all:
    # each one more costs about 10 MB of peak memory and gains nothing on two cores.
    with ThreadPoolExecutor(max_workers=1) as pool:
        weekly = {
            m.id: pool.submit(weekly_participant_values, engine=eng, pilot=pilot, metric=m.id)
            for m in pilot.metrics
            if pilot.design_of(m) in PLACEBO_DESIGNS
        }
        values = reductions.participant_values_by_metric(engine=eng, pilot=pilot)
        answers = {
            plan.instrument: reductions.survey_answers(
                engine=eng, pilot=pilot, instrument=plan.instrument
            )
            for plan in pilot.surveys
        }
        weekly_by_metric = {metric: future.result() for metric, future in weekly.items()}
    # The statistics solve many small least-squares problems (an ANCOVA per subgroup):
    # OpenBLAS's threads cost more than they save there (-35 % of the statistics' time
    # with one thread on the 2-core machine of benchmarks/bench_scale.py).
    with threadpool_limits(1, user_api="blas"):
        return evaluate(
            pilot,
            values_by_metric=values,
            answers_by_instrument=answers,
            instruments=instruments(),
            participants=reductions.participants(engine=eng, pilot=pilot),
            data_version=reductions.data_version(engine=eng, pilot=pilot),
            n_withdrawn=reductions.withdrawn_count(engine=eng, pilot=pilot),
            lang=lang,
            weekly_by_metric=weekly_by_metric,
        )


# --- app and dossier --------------------------------------------------------------
# What the pages and the exported dossier need beyond the evaluation (the weekly
# series, the surveys' answer distributions, a portfolio row per pilot), read from
# the store and made safe to show by ``livinglab.presentation.report``: no cell of 1 to 4 people.


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


def pilot_report(
    pilot_id: str, *, lang: str = "fr", evaluation: PilotEvaluation | None = None
) -> PilotReport:
    """The evaluation of ``pilot_id`` with its weekly series and survey distributions
    (``evaluation``: the pilot's evaluation when the caller has it cached)."""
    from livinglab.decision.privacy import cell_threshold
    from livinglab.presentation.report import PilotReport
    from livinglab.store import reductions

    version = report_version(pilot_id)
    evaluation = evaluation or evaluate_pilot(pilot_id, lang=lang)
    latest = reductions.latest_data(engine=engine(), pilot=evaluation.pilot)
    with cell_threshold(get_settings().small_cell_k):
        weekly = weekly_series(evaluation.pilot)
        surveys = survey_details(evaluation.pilot, lang=lang)
    return PilotReport(
        evaluation=evaluation,
        weekly=weekly,
        surveys=surveys,
        latest_observation=latest.observation,
        latest_answer=latest.answer,
        version=version,
        lang=lang,
    )


def weekly_series(pilot: Pilot | str) -> pd.DataFrame:
    """Weekly mean per cohort of every metric, with its CI, reduced in SQL (see
    :func:`livinglab.presentation.report.weekly_table`); weeks with 1-4 participants are
    left out."""
    import pandas as pd

    from livinglab.presentation.report import weekly_table
    from livinglab.store.weekly import weekly_means

    spec = load_pilot(pilot) if isinstance(pilot, str) else pilot
    frames = [
        weekly_means(engine=engine(), pilot=spec, metric=metric.id).assign(metric=metric.id)
        for metric in spec.metrics
    ]
    return weekly_table(pd.concat(frames, ignore_index=True), spec, alpha=spec.decision.alpha)


def survey_details(pilot: Pilot | str, *, lang: str = "fr") -> tuple[SurveyDetail, ...]:
    """The answer distributions of every planned instrument and wave (test cohorts)."""
    from livinglab.evaluation import plan_answers
    from livinglab.presentation.report import survey_detail
    from livinglab.store import reductions

    spec = load_pilot(pilot) if isinstance(pilot, str) else pilot
    catalog = instruments()
    details = []
    for plan in spec.surveys:
        instrument = catalog[plan.instrument]
        answers = reductions.survey_answers(engine=engine(), pilot=spec, instrument=plan.instrument)
        answers = plan_answers(spec, plan, answers)
        for wave in plan.waves:
            details.append(survey_detail(instrument, answers[answers["wave"] == wave], wave, lang))
    return tuple(details)


def dossier_html(pilot_id: str, *, lang: str = "fr", report: PilotReport | None = None) -> str:
    """The pilot's self-contained HTML dossier (charts inlined as SVG; works offline)."""
    from livinglab.presentation import dossier

    report = report or pilot_report(pilot_id, lang=lang)
    return dossier.render_html(report.evaluation, lang=lang, details=report)


def dossier_pdf(pilot_id: str, *, lang: str = "fr", report: PilotReport | None = None) -> bytes:
    """The same dossier printed to PDF by headless Chromium."""
    from livinglab.presentation import dossier

    report = report or pilot_report(pilot_id, lang=lang)
    return dossier.render_pdf(report.evaluation, lang=lang, details=report)


def pdf_available() -> bool:
    """Whether the PDF dossier can be printed here (Debian's Chromium is installed)."""
    from livinglab.presentation.dossier import chromium_path

    return chromium_path() is not None


# --- invitations and survey answers -------------------------------------------------
# The innovation team invites testers (livinglab.services.invitations, ``invite`` is
# re-exported here); a citizen opens their link, consents and answers
# (livinglab.services.survey). Errors a citizen can meet are
# :class:`livinglab.store.invitations.InvitationError` (a French and an English message).

def _instrument(instrument_id: str) -> Instrument:
    found = instruments().get(instrument_id)
    if found is None:
        raise NotFoundError(
            f"No instrument '{instrument_id}' in {get_settings().surveys_dir} "
            f"(expected one of {sorted(instruments())})."
        )
    return found


# --- accounts and sign-in ------------------------------------------------------------
# Local accounts of the innovation team and decision-makers (``livinglab user ...``);
# citizens have none. See :mod:`livinglab.access` for what each role may open.


@dataclass(frozen=True)
class AccountInfo:
    """An account as the CLI lists it (never its hash)."""

    username: str
    role: str
    locked: bool
    last_sign_in_at: datetime | None


def add_account(
    username: str, password: str, role: str, *, actor: str | None = None
) -> AccountInfo:
    """A new local account; UsageError when the name is taken or a value is invalid.
    ``actor`` (default ``cli:<system user>``) is logged with the change."""
    from sqlmodel import Session

    from livinglab.store.accounts import add_account as add

    with Session(engine()) as session, session.begin():
        account = add(session=session, username=username, password=password, role=role)
        _account_changed(session, actor, f"account {account.username} added, role {role}")
        return _info(account)


def _account_changed(session: object, actor: str | None, detail: str) -> None:
    """The audit entry of an account change, in the change's transaction."""
    from sqlmodel import Session

    from livinglab.services.audit import actor_or_cli
    from livinglab.store.audit import record_event

    assert isinstance(session, Session)
    record_event(
        session=session, actor=actor_or_cli(actor), action="account_change", detail=detail
    )


def accounts() -> list[AccountInfo]:
    """Every local account, by username."""
    from sqlmodel import Session

    from livinglab.store.accounts import list_accounts

    with Session(engine()) as session:
        return [_info(account) for account in list_accounts(session=session)]


def remove_account(username: str, *, actor: str | None = None) -> None:
    """Delete an account (NotFoundError when there is none); logged."""
    from sqlmodel import Session

    from livinglab.store.accounts import remove_account as remove

    with Session(engine()) as session, session.begin():
        remove(session=session, username=username)
        _account_changed(session, actor, f"account {username} removed")


def set_account_role(username: str, role: str, *, actor: str | None = None) -> AccountInfo:
    """Give an account another role; logged."""
    from sqlmodel import Session

    from livinglab.store.accounts import set_role

    with Session(engine()) as session, session.begin():
        account = set_role(session=session, username=username, role=role)
        _account_changed(session, actor, f"account {account.username} now has role {role}")
        return _info(account)


def unlock_account(username: str, *, actor: str | None = None) -> AccountInfo:
    """Lift an account's lock-out; logged."""
    from sqlmodel import Session

    from livinglab.store.accounts import unlock

    with Session(engine()) as session, session.begin():
        account = unlock(session=session, username=username)
        _account_changed(session, actor, f"account {account.username} unlocked")
        return _info(account)


def sign_in(username: str, password: str) -> tuple[str, str]:
    """``(username, role)`` of a local account whose password matches; SignInError
    (``wrong`` or ``locked``) otherwise, after the failure was counted and logged."""
    from sqlmodel import Session

    from livinglab.store.accounts import SignInError
    from livinglab.store.accounts import sign_in as check
    from livinglab.store.audit import record_event

    with Session(engine()) as session, session.begin():
        result = check(session=session, username=username, password=password)
        record_event(  # the typed name (never the password), in the attempt's transaction
            session=session,
            actor=result.username or "?",
            action="sign_in_failed" if result.error else "sign_in",
            detail=f"local account; {result.error}" if result.error else "local account",
        )
    if result.error is not None or result.role is None:
        raise SignInError(result.error or "wrong")
    return result.username, result.role


def account_role(username: str) -> str | None:
    """The current role of ``username`` (None when the account was removed or is
    locked): read on every page run, so a removal or a new role applies at once."""
    from sqlmodel import Session

    from livinglab.store import models as db
    from livinglab.store.accounts import find_account, is_locked

    with Session(engine()) as session:
        account = find_account(session=session, username=username)
        if account is None or is_locked(account, db.utc_now()):
            return None
        return account.role


def grant_identity(
    issuer: str, subject: str, role: str, label: str | None = None, *, actor: str | None = None
) -> None:
    """Give a role to a person of the identity provider, by issuer and subject; logged."""
    from sqlmodel import Session

    from livinglab.store.accounts import grant_identity as grant

    with Session(engine()) as session, session.begin():
        grant(session=session, issuer=issuer, subject=subject, role=role, label=label)
        _account_changed(session, actor, f"identity {subject} of {issuer} granted role {role}")


def revoke_identity(issuer: str, subject: str, *, actor: str | None = None) -> None:
    """Take away the role of a person of the identity provider; logged."""
    from sqlmodel import Session

    from livinglab.store.accounts import revoke_identity as revoke

    with Session(engine()) as session, session.begin():
        revoke(session=session, issuer=issuer, subject=subject)
        _account_changed(session, actor, f"identity {subject} of {issuer} revoked")


def identities() -> list[tuple[str, str, str, str | None]]:
    """``(issuer, subject, role, label)`` of every person of the identity provider."""
    from sqlmodel import Session

    from livinglab.store.accounts import identity_roles

    with Session(engine()) as session:
        return [(r.issuer, r.subject, r.role, r.label) for r in identity_roles(session=session)]


def identity_role(issuer: str, subject: str) -> str | None:
    """The role of the provider's person (None: no role, the refusal is logged); read
    on every page run, like a local account's."""
    from sqlmodel import Session

    from livinglab.store.accounts import identity_role as role_of

    with Session(engine()) as session:
        return role_of(session=session, issuer=issuer, subject=subject)


def _info(account: object) -> AccountInfo:
    from livinglab.store import models as db
    from livinglab.store.accounts import is_locked

    assert isinstance(account, db.Account)
    return AccountInfo(
        username=account.username,
        role=account.role,
        locked=is_locked(account, db.utc_now()),
        last_sign_in_at=account.last_sign_in_at,
    )


DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    # (username, password, role): public, listed in the README; demo stores only.
    ("equipe", "demo-equipe-2026", "team"),
    ("decideur", "demo-decideur-2026", "decision"),
)


def settings_digest() -> str:
    """A digest of the settings that :func:`check_deployment` depends on (a cache key that
    holds no secret)."""
    import hashlib

    settings = get_settings()
    facts = (settings.database_url, settings.environment, settings.secret_key or "")
    return hashlib.sha256("\x00".join(facts).encode()).hexdigest()


def check_deployment() -> None:
    """What must hold before the app serves anyone (ConfigurationError otherwise): in
    production a strong pseudonymisation key, and no demo account that still has its
    public password."""
    from sqlmodel import Session

    from livinglab.store.accounts import find_account, verify_password

    settings = get_settings()
    if settings.demo:
        return
    settings.pseudonym_key()
    with Session(engine()) as session:
        public = [
            username
            for username, password, _ in DEMO_ACCOUNTS
            if (account := find_account(session=session, username=username)) is not None
            and verify_password(account, password)
        ]
    if public:
        raise ConfigurationError(
            f"The demo account(s) {public} still have their public password (README): "
            f"remove them (livinglab user remove NAME) before serving in production."
        )


def create_demo_accounts() -> list[str]:
    """The demo's accounts, one per role with an account (kept when already there)."""
    from sqlmodel import Session

    from livinglab.store.accounts import add_account as add
    from livinglab.store.accounts import find_account

    created = []
    with Session(engine()) as session, session.begin():
        for username, password, role in DEMO_ACCOUNTS:
            if find_account(session=session, username=username) is None:
                add(session=session, username=username, password=password, role=role)
                created.append(username)
    return created


from livinglab.services.invitations import invite as invite  # noqa: E402  (re-export)
