"""Every page of the app and every dossier, in French and in English, is read for words
that never reached a reader's language: a message id or a code (``welch_t``,
``age_band``, ``ci_low``) shown as is, and on French output any English sentence (a
text only the English catalogue has, or plain English words)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from ui_factories import APP, UI_DIR, open_tab, signed_in_app

from livinglab import services
from livinglab.i18n import messages

pytestmark = pytest.mark.xdist_group("ui")

PILOTS = ("energy_feedback", "senior_procedures", "shared_mobility")
PAGES = {"portfolio": None, "pilot": PILOTS, "checks": PILOTS}

# A code: lower-case words joined by underscores (message ids, test names, columns).
CODE = re.compile(r"(?<![\w./?=&-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")
# Words no French sentence uses; "test" and "Welch" are not here (French says both).
ENGLISH = re.compile(
    r"\b(the|and|with|which|cannot|every|only|because|not|is|are|of|per|day|"
    r"Select all|no reading|margin)\b"
)
# A widget's value is what it holds (a pilot id), not what it shows (its options are).
WIDGETS = {"selectbox", "multiselect", "radio", "select_slider", "text_input", "number_input",
           "date_input", "time_input", "checkbox", "toggle", "slider", "text_area"}
# French on an English page: units and cohort words the pilots write in French.
FRENCH = re.compile(r"/jour\b|\btrajets\b|\btesteurs\b|\btémoins\b|\bnon rempli\b")
# French writes the first of the month "1er mars", not "1 mars".
FIRST_OF_MONTH = re.compile(
    r"(?<![\d,.])1 (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
    r"novembre|décembre)"
)
URL = re.compile(r"https?://\S+|/\?\S+|\?pilot=\S+")


def english_only_phrases() -> list[str]:
    """Pieces (12 characters or more, placeholders cut out) of every English text that
    differs from its French one: none of them may appear on a French page."""
    fr, en = messages("fr"), messages("en")
    pieces = set()
    for key, text in en.items():
        if fr.get(key) == text:
            continue
        for piece in re.split(r"\{[^}]*\}", text):
            piece = piece.strip(" .,:;()—-·")
            if len(piece) >= 12 and piece not in fr.get(key, ""):
                pieces.add(piece)
    return sorted(pieces)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, pd.DataFrame):
        yield from (str(c) for c in value.columns)
        for column in value.columns:
            yield from (v for v in value[column] if isinstance(v, str))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def page_texts(node: Any) -> Iterator[str]:
    """Every text of a rendered page: values, labels, options, table headers and cells."""
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from page_texts(child)
    if getattr(node, "type", "") in ("arrow_vega_lite_chart", "html"):
        return  # the chart's field names are not shown; its Figure table is
    widget = getattr(node, "type", "") in WIDGETS
    for attr in ("label", "options", "placeholder") if widget else ("label", "value"):
        try:
            value = getattr(node, attr, None)
        except Exception:  # noqa: BLE001 - an element without that property
            continue
        yield from _strings(value)


def problems(texts: list[str], lang: str) -> list[str]:
    found = []
    phrases = english_only_phrases() if lang == "fr" else []
    for text in texts:
        readable = URL.sub(" ", text.replace("\\", ""))
        found += [f"code {c!r} in {readable[:120]!r}" for c in CODE.findall(readable)]
        if lang == "fr":
            found += [f"English {w!r} in {readable[:160]!r}" for w in ENGLISH.findall(readable)]
            found += [f"English-only {p!r}" for p in phrases if p in readable]
            found += [f"'1 {m}' for '1er {m}'" for m in FIRST_OF_MONTH.findall(readable)]
        else:
            found += [f"French {w!r} in {readable[:160]!r}" for w in FRENCH.findall(readable)]
    return sorted(set(found))


def run(at: AppTest, page: str, pilot: str | None) -> AppTest:
    at.switch_page(str(UI_DIR / f"{page}.py"))
    if pilot is not None:
        at.query_params["pilot"] = pilot
    return at.run()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_speaks_the_readers_language(demo_store: dict[str, str], lang: str) -> None:
    at = signed_in_app("team")
    at.selectbox(key="lang").set_value(lang).run()
    found = []
    for page, pilots in PAGES.items():
        for pilot in pilots or (None,):
            run(at, page, pilot)
            assert not at.exception, (page, pilot)
            found += [f"{page}/{pilot}: {p}" for p in problems(list(page_texts(at._tree)), lang)]
            # a page's tabs run only when open (the pilot page's): every one is read
            for tab in list(at.tabs) if page == "pilot" else ():
                open_tab(at, tab.label)
                assert not at.exception, (page, pilot, tab.label)
                found += [f"{page}/{pilot}/{tab.label}: {p}"
                          for p in problems(list(page_texts(at._tree)), lang)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sign_in_and_survey_pages_speak_the_readers_language(
    demo_store: dict[str, str], lang: str
) -> None:
    links = services.invite(
        "senior_procedures", instrument="sus", wave="after", base_url="https://lab.example"
    )
    found = []
    for query in ({}, {"invitation": links[0]["link"].split("invitation=", 1)[1]}):
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.query_params["lang"] = lang
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception
        found += problems(list(page_texts(at._tree)), lang)
    assert not found, "\n".join(found)


def dossier_texts(document: str) -> list[str]:
    body = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", document, flags=re.S)
    return [html.unescape(t) for t in re.split(r"<[^>]+>", body) if t.strip()]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("pilot", PILOTS)
def test_every_dossier_speaks_the_readers_language(
    demo_store: dict[str, str], pilot: str, lang: str
) -> None:
    document = services.dossier_html(pilot, lang=lang)
    found = problems(dossier_texts(document), lang)
    assert not found, "\n".join(found)
