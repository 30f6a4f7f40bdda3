"""For the innovation team: a pilot's YAML in the page, checked as it is typed with the
problems of ``livinglab validate`` beside their lines, the diff before saving, and a
save that writes the file only when it is valid (atomically, audited).

The editor is a text area: streamlit-ace, the code-editor component, has had no release
since 2021, and a custom component cannot be driven by AppTest (the page's tests type
into it)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from livinglab.errors import LivingLabError, Problem, SpecError
from livinglab.i18n import Translator
from livinglab.services import pilot_files
from livinglab.ui import common

MONOSPACE = """<style>
.st-key-editor_text textarea { font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 0.9rem; }
</style>"""


def problems_table(problems: list[Problem], t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {t("col_line"): p.line, t("col_field"): p.field or "—", t("col_message"): p.message}
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
