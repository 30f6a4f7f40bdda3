"""Benchmark: evaluate a big pilot end to end, with a breakdown and peak memory.

A randomized difference-in-differences pilot of N households (testers and control
alternately), three daily metrics (a primary, a secondary, a guardrail) over
``--days`` days, attributes ``age_band`` and ``neighbourhood``, a population block
(census margins: representativeness and raking), a projection, a ``trust`` survey
in two waves, and criteria on the primary (overall and for the 65+), the guardrail
and the survey. Files come from ``bench_import.generate``; each step runs in its own
process (its peak RSS is its own):

1. generate the CSV files and the pilot YAML (in ``WORKDIR/pilots``);
2. import them with ``services.import_data`` into a SQLite store in WORKDIR;
3. ``services.evaluate_pilot`` twice in one process: the first call (cold: imports
   and migrations included) and the second (warm), each with a breakdown of where
   the time goes.

Usage::

    python benchmarks/bench_evaluate.py                       # 1,000 households, 1 M readings
    python benchmarks/bench_evaluate.py --households 10000    # 10 M readings (~1 min)
    python benchmarks/bench_evaluate.py --households 10000 --workdir /tmp/ev --skip-import
    python benchmarks/bench_evaluate.py --profile             # + cProfile of the warm call

``--skip-import`` re-evaluates the store of an earlier run in the same ``--workdir``.
``LIVINGLAB_*`` variables are set by the script (pilots, surveys = the repository's
``surveys/``, database); ``--postgres URL`` evaluates on PostgreSQL instead (its
``public`` schema is dropped first).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_import  # noqa: E402

ROOT = bench_import.ROOT
PILOT_ID = "bench_eval"
METRICS = ("kwh", "peak_share", "cold_hours")
AGE_BANDS = {"18-34": 0.22, "35-49": 0.30, "50-64": 0.24, "65-74": 0.13, "75+": 0.11}
NEIGHBOURHOODS = {
    "Centre-Ville": 0.17,
    "Les Epinettes": 0.12,
    "Issy-Val de Seine": 0.18,
    "Corentin Celton": 0.16,
    "La Ferme": 0.10,
    "Les Hauts d'Issy": 0.15,
    "Fort d'Issy": 0.12,
}
SURVEY_SHARE = 0.3  # of households answer each wave


def pilot_yaml(days: int) -> str:
    periods = bench_import.periods(days)

    def margins(shares: dict[str, float]) -> str:
        return "\n".join(f'      "{k}": {v}' for k, v in shares.items())

    metric = "    label: {{fr: {0}, en: {0}}}\n    unit: {1}\n    aggregate: mean\n"
    return f"""id: {PILOT_ID}
title: {{fr: Banc d'essai de l'évaluation, en: Evaluation benchmark}}
domain: energy
hypothesis: {{fr: Le retour d'information réduit la consommation., en: Feedback lowers use.}}
periods:
  baseline: {{start: {periods["baseline"]["start"]}, end: {periods["baseline"]["end"]}}}
  intervention: {{start: {periods["intervention"]["start"]}, end: {periods["intervention"]["end"]}}}
cohorts:
  - {{id: testers, role: test, assignment: random}}
  - {{id: control, role: control, assignment: random}}
attributes: [age_band, neighbourhood]
metrics:
  - id: kwh
{metric.format("kWh", "kWh/jour")}    better: lower
    min_effect: {{relative: 0.05}}
    role: primary
    design: did
  - id: peak_share
{metric.format("Pointe", "part")}    better: lower
    min_effect: {{absolute: 0.01}}
    role: secondary
    design: did
  - id: cold_hours
{metric.format("Froid", "h/jour")}    better: lower
    min_effect: {{absolute: 0.25}}
    role: guardrail
    design: did
surveys:
  - {{instrument: trust, waves: [baseline, after], cohorts: [testers, control]}}
decision:
  alpha: 0.05
  criteria:
    - {{metric: kwh, must: improve}}
    - {{metric: kwh, must: not_worsen, margin: {{relative: 0.05}}, subgroup: {{age_band: "65+"}}}}
    - {{metric: cold_hours, must: not_worsen, margin: {{absolute: 0.5}}}}
    - {{survey: trust, must: reach, threshold: 3.0}}
population:
  size: 30000
  margins:
    age_band:
{margins(AGE_BANDS)}
    neighbourhood:
{margins(NEIGHBOURHOODS)}
projection:
  metric: kwh
  adoption: 0.3
  per: day
  emission_factor: 0.052
"""


def model_for(households: int, days: int, seed: int = 7) -> Any:
    """Readings with a household level, daily noise and a treatment effect in the
    intervention half (kWh -6 %, peak share -0.01, cold hours unchanged)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    level = {
        "kwh": np.clip(rng.normal(10, 2.5, households), 1, None),
        "peak_share": np.clip(rng.normal(0.3, 0.05, households), 0.05, 0.9),
        "cold_hours": rng.gamma(2.0, 0.5, households),
    }
    noise = {"kwh": 1.5, "peak_share": 0.05, "cold_hours": 0.8}
    decimals = {"kwh": 3, "peak_share": 4, "cold_hours": 2}
    half = days // 2

    def model(rng: Any, metric: str, household: Any, day: Any, is_test: Any) -> Any:
        value = level[metric][household] + rng.normal(0, noise[metric], len(household))
        treated = is_test & (day >= half)
        if metric == "kwh":
            value = np.where(treated, value * 0.94, value)
        elif metric == "peak_share":
            value = np.clip(np.where(treated, value - 0.01, value), 0, 1)
        else:
            value = np.clip(value, 0, None)
        return np.round(value, decimals[metric])

    return model


def write_responses(work: Path, households: int, seed: int = 11) -> int:
    """trust answers (5 items, 1..5) of SURVEY_SHARE of the households in each wave."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    items = ["satisfied", "reliable", "data_safe", "listened", "worry"]
    frames = []
    for wave in ("baseline", "after"):
        who = np.flatnonzero(rng.random(households) < SURVEY_SHARE)
        shift = np.where((who % 2 == 0) & (wave == "after"), 0.4, 0.0)
        for item in items:
            mean = 3.2 + shift if item != "worry" else 2.8 - shift
            answer = np.clip(np.round(rng.normal(mean, 1.0)), 1, 5).astype(int)
            frames.append(
                pd.DataFrame(
                    {
                        "participant_id": [f"hh{i:06d}" for i in who],
                        "instrument": "trust",
                        "wave": wave,
                        "item": item,
                        "answer": answer,
                    }
                )
            )
    responses = pd.concat(frames, ignore_index=True)
    responses.to_csv(work / "responses.csv", index=False)
    return len(responses)


# --- steps (each in its own process) ----------------------------------------------------


def _environment(work: Path, url: str) -> dict[str, str]:
    return {
        "LIVINGLAB_PILOTS_DIR": str(work / "pilots"),
        "LIVINGLAB_SURVEYS_DIR": str(ROOT / "surveys"),
        "LIVINGLAB_DATABASE_URL": url,
        "LIVINGLAB_SECRET_KEY": bench_import.SECRET,
        "LIVINGLAB_ENVIRONMENT": "demo",  # an invented, public benchmark key
    }


def step_generate(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.workdir)
    days = args.days
    rows = args.households * len(METRICS) * days
    result = bench_import.generate(
        work,
        rows=rows,
        days=days,
        metrics=METRICS,
        model=model_for(args.households, days),
        age_bands=list(AGE_BANDS),
        age_weights=list(AGE_BANDS.values()),
        neighbourhoods=list(NEIGHBOURHOODS),
        neighbourhood_weights=list(NEIGHBOURHOODS.values()),
        parquet=False,
    )
    result["answers"] = write_responses(work, args.households)
    (work / "pilots").mkdir(exist_ok=True)
    (work / "pilots" / f"{PILOT_ID}.yaml").write_text(pilot_yaml(days), encoding="utf-8")
    return result


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    from livinglab import services

    work = Path(args.workdir)
    started = time.perf_counter()
    report = services.import_data(
        PILOT_ID,
        participants=work / "participants.csv",
        observations=work / "observations.csv",
        responses=work / "responses.csv",
    )
    assert report.observations is not None
    return {"seconds": round(time.perf_counter() - started, 2), "read": report.observations.read}


class Timer:
    """Wall-clock seconds per label, from wrapped functions (nested calls count in both)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, owner: Any, name: str, label: str | None = None, per_arg: bool = False) -> None:
        function = getattr(owner, name)
        label = label or name

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            key = f"{label} {kwargs.get('metric', '')}".strip() if per_arg else label
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[key] += time.perf_counter() - started
                self.calls[key] += 1

        setattr(owner, name, timed)

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


def instrument() -> Timer:
    """Wrap the evaluation's stages (where they are looked up at call time)."""
    import livinglab.decision.assemble as assemble
    import livinglab.decision.equity as equity
    import livinglab.evaluation as evaluation
    import livinglab.store.reductions as reductions
    from livinglab import services

    timer = Timer()
    timer.wrap(services, "load_pilot", "spec: load pilot")
    timer.wrap(services, "instruments", "spec: load instruments")
    timer.wrap(reductions, "_participant_values", "sql: participant_values", per_arg=True)
    timer.wrap(reductions, "survey_answers", "sql: survey_answers")
    timer.wrap(reductions, "participants", "sql: participants")
    timer.wrap(reductions, "data_version", "sql: data_version")
    timer.wrap(evaluation, "evaluate", "evaluate (all below)")
    timer.wrap(evaluation, "analyze_metric", "stats: analyze_metric", per_arg=True)
    timer.wrap(evaluation, "_surveys", "stats: surveys (scores, changes, rates)")
    timer.wrap(evaluation, "decide", "decide (all below)")
    timer.wrap(assemble, "_metric_result", "decide: criteria, subgroup re-analysis")
    timer.wrap(assemble, "check_pilot", "decide: checks")
    timer.wrap(assemble, "assess_representativeness", "decide: representativeness + raking")
    timer.wrap(assemble, "equity_by_subgroup", "decide: equity (all subgroups)")
    timer.wrap(equity, "analyze_subgroup", "  equity: analyze_subgroup")
    timer.wrap(assemble, "project", "decide: projection")
    timer.wrap(assemble, "decide_verdict", "decide: verdict")
    return timer


def step_evaluate(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    from livinglab import services

    timer = instrument()
    imports = time.perf_counter() - started
    result: dict[str, Any] = {"python imports": round(imports, 2)}
    for call in ("cold", "warm"):
        timer.reset()
        started = time.perf_counter()
        evaluation = services.evaluate_pilot(PILOT_ID)
        seconds = time.perf_counter() - started
        result[call] = {
            "seconds": round(seconds, 2),
            "breakdown": {
                k: [round(v, 3), timer.calls[k]] for k, v in timer.seconds.items()
            },
        }
    result["verdict"] = evaluation.verdict
    result["estimates"] = {m.metric: round(m.estimate, 4) for m in evaluation.metrics}
    if args.profile:
        import cProfile
        import io
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        services.evaluate_pilot(PILOT_ID)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
        result["profile"] = out.getvalue()
    return result


STEPS = {"generate": step_generate, "import": step_import, "evaluate": step_evaluate}


def run_step(name: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--step",
        name,
        "--households",
        str(args.households),
        "--days",
        str(args.days),
        "--workdir",
        args.workdir,
    ]
    if args.profile:
        command.append("--profile")
    env = {
        **os.environ,
        **_environment(Path(args.workdir), args.url),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000)
    parser.add_argument(
        "--days", type=int, default=334, help="days of readings (half baseline); 3 metrics a day"
    )
    parser.add_argument("--workdir", default=None, help="where files and the store go")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL (schema emptied!)")
    parser.add_argument("--skip-import", action="store_true", help="reuse WORKDIR's store")
    parser.add_argument("--profile", action="store_true", help="cProfile the warm evaluation")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:
        result = STEPS[args.step](args)
        result["peak_rss_mb"] = round(bench_import.peak_rss_mb())
        print(json.dumps(result))
        return

    temporary = tempfile.TemporaryDirectory(prefix="livinglab-eval-") if not args.workdir else None
    args.workdir = args.workdir or temporary.name  # type: ignore[union-attr]
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    args.url = args.postgres or f"sqlite:///{work / 'store.db'}"
    results: dict[str, Any] = {}
    if not args.skip_import:
        results["generate"] = run_step("generate", args)
        print(f"generated: {results['generate']}", flush=True)
        if args.postgres:
            bench_import._reset_postgres(args.postgres)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work / 'store.db'}{suffix}").unlink(missing_ok=True)
        results["import"] = run_step("import", args)
        print(f"imported: {results['import']}", flush=True)
    results["evaluate"] = run_step("evaluate", args)
    print()
    print(table(results))
    if args.profile:
        print(results["evaluate"].pop("profile"))
    if args.json:
        print(json.dumps(results, indent=2))
    if temporary:
        temporary.cleanup()


def table(results: dict[str, Any]) -> str:
    evaluate = results["evaluate"]
    lines = []
    if "import" in results:
        imported = results["import"]
        lines.append(
            f"import {imported['read']:,} readings + participants + answers: "
            f"{imported['seconds']:.2f} s, peak RSS {imported['peak_rss_mb']} MB"
        )
    lines.append(
        f"evaluate_pilot: cold {evaluate['cold']['seconds']:.2f} s "
        f"(+ {evaluate['python imports']:.2f} s of Python imports), "
        f"warm {evaluate['warm']['seconds']:.2f} s, peak RSS {evaluate['peak_rss_mb']} MB; "
        f"verdict {evaluate['verdict']}"
    )
    lines.append("")
    lines.append(f"{'stage':48} {'cold s':>8} {'warm s':>8} {'calls':>6}")
    cold, warm = evaluate["cold"]["breakdown"], evaluate["warm"]["breakdown"]
    for label in cold:
        lines.append(
            f"{label:48} {cold[label][0]:>8.3f} {warm.get(label, [0, 0])[0]:>8.3f} "
            f"{cold[label][1]:>6}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
