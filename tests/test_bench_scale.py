"""The city-scale benchmark runs at a tiny scale and reports every figure of its table."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scale.py"


def test_the_benchmark_reports_every_figure_as_json(tmp_path: Path) -> None:
    pytest.importorskip("duckdb", reason="the bench extra: pip install -e '.[bench]'")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--scales", "2000", "--households", "20", "--days", "28",
         "--repeat", "1", "--workdir", str(tmp_path), "--json"],
        capture_output=True, text=True, timeout=900, check=True,
    )
    output = json.loads(done.stdout[done.stdout.index("\n{") + 1:])
    (scale,) = output["scales"]
    assert output["machine"]["cpus"] >= 1 and output["command"]
    # the readings asked for, at equal participant-days: 20 households x 28 days
    assert scale["generate"]["rows"] == 20 * 28 * (scale["generate"]["kwh_per_day"] + 2)
    assert scale["import"]["inserted"] == scale["generate"]["rows"]
    assert scale["reimport"]["inserted"] == 0  # the unchanged file: nothing stored twice
    assert scale["evaluate"]["verdict"] in {"go", "no_go", "extend"}
    figures = [scale["import"]["seconds"], scale["arrow"]["seconds"],
               scale["reimport"]["seconds"], scale["evaluate"]["cold"],
               scale["evaluate"]["warm"], scale["evaluate"]["bare_sql"],
               scale["evaluate"]["reduction"],
               scale["duckdb"]["seconds"], scale["whole_evaluate"],
               *scale["pages"].values(), scale["store_mb"],
               scale["whole_evaluate_peak_rss_mb"]]
    assert all(isinstance(v, int | float) and math.isfinite(v) and v > 0 for v in figures)
    ratios = {k: v for k, v in scale["ratios"].items() if k != "import_vs_pg_copy"}
    assert len(ratios) == 6 and all(v > 0 for v in ratios.values())
    # the Markdown table the README shows, one row per figure
    assert done.stdout.count("\n|") >= 18
    # the browser step: figures, or None where Chromium is absent
    assert scale["chromium"] is None or scale["chromium"]["portfolio_cold"] > 0
