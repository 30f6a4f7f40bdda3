"""Texts of the app and the dossier in French (the default) and English, and locale numbers.

The words live in gettext catalogs, one ``.po`` per language under
``livinglab/locale/<lang>/LC_MESSAGES/livinglab.po`` (``pybabel extract`` finds the
``t("key")`` calls, see ``[tool.babel]`` in pyproject.toml); the message ids are short
keys, translated in both catalogs, so ``t("verdict_go")`` reads « Généraliser » in
French and "Roll out" in English. ``scripts/words_to_po.py`` moves words written the
old way (a dict of ``key: (French, English)``) into both catalogs.

A :class:`Translator` is a small immutable object: the app keeps one per session
(in ``st.session_state``), the dossier makes its own; nothing is installed
globally, so two sessions in two languages never see each other's texts.
Numbers and dates follow the locale through Babel (``30 000,5`` / ``30,000.5``;
``2 mars 2026`` / ``2 March 2026``), with a true minus sign as the decision
layer's reasons use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from livinglab.decision.text import ci_label

LANGS: tuple[str, ...] = ("fr", "en")
DEFAULT_LANG = "fr"
LANG_NAMES = {"fr": "Français", "en": "English"}
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
MINUS = "\u2212"

VERDICT_ICONS = {"go": "✅", "no_go": "⛔", "extend": "⏳", "awaiting": "🕒"}
"""On screen only: the dossier draws its icons (a PDF printer may lack an emoji font)."""
STATUS_ICONS = {"pass": "✅", "fail": "❌", "inconclusive": "❔"}

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
"""Where the gettext catalogs live: ``locale/<lang>/LC_MESSAGES/livinglab.po``."""
DOMAIN = "livinglab"


def catalog_path(lang: str) -> Path:
    """The ``.po`` file of ``lang`` (``'fr'`` or ``'en'``)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def messages(lang: str) -> dict[str, str]:
    """Every message of ``lang``'s gettext catalog, ``message id -> text`` (read once).

    The message ids are short keys (``verdict_go``), the same in both catalogs; a
    message without a translation is left out, so asking for it fails loudly rather
    than showing its id to a reader.
    """
    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
    }


class _Pairs(Mapping[str, tuple[str, str]]):
    """``key -> (French, English)``: the catalogs seen the old way (tests, tools)."""

    def __getitem__(self, key: str) -> tuple[str, str]:
        return messages("fr")[key], messages("en")[key]

    def __iter__(self) -> Iterator[str]:
        return iter(messages("fr"))

    def __len__(self) -> int:
        return len(messages("fr"))

    def __contains__(self, key: object) -> bool:
        return key in messages("fr") and key in messages("en")


CATALOG: Mapping[str, tuple[str, str]] = _Pairs()
"""Read-only view of both catalogs as ``key -> (French, English)``."""


@dataclass(frozen=True)
class Translator:
    """Texts and locale formats of one language (``'fr'`` or ``'en'``)."""

    lang: str = DEFAULT_LANG

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"The 'lang' must be one of {LANGS}. Got {self.lang!r} instead.")

    @property
    def locale(self) -> str:
        return BABEL_LOCALES[self.lang]

    def __call__(self, key: str, **values: Any) -> str:
        """The text ``key`` in this language, with ``{placeholders}`` filled."""
        text = messages(self.lang).get(key)
        if text is None:
            raise KeyError(f"No text '{key}' in {catalog_path(self.lang)}.")
        return text.format(**values) if values else text

    def maybe(self, key: str, default: str) -> str:
        """The text ``key`` when the catalog has it (domain, attribute names), else ``default``."""
        return self(key) if key in messages(self.lang) else default

    # --- numbers and dates ---

    def number(self, value: float | None, decimals: int | None = None) -> str:
        """``−1 234,5`` (fr) / ``−1,234.5`` (en); ``—`` when missing."""
        if value is None or not math.isfinite(value):
            return "—"
        places = auto_decimals(value) if decimals is None else decimals
        pattern = "#,##0" + ("." + "0" * places if places else "")
        text = format_decimal(abs(value), format=pattern, locale=self.locale)
        rounded_zero = round(abs(value), places) == 0
        return (MINUS if value < 0 and not rounded_zero else "") + text

    def signed(self, value: float | None, decimals: int | None = None) -> str:
        """Like :meth:`number`, with ``+`` before a positive value."""
        text = self.number(value, decimals)
        return "+" + text if value is not None and text[0].isdigit() and value > 0 else text

    def percent(self, share: float | None, decimals: int = 0, *, signed: bool = False) -> str:
        """A share (0.25) as ``25 %`` (fr, narrow space) / ``25%`` (en)."""
        if share is None or not math.isfinite(share):
            return "—"
        body = (self.signed if signed else self.number)(share * 100, decimals)
        return body + ("\u202f%" if self.lang == "fr" else "%")

    def percent_interval(
        self, estimate: float, low: float, high: float, decimals: int = 1, *, most: int = 3
    ) -> tuple[str, str, str]:
        """Percentages (``-5.9`` for -5.9 %) of an estimate and its bounds, the estimate
        signed, with ``decimals`` or, where they would print bounds that differ as one
        number (a narrow interval of a large pilot: ``−5,9 % à −5,9 %``), one more decimal
        at a time up to ``most``."""
        while decimals < most and low != high and (
            self.percent(low / 100, decimals) == self.percent(high / 100, decimals)
        ):
            decimals += 1
        return (self.percent(estimate / 100, decimals, signed=True),
                self.percent(low / 100, decimals), self.percent(high / 100, decimals))

    def date(self, value: date | datetime | None, fmt: str = "long") -> str:
        """``2 mars 2026`` / ``2 March 2026``; ``—`` when missing. French writes the
        first of the month as an ordinal: ``1er mars 2026``."""
        if value is None:
            return "—"
        text = format_date(value, fmt, locale=self.locale)
        if self.lang == "fr" and value.day == 1 and fmt in ("medium", "long", "full"):
            text = re.sub(r"(?<!\d)1 ", "1er ", text, count=1)
        return text

    def interval(
        self, estimate: float | None, low: float | None, high: float | None
    ) -> tuple[str, str, str]:
        """An estimate and its bounds with one shared precision."""
        places = auto_decimals(*(v for v in (estimate, low, high) if v is not None))
        return self.number(estimate, places), self.number(low, places), self.number(high, places)

    def ci(self, level: float | None) -> str:
        """The name of a confidence interval at ``level`` (``1 - alpha`` of the pilot):
        ``IC 90 %`` / ``90% CI`` — never a fixed 95 % beside a 90 % interval."""
        return ci_label(0.95 if level is None else level, self.lang)

    # --- domain words ---

    def verdict(self, verdict: str) -> str:
        """``✅ Généraliser`` / ``⛔ Abandonner`` / ``⏳ Prolonger``: an icon AND a word."""
        return f"{VERDICT_ICONS[verdict]} {self(f'verdict_{verdict}')}"

    def status(self, status: str) -> str:
        return f"{STATUS_ICONS[status]} {self(f'status_{status}')}"

    def attribute(self, name: str) -> str:
        return self.maybe(f"attribute_{name}", name)

    def domain(self, name: str) -> str:
        return self.maybe(f"domain_{name}", name)


def auto_decimals(*values: float) -> int:
    """Decimals for numbers shown together in a table or chart: 0 from 100, 1 from 10,
    2 from 1, else two significant digits of the largest (one more decimal than the
    decision layer's sentences, :func:`livinglab.decision.text.decimals_for`, between 1
    and 10, where a table's column needs it)."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
    if not finite:
        return 0
    largest = max(finite)
    if largest >= 100:
        return 0
    if largest >= 10:
        return 1
    if largest >= 1:
        return 2
    return min(6, 1 - math.floor(math.log10(largest)))


def translator(lang: str | None) -> Translator:
    """The translator of ``lang`` (French when it is None or unknown)."""
    return Translator(lang if lang in LANGS else DEFAULT_LANG)
