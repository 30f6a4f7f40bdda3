"""What every page shares: the session's translator, the cached evaluation, figure and
table rendering. Pages stay thin: widgets, one call here (which calls ``services``),
rendering."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy.exc
import streamlit as st
from streamlit.navigation.page import StreamlitPage

from livinglab import access, services
from livinglab.errors import ConfigurationError, StoreUnavailable
from livinglab.i18n import DEFAULT_LANG, LANGS, Translator, auto_decimals
from livinglab.presentation import charts
from livinglab.presentation.report import PilotReport
from livinglab.services.portfolio import pilot_card

if TYPE_CHECKING:
    from livinglab.evaluation import PilotEvaluation

UI_DIR = Path(__file__).resolve().parent
CACHE_TTL_S = 3600
LANG_KEY = "lang"
PILOT_PARAM = "pilot"


# --- text from files and users: shown as text ---------------------------------------------

# Streamlit renders titles, captions, alerts, labels, radio options and table cells as
# Markdown: a pilot's title, a hypothesis, a metric label, a survey item or an attribute
# value from a CSV must not become an image (a request to another host), a link, HTML,
# a heading or emphasis. Backslash escapes make CommonMark show each character as such.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_~\[\]<>&#|$])")
_LINE_START_MARKER = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))", re.MULTILINE)
# Some syntax is recognised after escapes are resolved: GitHub-flavoured Markdown's bare
# addresses (http://..., www...., name@host) and Streamlit's ":" codes (":red[...]",
# ":smile:", ":material/home:"). An invisible word joiner (U+2060) before "://", after
# "www", before "@" and after a ":" that precedes a letter keeps the text as it reads.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(?=://)|(?<=\bwww)(?=\.)|(?=@)|(?<=:)(?=[a-z])")
WORD_JOINER = "\u2060"


def plain(value: object) -> str:
    """``value`` as text that Streamlit's Markdown shows literally (images, links, HTML,
    emphasis, headings, lists, tables, maths escaped; bare addresses no longer links;
    NUL removed)."""
    text = str(value).replace("\x00", "")
    text = _MARKDOWN_ACTIVE.sub(r"\\\1", text)
    text = _LINE_START_MARKER.sub(_escape_marker, text)
    return _AUTOLINK.sub(WORD_JOINER, text)


def _escape_marker(match: re.Match[str]) -> str:
    indent, marker = match[1], match[2]
    # "- item", "+ item", "=== ": escape the sign; "1. item": escape the dot after it.
    return f"{indent}{marker}\\" if marker[0].isdigit() else f"{indent}\\{marker}"


# --- language -------------------------------------------------------------------------


def initial_lang() -> str:
    """``?lang=en`` in the address opens the app in English; French otherwise."""
    wanted = st.query_params.get(LANG_KEY)
    return wanted if wanted in LANGS else DEFAULT_LANG


def translator() -> Translator:
    """The session's translator: one object per session, in ``st.session_state`` (never a
    process-wide gettext install, so sessions in two languages never mix)."""
    lang = st.session_state.get(LANG_KEY) or initial_lang()
    current = st.session_state.get("_translator")
    if not isinstance(current, Translator) or current.lang != lang:
        current = Translator(lang)
        st.session_state["_translator"] = current
    return current


# --- serving: the settings checked, the store down ---------------------------------------

LOG = logging.getLogger("livinglab.app")


def _log_with_time() -> None:
    """The app's own log lines (sign-ins refused, the store down) on the server's stderr,
    with their time: an operator or a data protection officer reads them there."""
    logger = logging.getLogger("livinglab")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


_log_with_time()
# What a lost connection raises (a server down, a file unreadable), not a bug's errors.
STORE_DOWN = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError)


@st.cache_resource(show_spinner=False)
def _deployment_checked(settings_digest: str) -> bool:
    # Keyed by a digest of the settings: checked once per process and configuration.
    services.check_deployment()
    return True


def serve(route: Callable[[], StreamlitPage]) -> None:
    """Run the page ``route`` picks, once the deployment is checked (once per process and
    store). A store that does not answer, or settings that cannot work, give a short
    message and a retry button, never a stack trace; the server's log keeps the details,
    and the next run after the store is back shows the page again."""
    try:
        _deployment_checked(services.settings_digest())
        route().run()
    except (StoreUnavailable, *STORE_DOWN) as err:
        LOG.error("store unavailable: %s", str(err).splitlines()[0])
        unavailable("store_down")
    except ConfigurationError as err:
        LOG.error("configuration: %s", err)
        unavailable("misconfigured")


def unavailable(message: str) -> None:
    t = translator()
    st.error(t(message))
    st.button(t("retry"), key="retry")  # a click reruns the page


# --- who is signed in ----------------------------------------------------------------

ACCOUNT_KEY = "_signed_in_account"


def remember_sign_in(username: str) -> None:
    """Keep the signed-in account's name in the session (server side, never a cookie)."""
    st.session_state[ACCOUNT_KEY] = username


def sign_out() -> None:
    """Forget the session's account. Through the provider: its identity cookie too, and
    the browser goes to the provider's sign-out (nothing else runs before it goes)."""
    st.session_state.pop(ACCOUNT_KEY, None)
    if identity_provider() and st.user.is_logged_in:
        st.logout()
        st.stop()


def identity_provider() -> bool:
    """Whether the city's identity provider is configured (an ``[auth]`` section in
    ``.streamlit/secrets.toml``): then people sign in through it (``st.login``), with
    the role the store gives their issuer and subject; local accounts are not offered."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def provider_identity() -> tuple[str, str, str] | None:
    """``(issuer, subject, name)`` of the person signed in through the provider."""
    if not st.user.is_logged_in:
        return None
    claims = st.user.to_dict()
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    name = str(claims.get("name") or claims.get("email") or subject)
    return issuer, subject, name


def signed_in() -> tuple[str, str] | None:
    """``(name, role)`` of the session's person, read again from the store on every run
    (a removed account or a new role applies at the next click); None otherwise."""
    if identity_provider():
        identity = provider_identity()
        if identity is None:
            return None
        issuer, subject, name = identity
        provider_role = services.identity_role(issuer, subject)
        _log_identity_sign_in(issuer, subject, name, provider_role)
        return None if provider_role is None else (name, provider_role)
    username = st.session_state.get(ACCOUNT_KEY)
    if not isinstance(username, str):
        return None
    role = services.account_role(username)
    if role is None:
        sign_out()
        return None
    return username, role


_IDENTITY_LOGGED = "_identity_sign_in_logged"


def _log_identity_sign_in(issuer: str, subject: str, name: str, role: str | None) -> None:
    """One audit entry per session and person for a sign-in through the provider (a
    success with the role, or a refusal without one), not one per page run."""
    from livinglab.services.audit import identity_sign_in

    logged = (issuer, subject, role)
    if st.session_state.get(_IDENTITY_LOGGED) != logged:
        identity_sign_in(issuer, subject, name, role)
        st.session_state[_IDENTITY_LOGGED] = logged


def actor() -> str | None:
    """Who acts, as the audit log names them: the local account's name, or
    ``oidc:<subject>`` through the identity provider; None when nobody is signed in."""
    if identity_provider():
        identity = provider_identity()
        return None if identity is None else f"oidc:{identity[1]}"
    username = st.session_state.get(ACCOUNT_KEY)
    return username if isinstance(username, str) else None


def audited(pilot_id: str | None, what: str, make: Callable[[], Any]) -> Callable[[], Any]:
    """``make`` (the data of a download button, built when clicked) that also logs the
    export with the signed-in person."""
    from livinglab.services.audit import record_export

    who = actor()

    def build() -> Any:
        data = make()
        record_export(who, pilot_id, what)
        return data

    return build


def require_page(page: str) -> str:
    """Stop the page here unless the session's role may open ``page``
    (:func:`livinglab.access.may_open`). Every protected page calls it first, before
    it reads anything: a page reached by an address typed by hand, or by a script run
    that the menu did not offer, shows a message and nothing else."""
    account = signed_in()
    role = account[1] if account else None
    if not access.may_open(role, page):
        t = translator()
        st.warning(t("access_denied") if role else t("signin_needed"))
        st.stop()
    assert role is not None
    return role


# --- the store and the cached evaluation -----------------------------------------------


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Any:
    return services.engine()


def store() -> Any:
    """The store's engine, created and migrated once per process (shared by sessions)."""
    return _store(services.database_url())


@st.cache_resource(ttl=CACHE_TTL_S, show_spinner=False, max_entries=64)
def _evaluation(pilot_id: str, lang: str, version: tuple[str, int, int]) -> PilotEvaluation:
    # ``version`` is only a cache key: a new import, a new survey answer or an edited
    # spec changes it, so the next run recomputes at once instead of after the TTL. It is
    # the pilot's own version: another pilot's new data leaves this entry warm. A shared
    # resource (not copied on every run): the evaluation is frozen, never mutated.
    return services.evaluate_pilot(pilot_id, lang=lang)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=64)
def _report(pilot_id: str, lang: str, version: tuple[str, int, int]) -> PilotReport:
    return services.pilot_report(pilot_id, lang=lang,
                                 evaluation=_evaluation(pilot_id, lang, version))


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=256)
def _card(pilot_id: str, lang: str, version: tuple[str, int, int]) -> dict[str, Any]:
    return pilot_card(pilot_id, lang=lang, evaluation=_evaluation(pilot_id, lang, version))


def card(pilot_id: str, lang: str) -> dict[str, Any]:
    """The pilot's portfolio card (cached per pilot, language and data version; its
    evaluation is the pilot page's)."""
    store()
    return _card(pilot_id, lang, services.report_version(pilot_id))


def carder(lang: str) -> Callable[[str], dict[str, Any]]:
    return lambda pilot_id: card(pilot_id, lang)


def report(pilot_id: str, lang: str) -> PilotReport:
    """The pilot's evaluation, weekly series and survey distributions (cached per pilot,
    language and data version)."""
    store()
    return _report(pilot_id, lang, services.report_version(pilot_id))


def reporter(lang: str) -> Callable[[str], PilotReport]:
    return lambda pilot_id: report(pilot_id, lang)


def clear_cache() -> None:
    _report.clear()
    _card.clear()
    _evaluation.clear()
    _FIGURES.clear()


def chosen_pilot(pilot_ids: list[str]) -> str | None:
    """The pilot named by ``?pilot=`` (the portfolio's links), else the first one."""
    wanted = st.query_params.get(PILOT_PARAM)
    return wanted if wanted in pilot_ids else (pilot_ids[0] if pilot_ids else None)


def pilot_title(pilot_id: str, lang: str) -> str:
    """The pilot's title; its id when its file is invalid (the editor must still list it:
    that is where it gets fixed)."""
    from livinglab.errors import LivingLabError

    try:
        return services.load_pilot(pilot_id).title.get(lang)
    except LivingLabError:
        return pilot_id


def pilot_selector(t: Translator, key: str = "pilot_select") -> str | None:
    """A select box of the pilots; the choice lives in the address (``?pilot=<id>``), so
    a link from the portfolio opens the right pilot and a page can be shared."""
    ids = services.pilot_ids()
    if not ids:
        st.info(t("no_pilot"))
        return None
    current = chosen_pilot(ids)
    if st.session_state.get(key) != current:
        st.session_state[key] = current
    titles = {pid: pilot_title(pid, t.lang) for pid in ids}

    def remember() -> None:
        st.query_params[PILOT_PARAM] = st.session_state[key]

    pilot_id = st.selectbox(
        t("choose_pilot"), ids, format_func=titles.__getitem__, key=key, on_change=remember
    )
    if st.query_params.get(PILOT_PARAM) != pilot_id:
        st.query_params[PILOT_PARAM] = pilot_id
    return pilot_id


# --- rendering --------------------------------------------------------------------------


class _Shown:
    """A figure as a page draws it: its Vega-Lite spec (Altair's ``to_dict``, which
    validates the whole chart against the schema: most of a chart's cost), its
    description and its data table."""

    __slots__ = ("description", "spec", "table")

    def __init__(self, figure: charts.Figure) -> None:
        self.spec = figure.chart.to_dict()
        self.description = figure.description
        self.table = figure.table


_FIGURES: dict[tuple[Any, ...], _Shown] = {}
_FIGURES_KEPT = 256


def show_figure(figure: charts.Figure | Callable[[], charts.Figure], t: Translator, *,
                report: PilotReport | None = None,
                name: tuple[Any, ...] | None = None) -> None:
    """A chart, its one-sentence description, and its data in an expander.

    With ``report`` and ``name`` (which chart of it: its kind and metric), ``figure`` is
    a function that builds it, called once per report version and language: a warm
    rerun draws the stored spec without rebuilding or re-validating the chart.
    """
    if report is not None and name is not None and callable(figure):
        key = (report.evaluation.pilot.id, report.version, t.lang, name)
        shown = _FIGURES.get(key)
        if shown is None:
            if len(_FIGURES) >= _FIGURES_KEPT:
                _FIGURES.pop(next(iter(_FIGURES)))  # the oldest
            shown = _FIGURES[key] = _Shown(figure())
    else:
        shown = _Shown(figure() if callable(figure) else figure)
    # The chart's own ``description`` is its accessible name (Vega's aria-label).
    st.vega_lite_chart(spec=shown.spec, width="stretch", theme=None)
    st.caption(plain(shown.description))
    with st.expander(t("chart_data")):
        show_table(shown.table, t)


def show_table(frame: pd.DataFrame, t: Translator) -> None:
    """A real HTML table (readable by screen readers), numbers in the session's locale."""
    if frame is None or frame.empty:
        st.caption("—")
        return
    shown = format_numbers(frame, t)
    st.table(shown.set_axis([plain(c) for c in shown.columns], axis=1), hide_index=True)


def format_numbers(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """Every number as locale text (at most 3 decimals; integers as such)."""
    return (
        frame.apply(lambda column: [display(v, t) for v in column]).astype(str)
        if len(frame)
        else frame
    )


def display(value: Any, t: Translator) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int | float):
        if float(value).is_integer():
            return t.number(float(value), 0)
        return t.number(float(value), min(3, auto_decimals(float(value)) + 1))
    return plain(value)


# Streamlit fades captions and block quotes (grey #828180, or opacity 0.6: 3-3.9:1 on white);
# WCAG 1.4.3 asks 4.5:1 for text. A darker grey keeps them secondary but readable.
# Table cells wrap, so that a wide table never becomes a scrolling region that a
# keyboard cannot reach (axe: scrollable-region-focusable, WCAG 2.1.1).
READABLE_CSS = """<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stMarkdownContainer"] blockquote, [data-testid="stMarkdownContainer"] blockquote p
{ color: #4d4d4d !important; opacity: 1 !important; }
[data-testid="stTable"] th, [data-testid="stTable"] td
{ white-space: normal !important; overflow-wrap: anywhere; }
</style>"""


def readable_styles() -> None:
    """Darken Streamlit's faded text to a WCAG AA contrast (see READABLE_CSS)."""
    st.html(READABLE_CSS)


def colon(t: Translator) -> str:
    """The colon of the language: French puts a no-break space before it."""
    return "\u00a0: " if t.lang == "fr" else ": "


def set_document_lang(lang: str) -> None:
    """Set ``<html lang>`` to the session's language (screen readers pronounce the page
    in it). Streamlit's page shell is fixed to ``lang="en"``: a tiny script updates it."""
    st.html(
        f'<script>document.documentElement.lang = "{lang}";</script>',
        unsafe_allow_javascript=True,
    )
