"""Operating characteristics of the verdict: how often ``go``, ``no_go`` and ``extend``.

For each demo pilot (``pilots/*.yaml``, data by :mod:`livinglab.demo`) this module
simulates pilots of the same shape - the demo generator itself: cohort sizes,
calendar, design, each metric's spread and baseline, drop-outs, missing readings,
surveys - with every ``improve`` criterion's true effect set to a multiple (0, 0.5,
1, 2) of its smallest worthwhile effect, evaluates each simulated pilot with
:func:`livinglab.evaluation.evaluate` (every metric's analysis, every survey's
score, the decision) and counts the verdicts::

    python -m livinglab.operating                 # 200 pilots a row, ~5 min on one core
    python -m livinglab.operating --runs 50 --pilot senior_procedures

**The true effect, as the criterion measures it.** The smallest worthwhile effect
``m`` is declared in the metric's unit or relative to the testers' baseline mean.
The multiple ``k`` sets the demo's effect parameter so that the testers' mean in
the intervention period moves by ``k x m`` (in the better direction) against what
it would have been without the intervention, on average over pilots: measured on
simulated pilots of the demo's size (``CALIBRATION_PARTICIPANTS`` participants in
all) run with and without the effect from the same seeds (so the difference is the
effect alone; several pilots because a pilot's weather and season change what a
relative effect is worth in kWh), and checked on as many others (the output's
``calibration`` line). Relative and absolute effects follow from the demo's contract
in one step; the success share, generated from logit shifts, by solving for a factor
of those shifts. Other
criteria keep the demo's built-in effects (a guardrail's small change well within
its margin; a survey's score, e.g. SUS 69 against a threshold of 68).

**What is evaluated.** By default the pilot is evaluated without its attributes
and population margins: equity by subgroup and representativeness, which do not
enter the verdict and take four fifths of the time, are skipped
(``full=True`` / ``--full`` keeps them; ``tests/test_operating.py`` checks that the
verdicts agree). Every simulated pilot has its own seed ``(seed, pilot, run)``,
the same for every multiple (common random numbers), so the table is reproducible
and its rows differ by the effect, not by the draw.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from livinglab import demo
from livinglab.evaluation import evaluate
from livinglab.spec.loader import load_instruments, load_pilot
from livinglab.spec.models import Instrument, Metric, MetricCriterion, Pilot

MULTIPLES: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0)
"""True effects, as multiples of each ``improve`` criterion's smallest worthwhile effect."""
DEFAULT_RUNS = 200
DEFAULT_SEED = 20260101
CALIBRATION_PARTICIPANTS = 4000
"""Participants, over at least 20 simulated pilots of the demo's size, on which the true
effect is measured (and as many on which it is checked)."""
VERDICTS = ("go", "no_go", "extend")
STATUSES = ("pass", "fail", "inconclusive")
_ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- data


def participant_values(
    pilot: Pilot, people: pd.DataFrame, observations: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The store's reduction in pandas: one value per participant, metric and period.

    Parameters
    ----------
    pilot : Pilot
    people : DataFrame
        ``participant_id, cohort, role`` and the pilot's attributes.
    observations : DataFrame
        ``participant_id, metric, timestamp`` (ISO 8601 UTC) and ``value``.

    Returns
    -------
    dict of str to DataFrame
        By metric id, the columns of
        :func:`livinglab.store.reductions.participant_values` (``participant_id,
        cohort, cohort_role, period, value, n_readings`` + attributes), one row per
        participant and period with at least one reading; a reading belongs to a
        period when its UTC date lies between the period's first and last day, the
        store's rule. ``mean`` and ``share`` average the readings, ``sum`` adds
        them, ``count`` counts them, ``rate_per_day`` divides the sum by the
        period's days.
    """
    spans = (pilot.periods.baseline, pilot.periods.intervention)
    # Distinct timestamps and ids are few: each is judged once, readings carry codes.
    stamp_code, stamps = pd.factorize(observations["timestamp"])
    dates = np.array([str(stamp)[:10] for stamp in stamps], dtype=object)
    period_of_stamp = np.full(len(stamps), -1)
    for index, span in reversed(list(enumerate(spans))):  # the baseline wins an overlap
        inside = (dates >= str(span.start)) & (dates <= str(span.end))
        period_of_stamp[inside] = index
    period = period_of_stamp[stamp_code]
    person_code, persons = pd.factorize(observations["participant_id"])
    metric_code = observations["metric"].to_numpy()
    value = observations["value"].to_numpy(float)
    who = _participants(pilot, people)
    days = np.array([span.days for span in spans], dtype=float)
    out: dict[str, pd.DataFrame] = {}
    for metric in pilot.metrics:
        mine = (metric_code == metric.id) & (period >= 0)
        key = person_code[mine] * 2 + period[mine]
        size = np.bincount(key, minlength=2 * len(persons))
        total = np.bincount(key, weights=value[mine], minlength=2 * len(persons))
        present = np.flatnonzero(size)
        n, sums, which = size[present], total[present], present % 2
        aggregate = {  # n >= 1 for every present participant and period
            "mean": sums / n,
            "share": sums / n,
            "sum": sums,
            "count": n.astype(float),
            "rate_per_day": sums / days[which],
        }[metric.aggregate]
        reduced = pd.DataFrame({
            "participant_id": np.asarray(persons)[present // 2],
            "period": np.array(["baseline", "intervention"])[which],
            "value": aggregate.astype(float),
            "n_readings": n.astype("int64"),
        })
        frame = who.merge(reduced, on="participant_id")
        out[metric.id] = frame[
            ["participant_id", "cohort", "cohort_role", "period", "value", "n_readings",
             *pilot.attributes]
        ].sort_values(["participant_id", "period"], ignore_index=True)
    return out


def _participants(pilot: Pilot, people: pd.DataFrame) -> pd.DataFrame:
    return people.rename(columns={"role": "cohort_role"})[
        ["participant_id", "cohort", "cohort_role", *pilot.attributes]
    ]


def survey_answers(
    pilot: Pilot, people: pd.DataFrame, responses: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Answers by planned instrument, with the columns of the store's ``survey_answers``."""
    who = _participants(pilot, people)
    return {
        plan.instrument: who.merge(
            responses[responses["instrument"] == plan.instrument].drop(columns="instrument")
        )[["participant_id", "cohort", "cohort_role", "wave", "item", "answer",
           *pilot.attributes]]
        for plan in pilot.surveys
    }


# --------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class TrueEffect:
    """One ``improve`` criterion's smallest worthwhile effect and the demo parameter per unit.

    Attributes
    ----------
    metric : str
    smallest : float
        The smallest worthwhile effect in the metric's unit (positive; a relative
        one times the testers' expected baseline mean).
    direction : int
        +1 when higher is better, -1 when lower is.
    parameters : dict of float to float
        Multiple -> the demo generator's effect parameter that moves the testers'
        intervention mean by ``multiple x smallest`` in the better direction.
    achieved : dict of float to float
        Multiple -> the change that parameter gives on the calibration pilot, as a
        multiple of ``smallest`` (the check of the calibration).
    """

    metric: str
    smallest: float
    direction: int
    parameters: dict[float, float]
    achieved: dict[float, float]


def _testers_means(
    pilot: Pilot, instruments: Mapping[str, Instrument], metric: str, effect: float,
    seeds: Sequence[Sequence[int]],
) -> tuple[float, float]:
    """Testers' mean baseline and intervention value, averaged over simulated pilots."""
    means = []
    for seed in seeds:
        people, observations, _ = demo.simulate_pilot(
            np.random.default_rng(list(seed)), pilot, instruments, effects={metric: effect}
        )
        values = participant_values(pilot, people, observations)[metric]
        testers = values[values["cohort_role"] == "test"].groupby("period")["value"].mean()
        means.append((float(testers["baseline"]), float(testers["intervention"])))
    baseline, intervention = np.mean(means, axis=0)
    return float(baseline), float(intervention)


def calibrate(
    pilot: Pilot,
    instruments: Mapping[str, Instrument],
    multiples: Sequence[float] = MULTIPLES,
    seed: int = DEFAULT_SEED,
    pilots: int | None = None,
) -> tuple[TrueEffect, ...]:
    """The demo effect parameters that make each ``improve`` criterion's true effect
    ``multiple x`` its smallest worthwhile effect.

    Parameters
    ----------
    pilot : Pilot
        A demo pilot.
    instruments : mapping of str to Instrument
    multiples : sequence of float
    seed : int
    pilots : int, optional
        Simulated pilots the effect is measured on (then checked on as many others);
        default: enough for ``CALIBRATION_PARTICIPANTS``, at least 20.

    Returns
    -------
    tuple of TrueEffect
        One per ``improve`` criterion, in the pilot's order.

    Raises
    ------
    ValueError
        An ``improve`` criterion targets a metric the demo generates without an
        effect, targets a subgroup (its effect cannot be set apart), or has no
        smallest worthwhile effect.
    """
    built_in = demo.true_effects()[pilot.id]["metrics"]
    if pilots is None:
        size = sum(c.target_size or 50 for c in pilot.cohorts)
        pilots = max(20, -(-CALIBRATION_PARTICIPANTS // size))
    out = []
    for criterion in pilot.decision.criteria:
        if not isinstance(criterion, MetricCriterion) or criterion.must != "improve":
            continue
        metric = pilot.metric(criterion.metric)
        if criterion.metric not in built_in or criterion.subgroup or metric.min_effect is None:
            raise ValueError(
                f"The criterion on '{criterion.metric}' of '{pilot.id}' cannot be simulated: "
                "the demo sets effects on whole cohorts of "
                f"{sorted(built_in)}, each with a smallest worthwhile effect."
            )
        out.append(_calibrate_metric(pilot, instruments, metric, built_in[metric.id],
                                     multiples, seed, pilots))
    return tuple(out)


def _calibrate_metric(
    pilot: Pilot,
    instruments: Mapping[str, Instrument],
    metric: Metric,
    spec: Mapping[str, Any],
    multiples: Sequence[float],
    seed: int,
    pilots: int,
) -> TrueEffect:
    direction = 1 if metric.better == "higher" else -1
    fit_seeds = [(seed, 999, j) for j in range(pilots)]
    check_seeds = [(seed, 998, j) for j in range(pilots)]
    baseline, untreated = _testers_means(pilot, instruments, metric.id, 0.0, fit_seeds)
    assert metric.min_effect is not None
    smallest = (
        float(metric.min_effect.absolute)
        if metric.min_effect.absolute is not None
        else float(metric.min_effect.relative or 0.0) * baseline
    )

    def change(parameter: float) -> float:
        return _testers_means(pilot, instruments, metric.id, parameter, fit_seeds)[1] - untreated

    if "logit_shift" in spec:  # a share from logit shifts: monotone in the shifts' factor
        parameters = {k: _solve(change, k * smallest * direction, smallest) for k in multiples}
    else:
        # The demo's contract (``demo.true_effects``): a relative effect multiplies
        # the counterfactual value, an absolute one adds to it.
        per_unit = untreated if spec["scale"] == "relative" else 1.0
        parameters = {k: k * smallest * direction / per_unit for k in multiples}
    _, unchanged = _testers_means(pilot, instruments, metric.id, 0.0, check_seeds)
    achieved = {
        k: direction * (_testers_means(pilot, instruments, metric.id, p, check_seeds)[1]
                        - unchanged) / smallest if k else 0.0
        for k, p in parameters.items()
    }
    return TrueEffect(metric.id, smallest, direction, parameters, achieved)


def _solve(change: Callable[[float], float], target: float, scale: float,
           high: float = 8.0) -> float:
    """The root of ``change(x) = target`` in [0, high] by regula falsi (Illinois), to
    0.2 % of ``scale``; ``change`` is increasing with ``change(0) = 0``."""
    if target == 0:
        return 0.0
    low, f_low = 0.0, -target
    f_high = change(high) - target
    if f_low * f_high > 0:
        raise ValueError(f"The effect {target:g} cannot be reached with a factor in [0, {high:g}].")
    side = 0
    for _ in range(60):
        middle = (low * f_high - high * f_low) / (f_high - f_low)
        f_middle = change(middle) - target
        if abs(f_middle) < 0.002 * scale:
            return middle
        if f_middle * f_high > 0:
            high, f_high = middle, f_middle
            if side == -1:
                f_low /= 2
            side = -1
        else:
            low, f_low = middle, f_middle
            if side == 1:
                f_high /= 2
            side = 1
    return middle


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class OperatingRow:
    """How often each verdict comes out at one true effect.

    Attributes
    ----------
    pilot : str
    multiple : float
        The true effect of every ``improve`` criterion, in smallest worthwhile effects.
    runs : int
        Simulated pilots.
    verdicts : dict of str to float
        ``go``, ``no_go``, ``extend`` -> share of the runs.
    criteria : tuple of (str, dict of str to float)
        Each criterion's target and the share of ``pass``, ``fail``, ``inconclusive``.
    seconds : float
        Time the row took.
    """

    pilot: str
    multiple: float
    runs: int
    verdicts: dict[str, float]
    criteria: tuple[tuple[str, dict[str, float]], ...]
    seconds: float


def evaluate_run(
    pilot: Pilot,
    instruments: Mapping[str, Instrument],
    rng: np.random.Generator,
    effects: Mapping[str, float],
    *,
    full: bool = False,
    seed: int = DEFAULT_SEED,
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Simulate one pilot and evaluate it; returns the verdict and each criterion's status."""
    people, observations, responses = demo.simulate_pilot(rng, pilot, instruments, effects=effects)
    judged = pilot if full else pilot.model_copy(update={"attributes": [], "population": None})
    evaluation = evaluate(
        judged,
        values_by_metric=participant_values(judged, people, observations),
        answers_by_instrument=survey_answers(judged, people, responses),
        instruments=instruments,
        participants=_participants(judged, people),
        seed=seed,
    )
    statuses = tuple((c.target, c.status) for c in evaluation.decision.criteria)
    return evaluation.verdict, statuses


def operating_characteristics(
    pilot: Pilot,
    instruments: Mapping[str, Instrument],
    *,
    multiples: Sequence[float] = MULTIPLES,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
    full: bool = False,
    effects: Sequence[TrueEffect] | None = None,
) -> tuple[OperatingRow, ...]:
    """P(go), P(no_go), P(extend) of a demo pilot at each true effect.

    Parameters
    ----------
    pilot : Pilot
        A demo pilot (``livinglab.demo.DEMO_PILOTS``).
    instruments : mapping of str to Instrument
    multiples : sequence of float
        True effects in smallest worthwhile effects (0: no effect).
    runs : int
        Simulated pilots per multiple (the shares' binomial SE is at most
        ``0.5 / sqrt(runs)``: 3.5 points at 200).
    seed : int
    full : bool
        Evaluate equity and representativeness too (slower; same verdicts).
    effects : sequence of TrueEffect, optional
        From :func:`calibrate` (computed when not given).

    Returns
    -------
    tuple of OperatingRow
        One per multiple, in order.

    Raises
    ------
    ValueError
        ``runs`` < 1, or see :func:`calibrate`.
    """
    if not isinstance(runs, int) or runs < 1:
        raise ValueError(f"The 'runs' must be a positive integer. Got {runs!r} instead.")
    index = demo.DEMO_PILOTS.index(pilot.id) if pilot.id in demo.DEMO_PILOTS else 0
    effects = tuple(effects) if effects is not None else calibrate(pilot, instruments, multiples,
                                                                   seed)
    rows = []
    for k in multiples:
        started = time.perf_counter()
        chosen = {e.metric: e.parameters[k] for e in effects}
        verdicts: list[str] = []
        statuses: list[tuple[tuple[str, str], ...]] = []
        for run in range(runs):
            rng = np.random.default_rng([seed, index, run])
            verdict, status = evaluate_run(pilot, instruments, rng, chosen, full=full, seed=seed)
            verdicts.append(verdict)
            statuses.append(status)
        targets = [t for t, _ in statuses[0]] if statuses else []
        criteria = tuple(
            (target, {s: sum(row[i][1] == s for row in statuses) / runs for s in STATUSES})
            for i, target in enumerate(targets)
        )
        rows.append(
            OperatingRow(
                pilot=pilot.id,
                multiple=float(k),
                runs=runs,
                verdicts={v: verdicts.count(v) / runs for v in VERDICTS},
                criteria=criteria,
                seconds=time.perf_counter() - started,
            )
        )
    return tuple(rows)


# --------------------------------------------------------------------------- command line


def format_rows(rows: Sequence[OperatingRow], effects: Sequence[TrueEffect]) -> str:
    """A plain-text table: one line per true effect, verdict shares then criteria's."""
    lines = []
    for e in effects:
        achieved = ", ".join(f"{k:g}x -> {v:.2f}x" for k, v in e.achieved.items())
        lines.append(
            f"  {e.metric}: smallest worthwhile effect {e.smallest:.4g} "
            f"({'higher' if e.direction > 0 else 'lower'} is better); calibration {achieved}"
        )
    header = f"  {'true effect':>11}  {'P(go)':>6} {'P(no_go)':>8} {'P(extend)':>9}   criteria"
    lines += [header]
    for row in rows:
        criteria = "; ".join(
            f"{target} {s['pass']:.0%}/{s['fail']:.0%}/{s['inconclusive']:.0%}"
            for target, s in row.criteria
        )
        v = row.verdicts
        lines.append(
            f"  {row.multiple:>9g} x  {v['go']:>6.1%} {v['no_go']:>8.1%} {v['extend']:>9.1%}"
            f"   {criteria}  [{row.seconds:.0f} s]"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m livinglab.operating``: print the demo pilots' operating characteristics."""
    parser = argparse.ArgumentParser(
        prog="python -m livinglab.operating", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="simulated pilots a row")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--pilot", action="append", choices=demo.DEMO_PILOTS,
                        help="a demo pilot (repeatable; default: all)")
    parser.add_argument("--multiples", type=float, nargs="+", default=list(MULTIPLES))
    parser.add_argument("--full", action="store_true",
                        help="also evaluate equity and representativeness (slower)")
    parser.add_argument("--pilots-dir", type=Path, default=_ROOT / "pilots")
    parser.add_argument("--surveys-dir", type=Path, default=_ROOT / "surveys")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    instruments = load_instruments(args.surveys_dir)
    started, cpu = time.perf_counter(), time.process_time()
    print(
        f"Verdicts of simulated demo pilots, {args.runs} a row (seed {args.seed}); "
        "criteria: pass/fail/inconclusive. Binomial SE of a share <= "
        f"{50 / np.sqrt(args.runs):.1f} points."
    )
    for pilot_id in args.pilot or demo.DEMO_PILOTS:
        pilot = load_pilot(args.pilots_dir / f"{pilot_id}.yaml")
        t0 = time.perf_counter()
        effects = calibrate(pilot, instruments, args.multiples, args.seed)
        calibration = time.perf_counter() - t0
        rows = operating_characteristics(
            pilot, instruments, multiples=args.multiples, runs=args.runs, seed=args.seed,
            full=args.full, effects=effects,
        )
        print(f"\n{pilot_id} ({pilot.design_of(pilot.metrics[0])}, "
              f"{', '.join(f'{c.id} {c.target_size}' for c in pilot.cohorts)}; "
              f"calibration {calibration:.0f} s)")
        print(format_rows(rows, effects))
        sys.stdout.flush()
    print(f"\nTotal runtime: {time.perf_counter() - started:.0f} s "
          f"(CPU {time.process_time() - cpu:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
