"""Codes made readable: test names and what each test does, effect-size and interval
names, multiplicity adjustments, English notes of the lower layers, and the machine
frames of the decision layer (``to_frame``) with readable headers and values.

The statistics and decision layers name things for programs (``welch_t``,
``hedges_g_change``, ``cohort_role``, ``ci_low``) and write some notes in English;
the JSON keeps those. Whatever a reader sees goes through here, so that a French page
never shows a code or an English sentence (tests/ui/test_every_word_translated.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from livinglab.i18n import Translator
from livinglab.spec.models import Pilot

_ADJUSTMENT = re.compile(r"^(holm|bh) over (\d+) (primary|secondary|guardrail) metrics?$")
_RAKED = re.compile(
    r"the testers cannot match every margin at once \(empty crossings\): "
    r"raked on (.+) only, not on (.+)$"
)
_NO_TESTER = re.compile(
    r"no tester in (.+): the raking cannot represent them and renormalises the other shares$"
)


def test_name(code: str | None, t: Translator) -> str:
    """``welch_t`` -> « test t de Welch »; ``—`` when there is no test."""
    if not code:
        return "—"
    return t.maybe(f"test_name_{code}", code)


def headline_test(result: Any) -> str | None:
    """The test of the estimate the criterion judges: Lin's ANCOVA for an ANCOVA
    headline (its ``ancova_method``), else the design's own test."""
    if result.criterion_basis == "ancova" and getattr(result, "ancova_method", None):
        return str(result.ancova_method)
    return result.test  # type: ignore[no-any-return]


def test_sentence(result: Any, t: Translator) -> str:
    """« Test : test t de Welch — différence des moyennes … » (or why there is no test),
    for the test of the headline estimate."""
    code = headline_test(result)
    if code:
        about = t.maybe(f"test_about_{code}", "")
        if result.message:
            about = "; ".join(p for p in (about, message(result.message, t)) if p)
        return t("test_used", test=test_name(code, t), reason=about)
    return message(result.message or "", t)


def basis_why(result: Any, pilot: Pilot, t: Translator) -> str:
    """Why the criterion judged this estimate (ANCOVA or the change scores)."""
    basis = result.criterion_basis
    if not basis:
        return "—"
    key = f"basis_why_{basis}_{pilot.assignment}"
    if basis == "change_score" and pilot.assignment == "random" and result.message:
        key = "basis_why_change_score_fallback"
    return t.maybe(key, t.maybe(f"basis_why_{basis}", message(result.basis_reason or "", t)))


def effect_name(name: str | None, t: Translator) -> str:
    """``hedges_g_change`` -> « g de Hedges des évolutions »."""
    return t.maybe(f"effect_name_{name}", name) if name else ""


def ci_method(name: str | None, t: Translator) -> str:
    """``t`` -> « t de Student », ``newcombe_hybrid_score`` -> « Newcombe (score hybride) »."""
    return t.maybe(f"ci_method_{name}", name) if name else "—"


def adjustment(text: str | None, t: Translator) -> str:
    """``holm over 1 primary metric`` -> « Holm, sur 1 mesure principale »."""
    if not text:
        return "—"
    match = _ADJUSTMENT.match(text)
    if match:
        method, count, role = match.groups()
        return t(f"adjustment_{method}", n=count, role=t("role_" + role))
    if text.startswith("none (guardrail"):
        return t("adjustment_none_guardrail")
    return message(text, t)


def message(text: str, t: Translator) -> str:
    """An English note of the statistics or decision layer in ``t``'s language: the
    catalogs translate the fixed ones (message id = the English text), a few with
    names in them are rebuilt; an unknown note stays as written."""
    if not text:
        return ""
    parts = [p.strip() for p in text.split("; ")]
    return "; ".join(_one_message(p, t) for p in parts) if len(parts) > 1 else _one_message(
        text, t
    )


def _one_message(text: str, t: Translator) -> str:
    raked = _RAKED.match(text)
    if raked:
        used, left = (", ".join(t.attribute(a.strip()) for a in g.split(",")) for g in
                      raked.groups())
        return t("msg_raked_partially", used=used, left=left)
    alone = _NO_TESTER.match(text)
    if alone:
        return t("msg_no_tester_in", cells=alone.group(1))
    return t.maybe(text, text)


# --- machine frames with readable headers and values -----------------------------------


def readable(
    frame: pd.DataFrame,
    t: Translator,
    pilot: Pilot,
    titles: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A decision-layer frame (``to_frame``, ``fits_frame``…) for a reader: every header
    through the catalog (``col_<name>``), codes in known columns as words (cohorts,
    roles, metrics, attributes, instruments, waves, tests, notes).

    ``titles`` maps instrument ids to their titles in ``t``'s language.
    """
    if frame is None or frame.empty:
        return frame
    names = dict(titles or {})
    metric_ids = {m.id for m in pilot.metrics}
    cohorts = {c.id: c.label.get(t.lang) if c.label else c.id for c in pilot.cohorts}

    def target(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value in metric_ids:
            return pilot.metric(value).label.get(t.lang)
        return names.get(value, t.attribute(value))

    words: dict[str, Callable[[Any], Any]] = {
        "cohort": lambda v: cohorts.get(v, v),
        "role": lambda v: t.maybe(f"cohort_{v}", v) if isinstance(v, str) else v,
        "cohort_role": lambda v: t.maybe(f"cohort_{v}", v) if isinstance(v, str) else v,
        "metric": target,
        "target": target,
        "variable": target,
        "instrument": target,
        "attribute": lambda v: t.attribute(v) if isinstance(v, str) else v,
        "wave": lambda v: t.maybe(f"wave_{v}", v) if isinstance(v, str) else v,
        "period": lambda v: t.maybe(f"period_{v}", v) if isinstance(v, str) else v,
        "kind": lambda v: t.maybe(f"kind_{v}", v) if isinstance(v, str) else v,
        "must": lambda v: t.maybe(f"must_{v}", v) if isinstance(v, str) else v,
        "design": lambda v: t.maybe(f"design_{v}", v) if isinstance(v, str) else v,
        "needs": lambda v: t.maybe(f"needs_{v}", v) if isinstance(v, str) else v,
        "status": lambda v: t.maybe(f"status_{v}", v) if isinstance(v, str) else v,
        "test": lambda v: test_name(v, t) if isinstance(v, str) else v,
        "suppression": lambda v: t.maybe(f"suppression_{v}", v) if isinstance(v, str) else v,
        "message": lambda v: message(v, t) if isinstance(v, str) else v,
        "reason": lambda v: message(v, t) if isinstance(v, str) else v,
        "subgroup": lambda v: _subgroup(v, t),
    }
    shown = frame.copy()
    for column, word in words.items():
        if column in shown.columns:
            shown[column] = [word(v) for v in shown[column]]
    return shown.rename(columns={c: t.maybe(f"col_{c}", c) for c in shown.columns})


def _subgroup(value: Any, t: Translator) -> Any:
    if isinstance(value, Mapping):
        return ", ".join(f"{t.attribute(k)} {v}" for k, v in value.items())
    return value
