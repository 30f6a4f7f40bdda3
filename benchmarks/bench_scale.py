"""Benchmark at city scale: livinglab beside the fastest other ways, as ratios, in one run.

A randomised difference-in-differences pilot (``bench_evaluate``'s: 3 metrics, 2
attributes, census margins, a projection, a two-wave survey) of ``--households``
households over ``--days`` days. Its primary metric ``kwh`` is read several times a day
(a smart meter: 46 + the two daily metrics = 48 readings a household-day at 10 M), the
others once a day; each scale in ``--scales`` (readings) keeps the same participant-days
and changes only the readings per day, so the evaluation's cost can be seen to follow
participant-days. For each scale, each step in its own process (its peak RSS its own):

- ``import``: ``services.import_data`` of the CSV files into an empty SQLite store,
  beside an **Arrow ingest** (pyarrow reads the same CSV; the rows go into a table with
  the same key, ``WITHOUT ROWID``, by ``executemany``);
- ``reimport``: the same files again (an unchanged file is recognised by its hash);
- ``evaluate``: ``livinglab evaluate --json`` as a whole process (wall time, peak RSS)
  and ``services.evaluate_pilot`` in process (cold, warm), beside the **best bare SQL**
  over the same store (one GROUP BY per metric of the raw readings: the per-participant
  values only, no statistics) and **DuckDB over the same rows in Parquet** (the same
  reduction);
- ``pages``: the portfolio (whole app, signed in, AppTest) cold and warm, and a pilot
  page's warm rerun; then the same in Debian's headless Chromium, the real app served
  (``bench_pages.py``; skipped without Chromium or Playwright);
- the store's size on disk beside the Parquet file's;
- with ``--postgres URL``, the same pilot on that server too, in a schema of its own
  (``livinglab_bench``, dropped and made again for each scale): the import beside a
  **COPY** of the same CSV into a table with the same key, the re-import, the evaluation
  in process (cold, warm) beside the best bare SQL there, the number of partitions of
  ``observation`` (a metric's partition, its months and its default: see
  :mod:`livinglab.store.partitions`) and the schema's size.

Usage::

    python benchmarks/bench_scale.py                                  # 1 M and 10 M readings
    python benchmarks/bench_scale.py --scales 1000000,10000000,50000000
    python benchmarks/bench_scale.py --scales 2000 --households 20 --days 28 --json  # CI
    python benchmarks/bench_scale.py --postgres postgresql+psycopg://u:pw@host/db

Times are medians of ``--repeat`` runs (default 3) where a step is cheap enough to repeat
(the bare SQL, DuckDB, the warm calls); imports run once. Needs the ``bench`` extra
(``pip install -e '.[bench]'``: DuckDB).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_evaluate  # noqa: E402
import bench_import  # noqa: E402

ROOT = bench_import.ROOT
PILOT_ID = bench_evaluate.PILOT_ID
METRICS = bench_evaluate.METRICS
START = bench_import.START
DAY_S = 86_400


def _median(function: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- the data ------------------------------------------------------------------------------


def per_day(readings: int, households: int, days: int) -> int:
    """Readings a household-day of the primary metric, for ``readings`` in all."""
    return max(1, round(readings / (households * days)) - (len(METRICS) - 1))


def generate(work: Path, *, readings: int, households: int, days: int) -> dict[str, Any]:
    """participants.csv, responses.csv, observations.csv and .parquet, the pilot YAML."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    work.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    model = bench_evaluate.model_for(households, days)
    weights = {name: np.asarray(list(shares.values())) / sum(shares.values())
               for name, shares in (("age_band", bench_evaluate.AGE_BANDS),
                                    ("neighbourhood", bench_evaluate.NEIGHBOURHOODS))}
    pd.DataFrame({
        "participant_id": [f"hh{i:06d}" for i in range(households)],
        "cohort": np.where(np.arange(households) % 2 == 0, "testers", "control"),
        "age_band": rng.choice(list(bench_evaluate.AGE_BANDS), households,
                               p=weights["age_band"]),
        "neighbourhood": rng.choice(list(bench_evaluate.NEIGHBOURHOODS), households,
                                    p=weights["neighbourhood"]),
    }).to_csv(work / "participants.csv", index=False)
    answers = bench_evaluate.write_responses(work, households)
    (work / "pilots").mkdir(exist_ok=True)
    # UTC days: the generated instants are UTC, a day's 48 of them on its UTC date
    spec = bench_evaluate.pilot_yaml(days).replace("periods:", "timezone: UTC\nperiods:", 1)
    (work / "pilots" / f"{PILOT_ID}.yaml").write_text(spec, encoding="utf-8")
    times = {m: (np.arange(per_day(readings, households, days)) if m == "kwh"
                 else np.array([0])) for m in METRICS}
    start = int(pd.Timestamp(str(START), tz="UTC").timestamp())
    ids = np.array([f"hh{i:06d}" for i in range(households)], dtype=object)
    is_test = np.arange(households) % 2 == 0
    writer = None
    rows = 0
    block = max(1, 200_000 // (days * sum(len(t) for t in times.values())))
    with open(work / "observations.csv", "w", newline="") as csv_file:
        csv_file.write("participant_id,metric,timestamp,value\n")
        for first in range(0, households, block):
            index = np.arange(first, min(first + block, households))
            frames = []
            for metric in METRICS:
                slots = times[metric]
                household = np.repeat(index, days * len(slots))
                day = np.tile(np.repeat(np.arange(days), len(slots)), len(index))
                slot = np.tile(slots, len(index) * days)
                value = model(rng, metric, household, day, is_test[household])
                seconds = start + day * DAY_S + (slot * DAY_S) // len(slots) + (
                    6 * 3600 if len(slots) == 1 else 0)
                frames.append(pd.DataFrame({
                    "participant_id": ids[household], "metric": metric,
                    "timestamp": pd.to_datetime(seconds, unit="s", utc=True), "value": value}))
            frame = pd.concat(frames, ignore_index=True)
            rows += len(frame)
            frame.to_csv(csv_file, header=False, index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(work / "observations.parquet", table.schema)
            writer.write_table(table)
    assert writer is not None
    writer.close()
    return {"rows": rows, "households": households, "days": days,
            "kwh_per_day": len(times["kwh"]), "answers": answers,
            "csv_mb": round((work / "observations.csv").stat().st_size / 1e6, 1),
            "parquet_mb": round((work / "observations.parquet").stat().st_size / 1e6, 1)}


# --- steps (each in its own process) ----------------------------------------------------------


def step_generate(args: argparse.Namespace) -> dict[str, Any]:
    return generate(Path(args.workdir), readings=args.readings, households=args.households,
                    days=args.days)


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    from livinglab import services

    # The importer's libraries (pandas, numpy, pyarrow: 0.4-0.6 s) load before the clock
    # starts, as step_arrow's pyarrow does; their time is reported beside.
    loading = time.perf_counter()
    import livinglab.store.importer  # noqa: F401

    libraries = time.perf_counter() - loading
    work = Path(args.workdir)
    started = time.perf_counter()
    services.engine()  # the store opened and migrated first: a city's store exists already
    opened = time.perf_counter() - started
    started = time.perf_counter()
    report = services.import_data(PILOT_ID, participants=work / "participants.csv",
                                  observations=work / "observations.csv",
                                  responses=work / "responses.csv")
    assert report.observations is not None
    return {"seconds": time.perf_counter() - started, "read": report.observations.read,
            "inserted": report.observations.inserted, "open_store_seconds": opened,
            "libraries_seconds": libraries}


def step_arrow(args: argparse.Namespace) -> dict[str, Any]:
    """pyarrow reads the CSV; its rows go into a keyed table of a new SQLite file."""
    import sqlite3

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    path = Path(args.workdir) / "arrow.db"
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    table = pcsv.read_csv(Path(args.workdir) / "observations.csv")
    participant = table["participant_id"].combine_chunks().dictionary_encode()
    metric = table["metric"].combine_chunks().dictionary_encode()
    micros = pc.cast(pc.cast(table["timestamp"], pa.timestamp("us", tz="UTC")),
                     pa.int64()).to_numpy()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE observation (metric_key INTEGER, participant_key INTEGER, "
                       "ts INTEGER, value REAL, batch_id INTEGER, PRIMARY KEY (metric_key, "
                       "participant_key, ts)) WITHOUT ROWID")
    columns = (np.asarray(metric.indices).tolist(), np.asarray(participant.indices).tolist(),
               micros.tolist(), table["value"].to_numpy().tolist())
    connection.executemany("INSERT INTO observation VALUES (?, ?, ?, ?, 1)",
                           zip(*columns, strict=True))
    connection.commit()
    seconds = time.perf_counter() - started
    connection.close()
    path.unlink()
    return {"seconds": seconds, "rows": table.num_rows}


def step_copy(args: argparse.Namespace) -> dict[str, Any]:
    """PostgreSQL: COPY of the CSV into an unlogged table, then one INSERT ... SELECT into
    a keyed table (metric ids numbered from their few distinct values by a hash join, no
    sort of the rows; the participant's number read from its id; timestamps to epoch
    microseconds)."""
    import psycopg

    url = args.postgres.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_copy_raw, bench_copy")
        started = time.perf_counter()
        connection.execute("CREATE UNLOGGED TABLE bench_copy_raw (participant_id text, "
                           "metric text, ts timestamptz, value double precision)")
        with connection.cursor() as cursor, cursor.copy(
            "COPY bench_copy_raw FROM STDIN (FORMAT csv, HEADER true)"
        ) as copy, open(Path(args.workdir) / "observations.csv", "rb") as source:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        connection.execute("CREATE TABLE bench_copy (metric_key int, participant_key int, "
                           "ts bigint, value double precision, batch_id int, "
                           "PRIMARY KEY (metric_key, participant_key, ts))")
        connection.execute(
            "INSERT INTO bench_copy SELECT k.key, substr(r.participant_id, 3)::int, "
            "(extract(epoch from r.ts) * 1000000)::bigint, r.value, 1 FROM bench_copy_raw r "
            "JOIN (SELECT metric, row_number() OVER (ORDER BY metric) AS key FROM "
            "(SELECT DISTINCT metric FROM bench_copy_raw) m) k ON k.metric = r.metric")
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE bench_copy_raw, bench_copy")
    return {"seconds": seconds}


def step_evaluate(args: argparse.Namespace) -> dict[str, Any]:
    """services.evaluate_pilot cold and warm, and the best bare SQL beside it."""
    started = time.perf_counter()
    from livinglab import services

    imports = time.perf_counter() - started
    started = time.perf_counter()
    evaluation = services.evaluate_pilot(PILOT_ID)
    cold = time.perf_counter() - started
    warm = _median(lambda: services.evaluate_pilot(PILOT_ID), args.repeat)
    return {"python_imports": imports, "cold": cold, "warm": warm,
            "verdict": evaluation.verdict, "bare_sql": bare_sql(args, services),
            "reduction": reduction(args, services)}


def reduction(args: argparse.Namespace, services: Any) -> float:
    """livinglab's own reduction of the same values as DuckDB's query: every metric's
    per-participant, per-period value (``participant_values_by_metric``, from the daily
    roll-ups), without the statistics, the placebo weeks or the surveys."""
    from livinglab.store import reductions

    pilot, engine = services.load_pilot(PILOT_ID), services.engine()
    return _median(lambda: reductions.participant_values_by_metric(engine=engine, pilot=pilot),
                   args.repeat)


def bare_sql(args: argparse.Namespace, services: Any) -> float:
    """The per-participant, per-period mean of every metric, straight from the raw
    readings in one GROUP BY a metric (what the evaluation reduces, nothing else)."""
    import sqlalchemy as sa

    from livinglab.store.periods import period_bounds

    pilot = services.load_pilot(PILOT_ID)
    baseline, intervention = period_bounds(pilot)
    query = sa.text(
        "SELECT participant_key, avg(value) FILTER (WHERE ts < :b_end), "
        "avg(value) FILTER (WHERE ts >= :i_start) FROM observation WHERE metric_key = :key "
        "AND ts >= :b_start AND ts < :i_end GROUP BY participant_key")
    engine = services.engine()
    with engine.connect() as connection:
        keys = [k for (k,) in connection.execute(sa.text(
            "SELECT key FROM metric WHERE pilot_id = :p"), {"p": PILOT_ID})]

        def run() -> None:
            for key in keys:
                connection.execute(query, {"key": key, "b_start": baseline.start_us,
                                           "b_end": baseline.end_us,
                                           "i_start": intervention.start_us,
                                           "i_end": intervention.end_us}).all()

        return _median(run, args.repeat)


def step_duckdb(args: argparse.Namespace) -> dict[str, Any]:
    """The same reduction by DuckDB over the same rows in Parquet."""
    import duckdb

    from livinglab.store.periods import period_bounds

    bench_pilot = _pilot(args)
    baseline, intervention = period_bounds(bench_pilot)
    path = Path(args.workdir) / "observations.parquet"
    connection = duckdb.connect()
    query = (
        "SELECT participant_id, metric, "
        "avg(value) FILTER (WHERE epoch_us(timestamp) < ?), "
        "avg(value) FILTER (WHERE epoch_us(timestamp) >= ?) "
        f"FROM read_parquet('{path}') WHERE epoch_us(timestamp) >= ? "
        "AND epoch_us(timestamp) < ? GROUP BY participant_id, metric")
    parameters = [baseline.end_us, intervention.start_us, baseline.start_us,
                  intervention.end_us]
    seconds = _median(lambda: connection.execute(query, parameters).fetchall(), args.repeat)
    return {"seconds": seconds}


def _pilot(args: argparse.Namespace) -> Any:
    from livinglab.spec.loader import load_pilot

    return load_pilot(Path(args.workdir) / "pilots" / f"{PILOT_ID}.yaml")


def step_pages(args: argparse.Namespace) -> dict[str, Any]:
    """The whole app in AppTest, signed in: the portfolio cold and warm, a pilot page."""
    from streamlit.testing.v1 import AppTest

    from livinglab import services

    try:
        services.add_account("banc", "banc-d-essai-2026", "decision")
    except Exception:  # noqa: BLE001  (an earlier run's account)
        pass
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
    at.text_input(key="signin_username").input("banc")
    at.text_input(key="signin_password").input("banc-d-essai-2026")
    at.button[0].click()
    started = time.perf_counter()
    at.run()  # signed in: the portfolio, computed
    cold = time.perf_counter() - started
    assert not at.exception, at.exception
    warm = _median(lambda: at.run(), args.repeat)
    at._page_hash = _page_hash("pilot")
    at.query_params["pilot"] = PILOT_ID
    started = time.perf_counter()
    at.run()
    pilot_cold = time.perf_counter() - started
    assert not at.exception, at.exception
    pilot_warm = _median(lambda: at.run(), args.repeat)
    return {"portfolio_cold": cold, "portfolio_warm": warm, "pilot_cold": pilot_cold,
            "pilot_warm": pilot_warm}


def _page_hash(url_path: str) -> str:
    from streamlit.util import calc_hash

    return calc_hash(url_path)


STEPS = {"generate": step_generate, "import": step_import, "arrow": step_arrow,
         "copy": step_copy, "evaluate": step_evaluate, "duckdb": step_duckdb,
         "pages": step_pages}


def _environment(work: Path, url: str) -> dict[str, str]:
    return {**bench_evaluate._environment(work, url),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")]))}


def run_step(name: str, args: argparse.Namespace, work: Path,
             url: str | None = None) -> dict[str, Any]:
    """Run one step in its own process, on the SQLite store of ``work`` or on ``url``."""
    command = [sys.executable, __file__, "--step", name, "--workdir", str(work),
               "--readings", str(args.readings), "--households", str(args.households),
               "--days", str(args.days), "--repeat", str(args.repeat)]
    if args.postgres:
        command += ["--postgres", args.postgres]
    env = {**os.environ, **_environment(work, url or _url(work))}
    output = subprocess.run(command, check=True, capture_output=True, text=True,
                            env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def chromium(args: argparse.Namespace, work: Path) -> dict[str, Any] | None:
    """The same pages in Debian's headless Chromium, the real app served
    (``bench_pages.py`` in a process of its own); None when Chromium or Playwright is
    missing."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("bench_pages.py")), str(work),
         "--url", _url(work), "--repeat", str(args.repeat)],
        capture_output=True, text=True, check=True,
        env={**os.environ, **_environment(work, _url(work))},
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if "skipped" in result:
        print(f"pages in Chromium skipped: {result['skipped']}", file=sys.stderr, flush=True)
        return None
    return result


def _url(work: Path) -> str:
    return f"sqlite:///{work / 'store.db'}"


def whole_evaluate(work: Path) -> dict[str, Any]:
    """``livinglab evaluate PILOT --json`` as a user runs it: wall time and peak RSS."""
    env = {**os.environ, **_environment(work, _url(work))}
    code = ("import resource, runpy, sys; sys.argv = ['livinglab', 'evaluate', "
            f"'{PILOT_ID}', '--json']\ntry:\n    runpy.run_module('livinglab', "
            "run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "
            "file=sys.stderr)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True)
    seconds = time.perf_counter() - started
    verdict = json.loads(done.stdout)["verdict"]
    return {"seconds": seconds, "peak_rss_mb": int(done.stderr.strip().splitlines()[-1]),
            "verdict": verdict}


def store_mb(work: Path) -> float:
    return round(sum(p.stat().st_size for p in work.glob("store.db*")) / 1e6, 1)


def one_scale(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    work = root / f"r{args.readings}"
    result: dict[str, Any] = {"readings": args.readings}
    result["generate"] = run_step("generate", args, work)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work / 'store.db'}{suffix}").unlink(missing_ok=True)
    result["import"] = run_step("import", args, work)
    result["reimport"] = run_step("import", args, work)
    result["arrow"] = run_step("arrow", args, work)
    result["copy"] = run_step("copy", args, work) if args.postgres else None
    result["postgres"] = on_postgres(args, work) if args.postgres else None
    result["evaluate"] = run_step("evaluate", args, work)
    result["whole_evaluate"] = statistics.median(
        [whole_evaluate(work)["seconds"] for _ in range(args.repeat)])
    result["whole_evaluate_peak_rss_mb"] = whole_evaluate(work)["peak_rss_mb"]
    result["duckdb"] = run_step("duckdb", args, work)
    result["pages"] = run_step("pages", args, work)
    result["chromium"] = chromium(args, work)
    result["store_mb"] = store_mb(work)
    result["ratios"] = ratios(result)
    return result


BENCH_SCHEMA = "livinglab_bench"


def postgres_store(url: str) -> str:
    """An empty schema of its own on the server (dropped and made again), and the URL of a
    store in it (every connection's ``search_path``)."""
    import sqlalchemy as sa

    from livinglab.store.engine import normalise_url

    admin = sa.create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {BENCH_SCHEMA} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {BENCH_SCHEMA}"))
    admin.dispose()
    scoped = sa.engine.make_url(normalise_url(url)).update_query_dict(
        {"options": f"-csearch_path={BENCH_SCHEMA}"})
    return scoped.render_as_string(hide_password=False)


def on_postgres(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The pilot imported, imported again and evaluated by livinglab on the PostgreSQL
    server, and what its store holds there: partitions and size."""
    import sqlalchemy as sa

    url = postgres_store(args.postgres)
    found: dict[str, Any] = {"import": run_step("import", args, work, url)}
    found["reimport"] = run_step("import", args, work, url)
    found["evaluate"] = run_step("evaluate", args, work, url)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found["partitions"] = connection.execute(sa.text(
            "SELECT count(*) FROM pg_partition_tree('observation') WHERE level > 0")).scalar()
        found["store_mb"] = round(float(connection.execute(sa.text(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind IN ('r', 'm')"
        ), {"schema": BENCH_SCHEMA}).scalar() or 0) / 1e6, 1)
    engine.dispose()
    return found


def ratios(result: dict[str, Any]) -> dict[str, float | None]:
    """The goals' ratios (livinglab / the other way; lower is better)."""
    evaluate, imported = result["evaluate"], result["import"]
    copy, postgres = result.get("copy"), result.get("postgres")
    return {
        "import_vs_arrow": imported["seconds"] / result["arrow"]["seconds"],
        "import_vs_pg_copy": None if not (copy and postgres)
        else postgres["import"]["seconds"] / copy["seconds"],
        "reimport_vs_import": result["reimport"]["seconds"] / imported["seconds"],
        "evaluate_warm_vs_bare_sql": evaluate["warm"] / evaluate["bare_sql"],
        "evaluate_warm_vs_duckdb": evaluate["warm"] / result["duckdb"]["seconds"],
        "reduction_vs_duckdb": evaluate["reduction"] / result["duckdb"]["seconds"],
        "store_vs_parquet_size": result["store_mb"] / max(result["generate"]["parquet_mb"],
                                                          0.1),
    }


FIGURES = [
    ("readings", lambda r: f"{r['generate']['rows']:,}"),
    ("kwh readings a household-day", lambda r: str(r["generate"]["kwh_per_day"])),
    ("import (s)", lambda r: f"{r['import']['seconds']:.2f}"),
    ("Arrow ingest, same keyed table (s)", lambda r: f"{r['arrow']['seconds']:.2f}"),
    ("import / Arrow", lambda r: f"{r['ratios']['import_vs_arrow']:.2f}x"),
    ("PostgreSQL: import / keyed COPY (s)", lambda r: "—" if r["postgres"] is None
     else f"{r['postgres']['import']['seconds']:.2f} / {r['copy']['seconds']:.2f}"
     f" = {r['ratios']['import_vs_pg_copy']:.2f}x"),
    ("PostgreSQL: re-import / import", lambda r: "—" if r["postgres"] is None
     else f"{r['postgres']['reimport']['seconds']:.2f} s = "
     f"{r['postgres']['reimport']['seconds'] / r['postgres']['import']['seconds']:.0%}"),
    ("PostgreSQL: evaluate cold / warm, bare SQL (s)", lambda r: "—" if r["postgres"] is None
     else f"{r['postgres']['evaluate']['cold']:.2f} / {r['postgres']['evaluate']['warm']:.2f}"
     f", {r['postgres']['evaluate']['bare_sql']:.3f}"),
    ("PostgreSQL: partitions of observation, store (MB)", lambda r: "—"
     if r["postgres"] is None else f"{r['postgres']['partitions']}, "
     f"{r['postgres']['store_mb']}"),
    ("re-import unchanged (s)", lambda r: f"{r['reimport']['seconds']:.2f}"),
    ("re-import / import", lambda r: f"{r['ratios']['reimport_vs_import']:.0%}"),
    ("evaluate, whole process (s)", lambda r: f"{r['whole_evaluate']:.2f}"),
    ("evaluate in process, cold / warm (s)",
     lambda r: f"{r['evaluate']['cold']:.2f} / {r['evaluate']['warm']:.2f}"),
    ("best bare SQL, same store (s)", lambda r: f"{r['evaluate']['bare_sql']:.3f}"),
    ("DuckDB over Parquet (s)", lambda r: f"{r['duckdb']['seconds']:.3f}"),
    ("evaluate warm / bare SQL", lambda r: f"{r['ratios']['evaluate_warm_vs_bare_sql']:.2f}x"),
    ("evaluate warm / DuckDB", lambda r: f"{r['ratios']['evaluate_warm_vs_duckdb']:.2f}x"),
    ("livinglab's reduction alone, roll-ups (s)", lambda r: f"{r['evaluate']['reduction']:.3f}"),
    ("reduction / DuckDB", lambda r: f"{r['ratios']['reduction_vs_duckdb']:.2f}x"),
    ("evaluate peak RSS (MB)", lambda r: str(r["whole_evaluate_peak_rss_mb"])),
    ("portfolio cold / warm, AppTest (s)",
     lambda r: f"{r['pages']['portfolio_cold']:.2f} / {r['pages']['portfolio_warm']:.2f}"),
    ("pilot page cold / warm rerun (s)",
     lambda r: f"{r['pages']['pilot_cold']:.2f} / {r['pages']['pilot_warm']:.2f}"),
    ("portfolio cold / warm, Chromium (s)", lambda r: "—" if not r.get("chromium")
     else f"{r['chromium']['portfolio_cold']:.2f} / {r['chromium']['portfolio_warm']:.2f}"),
    ("pilot page cold / warm rerun, Chromium (s)", lambda r: "—" if not r.get("chromium")
     else f"{r['chromium']['pilot_cold']:.2f} / {r['chromium']['pilot_warm']:.2f}"),
    ("pilot page revisit, Chromium: wall / app CPU / browser CPU (s)",
     lambda r: "—" if not r.get("chromium")
     else f"{r['chromium']['pilot_revisit']:.2f} / "
     f"{r['chromium']['pilot_revisit_server_cpu']:.2f} / "
     f"{r['chromium']['pilot_revisit_browser_cpu']:.2f}"),
    ("store on disk / Parquet (MB)",
     lambda r: f"{r['store_mb']} / {r['generate']['parquet_mb']}"),
]


def table(results: list[dict[str, Any]]) -> str:
    header = "| | " + " | ".join(f"{r['readings']:,}" for r in results) + " |"
    lines = [header, "|---" * (len(results) + 1) + "|"]
    for name, show in FIGURES:
        lines.append(f"| {name} | " + " | ".join(show(r) for r in results) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1000000,10000000",
                        help="readings, comma-separated")
    parser.add_argument("--households", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=208, help="half baseline, half after")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the repeated steps")
    parser.add_argument("--workdir", default=None, help="where files and stores go")
    parser.add_argument("--postgres", default=None,
                        help="a PostgreSQL URL: the COPY, and livinglab on that server too")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--readings", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        import resource

        result = STEPS[args.step](args)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(json.dumps(result))
        return result
    temporary = tempfile.TemporaryDirectory(prefix="livinglab-scale-") if not args.workdir \
        else None
    root = Path(args.workdir or temporary.name)  # type: ignore[union-attr]
    results = []
    started = time.perf_counter()
    for readings in (int(s) for s in args.scales.split(",")):
        args.readings = readings
        results.append(one_scale(args, root))
        print(f"{readings:,} readings done ({time.perf_counter() - started:.0f} s)",
              file=sys.stderr, flush=True)
    output = {"machine": machine(), "command": " ".join(sys.argv), "scales": results}
    print(table(results))
    if args.json:
        print(json.dumps(output, indent=2, default=float))
    if temporary:
        temporary.cleanup()
    return output


def machine() -> dict[str, Any]:
    import platform
    import sqlite3

    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "platform": platform.platform(),
            "load_average": os.getloadavg()}


if __name__ == "__main__":
    main()
