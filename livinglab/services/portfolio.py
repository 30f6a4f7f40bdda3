"""The portfolio's cards: only what they show (verdict, evidence, primary effect, cohorts,
latest data), never the weekly series or survey distributions of the pilot page.

Each card is computed from the pilot's evaluation alone, so a page that caches the
evaluation per pilot and data version (:mod:`livinglab.ui.common`) recomputes one pilot
when its data changes, and shares that evaluation with the pilot page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from livinglab.evaluation import PilotEvaluation


def pilot_card(
    pilot_id: str, *, lang: str = "fr", evaluation: PilotEvaluation | None = None
) -> dict[str, Any]:
    """One pilot's portfolio row (the columns of :func:`portfolio_cards`).

    Parameters
    ----------
    evaluation : PilotEvaluation, optional
        The pilot's evaluation when the caller has it (cached); else it is computed.

    Raises
    ------
    LivingLabError
        The pilot cannot be evaluated (unknown, invalid spec, unreachable store).
    """
    import pandas as pd

    from livinglab import services
    from livinglab.presentation.report import PilotReport, portfolio_row
    from livinglab.store import reductions

    version = services.report_version(pilot_id)
    evaluation = evaluation or services.evaluate_pilot(pilot_id, lang=lang)
    latest = reductions.latest_data(engine=services.engine(), pilot=evaluation.pilot)
    card = PilotReport(evaluation=evaluation, weekly=pd.DataFrame(), surveys=(),
                       latest_observation=latest.observation, latest_answer=latest.answer,
                       version=version, lang=lang)
    return portfolio_row(card, lang)


def portfolio_cards(
    *, lang: str = "fr", card: Callable[[str], dict[str, Any]] | None = None
) -> pd.DataFrame:
    """One row per pilot for the portfolio, each from :func:`pilot_card`.

    Parameters
    ----------
    card : callable, optional
        ``pilot_id -> row`` (the app passes its cached version); default
        :func:`pilot_card` in ``lang``.

    Returns
    -------
    DataFrame
        ``pilot, title, domain, phase, verdict, evidence_level, evidence_label,
        primary_metric, primary_label, primary_unit, estimate, ci_low, ci_high,
        estimate_pct, ci_low_pct, ci_high_pct, cohorts (list of (label, n)),
        latest (datetime or None), error (str or None), decision`` (the council's
        latest recorded decision: generalize, stop, extend; None). A pilot that cannot
        be evaluated keeps its row, with the reason in ``error``.
    """
    import pandas as pd

    from livinglab import services
    from livinglab.errors import LivingLabError
    from livinglab.presentation.report import PORTFOLIO_COLUMNS

    make = card or (lambda pilot_id: pilot_card(pilot_id, lang=lang))
    rows = []
    for pilot_id in services.pilot_ids():
        try:
            rows.append(make(pilot_id))
        except LivingLabError as err:
            rows.append({"pilot": pilot_id, "title": pilot_id, "error": str(err)})
    frame = pd.DataFrame(rows).reindex(columns=PORTFOLIO_COLUMNS)
    from livinglab.services.decisions import latest_decisions

    # The council's recorded decision beside the computed verdict (not cached: a record
    # does not change the data version).
    recorded = {pilot_id: r.decision for pilot_id, r in latest_decisions().items()}
    frame["decision"] = [recorded.get(pilot_id) for pilot_id in frame["pilot"]]
    return frame
