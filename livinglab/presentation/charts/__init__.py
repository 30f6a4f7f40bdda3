"""Altair chart builders: results in, a chart with its text alternative out.

Every builder takes the typed results of an evaluation (or a frame the services
prepared, already free of small cells) and a :class:`~livinglab.i18n.Translator`,
and returns a :class:`Figure`: the chart (numbers and dates in the translator's
locale, a ``description`` that Vega renders as the SVG's ``aria-label``), one
sentence saying what it shows, and the data table behind it with readable column
names. The app shows the three; the dossier inlines the chart as SVG with the
sentence as its caption and the table beside it. No Streamlit here.

The builders are split by what they draw: :mod:`.metrics` (forest, DiD means,
weekly series), :mod:`.surveys` (scores, Likert, NPS, response rates) and
:mod:`.groups` (equity, representativeness, projection); :mod:`.base` holds the
locales, the palette and :class:`Figure`.
"""

from livinglab.presentation.charts.base import Figure, t_quantile
from livinglab.presentation.charts.groups import (
    equity_figure,
    projection_figure,
    representativeness_figure,
)
from livinglab.presentation.charts.metrics import (
    did_figure,
    forest_figure,
    forest_frame,
    means_frame,
    means_table,
    weekly_figure,
)
from livinglab.presentation.charts.surveys import (
    likert_figure,
    likert_frame,
    nps_figure,
    response_rates_figure,
    score_figure,
)

__all__ = [
    "Figure",
    "did_figure",
    "equity_figure",
    "forest_figure",
    "forest_frame",
    "likert_figure",
    "likert_frame",
    "means_frame",
    "means_table",
    "nps_figure",
    "projection_figure",
    "representativeness_figure",
    "response_rates_figure",
    "score_figure",
    "t_quantile",
    "weekly_figure",
]
