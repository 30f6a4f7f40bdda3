"""Multiplicity adjustment of p-values across a pilot's metrics.

A pilot tests several metrics at once; without adjustment the chance of a
false "improvement" somewhere grows with their number. livinglab controls the
family-wise error rate over the *primary* metrics (Holm, which the go verdict
rests on) and the false discovery rate over the *secondary* ones
(Benjamini-Hochberg, exploratory). Guardrails are not adjusted: each must hold
on its own (an intersection-union test needs no correction).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike

from ._checks import check_choice
from .results import MetricResult

METHODS = ("holm", "bh", "bonferroni", "by")
ROLES = ("primary", "secondary", "guardrail")

_Result = TypeVar("_Result", bound=MetricResult)


def adjust_p_values(p_values: ArrayLike, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple comparisons, exactly as R's ``p.adjust``.

    Parameters
    ----------
    p_values : array-like of float
        Raw p-values in any order; NaN (or None) entries are kept as NaN and
        do not count in the family size (as R's ``NA``).
    method : {'holm', 'bh', 'bonferroni', 'by'}
        Holm step-down (FWER), Benjamini-Hochberg step-up (FDR), Bonferroni
        (FWER), Benjamini-Yekutieli (FDR under any dependence).

    Returns
    -------
    ndarray
        Adjusted p-values in the input order, capped at 1.

    Notes
    -----
    With m non-missing p-values sorted increasingly, :math:`p_{(1)} \\le \\dots \\le p_{(m)}`:

    * Holm: :math:`\\tilde p_{(i)} = \\max_{j \\le i} \\min(1, (m - j + 1) p_{(j)})`;
    * BH: :math:`\\tilde p_{(i)} = \\min_{j \\ge i} \\min(1, m p_{(j)}/j)`;
    * BY: BH times :math:`\\sum_{k=1}^m 1/k`;
    * Bonferroni: :math:`\\min(1, m p_i)`.

    Ties get equal adjusted values; a stable sort keeps R's order.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics 6, 65-70. Benjamini, Y. & Hochberg, Y.
    (1995). Controlling the false discovery rate. JRSS B 57, 289-300.
    Benjamini, Y. & Yekutieli, D. (2001). The control of the false discovery
    rate in multiple testing under dependency. Annals of Statistics 29, 1165-1188.
    """
    check_choice(method, "method", METHODS)
    raw = np.array(
        [np.nan if p is None else p for p in np.atleast_1d(np.asarray(p_values, dtype=object))],
        dtype=float,
    )
    present = ~np.isnan(raw)
    if ((raw[present] < 0) | (raw[present] > 1)).any():
        raise ValueError(f"The 'p_values' must be in [0, 1]. Got {raw[present].tolist()} instead.")
    adjusted = np.full(raw.shape, np.nan)
    adjusted[present] = _ADJUSTERS[method](raw[present])
    return adjusted


def _holm(p: np.ndarray) -> np.ndarray:
    m = len(p)
    order = np.argsort(p, kind="stable")
    steps = np.maximum.accumulate((m - np.arange(m)) * p[order])
    return _unsort(np.minimum(steps, 1.0), order)


def _step_up(p: np.ndarray, factor: float) -> np.ndarray:
    m = len(p)
    order = np.argsort(p, kind="stable")[::-1]
    ranks = np.arange(m, 0, -1)
    steps = np.minimum.accumulate(factor * m / ranks * p[order])
    return _unsort(np.minimum(steps, 1.0), order)


def _bh(p: np.ndarray) -> np.ndarray:
    return _step_up(p, 1.0)


def _by(p: np.ndarray) -> np.ndarray:
    return _step_up(p, float(np.sum(1.0 / np.arange(1, len(p) + 1))))


def _bonferroni(p: np.ndarray) -> np.ndarray:
    return np.minimum(len(p) * p, 1.0)


def _unsort(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    result = np.empty_like(values)
    result[order] = values
    return result


_ADJUSTERS = {"holm": _holm, "bh": _bh, "bonferroni": _bonferroni, "by": _by}


def with_adjusted(
    results: Sequence[_Result],
    roles: Mapping[str, str] | Sequence[str],
    *,
    primary_method: str = "holm",
    secondary_method: str = "bh",
) -> tuple[_Result, ...]:
    """Return new results with ``p_value_adjusted`` and ``adjustment`` filled in.

    Parameters
    ----------
    results : sequence of MetricResult
        One per metric (their ``p_value`` is the headline p).
    roles : mapping metric -> role, or a sequence of roles aligned with ``results``
        ``'primary'``, ``'secondary'`` or ``'guardrail'``.
    primary_method, secondary_method : str
        Methods of :func:`adjust_p_values` for the two families.

    Returns
    -------
    tuple of MetricResult
        Same order; each a copy (``dataclasses.replace``) with
        ``p_value_adjusted`` (None where ``p_value`` is None) and
        ``adjustment``, e.g. ``"holm over 3 primary metrics"`` or
        ``"none (guardrail: each must hold on its own)"``.

    Notes
    -----
    The family size counts the metrics of that role with a p-value. A result
    whose ``criterion_basis`` is ANCOVA is adjusted on ``primary_p_value``
    (the p the criterion uses); otherwise on ``p_value``.
    """
    check_choice(primary_method, "primary_method", METHODS)
    check_choice(secondary_method, "secondary_method", METHODS)
    role_list = _roles(results, roles)
    adjusted: list[float | None] = [None] * len(results)
    labels: list[str] = [""] * len(results)
    for role, method in (("primary", primary_method), ("secondary", secondary_method)):
        members = [i for i, r in enumerate(role_list) if r == role]
        family = [i for i in members if _p(results[i]) is not None]
        values = (
            adjust_p_values(np.array([_p(results[i]) for i in family], dtype=float), method)
            if family
            else np.array([])
        )
        for i, value in zip(family, values, strict=True):
            adjusted[i] = float(value)
        for i in members:
            labels[i] = (
                f"{method} over {len(family)} {role} metric{'s' if len(family) != 1 else ''}"
            )
    for i, role in enumerate(role_list):
        if role == "guardrail":
            labels[i] = "none (guardrail: each must hold on its own)"
    return tuple(
        dataclasses.replace(result, p_value_adjusted=adjusted[i], adjustment=labels[i])
        for i, result in enumerate(results)
    )


def _p(result: MetricResult) -> float | None:
    return result.primary_p_value if result.criterion_basis == "ancova" else result.p_value


def _roles(results: Sequence[MetricResult], roles: Mapping[str, str] | Iterable[str]) -> list[str]:
    if isinstance(roles, Mapping):
        missing = [r.metric for r in results if r.metric not in roles]
        if missing:
            raise ValueError(
                f"The 'roles' must give a role for every metric. Got none for {missing}."
            )
        role_list = [roles[r.metric] for r in results]
    else:
        role_list = list(roles)
        if len(role_list) != len(results):
            raise ValueError(
                f"The 'roles' must have one role per result ({len(results)}). "
                f"Got {len(role_list)} instead."
            )
    for role in role_list:
        check_choice(role, "role", ROLES)
    return role_list
