"""The pilots as files: list them with what the store holds, create one from a
template, validate a pilot's YAML as it is typed, show what an edit changes, and save
it atomically (written beside, then renamed) only when valid. Every creation and save
is written to the audit log (``pilot_edit``)."""

from __future__ import annotations

import difflib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, cast

from livinglab.errors import NotFoundError, Problem, SpecError, UsageError
from livinglab.settings import get_settings

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd
    from ruamel.yaml import YAML

    from livinglab.report import PilotReport

TEMPLATES: tuple[str, ...] = ("energy_feedback", "senior_procedures", "shared_mobility")
"""The demo pilots, offered as templates of a new pilot."""
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def available_templates() -> list[str]:
    """The :data:`TEMPLATES` whose file is in the pilots folder (a city may remove them)."""
    folder = Path(get_settings().pilots_dir)
    return [name for name in TEMPLATES if (folder / f"{name}.yaml").is_file()]


def pilot_path(pilot_id: str) -> Path:
    """``pilots/<pilot_id>.yaml`` (the id is checked: no path can be built from it)."""
    if not ID_PATTERN.match(pilot_id):
        raise UsageError(
            f"The pilot id '{pilot_id}' must be lower-case letters, digits and '_', "
            "starting with a letter (e.g. energy_feedback_2027)."
        )
    return Path(get_settings().pilots_dir) / f"{pilot_id}.yaml"


def pilot_text(pilot_id: str) -> str:
    """The YAML text of ``pilots/<pilot_id>.yaml`` (NotFoundError when absent)."""
    path = pilot_path(pilot_id)
    if not path.is_file():
        raise NotFoundError(f"No pilot file {path}.")
    return path.read_text(encoding="utf-8")


def shown_name(path: Path) -> str:
    """``pilots/<id>.yaml``: the file as the team knows it (its folder and name)."""
    return f"{path.parent.name}/{path.name}"


def check_text(pilot_id: str, text: str) -> list[Problem]:
    """Every problem of ``text`` as the pilot ``pilot_id``, exactly as ``livinglab
    validate`` reports them for ``pilots/<pilot_id>.yaml`` (``FILE:LINE: field:
    message``, the file named as in the pilots folder). Empty when valid."""
    from livinglab.spec.loader import validate_paths

    target = pilot_path(pilot_id)
    with tempfile.TemporaryDirectory(prefix="livinglab-edit-") as tmp:
        folder = Path(tmp) / "pilots"
        folder.mkdir()
        draft = folder / target.name
        draft.write_text(text, encoding="utf-8")
        problems = validate_paths([draft], surveys_dir=get_settings().surveys_dir)
    return [
        Problem(shown_name(target) if p.file == str(draft) else p.file, p.line, p.field,
                p.message)
        for p in problems
    ]


def text_diff(pilot_id: str, text: str) -> str:
    """A unified diff from the saved file to ``text`` (empty when nothing changed)."""
    path = pilot_path(pilot_id)
    before = path.read_text(encoding="utf-8") if path.is_file() else ""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        text.splitlines(keepends=True),
        fromfile=f"{shown_name(path)} (saved)",
        tofile=f"{shown_name(path)} (edited)",
    )
    return "".join(lines)


def save_pilot_text(pilot_id: str, text: str, *, actor: str, created: bool = False) -> Path:
    """Write ``text`` to ``pilots/<pilot_id>.yaml`` when it is a valid pilot, atomically
    (a temporary file in the same folder, then renamed over the old one), and write
    ``pilot_edit`` to the audit log in the same transaction (a failed write leaves no
    entry; a failed log leaves the file as it was). A pilot that has data gets its new
    analysis plan recorded under ``actor`` (the verdict keeps the registered one).

    Raises
    ------
    SpecError
        The text is not a valid pilot: nothing is written.
    UsageError
        ``created`` and the pilot exists already, or the id is not an identifier.
    """
    from sqlmodel import Session

    from livinglab import services
    from livinglab.store.audit import record_event

    path = pilot_path(pilot_id)
    if created and path.exists():
        raise UsageError(f"The pilot '{pilot_id}' exists already ({path}): choose another id.")
    problems = check_text(pilot_id, text)
    if problems:
        raise SpecError(problems, summary=f"pilot '{pilot_id}' not saved")
    changed = text_diff(pilot_id, text)
    added = sum(1 for line in changed.splitlines() if line[:1] == "+" and line[:3] != "+++")
    removed = sum(1 for line in changed.splitlines() if line[:1] == "-" and line[:3] != "---")
    detail = ("created" if created else "edited") + f": +{added} -{removed} lines"
    path.parent.mkdir(parents=True, exist_ok=True)
    with Session(services.engine()) as session, session.begin():
        record_event(
            session=session, actor=actor, action="pilot_edit", pilot_id=pilot_id, detail=detail
        )
        _write_atomically(path, text)
    # A change of the analysis plan after the data came in is kept under this name
    # (livinglab.services.plans); nothing happens while the pilot has no data.
    from livinglab.services.plans import record_plan_change

    record_plan_change(services.load_pilot(pilot_id), actor=actor)
    return path


def _write_atomically(path: Path, text: str) -> None:
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def template_text(template: str, pilot_id: str, title_fr: str, title_en: str = "") -> str:
    """The YAML of a new pilot made from a template: the template's text (comments
    kept) with the new ``id``, ``title`` and ``phase: draft``."""
    if template not in available_templates():
        raise UsageError(
            f"The template '{template}' is not one of {', '.join(available_templates())}."
        )
    pilot_path(pilot_id)  # checks the id
    if not title_fr.strip():
        raise UsageError("Give the new pilot a title.")
    yaml = _round_trip()
    data = yaml.load(pilot_text(template))
    data["id"] = pilot_id
    data["title"] = {"fr": title_fr.strip(), "en": (title_en or title_fr).strip()}
    data["phase"] = "draft"
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _round_trip() -> YAML:
    """A ruamel round-trip YAML that writes as the demo pilots are written (comments,
    quotes and key order kept; lists indented under their key)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 100
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def create_from_template(
    template: str, pilot_id: str, *, title_fr: str, title_en: str = "", actor: str
) -> Path:
    """Create ``pilots/<pilot_id>.yaml`` from a template (see :func:`template_text`),
    in the ``draft`` phase; audited as ``pilot_edit``. UsageError when the id is taken."""
    text = template_text(template, pilot_id, title_fr, title_en)
    return save_pilot_text(pilot_id, text, actor=actor, created=True)


def pilots_overview(
    *, lang: str = "fr", report: Callable[[str], PilotReport] | None = None
) -> pd.DataFrame:
    """One row per pilot for the team's list.

    Returns
    -------
    DataFrame
        ``pilot, title, phase, cohorts`` (text ``label: enrolled / target``),
        ``enrolled, target`` (sums), ``latest_reading`` (timestamp of the latest
        reading stored, None without data), ``verdict`` (None when the pilot cannot be
        evaluated yet), ``decision`` (the recorded decision, or None), ``error``.
    """
    import pandas as pd

    from livinglab import services
    from livinglab.errors import LivingLabError
    from livinglab.store import reductions

    make = report or (lambda pilot_id: services.pilot_report(pilot_id, lang=lang))
    recorded = _recorded_decisions()
    rows: list[dict[str, object]] = []
    for pilot_id in services.pilot_ids():
        try:
            pilot = services.load_pilot(pilot_id)
        except LivingLabError as err:
            rows.append({"pilot": pilot_id, "title": pilot_id, "error": str(err)})
            continue
        counts = reductions.cohort_counts(engine=services.engine(), pilot=pilot)
        enrolled = dict(zip(counts["cohort"], counts["participants"], strict=True))
        colon = "\u00a0: " if lang == "fr" else ": "
        cohorts = [
            f"{(c.label.get(lang) if c.label else c.id)}{colon}{int(enrolled.get(c.id, 0))}"
            + (f" / {c.target_size}" if c.target_size else "")
            for c in pilot.cohorts
        ]
        latest = reductions.latest_data(engine=services.engine(), pilot=pilot).observation
        verdict = None
        if latest is not None:
            try:
                verdict = make(pilot_id).evaluation.decision.verdict
            except LivingLabError:
                verdict = None
        rows.append(
            {
                "pilot": pilot_id,
                "title": pilot.title.get(lang),
                "phase": pilot.phase,
                "cohorts": " · ".join(cohorts),
                "enrolled": int(sum(enrolled.values())),
                "target": sum(c.target_size or 0 for c in pilot.cohorts),
                "latest_reading": latest,
                "verdict": verdict,
                "decision": recorded.get(pilot_id),
                "error": None,
            }
        )
    return pd.DataFrame(rows)


def _recorded_decisions() -> dict[str, str]:
    """``pilot -> decision`` of the latest recorded decision of each pilot."""
    from livinglab.services.decisions import latest_decisions

    return {pilot_id: record.decision for pilot_id, record in latest_decisions().items()}


def common_fields(text: str) -> dict[str, object]:
    """The fields the editor's form shows, read from a pilot's YAML text: ``phase``,
    ``title_fr``, ``title_en``, ``baseline`` and ``intervention`` (``(start, end)`` ISO
    texts), ``targets`` (cohort id -> target size or None). Missing ones are absent;
    text that is not a YAML mapping gives an empty dict."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe").load(text)
    except YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    fields: dict[str, object] = {}
    if isinstance(data.get("phase"), str):
        fields["phase"] = data["phase"]
    title = data.get("title")
    if isinstance(title, dict):
        fields["title_fr"], fields["title_en"] = str(title.get("fr", "")), str(title.get("en", ""))
    elif isinstance(title, str):
        fields["title_fr"] = fields["title_en"] = title
    periods = data.get("periods")
    if isinstance(periods, dict):
        for name in ("baseline", "intervention"):
            period = periods.get(name)
            if isinstance(period, dict):
                fields[name] = (str(period.get("start", "")), str(period.get("end", "")))
    cohorts = data.get("cohorts")
    if isinstance(cohorts, list):
        fields["targets"] = {
            str(c.get("id")): c.get("target_size") for c in cohorts if isinstance(c, dict)
        }
    return fields


def with_fields(text: str, **fields: object) -> str:
    """``text`` with the given common fields replaced (names as :func:`common_fields`;
    dates as ISO texts), comments and the order of keys kept. UsageError when the text
    is not a YAML mapping."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml = _round_trip()
    try:
        data = yaml.load(text)
    except YAMLError as err:
        raise UsageError(f"The YAML cannot be read: {err}") from err
    if not isinstance(data, CommentedMap):
        raise UsageError("The pilot file must be a mapping of keys (id: ..., title: ...).")
    if "phase" in fields:
        data["phase"] = fields["phase"]
    if "title_fr" in fields or "title_en" in fields:
        old = data.get("title")
        title = old if isinstance(old, CommentedMap) else CommentedMap()
        for lang in ("fr", "en"):
            if f"title_{lang}" in fields:
                title[lang] = str(fields[f"title_{lang}"])
        data["title"] = title
    for name in ("baseline", "intervention"):
        if name in fields:
            start, end = cast("tuple[str, str]", fields[name])
            periods = data.setdefault("periods", CommentedMap())
            period = periods.get(name)
            if not isinstance(period, CommentedMap):
                period = CommentedMap()
                periods[name] = period
            period["start"], period["end"] = start, end
    targets = fields.get("targets")
    if isinstance(targets, dict):
        for cohort in data.get("cohorts") or []:
            if isinstance(cohort, CommentedMap) and cohort.get("id") in targets:
                size = targets[cohort["id"]]
                if size:
                    cohort["target_size"] = int(size)
                else:
                    cohort.pop("target_size", None)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
