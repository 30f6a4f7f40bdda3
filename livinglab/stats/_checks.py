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
