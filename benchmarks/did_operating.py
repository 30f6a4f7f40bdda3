"""Operating characteristics of the did estimators and of the clustered analysis.

Run ``python benchmarks/did_operating.py [runs] [all|did|clusters|changes|shock]``
(default 1,000 pilots a cell, every scenario).
Every pilot goes through :func:`livinglab.stats.analyze_metric`, the function
``livinglab evaluate`` calls. Prints, per scenario, the bias and wrong-sign
"significance" rate of the change-score and ANCOVA estimates, how often the two
are flagged as disagreeing, the coverage of the ANCOVA CI, and for clustered
pilots the false-positive rate of the naive and the clustered analyses.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from livinglab.stats import analyze_metric

EFFECT = 0.5


def frame(
    before_t: np.ndarray,
    after_t: np.ndarray,
    before_c: np.ndarray,
    after_c: np.ndarray,
    units: np.ndarray | None = None,
) -> pd.DataFrame:
    n_t, n_c = len(before_t), len(before_c)
    ids = [f"t{i:03d}" for i in range(n_t)] + [f"c{i:03d}" for i in range(n_c)]
    data = {
        "participant_id": ids * 2,
        "cohort_role": (["test"] * n_t + ["control"] * n_c) * 2,
        "period": ["baseline"] * (n_t + n_c) + ["intervention"] * (n_t + n_c),
        "value": np.concatenate([before_t, before_c, after_t, after_c]),
    }
    if units is not None:
        data["unit"] = np.concatenate([units, units])
    return pd.DataFrame(data)


def regression_to_the_mean(rng: np.random.Generator, n: int = 20) -> pd.DataFrame:
    """Volunteers recruited after a high baseline week (true effect +0.5).

    Level mu ~ N(10, 2), each period's reading = level + N(0, 2): reliability
    0.5. Testers are the first n of a pool whose baseline exceeds 12; control is
    a random sample; E[after | before] is the same line in both cohorts.
    """
    pool = rng.normal(10.0, 2.0, 20 * n)
    before = pool + rng.normal(0.0, 2.0, pool.size)
    after = pool + rng.normal(0.0, 2.0, pool.size)
    high = np.flatnonzero(before > 12.0)[:n]
    rest = np.setdiff1d(np.arange(pool.size), high)[:n]
    return frame(before[high], after[high] + EFFECT, before[rest], after[rest])


def level_gap(rng: np.random.Generator, n: int = 20) -> pd.DataFrame:
    """Volunteers 3 units above the control at baseline, parallel trends (+1 for all)."""
    level_t = rng.normal(13.0, 2.0, n)
    level_c = rng.normal(10.0, 2.0, n)
    noise = lambda: rng.normal(0.0, 2.0, n)  # noqa: E731
    return frame(
        level_t + noise(),
        level_t + 1.0 + EFFECT + noise(),
        level_c + noise(),
        level_c + 1.0 + noise(),
    )


def unequal_residuals(
    rng: np.random.Generator, n_small: int = 10, n_large: int = 30
) -> pd.DataFrame:
    """Random assignment; the smaller arm (testers) has twice the residual SD."""
    before_t, before_c = rng.normal(10.0, 2.0, n_small), rng.normal(10.0, 2.0, n_large)
    after_t = 0.8 * before_t + 2.0 + EFFECT + rng.normal(0.0, 2.0, n_small)
    after_c = 0.8 * before_c + 2.0 + rng.normal(0.0, 1.0, n_large)
    return frame(before_t, after_t, before_c, after_c)


def pooled_ancova_covers(data: pd.DataFrame) -> bool:
    """The former estimator: OLS after ~ cohort + before, classic pooled SE."""
    import statsmodels.formula.api as smf

    wide = data.pivot(index="participant_id", columns="period", values="value")
    wide["test"] = (
        data.drop_duplicates("participant_id")
        .set_index("participant_id")["cohort_role"]
        .eq("test")
        .astype(float)
    )
    low, high = smf.ols("intervention ~ test + baseline", wide).fit().conf_int().loc["test"]
    return bool(low <= EFFECT <= high)


def did_scenarios(runs: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    for name, make, assignment in (
        (
            "regression to the mean (volunteers after a high baseline)",
            regression_to_the_mean,
            "volunteer",
        ),
        ("level gap + parallel trends (volunteers)", level_gap, "volunteer"),
        ("random, smaller arm twice the residual SD (10 vs 30)", unequal_residuals, "random"),
    ):
        rows, pooled = [], []
        for _ in range(runs):
            data = make(rng)
            r = analyze_metric(data, metric="m", design="did", assignment=assignment)
            rows.append(
                (
                    r.estimate,
                    r.p_value,
                    r.ci_low,
                    r.ci_high,
                    r.ancova_estimate,
                    r.ancova_p_value,
                    r.ancova_ci_low,
                    r.ancova_ci_high,
                    bool(r.estimates_disagree),
                )
            )
            if make is unequal_residuals:
                pooled.append(pooled_ancova_covers(data))
        a = np.array(rows, dtype=float)
        print(f"\n{name}  [{runs} pilots, true effect +{EFFECT}]")
        for label, (e, p, lo, hi) in (
            ("change score", a[:, 0:4].T),
            ("ANCOVA (Lin, HC2)", a[:, 4:8].T),
        ):
            wrong = np.mean((p < 0.05) & (e < 0))
            cover = np.mean((lo <= EFFECT) & (EFFECT <= hi))
            print(
                f"  {label:18s} bias {np.mean(e) - EFFECT:+.3f}  wrong-sign significant "
                f"{100 * wrong:5.1f} %  coverage {100 * cover:5.1f} %  "
                f"rejects {100 * np.mean(p < 0.05):5.1f} %"
            )
        print(f"  flagged as disagreeing: {100 * a[:, 8].mean():.1f} %")
        if pooled:
            print(f"  former pooled-SE ANCOVA coverage: {100 * np.mean(pooled):.1f} %")
    # random assignment, no effect: how often the disagreement flag fires by chance
    flags = []
    for _ in range(runs):
        b_t, b_c = rng.lognormal(2.0, 0.5, 15), rng.lognormal(2.0, 0.5, 15)
        data = frame(
            b_t,
            0.7 * b_t + rng.lognormal(1.0, 0.6, 15),
            b_c,
            0.7 * b_c + rng.lognormal(1.0, 0.6, 15),
        )
        flags.append(bool(analyze_metric(data, metric="m", design="did").estimates_disagree))
    print(
        "\nrandom assignment, lognormal, n = 15 + 15: flag fires "
        f"{100 * np.mean(flags):.1f} % (nominal 5 %)"
    )


def clustered_two_group(
    rng: np.random.Generator, icc: float, clusters: int, effect: float = 0.0
) -> pd.DataFrame:
    """Whole units (buildings) assigned: half the units test, half control; 5-15 people each."""
    sizes = rng.integers(5, 16, clusters)
    unit_effect = rng.normal(0.0, np.sqrt(icc), clusters)
    treated_units = rng.permutation(clusters) < clusters // 2
    unit = np.repeat(np.arange(clusters), sizes)
    value = unit_effect[unit] + rng.normal(0.0, np.sqrt(1.0 - icc), unit.size)
    treated = treated_units[unit]
    value = value + effect * treated
    n = unit.size
    ids = [f"p{i:04d}" for i in range(n)]
    return pd.DataFrame(
        {
            "participant_id": ids,
            "cohort_role": np.where(treated, "test", "control"),
            "period": "intervention",
            "value": value,
            "unit": [f"b{u:02d}" for u in unit],
        }
    )


def cluster_scenarios(runs: int, seed: int = 2) -> None:
    rng = np.random.default_rng(seed)
    print("\nclustered two_group, no effect: false-positive rate at alpha = 0.05")
    print("  ICC   clusters  naive (participant-level Welch)  clustered  method")
    for icc in (0.02, 0.05, 0.10):
        for clusters in (8, 12, 20):
            naive, clustered, methods = [], [], set()
            for _ in range(runs):
                data = clustered_two_group(rng, icc, clusters)
                plain = analyze_metric(data.drop(columns="unit"), metric="m", design="two_group")
                grouped = analyze_metric(data, metric="m", design="two_group", unit="unit")
                naive.append(plain.p_value < 0.05)
                clustered.append(grouped.p_value is not None and grouped.p_value < 0.05)
                methods.add(grouped.test)
            print(
                f"  {icc:.2f}  {clusters:8d}  {100 * np.mean(naive):30.1f} %  "
                f"{100 * np.mean(clustered):8.1f} %  {', '.join(sorted(map(str, methods)))}"
            )


def clustered_changes(
    rng: np.random.Generator, icc: float, clusters: int, control: bool
) -> pd.DataFrame:
    """Before/after values; the change has a building-level part (ICC of the change)."""
    sizes = rng.integers(5, 16, clusters)
    unit = np.repeat(np.arange(clusters), sizes)
    n = unit.size
    treated = rng.permutation(clusters)[unit] < clusters // 2 if control else np.ones(n, bool)
    before = rng.normal(10.0, 1.0, n)
    shock = rng.normal(0.0, np.sqrt(icc), clusters)[unit]
    after = before + shock + rng.normal(0.0, np.sqrt(1.0 - icc), n)
    ids = [f"p{i:04d}" for i in range(n)]
    return pd.DataFrame(
        {
            "participant_id": ids * 2,
            "cohort_role": list(np.where(treated, "test", "control")) * 2,
            "period": ["baseline"] * n + ["intervention"] * n,
            "value": np.r_[before, after],
            "unit": [f"b{u:02d}" for u in unit] * 2,
        }
    )


def clustered_change_scenarios(runs: int, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    print("\nclustered changes at ICC 0.05, no effect: false-positive rate at alpha = 0.05")
    print("  design    clusters  naive  clustered  method")
    for design in ("did", "pre_post"):
        for clusters in (8, 12, 20):
            naive, clustered, methods = [], [], set()
            for _ in range(runs):
                data = clustered_changes(rng, 0.05, clusters, control=design == "did")
                plain = analyze_metric(data.drop(columns="unit"), metric="m", design=design)
                grouped = analyze_metric(data, metric="m", design=design, unit="unit")
                naive.append(plain.primary_p_value < 0.05)
                p = grouped.primary_p_value
                clustered.append(p is not None and p < 0.05)
                methods.add(grouped.test)
            print(
                f"  {design:8s}  {clusters:8d}  {100 * np.mean(naive):4.1f} %  "
                f"{100 * np.mean(clustered):6.1f} %  {', '.join(sorted(map(str, methods)))}"
            )


def city_wide_shock(runs: int, seed: int = 4, n: int = 20, days: int = 28) -> None:
    """Daily readings sharing a city-wide daily shock (weather): before/after vs did."""
    rng = np.random.default_rng(seed)
    print(f"\ncity-wide daily shock, {n} per cohort, {days} + {days} days of readings (SD 1)")
    for shock_sd in (0.3, 0.5):
        hits = {"pre_post": [], "did": []}
        for _ in range(runs):
            level = rng.normal(10.0, 2.0, 2 * n)
            shock = rng.normal(0.0, shock_sd, 2 * days)  # one value a day, for everyone
            daily = level[:, None] + shock[None, :] + rng.normal(0.0, 1.0, (2 * n, 2 * days))
            before, after = daily[:, :days].mean(axis=1), daily[:, days:].mean(axis=1)
            data = frame(before[:n], after[:n], before[n:], after[n:])
            for design in hits:
                result = analyze_metric(data, metric="m", design=design)
                hits[design].append(result.primary_p_value < 0.05)
        print(
            f"  shock SD {shock_sd}: false positives pre_post "
            f"{100 * np.mean(hits['pre_post']):.1f} %, did {100 * np.mean(hits['did']):.1f} %"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=1_000,
                        help="simulated pilots a cell (default 1,000)")
    parser.add_argument("which", nargs="?", default="all",
                        choices=("all", "did", "clusters", "changes", "shock"),
                        help="which scenarios (default all)")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.which in ("all", "did"):
        did_scenarios(args.runs)
    if args.which in ("all", "clusters"):
        cluster_scenarios(args.runs)
    if args.which in ("all", "changes"):
        clustered_change_scenarios(args.runs)
    if args.which in ("all", "shock"):
        city_wide_shock(args.runs)
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
