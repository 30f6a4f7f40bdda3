"""For the innovation team: per metric of a pilot, the participants per cohort its
smallest worthwhile effect needs, and the effect the planned cohorts detect."""

from __future__ import annotations

import streamlit as st

from livinglab.errors import LivingLabError
from livinglab.services import planning
from livinglab.ui import common

common.require_page("planning")
t = common.translator()
st.title(t("planning_title"))
st.write(t("planning_intro"))
pilot_id = common.pilot_selector(t)
if pilot_id is None:
    st.stop()
try:
    pilot = planning.load(pilot_id)
    observed = planning.baseline_statistics(pilot_id)
except LivingLabError as err:
    st.error(f"{t('error_title')}{common.colon(t)}{common.plain(err)}")
    st.stop()

power = st.slider(
    t("planning_power"), 0.5, 0.99, float(pilot.decision.power), 0.01, key="plan_power"
)
baselines: dict[str, float | None] = {}
sds: dict[str, float | None] = {}
for metric in pilot.metrics:
    mean, sd = observed.get(metric.id, (None, None))
    with st.container(border=True):
        st.subheader(common.plain(metric.label.get(t.lang)))
        st.caption(t("planning_observed") if metric.id in observed else t("planning_assumed"))
        left, right = st.columns(2)
        if metric.binary:
            baselines[metric.id] = left.number_input(
                t("planning_proportion"), 0.0, 1.0, value=mean, step=0.01, format="%.3f",
                key=f"plan_baseline_{metric.id}",
            )
        else:
            baselines[metric.id] = left.number_input(
                f"{t('planning_baseline')} ({common.plain(metric.unit)})", value=mean,
                key=f"plan_baseline_{metric.id}",
            )
            sds[metric.id] = right.number_input(
                f"{t('planning_sd')} ({common.plain(metric.unit)})", min_value=0.0, value=sd,
                key=f"plan_sd_{metric.id}",
            )

try:
    plans = planning.metric_plans(pilot_id, baselines=baselines, sds=sds, power=power)
except LivingLabError as err:
    st.error(f"{t('error_title')}{common.colon(t)}{common.plain(err)}")
    st.stop()
st.subheader(t("page_planning"))
common.show_table(planning.plans_frame(pilot, plans, t), t)
for plan in plans:
    if plan.needed is None:
        label = pilot.metric(plan.metric).label.get(t.lang)
        st.caption(f"{common.plain(label)}{common.colon(t)}{t('planning_missing')}")
if all(plan.planned_n is None for plan in plans):
    st.caption(t("planning_no_target"))
