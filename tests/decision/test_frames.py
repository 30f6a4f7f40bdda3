"""The per-participant table the equity and representativeness checks read."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from livinglab.decision.frames import wide

ROWS = st.lists(
    st.tuples(st.sampled_from(["p01", "p02", "p10", "p3", "a"]),
              st.sampled_from(["baseline", "intervention"]),
              st.one_of(st.floats(-1e6, 1e6), st.just(float("nan")))),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(ROWS)
def test_wide_gives_pandas_pivot_table_means(rows):
    # Oracle: pandas' pivot_table (mean of a participant's values in each period, NaN
    # skipped, a participant without any value left out), which wide() used to call
    values = pd.DataFrame(rows, columns=["participant_id", "period", "value"]).assign(
        cohort="c1", cohort_role="test", age_band="65-74")
    table = wide(values, ["age_band"])
    oracle = values.pivot_table(index="participant_id", columns="period", values="value",
                                aggfunc="mean").reindex(columns=["baseline", "intervention"])
    assert table["participant_id"].tolist() == oracle.index.tolist()
    for period in ("baseline", "intervention"):
        np.testing.assert_allclose(table[period].to_numpy(float),
                                   oracle[period].to_numpy(float), rtol=1e-12, atol=1e-9)
    assert set(table["age_band"]) <= {"65-74"}
    assert (table["cohort_role"] == "test").all()
