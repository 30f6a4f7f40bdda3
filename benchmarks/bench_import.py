"""Benchmark: import N readings, reduce them in SQL, and report time and peak memory.

Generates households x metrics x daily readings (CSV and Parquet), then runs each
measured step in a fresh Python process so that its peak resident memory
(``resource.getrusage``) is its own:

- import of the participants and observations CSV into an empty store;
- the same import again (every row already present: nothing stored twice);
- ``participant_values`` (GROUP BY participant, period in SQL) for each metric;
- import of the same readings from Parquet into another empty store;
- with ``--formats``: the same readings as a French Excel CSV (``;``, decimal comma,
  ``dd/mm/yyyy hh:mm``, detected) and as an Excel workbook (``.xlsx``), each into an
  empty store.

Usage::

    python benchmarks/bench_import.py                       # 1 M readings, SQLite (~10 s)
    python benchmarks/bench_import.py --rows 10000000       # 10,000 households (~1 min)
    python benchmarks/bench_import.py --rows 10000000 --postgres postgresql+psycopg://u:pw@host/db
    python benchmarks/bench_import.py --rows 10000000 --only csv   # the CSV import only
    python benchmarks/bench_import.py --only formats   # plain CSV, French CSV, xlsx (1 M)

``--postgres`` also runs every step on that server (~2 min more at 10 M), whose
``public`` schema is dropped first. ``--workdir DIR`` keeps the generated files
(392 MB of CSV at 10 M) and reuses them on the next run with the same ``--rows``.
``--json`` prints the raw results as JSON after the table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
METRICS = ("kwh", "trips")
SECRET = "benchmark-secret"
START = date(2023, 1, 1)
AGE_BANDS = ("18-29", "30-44", "45-64", "65+")
NEIGHBOURHOODS = ("Centre", "Corentin", "Epinettes", "Val")


def pilot_spec(days: int) -> dict[str, Any]:
    metric = {"label": "x", "unit": "x", "better": "lower", "min_effect": {"relative": 0.05}}
    return {
        "id": "bench",
        "title": "Benchmark",
        "domain": "energy",
        "hypothesis": "h",
        "periods": periods(days),
        "cohorts": [
            {"id": "testers", "role": "test", "assignment": "random"},
            {"id": "control", "role": "control", "assignment": "random"},
        ],
        "metrics": [
            {**metric, "id": "kwh", "aggregate": "mean", "role": "primary"},
            {**metric, "id": "trips", "aggregate": "rate_per_day", "role": "secondary"},
        ],
        "decision": {"criteria": [{"metric": "kwh", "must": "improve"}]},
        "attributes": ["age_band", "neighbourhood"],
        "timezone": "UTC",  # the readings are generated on UTC days
    }


def periods(days: int) -> dict[str, Any]:
    """``days`` days from START: the first half baseline, the rest intervention."""
    half = days // 2
    return {
        "baseline": {"start": str(START), "end": str(START + timedelta(days=half - 1))},
        "intervention": {
            "start": str(START + timedelta(days=half)),
            "end": str(START + timedelta(days=days - 1)),
        },
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- the data --------------------------------------------------------------------------

# values(rng, metric, household, day, is_test) -> one reading per row of the arrays
Model = Callable[[Any, str, Any, Any, Any], Any]


def generate(
    work: Path,
    *,
    rows: int,
    days: int,
    metrics: Sequence[str] = METRICS,
    model: Model | None = None,
    age_bands: Sequence[str] = AGE_BANDS,
    age_weights: Sequence[float] | None = None,
    neighbourhoods: Sequence[str] = NEIGHBOURHOODS,
    neighbourhood_weights: Sequence[float] | None = None,
    parquet: bool = True,
    seed: int = 1,
) -> dict[str, Any]:
    """Write participants.csv, observations.csv (and observations.parquet), streaming.

    ``rows // (len(metrics) * days)`` households, alternately ``testers`` and
    ``control``, one reading per household, metric and day at 06:00 (UTC). Without
    ``model`` the readings are the import benchmark's (kwh ~ N(10, 2) rounded to 3
    decimals, trips ~ Poisson(2)); with it, ``model(rng, metric, household, day,
    is_test)`` gives them (numpy arrays in, an array of values out).
    """
    import numpy as np
    import pandas as pd

    households = max(1, rows // (len(metrics) * days))
    rng = np.random.default_rng(seed)
    ids = np.array([f"hh{i:06d}" for i in range(households)], dtype=object)
    is_test = np.arange(households) % 2 == 0

    def weights(w: Sequence[float] | None) -> Any:
        return None if w is None else np.asarray(w, dtype=float) / np.sum(w)

    pd.DataFrame(
        {
            "participant_id": ids,
            "cohort": np.where(is_test, "testers", "control"),
            "age_band": rng.choice(list(age_bands), households, p=weights(age_weights)),
            "neighbourhood": rng.choice(
                list(neighbourhoods), households, p=weights(neighbourhood_weights)
            ),
        }
    ).to_csv(work / "participants.csv", index=False)

    stamps = pd.date_range(str(START), periods=days, freq="D") + pd.Timedelta(hours=6)
    day_text = np.array([d.strftime("%Y-%m-%dT%H:%M:%S") for d in stamps], dtype=object)
    writer = None
    per_household = len(metrics) * days
    block = max(1, 200_000 // per_household)
    with open(work / "observations.csv", "w", newline="") as csv_file:
        csv_file.write("participant_id,metric,timestamp,value\n")
        for first in range(0, households, block):
            index = np.arange(first, min(first + block, households))
            n = len(index) * per_household
            household = np.repeat(index, per_household)
            metric = np.tile(np.repeat(np.array(metrics, dtype=object), days), len(index))
            day = np.tile(np.arange(days), len(index) * len(metrics))
            if model is None:
                kwh = np.round(rng.normal(10, 2, n), 3)
                trips = rng.poisson(2, n).astype(float)
                value = np.where(metric == "kwh", kwh, trips)
            else:
                value = np.empty(n)
                for name in metrics:
                    rows_of = metric == name
                    value[rows_of] = model(
                        rng, name, household[rows_of], day[rows_of], is_test[household[rows_of]]
                    )
            frame = pd.DataFrame(
                {
                    "participant_id": ids[household],
                    "metric": metric,
                    "timestamp": day_text[day],
                    "value": value,
                }
            )
            frame.to_csv(csv_file, header=False, index=False)
            if parquet:
                import pyarrow as pa
                import pyarrow.parquet as pq

                frame["timestamp"] = stamps[day].tz_localize("UTC")
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(work / "observations.parquet", table.schema)
                writer.write_table(table)
    if writer is not None:
        writer.close()
    result = {
        "households": households,
        "rows": households * per_household,
        "csv_mb": round((work / "observations.csv").stat().st_size / 1e6, 1),
    }
    if parquet:
        result["parquet_mb"] = round((work / "observations.parquet").stat().st_size / 1e6, 1)
    return result


def write_formats(work: Path) -> dict[str, Any]:
    """observations_fr.csv (``;``, decimal comma, dd/mm/yyyy hh:mm) and
    observations.xlsx (typed cells: numbers, date-times) from observations.csv."""
    import pandas as pd
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Relevés")
    sheet.append(["participant_id", "metric", "timestamp", "value"])
    with open(work / "observations_fr.csv", "w", newline="", encoding="utf-8") as french:
        french.write("participant_id;metric;timestamp;value\n")
        for frame in pd.read_csv(work / "observations.csv", chunksize=200_000, dtype=str):
            moments = pd.to_datetime(frame["timestamp"], format="ISO8601")
            out = frame.assign(
                timestamp=moments.dt.strftime("%d/%m/%Y %H:%M"),
                value=frame["value"].str.replace(".", ",", regex=False),
            )
            out.to_csv(french, sep=";", header=False, index=False)
            for row in zip(
                frame["participant_id"],
                frame["metric"],
                moments.dt.to_pydatetime(),
                frame["value"].astype(float),
                strict=True,
            ):
                sheet.append(list(row))
    book.save(work / "observations.xlsx")
    return {
        name: round((work / name).stat().st_size / 1e6, 1)
        for name in ("observations_fr.csv", "observations.xlsx")
    }


# --- steps (each runs in its own process) -------------------------------------------


def step_generate(args: argparse.Namespace) -> dict[str, Any]:
    return generate(Path(args.workdir), rows=args.rows, days=args.days, parquet=args.parquet)


def step_formats(args: argparse.Namespace) -> dict[str, Any]:
    return write_formats(Path(args.workdir))


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    from livinglab.spec.models import Pilot
    from livinglab.store import import_files, make_engine, migrate

    engine = make_engine(args.url)
    migrate(engine)
    work = Path(args.workdir)
    started = time.perf_counter()
    report = import_files(
        engine=engine,
        pilot=Pilot.model_validate(pilot_spec(args.days)),
        participants=work / "participants.csv",
        observations=work / args.file,
        secret_key=SECRET,
    )
    seconds = time.perf_counter() - started
    assert report.observations is not None
    return {
        "seconds": round(seconds, 2),
        "read_as": report.observations.read_as,
        "read": report.observations.read,
        "inserted": report.observations.inserted,
        "already_present": report.observations.already_present,
        "rows_per_second": round(report.observations.read / seconds),
    }


def step_reduce(args: argparse.Namespace) -> dict[str, Any]:
    from livinglab.spec.models import Pilot
    from livinglab.store import make_engine, participant_values

    engine = make_engine(args.url)
    pilot = Pilot.model_validate(pilot_spec(args.days))
    result: dict[str, Any] = {}
    total = 0.0
    for metric in METRICS:
        started = time.perf_counter()
        frame = participant_values(engine=engine, pilot=pilot, metric=metric)
        seconds = time.perf_counter() - started
        total += seconds
        result[metric] = {"seconds": round(seconds, 2), "rows_out": len(frame)}
    result["seconds"] = round(total, 2)
    return result


STEPS = {
    "generate": step_generate,
    "formats": step_formats,
    "import": step_import,
    "reduce": step_reduce,
}


def run_step(name: str, args: argparse.Namespace, **extra: str) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--step",
        name,
        "--rows",
        str(args.rows),
        "--days",
        str(args.days),
        "--workdir",
        args.workdir,
    ]
    if not args.parquet:
        command.append("--skip-parquet")
    for key, value in extra.items():
        command += [f"--{key}", value]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                                     os.environ.get("PYTHONPATH")]))}
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="readings to generate")
    parser.add_argument("--days", type=int, default=500, help="days of readings (half baseline)")
    parser.add_argument("--workdir", default=None, help="where files and the SQLite store go")
    parser.add_argument(
        "--postgres", default=None, help="also run on this PostgreSQL URL (its schema is emptied!)"
    )
    parser.add_argument("--skip-parquet", dest="parquet", action="store_false")
    parser.add_argument(
        "--only",
        choices=["csv", "parquet", "formats"],
        help="run only this import (no re-import, reduce); formats: plain CSV, French CSV, xlsx",
    )
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", default="observations.csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only == "parquet":
        args.parquet = True
    if args.only == "formats":
        args.parquet = False

    if args.step:  # a child process: one measured step
        result = STEPS[args.step](args)
        result["peak_rss_mb"] = round(peak_rss_mb())
        print(json.dumps(result))
        return

    temporary = tempfile.TemporaryDirectory(prefix="livinglab-bench-") if not args.workdir else None
    args.workdir = args.workdir or temporary.name  # type: ignore[union-attr]
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {}
    if (work / "observations.csv").is_file() and _generated_for(work, args):
        results["generate"] = json.loads((work / "generated.json").read_text())
        print(f"reusing the files in {work}: {results['generate']}", flush=True)
    else:
        results["generate"] = run_step("generate", args)
        (work / "generated.json").write_text(
            json.dumps({**results["generate"], "days": args.days, "parquet": args.parquet})
        )
        print(f"generated: {results['generate']}", flush=True)
    backends = {"sqlite": f"sqlite:///{work / 'store.db'}"}
    if args.postgres:
        backends["postgresql"] = args.postgres
    for backend, url in backends.items():
        if backend == "sqlite":
            for name in ("store.db", "store-parquet.db"):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{work / name}{suffix}").unlink(missing_ok=True)
        else:
            _reset_postgres(url)
        steps = [
            ("import csv", "import", {"url": url}),
            ("re-import csv", "import", {"url": url}),
            ("participant_values", "reduce", {"url": url}),
        ]
        if args.only:
            steps = steps[:1] if args.only in ("csv", "formats") else []
        if args.only == "formats" and backend == "sqlite":
            if not (work / "observations.xlsx").is_file():
                results["formats"] = run_step("formats", args)
                print(f"written: {results.pop('formats')}", flush=True)
            for name, file in (("French CSV", "observations_fr.csv"),
                               ("xlsx", "observations.xlsx")):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{work / 'store-formats.db'}{suffix}").unlink(missing_ok=True)
                label = f"{backend}: import {name}"
                results[label] = run_step(
                    "import", args, url=f"sqlite:///{work / 'store-formats.db'}", file=file
                )
                print(f"{label}: {results[label]}", flush=True)
        for label, step, extra in steps:
            results[f"{backend}: {label}"] = run_step(step, args, **extra)
            print(f"{backend}: {label}: {results[f'{backend}: {label}']}", flush=True)
        if args.parquet and args.only != "csv":
            if backend == "sqlite":
                url = f"sqlite:///{work / 'store-parquet.db'}"
            else:
                _reset_postgres(url)
            label = f"{backend}: import parquet"
            results[label] = run_step("import", args, url=url, file="observations.parquet")
            print(f"{label}: {results[label]}", flush=True)
    print()
    print(table(results, args.rows))
    print(f"(wall time of the benchmark {time.perf_counter() - started:.0f} s)")
    if args.json:
        print(json.dumps(results, indent=2))
    if temporary:
        temporary.cleanup()


def _generated_for(work: Path, args: argparse.Namespace) -> bool:
    """The files in ``work`` were generated with these --rows and --days."""
    try:
        meta = json.loads((work / "generated.json").read_text())
    except (OSError, ValueError):
        return False
    households = max(1, args.rows // (len(METRICS) * args.days))
    return (
        meta.get("households") == households
        and meta.get("days") == args.days
        and (meta.get("parquet") or not args.parquet)
    )


def table(results: dict[str, Any], rows: int) -> str:
    """The short table: one line per measured step."""
    lines = [f"{'step':34} {'rows':>11} {'seconds':>8} {'rows/s':>10} {'peak RSS MB':>12}"]
    for label, result in results.items():
        if label == "generate":
            continue
        count = result.get("read", rows)
        seconds = result["seconds"]
        lines.append(
            f"{label:34} {count:>11,} {seconds:>8.2f} {round(count / max(seconds, 1e-9)):>10,} "
            f"{result['peak_rss_mb']:>12}"
        )
    return "\n".join(lines)


def _reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
