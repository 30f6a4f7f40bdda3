"""The benchmark's browser step on a tiny bench store: the real app in Debian's headless
Chromium shows the bench pilot's card with the verdict ``livinglab evaluate`` gives, and
times every page."""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_pages  # noqa: E402
import bench_scale  # noqa: E402

from livinglab.i18n import Translator  # noqa: E402

TIMES = ("app_start", "portfolio_cold", "portfolio_warm", "portfolio_revisit",
         "portfolio_reload", "pilot_cold", "pilot_warm", "pilot_revisit")


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
@pytest.mark.skipif(not Path(bench_pages.CHROMIUM).exists(),
                    reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_the_portfolio_card_shows_the_evaluated_verdict_and_every_page_is_timed(
    tmp_path: Path,
) -> None:
    pytest.importorskip("playwright", reason="the test extra: pip install -e '.[test]'")
    # the bench's data at its CI scale: 2,000 readings, 20 households x 28 days
    args = argparse.Namespace(readings=2000, households=20, days=28, repeat=1, postgres=None)
    bench_scale.run_step("generate", args, tmp_path)
    assert bench_scale.run_step("import", args, tmp_path)["inserted"] > 0
    env = {**os.environ, **bench_scale._environment(tmp_path, bench_scale._url(tmp_path))}
    evaluated = subprocess.run(
        [sys.executable, "-m", "livinglab", "evaluate", bench_scale.PILOT_ID, "--json"],
        env=env, capture_output=True, text=True, check=True,
    )
    verdict = json.loads(evaluated.stdout)["verdict"]

    # in a process of its own, as bench_scale runs it: Playwright's sync API refuses to
    # start where another test's browser left an asyncio loop running
    measured = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_pages.py"), str(tmp_path), "--repeat", "1",
         "--screenshots", str(tmp_path / "shots")],
        capture_output=True, text=True, check=True, timeout=600,
    )
    result = json.loads(measured.stdout.strip().splitlines()[-1])

    assert "skipped" not in result, result
    # the card shows, in French, the verdict the command line computes from the same store
    assert result["verdict_shown"] == Translator("fr").verdict(verdict)
    assert 1 <= result["charts"] <= result["charts_in_page"]  # the pilot's figures drawn
    # the browser's drawing and the app's script are told apart (CPU seconds, /proc)
    assert all(result[f"pilot_{kind}_{side}_cpu"] > 0
               for kind in ("warm", "revisit") for side in ("server", "browser"))
    assert all(isinstance(result[k], float) and math.isfinite(result[k]) and result[k] > 0
               for k in TIMES)
    assert {p.name for p in (tmp_path / "shots").iterdir()} == {"portfolio.png", "pilot.png"}


def test_a_missing_chromium_is_a_reason_not_an_error(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.setattr(bench_pages, "CHROMIUM", str(tmp_path / "no-chromium"))
    assert "chromium" in (bench_pages.missing() or "")
    assert bench_pages.chromium_pages(tmp_path) is None
