"""Portfolio: every pilot with the data stored for it."""

from __future__ import annotations

import streamlit as st

from livinglab import services
from livinglab.errors import LivingLabError

st.title("Pilotes du Living Lab")
try:
    overview = services.portfolio()
except LivingLabError as err:
    st.error(str(err))
else:
    if overview.empty:
        st.info("Aucun pilote trouvé. Lancez `livinglab demo` pour charger les pilotes de démonstration.")
    else:
        st.dataframe(overview, hide_index=True, key="portfolio_table")
