"""Numbers and short phrases for people, in French (the default) and English.

Every reason the decision layer writes exists in both languages; the helpers here
make the numbers in them read the way a French or English reader expects:
``9,8 %`` / ``9.8%``, a true minus sign (``−``), a thin space between thousands
in French (``30 000``) and a comma in English (``30,000``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

Lang = Literal["fr", "en"]

MINUS = "\u2212"
NBSP = "\u00a0"  # before % and : in French
THIN_NBSP = "\u202f"  # between groups of thousands in French


@dataclass(frozen=True)
class Bilingual:
    """One text in French and English."""

    fr: str
    en: str

    def get(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr

    def __add__(self, other: Bilingual) -> Bilingual:
        return Bilingual(self.fr + other.fr, self.en + other.en)


ATTRIBUTE_LABELS = {
    "age_band": ("tranche d'âge", "age band"),
    "neighbourhood": ("quartier", "neighbourhood"),
    "gender": ("genre", "gender"),
    "household_size": ("taille du foyer", "household size"),
    "income_band": ("tranche de revenu", "income band"),
    "heating": ("chauffage", "heating"),
}


def attribute_label(name: str, lang: str = "fr") -> str:
    """A participant attribute as a reader says it (``age_band`` -> « tranche d'âge »)."""
    fr, en = ATTRIBUTE_LABELS.get(name, (name.replace("_", " "), name.replace("_", " ")))
    return en if lang == "en" else fr


def decimals_for(*values: float | None) -> int:
    """Decimals for the largest value: 0 from 100, 1 from 1, else two significant digits
    (a sentence reads "7,9 %" and "0,80 point")."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
    if not finite:
        return 0
    largest = max(finite)
    if largest >= 100:
        return 0
    if largest >= 10:
        return 1
    return min(6, 1 - math.floor(math.log10(largest)))  # two significant digits below 1


def number(value: float | None, lang: str = "fr", *, decimals: int | None = None) -> str:
    """``value`` for a reader: ``−1 234,5`` (fr) / ``−1,234.5`` (en); ``—`` when missing."""
    if value is None or not math.isfinite(value):
        return "—"
    places = decimals_for(value) if decimals is None else decimals
    text = f"{abs(value):,.{places}f}"
    if lang == "en":
        body = text
    else:
        body = text.replace(",", THIN_NBSP).replace(".", ",")
    # -0.0 and values that round to zero carry no sign.
    negative = value < 0 and float(f"{abs(value):.{places}f}") != 0
    return (MINUS if negative else "") + body


def declared(value: float, lang: str = "fr") -> str:
    """A number someone wrote in a config, as written: ``68``, ``0,5``, ``0,25``."""
    text = f"{value:.6g}"
    if "e" in text:
        return number(value, lang)
    places = len(text.split(".")[1]) if "." in text else 0
    return number(value, lang, decimals=places)


def numbers(values: tuple[float | None, ...], lang: str = "fr") -> list[str]:
    """Numbers shown together (an estimate and its bounds), with one precision: that of
    :func:`decimals_for` the largest, and from 1 000 on its three significant digits
    (``1 788 754`` -> ``1 790 000``)."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    largest = max((abs(v) for v in finite), default=0.0)
    if largest < 1000:
        places = decimals_for(*finite)
        return [number(v, lang, decimals=places) for v in values]
    step = 10.0 ** (math.floor(math.log10(largest)) - 2)
    return [number(None if v is None else round(v / step) * step, lang, decimals=0)
            for v in values]


def percent(value: float | None, lang: str = "fr", *, decimals: int = 1) -> str:
    """A value already in percent: ``9,8 %`` (fr) / ``9.8%`` (en)."""
    text = number(value, lang, decimals=decimals)
    if value is None or not math.isfinite(value):
        return text
    return f"{text}{NBSP}%" if lang != "en" else f"{text}%"


def integer(value: int | float | None, lang: str = "fr") -> str:
    return number(None if value is None else float(value), lang, decimals=0)


def colon(lang: str) -> str:
    """The colon of a label: `` : `` in French, ``: `` in English."""
    return f"{NBSP}: " if lang != "en" else ": "


def ci_label(level: float, lang: str) -> str:
    """``IC 95 %`` / ``95% CI``."""
    pct = round(level * 100, 1)
    shown = number(pct, lang, decimals=0 if float(pct).is_integer() else 1)
    return f"IC {shown}{NBSP}%" if lang != "en" else f"{shown}% CI"


def day(value: date, lang: str = "fr") -> str:
    """A date for a sentence: ``1er mars 2026`` / ``1 March 2026`` (Babel's CLDR names)."""
    from babel.dates import format_date

    text = format_date(value, "long", locale="en_GB" if lang == "en" else "fr_FR")
    return "1er" + text[1:] if lang != "en" and value.day == 1 else text


def interval(low: str, high: str, level: float, lang: str) -> str:
    """``(IC 95 % : a à b)`` / ``(95% CI: a to b)``."""
    joiner = " à " if lang != "en" else " to "
    return f"({ci_label(level, lang)}{colon(lang)}{low}{joiner}{high})"
