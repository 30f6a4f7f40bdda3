"""Benchmark: import N readings, reduce them in SQL, and report time and peak memory.

Generates households x metrics x daily readings (CSV and Parquet), then runs each
measured step in a fresh Python process so that its peak resident memory
(``resource.getrusage``) is its own:

- import of the participants and observations CSV into an empty store;
- the same import again (every row already present: nothing stored twice);
- import of the same readings from Parquet into another empty store;
- ``participant_values`` (GROUP BY participant, period in SQL) for each metric.

Usage::

    python benchmarks/bench_import.py                      # 1 M readings, SQLite
    python benchmarks/bench_import.py --rows 10000000      # 10,000 households
    python benchmarks/bench_import.py --postgres postgresql+psycopg://user:pw@host/db
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
METRICS = ("kwh", "trips")
SECRET = "benchmark-secret"
START = date(2023, 1, 1)


def pilot_spec(days: int) -> dict[str, Any]:
    half = days // 2
    metric = {"label": "x", "unit": "x", "better": "lower", "min_effect": {"relative": 0.05}}
    return {
        "id": "bench",
        "title": "Benchmark",
        "domain": "energy",
        "hypothesis": "h",
        "periods": {
            "baseline": {"start": str(START), "end": str(START + timedelta(days=half - 1))},
            "intervention": {
                "start": str(START + timedelta(days=half)),
                "end": str(START + timedelta(days=days - 1)),
            },
        },
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
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- steps (each runs in its own process) -------------------------------------------


def step_generate(args: argparse.Namespace) -> dict[str, Any]:
    """Write participants.csv, observations.csv and observations.parquet, streaming."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    work = Path(args.workdir)
    households = max(1, args.rows // (len(METRICS) * args.days))
    rng = np.random.default_rng(1)
    ids = [f"hh{i:06d}" for i in range(households)]
    pd.DataFrame(
        {
            "participant_id": ids,
            "cohort": np.where(np.arange(households) % 2 == 0, "testers", "control"),
            "age_band": rng.choice(["18-29", "30-44", "45-64", "65+"], households),
            "neighbourhood": rng.choice(["Centre", "Corentin", "Epinettes", "Val"], households),
        }
    ).to_csv(work / "participants.csv", index=False)

    days = pd.date_range(str(START), periods=args.days, freq="D") + pd.Timedelta(hours=6)
    day_text = np.array([d.strftime("%Y-%m-%dT%H:%M:%S") for d in days], dtype=object)
    writer = None
    block = max(1, 200_000 // (len(METRICS) * args.days))
    with open(work / "observations.csv", "w", newline="") as csv_file:
        csv_file.write("participant_id,metric,timestamp,value\n")
        for first in range(0, households, block):
            chunk_ids = ids[first : first + block]
            n = len(chunk_ids) * len(METRICS) * args.days
            participant = np.repeat(np.array(chunk_ids, dtype=object), len(METRICS) * args.days)
            metric = np.tile(np.repeat(np.array(METRICS, dtype=object), args.days), len(chunk_ids))
            day = np.tile(np.arange(args.days), len(chunk_ids) * len(METRICS))
            kwh = np.round(rng.normal(10, 2, n), 3)
            trips = rng.poisson(2, n).astype(float)
            value = np.where(metric == "kwh", kwh, trips)
            frame = pd.DataFrame(
                {
                    "participant_id": participant,
                    "metric": metric,
                    "timestamp": day_text[day],
                    "value": value,
                }
            )
            frame.to_csv(csv_file, header=False, index=False)
            frame["timestamp"] = days[day].tz_localize("UTC")
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(work / "observations.parquet", table.schema)
            writer.write_table(table)
    assert writer is not None
    writer.close()
    return {
        "households": households,
        "rows": households * len(METRICS) * args.days,
        "csv_mb": round((work / "observations.csv").stat().st_size / 1e6, 1),
        "parquet_mb": round((work / "observations.parquet").stat().st_size / 1e6, 1),
    }


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
    result = {}
    for metric in METRICS:
        started = time.perf_counter()
        frame = participant_values(engine=engine, pilot=pilot, metric=metric)
        result[metric] = {
            "seconds": round(time.perf_counter() - started, 2),
            "rows_out": len(frame),
        }
    return result


STEPS = {"generate": step_generate, "import": step_import, "reduce": step_reduce}


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
    for key, value in extra.items():
        command += [f"--{key}", value]
    output = subprocess.run(
        command, check=True, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), **_env()}
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="readings to generate")
    parser.add_argument("--days", type=int, default=500, help="days of readings (half baseline)")
    parser.add_argument("--workdir", default=None, help="where files and the SQLite store go")
    parser.add_argument(
        "--postgres", default=None, help="also run on this PostgreSQL URL (emptied!)"
    )
    parser.add_argument("--skip-parquet", action="store_true")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", default="observations.csv", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:  # a child process: one measured step
        result = STEPS[args.step](args)
        result["peak_rss_mb"] = round(peak_rss_mb())
        print(json.dumps(result))
        return

    temporary = tempfile.TemporaryDirectory(prefix="livinglab-bench-") if not args.workdir else None
    args.workdir = args.workdir or temporary.name  # type: ignore[union-attr]
    work = Path(args.workdir)
    results: dict[str, Any] = {"generate": run_step("generate", args)}
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
        for label, step, extra in [
            ("import csv", "import", {"url": url}),
            ("re-import csv", "import", {"url": url}),
            ("participant_values", "reduce", {"url": url}),
        ]:
            results[f"{backend}: {label}"] = run_step(step, args, **extra)
            print(f"{backend}: {label}: {results[f'{backend}: {label}']}", flush=True)
        if not args.skip_parquet:
            if backend == "sqlite":
                url = f"sqlite:///{work / 'store-parquet.db'}"
            else:
                _reset_postgres(url)
            label = f"{backend}: import parquet"
            results[label] = run_step("import", args, url=url, file="observations.parquet")
            print(f"{label}: {results[label]}", flush=True)
    print(json.dumps(results, indent=2))
    if temporary:
        temporary.cleanup()


def _reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
