"""Inference when whole units (buildings, streets, neighbourhoods) were assigned together.

People of one building share its boiler, its caretaker and its weather: their
values are correlated, so a participant-level test treats 100 people in 10
buildings as 100 independent observations and rejects far too often (8-23 %
at a nominal 5 % for intra-cluster correlations of 0.02-0.10, see the README).
The analysis is done at the level of the assignment unit:

* testers and control, fewer than :data:`FEW_CLUSTERS` units: randomisation
  inference over which units were treated (every possible set of as many
  units when they are at most 1,999, else 1,999 random ones plus the real
  one). With 4 or more units in each arm the statistic is the cluster-robust
  t (``randomization_t``: exact under the sharp null of no effect, valid for
  the average effect when the arms' spreads differ, Wu & Ding 2021); with 1-3
  units in an arm it is the coefficient itself (``randomization_c``: a
  cluster-robust SE resting on 1-3 clusters is not reliable, Conley & Taber
  2011). The p-value cannot go below 1 / (number of possible assignments):
  with 8 units and 1 treated it is at least 1/8 - the data cannot say more.
  The wild cluster restricted bootstrap, tried first for 4-19 units in an arm,
  rejected 7-8 % of null pilots with 8 buildings at ICC 0.05-0.10 where the
  randomisation test stays at or below 5 % (benchmarks/did_operating.py).
* one cohort (before/after), fewer than :data:`FEW_CLUSTERS` units: there is
  no assignment to permute, so the wild cluster restricted bootstrap (WCR,
  Webb's six-point weights) of the cluster-robust t.
* otherwise the jackknife CRV3 standard error with a t on G - 1 df.

The bootstrap and randomisation CIs invert their own test (bisection on the
same draws), so p < alpha exactly when the CI excludes 0.

Each takes the outcome, the treatment indicator (absent for a one-cohort
before/after change), an optional centred baseline (Lin's interacted ANCOVA)
and the unit label of every participant, and returns a
:class:`ClusterInference`. The vectorised code is checked against pyfixest
(CRV3, randomisation inference) and wildboottest in the tests.

References
----------
Cameron, A. C., Gelbach, J. B. & Miller, D. L. (2008). Bootstrap-based
improvements for inference with clustered errors. Review of Economics and
Statistics 90, 414-427. Conley, T. G. & Taber, C. R. (2011). Inference with
"difference in differences" with a small number of policy changes. Review of
Economics and Statistics 93, 113-125. MacKinnon, J. G., Nielsen, M. O. & Webb,
M. D. (2023). Cluster-robust inference: a guide to empirical practice. Journal
of Econometrics 232, 272-299. Roodman, D., MacKinnon, J. G., Nielsen, M. O. &
Webb, M. D. (2019). Fast and wild: bootstrap inference in Stata using boottest.
Stata Journal 19, 4-60. Wu, J. & Ding, P. (2021). Randomization tests for weak
null hypotheses in randomized experiments. JASA 116, 1898-1913. Webb, M. D.
(2023). Reworking wild bootstrap-based inference for clustered errors.
Canadian Journal of Economics 56, 839-858.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np
from scipy import special

from ._checks import DEFAULT_SEED, check_probability, check_seed, no_variation
from .ttests import t_quantile

FEW_CLUSTERS = 30
"""Below this many units, randomisation inference (or, for one cohort, the wild
cluster bootstrap) gives the p-value and CI; from it on, CRV3 with t(G - 1)."""
FEW_TREATED = 3
"""At most this many units in an arm: the randomisation statistic is the coefficient."""
BOOTSTRAP_REPS = 1_999
PERMUTATION_REPS = 1_999
WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


class ClusterInference(NamedTuple):
    """Clustered inference on one regression coefficient.

    ``estimate`` is the OLS coefficient (metric's unit); ``se`` the CRV3
    jackknife standard error (None when a unit alone carries an arm);
    ``df`` = G - 1 for the t reference; ``p_value`` and ``ci_low``/``ci_high``
    come from ``method`` (``'randomization_c'``, ``'randomization_t'``,
    ``'wild_cluster_bootstrap'`` or ``'crv3_t'``); a CI bound is None when the
    data cannot exclude any value on that side at ``alpha``.
    """

    estimate: float | None
    se: float | None
    df: float | None
    statistic: float | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    method: str | None
    n_clusters: int
    n_clusters_test: int
    n_clusters_control: int
    message: str | None = None


class _Model(NamedTuple):
    x: np.ndarray  # (n, k) design
    y: np.ndarray  # (n,)
    codes: np.ndarray  # (n,) cluster index 0..G-1
    groups: int
    k: int  # index of the tested coefficient


def _design(treated: np.ndarray | None, covariate: np.ndarray | None, n: int) -> np.ndarray:
    columns = [np.ones(n)]
    if treated is not None:
        columns.append(treated)
    if covariate is not None:
        columns.append(covariate)
        if treated is not None:
            columns.append(treated * covariate)
    return np.column_stack(columns)


def cluster_sums(values: np.ndarray, codes: np.ndarray, groups: int) -> np.ndarray:
    """Sum rows of ``values`` (shape (n,) or (n, k)) within each cluster -> (G,) or (G, k)."""
    out = np.zeros((groups, *values.shape[1:]))
    np.add.at(out, codes, values)
    return out


def crv3_vcov(x: np.ndarray, y: np.ndarray, codes: np.ndarray, groups: int) -> np.ndarray:
    """Jackknife cluster-robust covariance (CRV3) of the OLS coefficients.

    ``(G - 1) / G * sum_g (b_{-g} - b)(b_{-g} - b)'``, ``b_{-g}`` the fit
    without cluster g (MacKinnon, Nielsen & Webb 2023, eq. 14; pyfixest's
    ``vcov={'CRV3': ...}`` without its small-sample factor). Shape (k, k);
    NaN when leaving a cluster out makes the design singular.
    """
    xtx = x.T @ x
    xty = x.T @ y
    beta = np.linalg.solve(xtx, xty)
    xtx_g = np.einsum("ni,nj->nij", x, x)
    cluster_xtx = cluster_sums(xtx_g.reshape(len(y), -1), codes, groups).reshape(groups, *xtx.shape)
    cluster_xty = cluster_sums(x * y[:, None], codes, groups)
    left_out = xtx[None] - cluster_xtx
    if np.any(np.linalg.matrix_rank(left_out) < x.shape[1]):
        return np.full(xtx.shape, np.nan)
    jack = np.linalg.solve(left_out, (xty[None] - cluster_xty)[..., None])[..., 0] - beta
    return (groups - 1) / groups * jack.T @ jack


def _bisect(rejects, inside: float, outside: float, tolerance: float) -> float:
    """Boundary between ``inside`` (not rejected) and ``outside`` (rejected)."""
    for _ in range(200):
        if abs(outside - inside) <= tolerance:
            break
        middle = 0.5 * (inside + outside)
        if rejects(middle):
            outside = middle
        else:
            inside = middle
    return 0.5 * (inside + outside)


def _invert(
    p_of, estimate: float, width: float, alpha: float, scale: float
) -> tuple[float | None, float | None]:
    """Confidence set {b: p(b) >= alpha} of a test, as an interval around ``estimate``."""
    # the bounds of a bootstrap or permutation CI carry Monte Carlo error far above 1e-4 SE
    tolerance = 1e-4 * max(width, 1e-9 * scale)
    bounds: list[float | None] = []
    for sign in (-1.0, 1.0):
        step = max(width, tolerance)
        outside = estimate + sign * step
        for _ in range(60):
            if p_of(outside) < alpha:
                break
            step *= 2.0
            outside = estimate + sign * step
        else:
            bounds.append(None)
            continue
        bounds.append(_bisect(lambda b: p_of(b) < alpha, estimate, outside, tolerance))
    return bounds[0], bounds[1]


# ---------------------------------------------------------------- wild cluster bootstrap


def _weights(groups: int, reps: int, seed: int, kind: str) -> np.ndarray:
    if kind == "rademacher" and 2**groups <= reps:
        # every sign vector once: the bootstrap distribution without simulation error
        return np.array(list(itertools.product((1.0, -1.0), repeat=groups)))
    rng = np.random.default_rng(seed)
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(reps, groups))
    return rng.choice(WEBB, size=(reps, groups))


class _WildBootstrap:
    """WCR-C bootstrap t test of ``beta_k = b`` for any b, vectorised over draws.

    Everything is linear in b (Roodman et al. 2019, section 3): the restricted
    residuals are ``u0 - b u1``, so the cluster terms of the bootstrap
    numerators and of their CR1 scores are ``n0 - b n1`` and ``C0 - b C1``.
    """

    def __init__(self, model: _Model, weights: np.ndarray) -> None:
        x, y, codes, groups, k = model
        n, p = x.shape
        bread = np.linalg.inv(x.T @ x)
        row = bread[k] @ x.T  # (n,) coefficient k = row @ y
        others = np.delete(x, k, axis=1)
        if others.shape[1]:
            restricted = others @ np.linalg.pinv(others)
            u0 = y - restricted @ y
            u1 = x[:, k] - restricted @ x[:, k]
        else:
            u0, u1 = y.copy(), x[:, k].copy()
        self.beta = float(row @ y)
        residual = y - x @ (bread @ (x.T @ y))
        self.correction = groups / (groups - 1) * (n - 1) / (n - p)
        self.score = cluster_sums(row * residual, codes, groups)  # observed CR1 terms
        w = cluster_sums(row[:, None] * x, codes, groups)  # (G, p): A_g X_g
        self.v = weights
        self.terms = []
        for u in (u0, u1):
            numerator = cluster_sums(row * u, codes, groups)
            s = cluster_sums(x * u[:, None], codes, groups)  # (G, p): X_g' u_g
            self.terms.append((numerator, np.diag(numerator) - w @ bread @ s.T))

    def p_value(self, b: float) -> float:
        (n0, c0), (n1, c1) = self.terms
        numerator = self.v @ (n0 - b * n1)
        scores = self.v @ (c0 - b * c1).T
        with np.errstate(divide="ignore", invalid="ignore"):
            t_star = numerator / np.sqrt(self.correction * np.sum(scores**2, axis=1))
        t_obs = (self.beta - b) / math.sqrt(self.correction * float(np.sum(self.score**2)))
        t_star = np.where(np.isfinite(t_star), t_star, 0.0)
        return float(np.mean(np.abs(t_star) >= abs(t_obs) * (1.0 - 1e-12)))


def wild_cluster_bootstrap(
    y: np.ndarray,
    clusters: np.ndarray,
    *,
    treated: np.ndarray | None = None,
    covariate: np.ndarray | None = None,
    null: float = 0.0,
    reps: int = BOOTSTRAP_REPS,
    weights: str = "webb",
    seed: int = DEFAULT_SEED,
) -> float:
    """p-value of the wild cluster restricted bootstrap t test (WCR-C).

    Parameters
    ----------
    y : ndarray of float, shape (n,)
        Outcome of each participant.
    clusters : ndarray, shape (n,)
        Assignment unit of each participant (any hashable labels).
    treated : ndarray of {0, 1}, shape (n,), optional
        Cohort indicator; the tested coefficient is its (the mean of ``y``
        when absent).
    covariate : ndarray of float, shape (n,), optional
        Centred baseline: Lin's interacted model ``y ~ T + x + T x``.
    null : float
        Value of the coefficient under H0.
    reps : int
        Bootstrap draws; Rademacher weights are enumerated when 2^G <= reps.
    weights : {'webb', 'rademacher'}
    seed : int

    Returns
    -------
    float
        Share of bootstrap |t*| at least the observed |t| (two-sided, the
        symmetric p-value of wildboottest / boottest).
    """
    model = _model(y, clusters, treated, covariate)
    boot = _WildBootstrap(model, _weights(model.groups, reps, check_seed(seed), weights))
    return boot.p_value(null)


# ---------------------------------------------------------------- randomisation inference


def _assignments(treated_units: np.ndarray, reps: int, seed: int) -> np.ndarray:
    """Every way to treat as many units as were treated (or ``reps`` random ones + the real)."""
    groups, count = len(treated_units), int(treated_units.sum())
    if math.comb(groups, count) <= reps:
        rows = []
        for chosen in itertools.combinations(range(groups), count):
            row = np.zeros(groups)
            row[list(chosen)] = 1.0
            rows.append(row)
        return np.array(rows)
    rng = np.random.default_rng(seed)
    draws = np.argsort(rng.random((reps, groups)), axis=1) < count
    return np.vstack([treated_units[None], draws.astype(float)])


class _Randomization:
    """Fisher randomisation test of a constant effect b, for any b.

    The statistic is the coefficient of T (``studentized=False``, pyfixest's
    ``randomization-c``, for 1-3 treated units, where a cluster-robust SE rests
    on one to three clusters) or its t with the CR1 standard error
    (``randomization-t``, exact under the sharp null and valid for the average
    effect when the arms' variances differ: Wu & Ding 2021). Under the shifted
    outcome ``y - b T`` the coefficient and the cluster scores of every
    reassignment are linear in b, so the p-value is cheap for any b.
    """

    def __init__(
        self,
        model: _Model,
        covariate: np.ndarray | None,
        reps: int,
        seed: int,
        *,
        studentized: bool,
    ) -> None:
        x, y, codes, groups, k = model
        treated = x[:, 1]
        units = np.zeros(groups)
        units[codes[treated == 1]] = 1.0
        self.assignments = _assignments(units, reps, seed)
        reassigned = self.assignments[:, codes]  # (P, n)
        columns = [np.ones_like(reassigned), reassigned]
        if covariate is not None:
            columns += [np.broadcast_to(covariate, reassigned.shape), reassigned * covariate]
        designs = np.stack(columns, axis=-1)  # (P, n, p)
        transposed = designs.transpose(0, 2, 1)
        bread = np.linalg.pinv(transposed @ designs)
        rows = (bread[:, 1:2, :] @ transposed)[:, 0, :]  # (P, n): coefficient of T
        observed = _design(treated, covariate, len(y))
        self.beta = float(np.linalg.lstsq(observed, y, rcond=None)[0][1])
        self.r = rows @ y
        self.s = rows @ treated
        self.count = len(self.assignments)
        self.studentized = studentized
        if not studentized:
            return
        indicator = np.zeros((len(y), groups))
        indicator[np.arange(len(y)), codes] = 1.0

        def scores(values: np.ndarray) -> np.ndarray:  # (P, G) cluster sums of row * residual
            coefficients = (bread @ (transposed @ values)[..., None])[..., 0]  # (P, p)
            residual = values[None] - (designs @ coefficients[..., None])[..., 0]
            return (rows * residual) @ indicator

        self.py, self.pt = scores(y), scores(treated)
        residual = y - observed @ np.linalg.lstsq(observed, y, rcond=None)[0]
        observed_row = (np.linalg.pinv(observed.T @ observed) @ observed.T)[1]
        self.se = math.sqrt(float(np.sum(((observed_row * residual) @ indicator) ** 2)))

    def p_value(self, b: float) -> float:
        numerator = self.r - b * self.s
        if not self.studentized:
            return float(np.mean(np.abs(numerator) >= abs(self.beta - b) * (1.0 - 1e-12)))
        spread = np.sqrt(np.sum((self.py - b * self.pt) ** 2, axis=1))
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic = np.where(spread > 0, np.abs(numerator) / spread, np.inf)
        observed = abs(self.beta - b) / self.se if self.se > 0 else np.inf
        return float(np.mean(statistic >= observed * (1.0 - 1e-12)))


def randomization_test(
    y: np.ndarray,
    clusters: np.ndarray,
    treated: np.ndarray,
    *,
    covariate: np.ndarray | None = None,
    null: float = 0.0,
    reps: int = PERMUTATION_REPS,
    seed: int = DEFAULT_SEED,
    studentized: bool = True,
) -> float:
    """Two-sided randomisation p-value of a constant effect ``null`` over unit assignments.

    Reassigns the treatment to every possible set of as many units as were
    treated (``reps`` random sets plus the real one when there are more) and
    compares |coefficient of T| on ``y - null * T`` with the observed one
    (Fisher's sharp null; the statistic is pyfixest ``ritest``'s default, the
    coefficient). Parameters as :func:`wild_cluster_bootstrap`; ``treated``
    must be constant within a unit.
    """
    model = _model(y, clusters, treated, covariate)
    return _Randomization(
        model, covariate, reps, check_seed(seed), studentized=studentized
    ).p_value(null)


# ---------------------------------------------------------------- dispatch


def _model(
    y: np.ndarray,
    clusters: np.ndarray,
    treated: np.ndarray | None,
    covariate: np.ndarray | None,
) -> _Model:
    y = np.asarray(y, dtype=float)
    codes, labels = _codes(clusters)
    if len(codes) != len(y):
        raise ValueError(
            f"The 'clusters' must have one label per value. Got {len(codes)} for {len(y)} values."
        )
    x = _design(None if treated is None else np.asarray(treated, float), covariate, len(y))
    return _Model(x, y, codes, len(labels), 0 if treated is None else 1)


def _codes(clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labels, codes = np.unique(np.asarray(clusters).astype(str), return_inverse=True)
    return codes.ravel(), labels


def _counts(
    codes: np.ndarray, treated: np.ndarray | None, groups: int
) -> tuple[int, int, str | None]:
    if treated is None:
        return groups, 0, None
    units = cluster_sums(np.column_stack([treated, 1 - treated]), codes, groups)
    mixed = int(np.sum((units[:, 0] > 0) & (units[:, 1] > 0)))
    if mixed:
        return (
            int(np.sum(units[:, 0] > 0)),
            int(np.sum(units[:, 1] > 0)),
            f"{mixed} assignment unit(s) hold both testers and control participants: "
            "the unit is not the level at which the cohorts were assigned",
        )
    return int(np.sum(units[:, 0] > 0)), int(np.sum(units[:, 1] > 0)), None


def cluster_inference(
    y: np.ndarray,
    clusters: np.ndarray,
    *,
    treated: np.ndarray | None = None,
    covariate: np.ndarray | None = None,
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    reps: int = BOOTSTRAP_REPS,
) -> ClusterInference:
    """Estimate a cohort effect (or a mean change) with inference at the assignment unit.

    Parameters
    ----------
    y : ndarray of float, shape (n,)
        One value per participant: the value (two groups), the change
        (difference in differences, before/after) or the intervention value
        (ANCOVA, with ``covariate``).
    clusters : ndarray, shape (n,)
        Each participant's assignment unit.
    treated : ndarray of {0, 1}, shape (n,), optional
        1 for testers; absent for a before/after change of one cohort (the
        tested coefficient is then the mean).
    covariate : ndarray of float, shape (n,), optional
        Centred baseline for Lin's interacted ANCOVA.
    alpha : float
        Two-sided level; CIs are ``1 - alpha``.
    seed : int
        Seed of the bootstrap weights / sampled assignments.
    reps : int
        Bootstrap draws or sampled assignments (>= 99).

    Returns
    -------
    ClusterInference
        Thin or degenerate data (fewer than 2 units in an arm, no variation)
        gives a result with ``message`` and inferential fields None.

    Raises
    ------
    ValueError
        ``clusters`` and ``y`` of different lengths, a bad ``alpha``,
        ``seed`` or ``reps``.

    Notes
    -----
    Method by the number of units (G in all, G1 in the smaller arm): G <
    :data:`FEW_CLUSTERS` with two cohorts, randomisation inference (the
    coefficient as statistic when G1 <= :data:`FEW_TREATED`, else its
    cluster-robust t); G < :data:`FEW_CLUSTERS` with one cohort, wild cluster
    restricted bootstrap with Webb weights; otherwise CRV3 with t(G - 1).
    The bootstrap and randomisation CIs invert their own test (bisection),
    so the p-value and the CI always agree. Measured false-positive rates are
    in the module's tests and the README.
    """
    check_probability(alpha, "alpha")
    check_seed(seed)
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 99:
        raise ValueError(f"The 'reps' must be an int >= 99. Got {reps!r} instead.")
    model = _model(y, clusters, treated, covariate)
    n_test, n_control, mixed = _counts(model.codes, treated, model.groups)
    base = {"n_clusters": model.groups, "n_clusters_test": n_test, "n_clusters_control": n_control}
    if len(model.y) == 0:
        return _empty(base, "no participant: nothing to estimate")
    beta, *_ = np.linalg.lstsq(model.x, model.y, rcond=None)
    estimate = float(beta[model.k])
    fields = {"estimate": estimate, **base}
    smaller = min(n_test, n_control) if treated is not None else model.groups
    if mixed:
        return _empty(fields, mixed)
    if smaller < 1 or model.groups < 2:
        return _empty(fields, "too few assignment units: no clustered inference")
    scale = float(np.max(np.abs(model.y))) or 1.0
    if np.linalg.matrix_rank(model.x) < model.x.shape[1]:
        return _empty(fields, "the baseline does not vary within a cohort: model not estimable")
    residual = model.y - model.x @ beta
    if no_variation(residual, scale=scale):
        return _empty(fields, "the values do not vary beyond the model: cannot test")
    vcov = crv3_vcov(model.x, model.y, model.codes, model.groups)
    se = math.sqrt(vcov[model.k, model.k]) if np.isfinite(vcov[model.k, model.k]) else None
    df = float(model.groups - 1)
    statistic = estimate / se if se else None
    if treated is not None and model.groups < FEW_CLUSTERS:
        studentized = smaller > FEW_TREATED
        test = _Randomization(model, covariate, reps, seed, studentized=studentized)
        method = "randomization_t" if studentized else "randomization_c"
        p_of = test.p_value
    elif model.groups < FEW_CLUSTERS:
        boot = _WildBootstrap(model, _weights(model.groups, reps, seed, "webb"))
        method = "wild_cluster_bootstrap"
        p_of = boot.p_value
    else:
        if se is None or not se > 0:
            return _empty(fields, "the jackknife standard error is not estimable")
        margin = float(t_quantile(df, 1.0 - alpha / 2.0)) * se
        p_value = float(2.0 * special.stdtr(df, -abs(estimate / se)))
        return ClusterInference(
            estimate,
            se,
            df,
            statistic,
            p_value,
            estimate - margin,
            estimate + margin,
            "crv3_t",
            model.groups,
            n_test,
            n_control,
        )
    width = se if se else float(np.std(model.y)) or scale
    low, high = _invert(p_of, estimate, width, alpha, scale)
    message = None
    if low is None or high is None:
        message = (
            f"too few assignment units to exclude any effect at alpha = {alpha:g} on one side: "
            "the CI is unbounded there"
        )
    return ClusterInference(
        estimate,
        se,
        df,
        statistic,
        p_of(0.0),
        low,
        high,
        method,
        n_test + n_control if treated is not None else model.groups,
        n_test,
        n_control,
        message,
    )


def _empty(fields: dict, message: str) -> ClusterInference:
    base = {
        "estimate": None,
        "se": None,
        "df": None,
        "statistic": None,
        "p_value": None,
        "ci_low": None,
        "ci_high": None,
        "method": None,
    }
    return ClusterInference(**(base | fields), message=message)
