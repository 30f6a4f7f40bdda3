"""The three designs analysed at the assignment unit (building, street, ...).

:func:`analyze_metric` calls :func:`unit_labels` when the input frame has a
unit column, and :func:`clustered_fields` to replace the headline p-value and
CI (and, for did, the ANCOVA's) by inference at that level (see
:mod:`livinglab.stats.clusters` for the methods). Estimates do not change: the
OLS coefficients are the same participant-weighted differences.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_frame
from .ancova import Ancova, EstimatorComparison, compare_estimators
from .clusters import ClusterInference, cluster_inference
from .prepare import Cohort

METHOD_WORDS = {
    "randomization_c": (
        "randomisation inference over which assignment units were treated, on the "
        "difference itself (1 to 3 units in an arm: cluster-robust errors are not "
        "reliable there, Conley & Taber 2011); CI by inverting the same test"
    ),
    "randomization_t": (
        "randomisation inference over which assignment units were treated, on the "
        "cluster-robust t (fewer than 30 units); CI by inverting the same test"
    ),
    "wild_cluster_bootstrap": (
        "wild cluster restricted bootstrap (Webb weights) of the cluster-robust t, "
        "fewer than 30 assignment units; CI by inverting the same test"
    ),
    "crv3_t": "jackknife cluster-robust (CRV3) standard error, t on G - 1 df",
}


def unit_labels(data: pd.DataFrame, subject: str, unit: str) -> dict[str, str]:
    """Map each participant id to its assignment unit (as strings).

    Raises
    ------
    ValueError
        The column is missing, or a participant has two units.
    """
    check_frame(data, [subject, unit])
    pairs = data[[subject, unit]].dropna(subset=[unit]).astype(str).drop_duplicates()
    twice = pairs[subject][pairs[subject].duplicated()]
    if len(twice):
        raise ValueError(
            f"Each participant must belong to one '{unit}'. Got {subject} {twice.iloc[0]!r} in two."
        )
    return dict(zip(pairs[subject], pairs[unit], strict=True))


def _units(cohort: Cohort, labels: dict[str, str]) -> np.ndarray:
    # A participant without a unit is a unit of their own.
    return np.array([labels.get(str(pid), f"participant:{pid}") for pid in cohort.ids])


def _as_ancova(result: ClusterInference, residual_sd: float | None, method: str) -> Ancova:
    return Ancova(
        result.estimate,
        result.se,
        result.df,
        result.statistic,
        result.p_value,
        result.ci_low,
        result.ci_high,
        residual_sd,
        None,
        result.message,
        method,
    )


def _headline(result: ClusterInference, unit: str) -> dict[str, Any]:
    reason = f"clustered by {unit}: " + METHOD_WORDS.get(str(result.method), "not estimable")
    return {
        "test": result.method,
        "statistic": result.statistic,
        "df": result.df,
        "p_value": result.p_value,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "ci_method": result.method,
        "test_reason": reason,
    }


def clustered_fields(
    design: str,
    tester: Cohort,
    control: Cohort,
    labels: dict[str, str],
    *,
    unit: str,
    alpha: float,
    seed: int,
    residual_sd: float | None = None,
) -> tuple[dict[str, Any], Ancova | None, EstimatorComparison | None]:
    """Headline fields at the assignment unit, and for did the clustered ANCOVA.

    Parameters
    ----------
    design : {'pre_post', 'two_group', 'did'}
    tester, control : Cohort
        The participants the design kept (control unused for pre_post).
    labels : dict
        Participant id -> unit, from :func:`unit_labels`.
    unit : str
        The unit's name (a participant attribute such as ``building``).
    alpha, seed
        As :func:`~livinglab.stats.clusters.cluster_inference`.
    residual_sd : float, optional
        The participant-level ANCOVA residual SD, kept for power calculations.

    Returns
    -------
    fields : dict
        ``cluster_unit``, ``n_clusters_test``, ``n_clusters_control``, the
        headline ``test``/``p_value``/``ci_*``/``statistic``/``df`` and a
        ``notes`` entry; ``{}`` headline when every unit holds one participant.
    ancova : Ancova or None
        did only: Lin's ANCOVA with clustered inference.
    comparison : EstimatorComparison or None
        did only: ANCOVA vs change score with cluster-summed terms.
    """
    units_t = _units(tester, labels)
    units_c = _units(control, labels) if design != "pre_post" else np.array([], dtype=str)
    units = np.concatenate([units_t, units_c])
    fields: dict[str, Any] = {
        "cluster_unit": unit,
        "n_clusters_test": len(set(units_t)),
        "n_clusters_control": len(set(units_c)),
    }
    if len(set(units)) == len(units):
        return fields, None, None
    treated = np.r_[np.ones(len(units_t)), np.zeros(len(units_c))]
    options: dict[str, Any] = {"alpha": alpha, "seed": seed}
    if design == "pre_post":
        result = cluster_inference(tester.change, units_t, **options)
    elif design == "two_group":
        result = cluster_inference(
            np.r_[tester.after, control.after], units, treated=treated, **options
        )
    else:
        result = cluster_inference(
            np.r_[tester.change, control.change], units, treated=treated, **options
        )
    fields.update(_headline(result, unit))
    notes = [f"{len(set(units))} {unit} units: inference at that level ({result.method})"]
    if result.message:
        notes.append(result.message)
    fields["notes"] = tuple(notes)
    if design != "did":
        return fields, None, None
    before = np.r_[tester.before, control.before]
    adjusted = cluster_inference(
        np.r_[tester.after, control.after],
        units,
        treated=treated,
        covariate=before - before.mean(),
        **options,
    )
    comparison = compare_estimators(
        tester.before, tester.after, control.before, control.after, alpha=alpha, clusters=units
    )
    method = f"lin_interacted_{adjusted.method}"
    return fields, _as_ancova(adjusted, residual_sd, method), comparison
