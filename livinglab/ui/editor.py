"""For the innovation team: a pilot's YAML in the page, checked as it is typed with the
problems of ``livinglab validate`` beside their lines, the diff before saving, and a
save that writes the file only when it is valid (atomically, audited).

The editor is a text area: streamlit-ace, the code-editor component, has had no release
since 2021, and a custom component cannot be driven by AppTest (the page's tests type
into it)."""

from __future__ import annotations

from datetime import date
from typing import cast

import pandas as pd
import streamlit as st

from livinglab.errors import LivingLabError, Problem, SpecError
from livinglab.i18n import Translator
from livinglab.services import pilot_files
from livinglab.spec.models import PHASES
from livinglab.ui import common

MONOSPACE = """<style>
.st-key-editor_text textarea { font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 0.9rem; }
</style>"""


def problems_table(problems: list[Problem], t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {t("col_line"): p.line, t("col_field"): p.field or "—", t("col_problem"): p.message}
            for p in problems
        ]
    )


def annotated(text: str, problems: list[Problem]) -> str:
    """The text with each problem written beside its line (``  # ⚠ field: message``)."""
    notes: dict[int, list[str]] = {}
    for p in problems:
        note = f"{p.field}: {p.message}" if p.field else p.message
        notes.setdefault(p.line or 1, []).append(note)
    lines = text.splitlines() or [""]
    return "\n".join(
        line + "".join(f"   # ⚠ {note}" for note in notes.get(number, []))
        for number, line in enumerate(lines, start=1)
    )


def as_date(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None


def fields_form(pilot_id: str, t: Translator) -> None:
    """The common fields (phase, title, periods, cohorts' targets) as a form; applying it
    rewrites the text below (comments kept), which is then checked and saved as typed."""
    current = pilot_files.common_fields(st.session_state.get("editor_text", ""))
    if not current:
        return
    with st.expander(t("editor_fields")), st.form("editor_fields_form"):
        phase = str(current.get("phase", "running"))
        values: dict[str, object] = {
            "phase": st.selectbox(
                t("col_phase"), PHASES, index=PHASES.index(phase) if phase in PHASES else 0,
                format_func=lambda p: t("phase_" + p), key="field_phase",
            ),
            "title_fr": st.text_input(t("new_title_fr"), str(current.get("title_fr", "")),
                                      key="field_title_fr"),
            "title_en": st.text_input(t("new_title_en"), str(current.get("title_en", "")),
                                      key="field_title_en"),
        }
        for name in ("baseline", "intervention"):
            start, end = cast("tuple[str, str]", current.get(name, ("", "")))
            left, right = st.columns(2)
            values[name] = (
                left.date_input(t(f"field_{name}_start"), as_date(start), key=f"field_{name}_start",
                                format="DD/MM/YYYY"),
                right.date_input(t(f"field_{name}_end"), as_date(end), key=f"field_{name}_end",
                                 format="DD/MM/YYYY"),
            )
        targets = cast("dict[str, int | None]", current.get("targets", {}))
        values["targets"] = {
            cohort: st.number_input(
                t("field_target", cohort=common.plain(cohort)), min_value=0, value=size or 0,
                step=1, key=f"field_target_{cohort}",
            )
            for cohort, size in targets.items()
        }
        if st.form_submit_button(t("editor_apply"), key="editor_apply"):
            for name in ("baseline", "intervention"):
                first, last = cast("tuple[date | None, date | None]", values[name])
                if first is None or last is None:
                    values.pop(name)
            try:
                st.session_state["editor_text"] = pilot_files.with_fields(
                    st.session_state["editor_text"], **values
                )
            except LivingLabError as err:
                st.error(common.plain(err))


common.require_page("editor")
t = common.translator()
st.title(t("editor_title"))
st.write(t("editor_intro"))
st.html(MONOSPACE)
pilot_id = common.pilot_selector(t, key="editor_pilot")
if pilot_id is None:
    st.stop()
try:
    saved = pilot_files.pilot_text(pilot_id)
except LivingLabError as err:
    st.error(f"{t('error_title')}{common.colon(t)}{common.plain(err)}")
    st.stop()
# The text area keeps the session's edit; another pilot starts from its saved file.
if st.session_state.get("editor_for") != pilot_id:
    st.session_state["editor_for"] = pilot_id
    st.session_state["editor_text"] = saved
fields_form(pilot_id, t)
text = st.text_area(t("editor_text"), key="editor_text", height=520)

problems = pilot_files.check_text(pilot_id, text)
if problems:
    st.error(t("editor_problems", n=len(problems)))
    common.show_table(problems_table(problems, t), t)
    st.code(annotated(text, problems), language="yaml", line_numbers=True)
else:
    st.success(t("editor_valid"))

st.subheader(t("editor_diff"))
diff = pilot_files.text_diff(pilot_id, text)
if diff:
    st.code(diff, language="diff")
else:
    st.caption(t("editor_unchanged"))

if st.button(t("editor_save"), key="editor_save", disabled=not diff, type="primary"):
    account = common.signed_in()
    try:
        path = pilot_files.save_pilot_text(pilot_id, text, actor=account[0] if account else "?")
    except SpecError:
        st.error(t("editor_refused"))
    except LivingLabError as err:
        st.error(common.plain(err))
    else:
        common.clear_cache()
        st.success(t("editor_saved", path=common.plain(pilot_files.shown_name(path))))
