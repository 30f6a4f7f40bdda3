"""The test cohort against the city's population, before any projection.

With the pilot's ``population`` block (census shares per attribute):

* per attribute, a chi-square goodness-of-fit test of the testers' categories
  against the census shares (:func:`scipy.stats.chisquare`), and per category the
  standardized difference ``(p_s - p_p) / sqrt((p_s(1-p_s) + p_p(1-p_p)) / 2)``;
* raking weights (iterative proportional fitting) that make the weighted testers
  (and, separately, the control group) match every margin at once;
* each metric's effect raw and reweighted, beside Kish's effective sample size
  ``n_eff = (Σw)² / Σw²``.

Testers whose category the margins do not list (or who have none) are left out of
the test and of the raking, and counted. A census category with no tester cannot
be matched: the shares are renormalised over the others, and the message says so.

References
----------
Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled
frequency table when the expected marginal totals are known. Annals of
Mathematical Statistics 11, 427-444. Kish, L. (1965). Survey Sampling. Wiley.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from livinglab.decision.equity import order_attributes
from livinglab.decision.frames import ID, ROLE, analysed, category, wide, with_roles
from livinglab.decision.models import (
    AttributeFit,
    MarginComparison,
    Representativeness,
    ReweightedEstimate,
)
from livinglab.decision.privacy import min_cell, suppression
from livinglab.spec.models import Pilot


@dataclass(frozen=True)
class Raking:
    """Raking weights (mean 1) and how the fit went."""

    weights: np.ndarray
    converged: bool
    iterations: int
    unreachable: tuple[tuple[str, str], ...]  # (attribute, category) with no one in it

    @property
    def n_eff(self) -> float | None:
        return kish_n_eff(self.weights)


def kish_n_eff(weights: np.ndarray) -> float | None:
    """Kish's effective sample size ``(Σw)² / Σw²``."""
    weights = np.asarray(weights, dtype=float)
    if not len(weights) or not np.any(weights):
        return None
    return float(weights.sum() ** 2 / np.square(weights).sum())


def rake(
    categories: pd.DataFrame,
    margins: Mapping[str, Mapping[str, float]],
    *,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> Raking:
    """Iterative proportional fitting of unit weights to the margins.

    Parameters
    ----------
    categories : DataFrame
        One row per person, one column per attribute of ``margins`` (text labels,
        each listed in the margins).
    margins : mapping attribute -> {category: population share}
    tol : float
        Largest allowed gap between a weighted share and its target.
    max_iter : int
        Sweeps over the attributes before giving up.

    Returns
    -------
    Raking
        ``weights`` scaled to mean 1 (sum = n).

    Notes
    -----
    Each sweep multiplies the weights of every category ``c`` of each attribute by
    ``target_c / weighted_share_c`` in turn (Deming & Stephan 1940). Categories with
    no one in them are dropped and the other shares renormalised.
    """
    n = len(categories)
    weights = np.ones(n)
    codes, targets, unreachable = [], [], []
    for attribute, shares in margins.items():
        labels = categories[attribute].astype(str).to_numpy()
        present = [c for c in shares if (labels == c).any()]
        unreachable += [(attribute, c) for c in shares if c not in present]
        target = np.array([shares[c] for c in present], dtype=float)
        codes.append(pd.Categorical(labels, categories=present).codes.astype(int))
        targets.append(target / target.sum())
    if n == 0:
        return Raking(weights, False, 0, tuple(unreachable))
    for iteration in range(1, max_iter + 1):
        for code, target in zip(codes, targets, strict=True):
            totals = np.bincount(code, weights=weights, minlength=len(target))
            weights *= (target * weights.sum() / totals)[code]
        gap = max(np.abs(np.bincount(code, weights=weights, minlength=len(target))
                         / weights.sum() - target).max()
                  for code, target in zip(codes, targets, strict=True))
        if gap < tol:
            return Raking(weights * n / weights.sum(), True, iteration, tuple(unreachable))
    return Raking(weights * n / weights.sum(), False, max_iter, tuple(unreachable))


def compare_to_margins(
    testers: pd.DataFrame, attribute: str, shares: Mapping[str, float]
) -> tuple[list[MarginComparison], AttributeFit]:
    """One attribute: per-category comparison (small cells suppressed) and chi-square."""
    labels = category(testers[attribute])
    matched = labels[labels.isin(list(shares))]
    counts = [int((matched == c).sum()) for c in shares]
    n = len(matched)
    total_share = sum(shares.values())
    population = [shares[c] / total_share for c in shares]
    hidden = suppression(counts)
    rows = []
    for cat, count, p_pop, reason in zip(shares, counts, population, hidden, strict=True):
        p_s = count / n if n else None
        rows.append(MarginComparison(
            attribute=attribute, category=cat, population_share=p_pop,
            n=None if reason else count, sample_share=None if reason else p_s,
            std_difference=None if reason or p_s is None else _std_difference(p_s, p_pop),
            suppressed=reason is not None,
        ))
    unmatched = len(labels) - n
    if 0 < unmatched < min_cell():
        # 1-4 testers without a listed category are a small cell; their number (and
        # so the matched count) is not shown, the test still uses the others
        return rows, _fit(attribute, counts, population, n, shown_n=None, unmatched=None)
    if n == 0:
        fit = AttributeFit(attribute=attribute, chi2=None, df=None, p_value=None, n=0,
                           n_unmatched=unmatched,
                           message="no tester in a census category: nothing to compare")
        return rows, fit
    return rows, _fit(attribute, counts, population, n, shown_n=n, unmatched=unmatched)


def _fit(attribute: str, counts: list[int], population: list[float], n: int, *,
         shown_n: int | None, unmatched: int | None) -> AttributeFit:
    expected = np.array(population) * n
    test = sps.chisquare(np.array(counts, dtype=float), f_exp=expected)
    notes = []
    if (expected < 5).any():
        notes.append("some expected counts are below 5: the chi-square p-value is approximate")
    if unmatched is None:
        notes.append("fewer than 5 testers have no census category: their count is hidden")
    return AttributeFit(attribute=attribute, chi2=float(test.statistic), df=len(counts) - 1,
                        p_value=float(test.pvalue), n=shown_n, n_unmatched=unmatched,
                        message="; ".join(notes) or None)


def _std_difference(p_sample: float, p_population: float) -> float | None:
    scale = np.sqrt((p_sample * (1 - p_sample) + p_population * (1 - p_population)) / 2)
    return None if scale == 0 else float((p_sample - p_population) / scale)


def _raked(people: pd.DataFrame, margins: Mapping[str, Mapping[str, float]]
           ) -> tuple[pd.Series, Raking, tuple[str, ...]]:
    """Raking weights by participant id, for the people matched on every attribute.

    When every margin cannot be matched at once (a small cohort with empty crossings:
    the fit drives some weights to zero and never converges), the last attributes are
    dropped one by one (age first is kept longest) until the fit converges.
    """
    labels = pd.DataFrame({a: category(people[a]) for a in margins}, index=people.index)
    matched = np.logical_and.reduce([labels[a].isin(list(s)).to_numpy()
                                     for a, s in margins.items()])
    order = order_attributes(margins)
    for size in range(len(order), 0, -1):
        chosen = {a: margins[a] for a in order[:size]}
        raking = rake(labels.loc[matched, list(chosen)], chosen)
        if raking.converged:
            break
    weights = pd.Series(raking.weights, index=people.loc[matched, ID].to_numpy())
    return weights, raking, tuple(chosen)


def _weighted_mean(y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted mean and its linearization variance ``n/(n-1) Σw²(y-ȳ)² / (Σw)²``."""
    mean = float(np.sum(w * y) / np.sum(w))
    n = len(y)
    var = float(np.sum(w**2 * (y - mean) ** 2) / np.sum(w) ** 2) * n / (n - 1) if n > 1 \
        else float("nan")
    return mean, var


def reweighted_estimate(
    values: pd.DataFrame, *, pilot: Pilot, metric_id: str,
    weights: Mapping[str, pd.Series], alpha: float,
) -> ReweightedEstimate:
    """A metric's effect raw and with raking weights, on the raked participants."""
    design = pilot.design_of(pilot.metric(metric_id))
    rows = analysed(wide(with_roles(values, pilot)), design)
    roles = ["test"] if design == "pre_post" else ["test", "control"]
    z = float(sps.norm.ppf(1 - alpha / 2))
    raw, weighted, sizes, n_eff = [], [], {}, {}
    for role in roles:
        mine = rows[rows[ROLE] == role]
        w = weights.get(role, pd.Series(dtype=float)).reindex(mine[ID].astype(str)).to_numpy()
        keep = ~np.isnan(w)
        y, w = mine["y"].to_numpy(float)[keep], w[keep]
        sizes[role], n_eff[role] = len(y), kish_n_eff(w)
        if len(y) == 0:
            break
        raw.append(_weighted_mean(y, np.ones_like(y)))
        weighted.append(_weighted_mean(y, w))
    common: dict[str, Any] = {"metric": metric_id, "design": design, "n_test": sizes.get("test", 0),
              "n_control": sizes.get("control", 0), "n_eff_test": n_eff.get("test"),
              "n_eff_control": n_eff.get("control")}
    if len(raw) < len(roles):
        return ReweightedEstimate(**common, estimate=None, ci_low=None, ci_high=None,
                                  reweighted=None, reweighted_ci_low=None,
                                  reweighted_ci_high=None,
                                  message="no raked participant in a cohort")
    (est, lo, hi), (rw, rlo, rhi) = (_difference(parts, z) for parts in (raw, weighted))
    return ReweightedEstimate(**common, estimate=est, ci_low=lo, ci_high=hi, reweighted=rw,
                              reweighted_ci_low=rlo, reweighted_ci_high=rhi)


def _difference(parts: list[tuple[float, float]], z: float) -> tuple[float, float, float]:
    mean = parts[0][0] - (parts[1][0] if len(parts) > 1 else 0.0)
    se = float(np.sqrt(sum(var for _, var in parts)))
    return mean, mean - z * se, mean + z * se


def assess_representativeness(
    pilot: Pilot,
    *,
    participants: pd.DataFrame,
    values_by_metric: Mapping[str, pd.DataFrame] | None = None,
) -> Representativeness | None:
    """Compare the test cohort with the census margins, rake, reweight the effects.

    Returns None when the pilot declares no ``population``.
    """
    population = pilot.population
    if population is None:
        return None
    people = with_roles(participants, pilot).drop_duplicates(ID)
    people = people.assign(**{ID: people[ID].astype(str)})
    margins = {a: s for a, s in population.margins.items() if a in people.columns}
    testers = people[people[ROLE] == "test"]
    categories: list[MarginComparison] = []
    fits: list[AttributeFit] = []
    for attribute, shares in margins.items():
        rows, fit = compare_to_margins(testers, attribute, shares)
        categories += rows
        fits.append(fit)
    common: dict[str, Any] = {"population_size": population.size, "source": population.source,
              "categories": tuple(categories), "fits": tuple(fits)}
    if not margins or not len(testers):
        return Representativeness(**common, n=0, n_eff=None, design_effect=None,
                                  max_weight=None, converged=False, iterations=0,
                                  message="no census margin matches the testers' attributes")
    weights, raking, raked_on = _raked(testers, margins)
    by_role = {"test": weights}
    controls = people[people[ROLE] == "control"]
    if len(controls):
        by_role["control"] = _raked(controls, {a: margins[a] for a in raked_on})[0]
    estimates = tuple(
        reweighted_estimate(values, pilot=pilot, metric_id=metric_id, weights=by_role,
                            alpha=pilot.decision.alpha)
        for metric_id, values in (values_by_metric or {}).items() if len(values)
    )
    n_eff = raking.n_eff
    return Representativeness(
        **common, n=len(weights), n_eff=n_eff,
        design_effect=None if not n_eff else len(weights) / n_eff,
        max_weight=float(weights.max()) if len(weights) else None,
        converged=raking.converged, iterations=raking.iterations, estimates=estimates,
        raked_on=raked_on, message=_message(raking.unreachable, raked_on, list(margins)),
    )


def _message(unreachable: tuple[tuple[str, str], ...], raked_on: tuple[str, ...],
             declared: list[str]) -> str | None:
    parts = []
    if unreachable:
        listed = ", ".join(f"{a} = {c}" for a, c in unreachable)
        parts.append(f"no tester in {listed}: the raking cannot represent them and "
                     "renormalises the other shares")
    left_out = [a for a in declared if a not in raked_on]
    if left_out:
        parts.append(f"the testers cannot match every margin at once (empty crossings): "
                     f"raked on {', '.join(raked_on)} only, not on {', '.join(left_out)}")
    return "; ".join(parts) or None
