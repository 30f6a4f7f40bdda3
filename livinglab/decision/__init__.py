"""Criteria -> verdict; evidence level; equity by subgroup; representativeness; projection.

Pure: pandas / numpy / scipy in, typed frozen dataclasses out. No database, no
Streamlit. The entry point is :func:`decide`; each concern has its module
(``criteria``, ``verdict``, ``evidence``, ``checks``, ``equity``, ``privacy``,
``representativeness``, ``projection``) and every result type lives in ``models``.
"""

from livinglab.decision.assemble import decide
from livinglab.decision.models import (
    AttributeFit,
    BalanceRow,
    Caveat,
    CohortCheck,
    CriterionOutcome,
    EquityResult,
    ExtendItem,
    ExtendPlan,
    InteractionTest,
    MarginComparison,
    PilotChecks,
    PilotDecision,
    ProjectionResult,
    Representativeness,
    ReweightedEstimate,
    SubgroupEffect,
    SubgroupScore,
)

__all__ = [
    "AttributeFit",
    "BalanceRow",
    "Caveat",
    "CohortCheck",
    "CriterionOutcome",
    "EquityResult",
    "ExtendItem",
    "ExtendPlan",
    "InteractionTest",
    "MarginComparison",
    "PilotChecks",
    "PilotDecision",
    "ProjectionResult",
    "Representativeness",
    "ReweightedEstimate",
    "SubgroupEffect",
    "SubgroupScore",
    "decide",
]
