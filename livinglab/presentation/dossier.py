"""The council dossier: one self-contained HTML file (and its PDF) per pilot evaluation.

Everything is inside the file: the charts are inlined as SVG (rendered by
vl-convert, no JavaScript, no CDN), the styles are inline, so the dossier opens
offline and prints as it shows. Each chart carries its text alternative (the SVG's
``aria-label``, a caption, and its data table). The PDF is the same HTML printed
by headless Chromium.

Public API (the CLI's ``livinglab report`` and the app's download buttons)::

    render_html(evaluation, lang="fr", *, details=None) -> str
    render_pdf(evaluation, lang="fr", *, details=None) -> bytes

``details`` is a :class:`livinglab.presentation.report.PilotReport` (weekly series, answer
distributions, date of the latest data); without it the dossier holds the
evaluation's own evidence and says that the weekly series and answer
distributions are not included (:func:`livinglab.services.dossier_html` passes it).
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from livinglab.errors import LivingLabError
from livinglab.i18n import Translator, auto_decimals, translator
from livinglab.presentation import charts
from livinglab.presentation.labels import message, test_sentence
from livinglab.presentation.report import awaiting_data, interactions_table
from livinglab.presentation.sentences import (
    change_sentence,
    colon,
    criterion_text,
    metric_sentence,
    survey_sentence,
)

if TYPE_CHECKING:
    from livinglab.evaluation import PilotEvaluation
    from livinglab.presentation.report import PilotReport

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
)
PDF_TIMEOUT_S = 120

STYLE = """
:root { color: #1a1a1a; font-family: Arial, Helvetica, sans-serif; line-height: 1.45; }
body { max-width: 60rem; margin: 2rem auto; padding: 0 1.25rem; font-size: 1.05rem; }
h1 { font-size: 1.7rem; margin-bottom: .3rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid #1a1a1a; padding-bottom: .2rem;
     margin-top: 2.2rem; }
h3 { font-size: 1.15rem; margin-top: 1.6rem; }
.meta { color: #4d4d4d; font-size: .95rem; }
.verdict { border: 3px solid #1a1a1a; border-radius: .4rem; padding: .8rem 1rem;
           margin: 1rem 0; }
.verdict .word { font-size: 1.45rem; font-weight: bold; }
.verdict.go { border-color: #1d6b2f; } .verdict.no_go { border-color: #a4262c; }
.verdict.extend { border-color: #8a5a00; } .verdict.awaiting { border-color: #3d5a80; }
.plan-changed { border: 3px dashed #8a5a00; border-radius: .4rem; padding: .6rem 1rem;
  margin: .8rem 0; } .plan-changed .word { font-weight: bold; }
blockquote { border-left: 4px solid #8c8c8c; margin: 1rem 0; padding: .2rem 1rem; }
ul.criteria { padding-left: 1.2rem; } ul.criteria li { margin: .4rem 0; }
figure { margin: 1.2rem 0 1.8rem; page-break-inside: avoid; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .95rem; color: #333; margin-top: .3rem; }
table { border-collapse: collapse; font-size: .88rem; margin: .5rem 0; }
th, td { border: 1px solid #b3b3b3; padding: .2rem .45rem; text-align: left;
         vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
details summary { cursor: pointer; color: #0b4f96; margin-top: .3rem; }
nav ol { columns: 2; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  h2 { page-break-after: avoid; break-after: avoid; }
  nav { display: none; }
  details > summary { display: none; }
  #annex { break-before: page; }
  #annex table { break-inside: auto; }
}
@page {
  size: A4; margin: 16mm 14mm 18mm;
  @bottom-right { content: counter(page) " / " counter(pages); font: 9pt Arial, sans-serif;
                  color: #4d4d4d; }
}
"""


# --- public API -------------------------------------------------------------------


def render_html(
    evaluation: PilotEvaluation,
    lang: str = "fr",
    *,
    details: PilotReport | None = None,
    print_layout: bool = False,
) -> str:
    """The dossier as one self-contained HTML document in ``lang`` (French by default).

    Parameters
    ----------
    evaluation : PilotEvaluation
    lang : {'fr', 'en'}
    details : PilotReport, optional
        Adds the weekly series, the answer distributions and the date of the latest data.
    print_layout : bool
        For the PDF, where nothing can be clicked: no "chart data" toggles, every chart's
        data table (the weekly series among them) in an annex at the end.
    """
    t = translator(lang)
    annex: Annex | None = [] if print_layout else None
    pilot = evaluation.pilot
    title = t("dossier_title", title=pilot.title.get(t.lang))
    sections = [
        ("summary", t("dossier_summary"), _summary(evaluation, details, t)),
        ("metrics", t("tab_metrics"), _metrics(evaluation, details, t, annex)),
        ("surveys", t("tab_surveys"), _surveys(evaluation, details, t, annex)),
        ("equity", t("tab_equity"), _equity(evaluation, t, annex)),
        (
            "representativeness",
            t("tab_representativeness"),
            _representativeness(evaluation, t, annex),
        ),
        ("projection", t("tab_projection"), _projection(evaluation, t, annex)),
    ]
    if annex:
        sections.append(("annex", t("annex_title"), _annex(annex, t)))
    toc = "".join(f'<li><a href="#{key}">{_e(name)}</a></li>' for key, name, _ in sections)
    body = "".join(
        f'<section id="{key}" aria-labelledby="{key}-title">'
        f'<h2 id="{key}-title">{_e(name)}</h2>{content}</section>'
        for key, name, content in sections
    )
    version = getattr(details, "version", None)
    generated = t(
        "dossier_generated",
        date=t.date(date.today()),
        version=version[1] if version else evaluation.data_version,
    )
    withdrawn = (
        f'<p class="meta" id="withdrawn">{_e(t("n_withdrawn", n=evaluation.n_withdrawn))}</p>'
        if evaluation.n_withdrawn
        else ""
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{t.lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<header><h1>{_e(title)}</h1><p class="meta">{_e(generated)}</p>{withdrawn}</header>\n'
        f'<nav aria-label="{_e(t("dossier_contents"))}"><h2>{_e(t("dossier_contents"))}</h2>'
        f"<ol>{toc}</ol></nav>\n<main>{body}</main>\n</body>\n</html>\n"
    )


def render_pdf(
    evaluation: PilotEvaluation, lang: str = "fr", *, details: PilotReport | None = None
) -> bytes:
    """The dossier printed to PDF (A4) by headless Chromium.

    Raises
    ------
    LivingLabError
        When Chromium is missing or fails (the message says what to install).
    """
    document = render_html(evaluation, lang, details=details, print_layout=True)
    return html_to_pdf(document)


def chromium_path() -> str | None:
    """Debian's Chromium (``LIVINGLAB_CHROMIUM`` overrides), or None when absent."""
    wanted = os.environ.get("LIVINGLAB_CHROMIUM")
    for candidate in ((wanted,) if wanted else ()) + CHROMIUM_CANDIDATES:
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    return None


def html_to_pdf(document: str) -> bytes:
    """Print an HTML document to PDF with headless Chromium (no network, throwaway profile)."""
    browser = chromium_path()
    if browser is None:
        raise LivingLabError(
            "Printing the dossier to PDF needs Chromium, which was not found at "
            "/usr/bin/chromium (install it: apt-get install chromium; or set "
            "LIVINGLAB_CHROMIUM). The HTML dossier works without it."
        )
    with tempfile.TemporaryDirectory(prefix="livinglab-pdf-") as tmp:
        folder = Path(tmp)
        source, target = folder / "dossier.html", folder / "dossier.pdf"
        source.write_text(document, encoding="utf-8")
        command = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as err:
            raise LivingLabError(
                f"Chromium did not print the dossier within {PDF_TIMEOUT_S} s."
            ) from err
        if not target.is_file() or target.stat().st_size == 0:
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
            raise LivingLabError(
                f"Chromium could not print the dossier (exit code {done.returncode}): "
                + " | ".join(tail)
            )
        return target.read_bytes()


# --- sections ---------------------------------------------------------------------


def _summary(evaluation: PilotEvaluation, details: PilotReport | None, t: Translator) -> str:
    pilot, decision = evaluation.pilot, evaluation.decision
    periods = pilot.periods
    parts = [
        f'<p class="meta">{_e(t.domain(pilot.domain))} · {_e(t("phase_" + pilot.phase))} · '
        + _e(
            t(
                "periods_caption",
                b0=t.date(periods.baseline.start),
                b1=t.date(periods.baseline.end),
                i0=t.date(periods.intervention.start),
                i1=t.date(periods.intervention.end),
            )
        )
        + "</p>",
        f"<blockquote><p><strong>{_e(t('hypothesis'))}</strong>{colon(t)}"
        f"{_e(pilot.hypothesis.get(t.lang))}</p></blockquote>",
    ]
    if awaiting_data(evaluation):
        # No data yet: the pilot's phase, not a verdict computed on nothing.
        parts.append(
            f'<div class="verdict awaiting" role="note"><p class="word">{_icon("awaiting")}'
            f"{_e(t('awaiting_heading', phase=t('phase_' + pilot.phase)))}</p>"
            f"<p>{_e(t('awaiting_reason'))}</p></div>"
        )
        parts.append(_plan(evaluation, t))
        parts.append(f'<h3>{_e(t("criteria_declared"))}</h3><ul class="criteria">')
        parts += [f"<li>{_e(criterion_text(c, pilot, t))}</li>" for c in pilot.decision.criteria]
        parts.append("</ul>")
        return "".join(parts)
    parts += [
        f'<div class="verdict {decision.verdict}" role="note">'
        f'<p class="word">{_icon(decision.verdict)}'
        f"{_e(t('verdict_heading', verdict=t('verdict_' + decision.verdict)))}</p>"
        f"<p>{_e(decision.verdict_reason(t.lang))}</p>"
        f"<p><strong>{_e(t('col_evidence'))}</strong>{colon(t)}"
        f"{_e(decision.evidence_label(t.lang))}</p></div>",
        _plan(evaluation, t),
    ]
    parts.append(f'<h3>{_e(t("criteria"))}</h3><ul class="criteria">')
    parts += [
        f"<li>{_icon(c.status)}<strong>{_e(t('status_' + c.status))}</strong> — "
        f"{_e(c.reason(t.lang))}</li>"
        for c in decision.criteria
    ]
    parts.append("</ul>")
    if decision.caveats:
        parts.append(f"<h3>{_e(t('caveats'))}</h3><ul>")
        parts += [f"<li>{_e(c.reason(t.lang))}</li>" for c in decision.caveats]
        parts.append("</ul>")
    if decision.extend_plan is not None:
        parts.append(
            f"<h3>{_e(t('extend_plan'))}</h3><p>{_e(decision.extend_plan.reason(t.lang))}</p>"
        )
    latest = getattr(details, "latest", None)
    if latest is not None:
        parts.append(f'<p class="meta">{_e(t("col_latest"))}{colon(t)}{_e(t.date(latest))}</p>')
    if details is None:
        parts.append(f'<p class="meta">{_e(t("dossier_details_missing"))}</p>')
    return "".join(parts)


def _plan(evaluation: PilotEvaluation, t: Translator) -> str:
    """The analysis-plan notice, on the first page: a framed warning when the plan
    changed after the data came in, a line otherwise."""
    from livinglab.presentation.plan import plan_notice

    notice = plan_notice(evaluation, t)
    if not notice.changed:
        return f'<p class="meta plan">{_e(notice.text)}</p>'
    changes = "".join(f"<li>{_e(change)}</li>" for change in notice.changes)
    return (
        f'<div class="plan-changed" role="note"><p class="word">{_e(notice.title)}</p>'
        f"<p>{_e(notice.text)}</p><ul>{changes}</ul></div>"
    )


def _metrics(
    evaluation: PilotEvaluation, details: PilotReport | None, t: Translator, annex: Annex | None
) -> str:
    pilot = evaluation.pilot
    parts = [figure_html(charts.forest_figure(evaluation, t), t, annex)]
    for result in evaluation.metrics:
        metric = pilot.metric(result.metric)
        heading = t("metric_heading", label=metric.label.get(t.lang), role=t("role_" + metric.role))
        parts.append(f"<h3>{_e(heading)}</h3>")
        parts.append(f"<p>{_e(metric_sentence(result, metric, t))}</p>")
        used = test_sentence(result, t)
        if used:
            parts.append(f'<p class="meta">{_e(used)}</p>')
        if result.summaries:
            parts.append(figure_html(charts.did_figure(result, metric, t), t, annex))
        if (
            details is not None
            and len(details.weekly)
            and (details.weekly["metric"] == metric.id).any()
        ):
            parts.append(
                figure_html(charts.weekly_figure(details.weekly, pilot, metric, t), t, annex)
            )
    return "".join(parts)


def _surveys(
    evaluation: PilotEvaluation, details: PilotReport | None, t: Translator, annex: Annex | None
) -> str:
    if not evaluation.pilot.surveys:
        return f"<p>{_e(t('no_surveys'))}</p>"
    parts = []
    titles = {d.instrument: d.title for d in getattr(details, "surveys", ())}
    for result in evaluation.surveys:
        title = titles.get(result.instrument, result.instrument)
        parts.append(f"<h3>{_e(title)} ({_e(t('wave_' + str(result.wave)))})</h3>")
        parts.append(f"<p>{_e(survey_sentence(result, t))}</p>")
        detail = next(
            (
                d
                for d in getattr(details, "surveys", ())
                if d.instrument == result.instrument and d.wave == result.wave
            ),
            None,
        )
        if detail is None:
            continue
        if detail.scoring == "nps":
            if len(detail.groups):
                parts.append(figure_html(charts.nps_figure(detail, result, t), t, annex))
            continue
        if len(detail.scores) and detail.n:
            parts.append(figure_html(charts.score_figure(detail, result, t), t, annex))
        if len(detail.items):
            parts.append(figure_html(charts.likert_figure(detail, t), t, annex))
    if evaluation.survey_changes:
        parts.append(f"<h3>{_e(t('survey_changes'))}</h3>")
        for change in evaluation.survey_changes:
            title = titles.get(change.metric, change.metric)
            est, low, high = t.interval(change.estimate, change.ci_low, change.ci_high)
            parts.append(f"<p>{_e(change_sentence(change, title, t))}</p>")
    if evaluation.response_rates:
        parts.append(
            figure_html(
                charts.response_rates_figure(evaluation.response_rates, titles, t), t, annex
            )
        )
    return "".join(parts)


def _equity(evaluation: PilotEvaluation, t: Translator, annex: Annex | None) -> str:
    equity = evaluation.decision.equity
    if equity is None or not equity.effects:
        return f"<p>{_e(t('no_equity'))}</p>"
    parts = [f"<p>{_e(t('equity_intro'))}</p>"]
    for result in evaluation.metrics:
        metric = evaluation.pilot.metric(result.metric)
        if any(e.metric == metric.id for e in equity.effects):
            parts.append(
                figure_html(charts.equity_figure(equity, result, metric, t), t, annex)
            )
    if equity.interactions:
        parts.append(f"<h3>{_e(t('interactions'))}</h3>")
        parts.append(table_html(interactions_table(equity, evaluation, t), t))
    return "".join(parts)


def _representativeness(evaluation: PilotEvaluation, t: Translator, annex: Annex | None) -> str:
    rep = evaluation.decision.representativeness
    if rep is None:
        return f"<p>{_e(t('no_repr'))}</p>"
    intro = t("repr_intro", size=t.number(rep.population_size, 0), source=rep.source or "—")
    parts = [f"<p>{_e(intro)}</p>"]
    for attribute in dict.fromkeys(c.attribute for c in rep.categories):
        parts.append(
            figure_html(charts.representativeness_figure(rep, attribute, t), t, annex)
        )
    if rep.message:
        parts.append(f'<p class="meta">{_e(message(rep.message, t))}</p>')
    return "".join(parts)


def _projection(evaluation: PilotEvaluation, t: Translator, annex: Annex | None) -> str:
    projection = evaluation.decision.projection
    if projection is None:
        return f"<p>{_e(t('no_projection'))}</p>"
    return f"<p>{_e(projection.reason(t.lang))}</p>" + figure_html(
        charts.projection_figure(projection, t), t, annex
    )


# --- figures and tables ---------------------------------------------------------


Annex = list[tuple[str, pd.DataFrame]]
"""The charts' data tables gathered at the end of the printed dossier (title, table)."""


def figure_html(figure: charts.Figure, t: Translator, annex: Annex | None = None) -> str:
    """A chart inlined as SVG (with its description as ``aria-label``), its caption and
    its data table: behind a "chart data" toggle on screen, or, when printing (``annex``
    given), in the annex at the end (nothing to click on paper)."""
    svg = chart_svg(figure.chart, t.lang)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_e(figure.description)}" ', 1)
    caption = f"<figcaption>{_e(figure.description)}</figcaption>"
    if annex is not None:
        annex.append((figure.title, figure.table))
        number = len(annex)
        note = t("annex_see", number=number)
        return f'<figure>{svg}{caption}<p class="meta">{_e(note)}</p></figure>'
    return (
        f"<figure>{svg}{caption}"
        f"<details><summary>{_e(t('chart_data'))}</summary>"
        f"{table_html(figure.table, t)}</details></figure>"
    )


def _annex(annex: Annex, t: Translator) -> str:
    parts = [f"<p>{_e(t('annex_intro'))}</p>"]
    for number, (title, table) in enumerate(annex, start=1):
        parts.append(f"<h3>{_e(t('annex_table', number=number, title=title))}</h3>")
        parts.append(table_html(table, t))
    return "".join(parts)


def chart_svg(chart: Any, lang: str = "fr") -> str:
    """The chart as a standalone SVG string (vl-convert: no browser, no network)."""
    import vl_convert

    locale: Any = "fr-FR" if lang == "fr" else "en-GB"
    return str(
        vl_convert.vegalite_to_svg(chart.to_dict(), format_locale=locale, time_format_locale=locale)
    )


def table_html(frame: pd.DataFrame, t: Translator) -> str:
    """A small HTML table; numbers right-aligned, in the locale, at most 3 decimals."""
    head = "".join(f'<th scope="col">{_e(str(c))}</th>' for c in frame.columns)
    rows = "".join("<tr>" + "".join(_cell(v, t) for v in row) + "</tr>" for row in _rows(frame))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _rows(frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    yield from frame.itertuples(index=False, name=None)


def _cell(value: Any, t: Translator) -> str:
    if isinstance(value, bool) or value is None:
        return f"<td>{_e('—' if value is None else str(value))}</td>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if pd.isna(value):
            return "<td>—</td>"
        return f'<td class="num">{_e(display_number(value, t))}</td>'
    return f"<td>{_e(str(value))}</td>"


def display_number(value: float, t: Translator) -> str:
    """A table's number: integers as such, others with up to 3 decimals (locale)."""
    if float(value).is_integer():
        return t.number(float(value), 0)
    return t.number(float(value), min(3, auto_decimals(float(value)) + 1))


# Icons drawn inline (a PDF printer may lack an emoji font); the word beside each one
# says the same, so they are hidden from screen readers.
_ICONS = {
    "go": ("#1d6b2f", '<path d="M6 12.5l4 4 8-9" stroke="#fff" stroke-width="2.6" fill="none"/>'),
    "pass": ("#1d6b2f", '<path d="M6 12.5l4 4 8-9" stroke="#fff" stroke-width="2.6" fill="none"/>'),
    "no_go": ("#a4262c", '<rect x="6" y="10.5" width="12" height="3" fill="#fff"/>'),
    "fail": ("#a4262c", '<path d="M7.5 7.5l9 9M16.5 7.5l-9 9" stroke="#fff" stroke-width="2.6"/>'),
    "extend": (
        "#8a5a00",
        '<path d="M8 6h8l-8 12h8z" stroke="#fff" stroke-width="1.8" '
        'fill="none" stroke-linejoin="round"/>',
    ),
    "awaiting": (
        "#3d5a80",
        '<circle cx="12" cy="12" r="6.5" stroke="#fff" stroke-width="2" fill="none"/>'
        '<path d="M12 8.5v3.8l2.6 1.6" stroke="#fff" stroke-width="2" fill="none" '
        'stroke-linecap="round"/>',
    ),
    "inconclusive": (
        "#5c5c5c",
        '<text x="12" y="17" text-anchor="middle" font-size="14" '
        'font-weight="bold" fill="#fff" font-family="Arial">?</text>',
    ),
}


def _icon(kind: str) -> str:
    colour, mark = _ICONS[kind]
    return (
        '<svg aria-hidden="true" focusable="false" width="1.1em" height="1.1em" '
        'viewBox="0 0 24 24" style="vertical-align:-0.15em;margin-right:.35em">'
        f'<circle cx="12" cy="12" r="12" fill="{colour}"/>{mark}</svg>'
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
