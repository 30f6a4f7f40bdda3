"""Argument checks shared by the stats layer.

Wrong arguments raise ``ValueError`` / ``TypeError`` with a message in the
scikit-learn form ("The 'alpha' must be in (0, 1). Got 5 instead."). Thin or
degenerate *data* never raises: it is reported in a result's ``message``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

DEFAULT_SEED = 20_240_611
PERIODS = ("baseline", "intervention")
COHORTS = ("test", "control")


def check_probability(value: Any, name: str) -> float:
    """Return ``value`` as a float in the open interval (0, 1), else raise."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"The '{name}' must be a number in (0, 1). Got {value!r} instead.")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"The '{name}' must be in (0, 1). Got {value!r} instead.")
    return float(value)


def check_positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite float > 0 (or >= 0), else raise."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"The '{name}' must be a number. Got {value!r} instead.")
    number = float(value)
    low_ok = number >= 0.0 if allow_zero else number > 0.0
    if not (low_ok and math.isfinite(number)):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"The '{name}' must be a finite number {bound}. Got {value!r} instead.")
    return number


def check_choice(value: Any, name: str, options: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``options``, else raise."""
    if value not in options:
        allowed = ", ".join(repr(option) for option in options)
        raise ValueError(f"The '{name}' must be one of {allowed}. Got {value!r} instead.")
    return str(value)


def check_seed(seed: Any) -> int:
    """Return ``seed`` as a non-negative int, else raise."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"The 'seed' must be a non-negative int. Got {seed!r} instead.")
    return seed


def check_frame(data: Any, columns: Iterable[str], name: str = "data") -> pd.DataFrame:
    """Return ``data`` if it is a DataFrame holding ``columns``, else raise."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"The '{name}' must be a pandas DataFrame. Got {type(data).__name__} instead."
        )
    missing = [column for column in columns if column not in data.columns]
    if missing:
        raise ValueError(
            f"The '{name}' must have the columns {list(columns)}. "
            f"Got {list(map(str, data.columns))} instead (missing {missing})."
        )
    return data


def check_labels(series: pd.Series, name: str, allowed: Sequence[str]) -> None:
    """Raise if ``series`` holds a label outside ``allowed``."""
    # unique() first: iterating over every cell of an Arrow-backed column is slow
    unknown = sorted(set(series.dropna().astype(str).unique()) - set(allowed))
    if unknown or series.isna().any():
        got = unknown[:5] if unknown else ["<missing>"]
        raise ValueError(f"The '{name}' column must hold only {list(allowed)}. Got {got} instead.")


def check_numeric(series: pd.Series, name: str) -> pd.Series:
    """Return ``series`` as float, raising on non-numeric content."""
    try:
        return pd.to_numeric(series, errors="raise").astype(float)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"The '{name}' column must be numeric. Got {series.dtype} instead."
        ) from error


#: Relative tolerance below which a spread counts as "no variation". Binary
#: floating point leaves differences of about 1e-16 x scale between numbers
#: that are equal on paper (0.3 - 0.2 != 0.1); 1e-9 is far above that noise
#: and far below any spread a measurement can have.
RELATIVE_TOLERANCE = 1e-9


def tolerance(values: Any, *, scale: float | None = None) -> float:
    """Return the absolute size under which a spread of ``values`` is float noise.

    Parameters
    ----------
    values : array-like of float, shape (n,)
        The numbers the spread is computed from; NaN values are ignored.
    scale : float, optional
        The size of the quantities the values were computed from (for example
        the largest absolute raw reading when ``values`` are differences of
        readings). Default: the largest absolute value of ``values``, or 1
        when that is 0 or there is no finite value.

    Returns
    -------
    float
        ``RELATIVE_TOLERANCE * scale`` (> 0).
    """
    if scale is None:
        array = np.asarray(values, dtype=float).ravel()
        finite = array[np.isfinite(array)]
        scale = float(np.max(np.abs(finite))) if finite.size else 0.0
    scale = abs(float(scale))
    if not math.isfinite(scale) or scale == 0.0:
        scale = 1.0
    return RELATIVE_TOLERANCE * scale


def no_variation(values: Any, *, scale: float | None = None) -> bool:
    """Tell whether ``values`` have no variation, relative to their scale.

    An exact ``ptp == 0`` test misses constant data that went through
    floating-point arithmetic: ten testers who each drop by 0.1 have
    differences that spread by about 9e-16, and a t test on them gives
    p = 3e-132. This test calls the data constant when the range
    (max - min) is below ``RELATIVE_TOLERANCE`` (1e-9) times ``scale``.

    Parameters
    ----------
    values : array-like of float, shape (n,)
        The numbers to judge; NaN values are ignored.
    scale : float, optional
        The size of the quantities the values were computed from (the largest
        absolute raw reading when ``values`` are differences or means).
        Default: the largest absolute value of ``values`` (1 if that is 0).

    Returns
    -------
    bool
        True when fewer than two finite values remain or their range is below
        the tolerance; False otherwise.

    Examples
    --------
    >>> no_variation([1.0 - 0.9, 0.7 - 0.6, 0.4 - 0.3])
    True
    >>> no_variation([0.1, 0.1000001])
    False
    """
    array = np.asarray(values, dtype=float).ravel()
    finite = array[np.isfinite(array)]
    if finite.size < 2:
        return True
    return bool(np.ptp(finite) <= tolerance(finite, scale=scale))


def tie_rounded(values: Any, *, scale: float | None = None) -> Any:
    """Return ``values`` rounded so that numbers equal up to float noise tie.

    Ranks computed on raw floats split values that are equal on paper
    (0.3 - 0.2 and 0.1) into two ranks. Rounding to the multiple of
    :func:`tolerance` nearest to each value makes them one tie and keeps every
    real difference (anything above 1e-9 x scale).

    Parameters
    ----------
    values : array-like of float, shape (n,)
    scale : float, optional
        As in :func:`no_variation`; default the largest absolute value.

    Returns
    -------
    numpy.ndarray of float, shape (n,)
    """
    array = np.asarray(values, dtype=float)
    step = tolerance(array, scale=scale)
    return np.round(array / step) * step
