"""An instrument from an XLSForm (the form standard of KoboToolbox and ODK).

The form is read by pyxform (the reference XLSForm parser, which also checks the
form): its ``select_one`` questions become the instrument's items, in order, and their
choice list becomes the scale, whose choice names must be whole numbers (``1`` ..
``5``). Texts come from the ``label::Français (fr)`` and ``label::English (en)``
columns (any label column whose language ends in ``(fr)`` or ``(en)``; a label without
a language is French, the default). Other questions (text, notes, groups) are left
out, and said. The scoring is the mean of the items, unless told otherwise.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

from livinglab.errors import Problem, SpecError
from livinglab.spec.models import IDENTIFIER_PATTERN, Instrument


def instrument_from_xlsform(
    path: Path, *, instrument_id: str | None = None, scoring: str = "mean"
) -> tuple[dict[str, Any], list[str]]:
    """The instrument (as its YAML mapping, validated) and what was left out."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import parse_file_to_json

    name = str(path)
    try:
        form = parse_file_to_json(name)
    except PyXFormError as exc:
        raise SpecError([Problem(name, None, "", f"is not a valid XLSForm: {exc}")]) from None
    except Exception as exc:  # pyxform raises several types for a file that is not a form
        raise SpecError([Problem(name, None, "", f"cannot be read as an XLSForm: {exc}")]) from None
    questions, left_out = _questions(form.get("children", []))
    problems: list[Problem] = []
    if not questions:
        raise SpecError(
            [Problem(name, None, "survey", "has no select_one question (expected the items)")]
        )
    lists = {q.get("list_name") or q.get("itemset") for q in questions}
    if len(lists) > 1:
        problems.append(
            Problem(
                name,
                None,
                "survey",
                f"the select_one questions use {len(lists)} choice lists {sorted(map(str, lists))} "
                "(expected one, the instrument's scale)",
            )
        )
    choices = questions[0].get("choices", [])
    values = [_whole(c.get("name")) for c in choices]
    if not choices or None in values:
        shown = [c.get("name") for c in choices]
        problems.append(
            Problem(
                name,
                None,
                "choices",
                f"the choice names {shown} are not all whole numbers (expected the scale's "
                "values, e.g. 1..5)",
            )
        )
    items = []
    for question in questions:
        item_id = str(question.get("name", ""))
        if not re.match(IDENTIFIER_PATTERN, item_id):
            problems.append(
                Problem(
                    name,
                    None,
                    "survey",
                    f"question name {item_id!r} is not an item id (expected lowercase letters, "
                    "digits and _, starting with a letter)",
                )
            )
        items.append({"id": item_id, "text": _text(question.get("label"), item_id)})
    if problems:
        raise SpecError(problems)
    numbers = [v for v in values if v is not None]
    title = form.get("title") or form.get("id_string") or path.stem
    data: dict[str, Any] = {
        "id": instrument_id or _identifier(str(form.get("id_string") or path.stem)),
        "title": _text(title, str(title)),
        "scale": {
            "min": min(numbers),
            "max": max(numbers),
            "labels": [
                {"value": v, "label": _text(c.get("label"), str(v))}
                for v, c in zip(numbers, choices, strict=True)
            ],
        },
        "items": items,
        "scoring": scoring,
    }
    try:
        Instrument.model_validate(data)
    except ValueError as exc:
        problem = Problem(name, None, "", f"does not make a valid instrument: {exc}")
        raise SpecError([problem]) from None
    return data, left_out


def to_yaml(data: dict[str, Any], source: Path) -> str:
    """The instrument as YAML, with a comment naming the form it came from."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 100
    out = StringIO()
    out.write(f"# Made from the XLSForm {source.name} by livinglab instrument from-xlsform.\n")
    yaml.dump(data, out)
    return out.getvalue()


def _questions(children: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The select_one questions, groups opened, in order; and the other questions' names."""
    found: list[dict[str, Any]] = []
    left_out: list[str] = []
    for child in children:
        kind = child.get("type")
        if kind in ("group", "repeat"):
            inner, skipped = _questions(child.get("children", []))
            found += inner
            left_out += skipped
        elif kind == "select one":
            found.append(child)
        elif kind not in ("calculate", "start", "end", "today", "deviceid") and child.get("name"):
            if child.get("name") != "meta":
                left_out.append(f"{child.get('name')} ({kind})")
    return found, left_out


def _text(label: object, fallback: str) -> dict[str, str]:
    """A label as {fr, en}: from its '(fr)' and '(en)' languages, or one text for both."""
    if isinstance(label, dict):
        french = next((v for k, v in label.items() if str(k).strip().endswith("(fr)")), None)
        english = next((v for k, v in label.items() if str(k).strip().endswith("(en)")), None)
        default = next(iter(label.values()), fallback)
        french = french or label.get("default") or default
        return {"fr": str(french), "en": str(english or french)}
    text = str(label) if label else fallback
    return {"fr": text, "en": text}


def _whole(name: object) -> int | None:
    text = str(name).strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def _identifier(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
    return cleaned if re.match(IDENTIFIER_PATTERN, cleaned) else f"form_{cleaned or 'x'}"
