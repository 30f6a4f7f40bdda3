"""For the innovation team: upload a pilot's participants, readings and survey answers;
every bad row in a table before anything is written; all or nothing, with a progress
bar; the result (read, new, already stored), also written to the audit log."""

from __future__ import annotations

from typing import BinaryIO, cast

import pandas as pd
import streamlit as st

from livinglab.errors import LivingLabError
from livinglab.i18n import Translator
from livinglab.services import imports
from livinglab.ui import common

TYPES = [suffix.lstrip(".") for suffix in imports.SUFFIXES]


def result_table(outcome: imports.UploadOutcome, t: Translator) -> pd.DataFrame:
    assert outcome.report is not None
    return pd.DataFrame(
        [
            {
                t("col_content"): t("import_" + k.kind),
                t("col_read"): k.read,
                t("col_new"): k.inserted,
                t("col_already"): k.already_present,
            }
            for k in outcome.report.kinds
        ]
    )


def problems_table(outcome: imports.UploadOutcome, t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("col_file"): p.file,
                t("col_line"): p.line,
                t("col_field"): p.field or "—",
                t("col_reason"): p.message,
            }
            for p in outcome.problems
        ]
    )


common.require_page("imports")
t = common.translator()
st.title(t("import_title"))
st.write(t("import_intro"))
pilot_id = common.pilot_selector(t, key="import_pilot")
if pilot_id is None:
    st.stop()
uploads = {
    kind: st.file_uploader(t("import_" + kind), type=TYPES, key=f"upload_{kind}")
    for kind in imports.KINDS
}
if st.button(t("import_run"), key="import_run", type="primary"):
    given = {
        kind: (file.name, cast(BinaryIO, file)) for kind, file in uploads.items() if file
    }
    if not given:
        st.warning(t("import_nothing"))
        st.stop()
    bar = st.progress(0.0, text=t("import_progress_write"))
    steps = {"participants": 0.1, "observations": 0.4, "responses": 0.7, "write": 0.9}

    def show(stage: str, rows: int) -> None:
        bar.progress(steps.get(stage, 0.5), text=t("import_progress_" + stage, rows=rows))

    account = common.signed_in()
    try:
        outcome = imports.import_uploads(
            pilot_id, given, actor=account[0] if account else "?", progress=show
        )
    except LivingLabError as err:
        bar.empty()
        st.error(common.plain(err))
        st.stop()
    if outcome.problems:
        bar.empty()
        st.error(t("import_refused", n=len(outcome.problems)))
        common.show_table(problems_table(outcome, t), t)
    else:
        bar.progress(1.0, text=t("import_done"))
        common.clear_cache()
        st.success(t("import_done"))
        common.show_table(result_table(outcome, t), t)
