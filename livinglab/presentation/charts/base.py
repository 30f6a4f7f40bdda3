"""What every chart shares: the locales, the palette, :class:`Figure` and its finishing.

Every builder takes the typed results of an evaluation (or a frame the services
prepared, already free of small cells) and a :class:`~livinglab.i18n.Translator`,
and returns a :class:`Figure`: the chart (numbers and dates in the translator's
locale, a ``description`` that Vega renders as the SVG's ``aria-label``), one
sentence saying what it shows, and the data table behind it with readable column
names. The app shows the three; the dossier inlines the chart as SVG with the
sentence as its caption and the table beside it. No Streamlit here.

Colours are never the only code: cohorts differ by colour AND point shape / line
dash, verdicts and statuses carry words, Likert answers are ordered left to right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import altair as alt
import babel
import pandas as pd

from livinglab.i18n import Translator

if TYPE_CHECKING:
    pass

ChartLike = alt.Chart | alt.LayerChart | alt.FacetChart  # alt.layer() is typed as either
"""What a builder returns: one chart or a layer of charts (both render the same way)."""

WIDTH = 720  # the whole chart, axes and labels included (autosize fit-x)
TEST_COLOUR = "#0b5cad"  # 6.4:1 on white
CONTROL_COLOUR = "#a84300"  # 5.9:1 on white
COUNTERFACTUAL_COLOUR = "#595959"
POINT_COLOUR = "#1a1a1a"
BAND_COLOUR = "#d9d9d9"

def _number_locale(lang: str) -> dict[str, Any]:
    """d3-format's locale from Babel's CLDR data (French: 1 234,5 and 12 %)."""
    symbols = babel.Locale.parse(lang).number_symbols["latn"]
    return {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": ["", "\u00a0€"] if lang == "fr" else ["€", ""],
        "percent": "\u202f%" if lang == "fr" else "%",
    }


def _time_locale(lang: str) -> dict[str, Any]:
    """d3-time-format's locale from Babel's CLDR data (month and day names)."""
    locale = babel.Locale.parse(lang)

    def names(table: dict[int, str], order: list[int]) -> list[str]:
        return [table[i] for i in order]

    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # CLDR counts days from Monday = 0; d3 from Sunday
    return {
        "dateTime": "%A %e %B %Y à %X" if lang == "fr" else "%a %e %b %X %Y",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": names(locale.days["format"]["wide"], sunday_first),
        "shortDays": names(locale.days["format"]["abbreviated"], sunday_first),
        "months": names(locale.months["format"]["wide"], list(range(1, 13))),
        "shortMonths": names(locale.months["format"]["abbreviated"], list(range(1, 13))),
    }


NUMBER_LOCALES = {lang: _number_locale(lang) for lang in ("fr", "en")}
TIME_LOCALES = {lang: _time_locale(lang) for lang in ("fr", "en")}

# Likert answers: orange for disagreement, purple for agreement (ColorBrewer PuOr,
# readable by the colour-blind), grey in the middle; ordered left to right.
LIKERT_COLOURS: dict[str, Any] = {
    "disagree": ["#b35806", "#e08214", "#fdb863"],  # strongest first
    "neutral": "#d9d9d9",
    "agree": ["#b2abd2", "#8073ac", "#542788"],  # strongest last
    "hidden": "#969696",
}
NPS_COLOURS = {
    "detractors": "#b35806",
    "passives": "#bdbdbd",
    "promoters": "#542788",
    "hidden": "#969696",
}


@dataclass(frozen=True)
class Figure:
    """A chart with its text alternative.

    Attributes
    ----------
    chart : alt.Chart (or a layer of charts)
        Configured (locale, fonts): render it as is.
    title : str
    description : str
        One sentence saying what the chart shows, numbers included.
    table : DataFrame
        The data drawn, with readable column names (the chart's data table).
    """

    chart: ChartLike
    title: str
    description: str
    table: pd.DataFrame


def _finish(
    chart: ChartLike, t: Translator, title: str, description: str, **properties: Any
) -> ChartLike:
    return (
        chart.properties(
            title=title,
            description=description,
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
            **properties,
        )
        .configure(
            locale=alt.Locale(number=NUMBER_LOCALES[t.lang], time=TIME_LOCALES[t.lang]),
            font="Arial, Helvetica, sans-serif",
        )
        .configure_axis(
            labelFontSize=13,
            titleFontSize=13,
            labelColor="#1a1a1a",
            titleColor="#1a1a1a",
            labelLimit=360,
        )
        .configure_legend(labelFontSize=13, titleFontSize=13, orient="bottom", labelLimit=360)
        .configure_title(fontSize=15, anchor="start", color="#1a1a1a")
        .configure_view(stroke=None)
        .configure_point(opacity=1)
    )


def t_quantile(n: int, level: float = 0.95) -> float:
    """The two-sided t quantile with ``n - 1`` degrees of freedom (normal from n = 1000)."""
    from scipy import stats

    if n < 2:
        return math.nan
    return float(stats.t.ppf(0.5 + level / 2, n - 1))


def _cohort_scale(t: Translator, roles: Sequence[str]) -> dict[str, alt.Scale]:
    """Colour, shape and dash of each cohort role present (and the counterfactual)."""
    styles = {
        "test": (t("cohort_test"), TEST_COLOUR, "circle", [1, 0]),
        "control": (t("cohort_control"), CONTROL_COLOUR, "square", [6, 3]),
        "counterfactual": (t("counterfactual"), COUNTERFACTUAL_COLOUR, "triangle-up", [2, 2]),
    }
    chosen = [styles[role] for role in styles if role in roles]
    return {
        "color": alt.Scale(domain=[c[0] for c in chosen], range=[c[1] for c in chosen]),
        "shape": alt.Scale(domain=[c[0] for c in chosen], range=[c[2] for c in chosen]),
        "dash": alt.Scale(domain=[c[0] for c in chosen], range=[c[3] for c in chosen]),
    }


def _percent_change(value: float | None, baseline: float | None) -> float | None:
    if value is None or baseline is None or baseline == 0 or not math.isfinite(value):
        return None
    return 100.0 * value / abs(baseline)


# --- usage metrics --------------------------------------------------------------



def _upper(values: pd.Series) -> float:
    """A round upper bound a little above the largest value (the axis' end)."""
    largest = float(values.max()) if len(values) else 1.0
    return min(1.0, math.ceil(largest * 1.1 * 20) / 20)


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor
