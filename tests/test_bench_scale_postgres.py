"""The city-scale benchmark's ``--postgres`` path, at a tiny scale on the real server:
livinglab imports, re-imports and evaluates the pilot there, into partitions."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scale.py"


@pytest.mark.postgres
def test_the_benchmark_runs_livinglab_on_postgresql_too(tmp_path: Path) -> None:
    pytest.importorskip("duckdb", reason="the bench extra: pip install -e '.[bench]'")
    if not os.environ.get("PGHOST"):
        pytest.skip("PostgreSQL not configured: run under `pg_virtualenv -- pytest`")
    url = (f"postgresql+psycopg://{os.environ.get('PGUSER', '')}:"
           f"{os.environ.get('PGPASSWORD', '')}@{os.environ['PGHOST']}:"
           f"{os.environ.get('PGPORT', '5432')}/{os.environ.get('PGDATABASE', 'postgres')}")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--scales", "2000", "--households", "20", "--days", "28",
         "--repeat", "1", "--workdir", str(tmp_path), "--postgres", url, "--json"],
        capture_output=True, text=True, timeout=900, check=True,
    )
    (scale,) = json.loads(done.stdout[done.stdout.index("\n{") + 1:])["scales"]
    postgres = scale["postgres"]

    assert postgres["import"]["inserted"] == scale["generate"]["rows"]
    assert postgres["reimport"]["inserted"] == 0  # the unchanged file: nothing stored twice
    # The same verdict as on SQLite, from the same readings.
    assert postgres["evaluate"]["verdict"] == scale["evaluate"]["verdict"]
    # 3 metrics, each with its partition, a default and its UTC months: the pilot's 28
    # UTC days from 2023-01-01 are in January.
    assert postgres["partitions"] == 3 * (1 + 1 + 1)
    ratio = scale["ratios"]["import_vs_pg_copy"]
    assert math.isfinite(ratio) and ratio > 0
    assert "PostgreSQL: import / keyed COPY" in done.stdout
