"""Load pilot and instrument YAML files, reporting every problem with its file and line.

Reading keeps the position of every key (ruamel's round-trip loader), validation
is pydantic's (:mod:`livinglab.spec.models`), and each error location
(``('metrics', 1, 'aggregate')``) is mapped back to the physical line of that key,
or of the nearest enclosing key when the key itself is missing. Checks that need
more than one file (a survey naming an instrument of ``surveys/``, a file named
after its id, the same id in two files) are made here.

Every problem of every file is collected before anything is raised (lazy
validation), and each reads ``FILE:LINE: field: what is wrong (expected ...)``::

    pilots/energy.yaml:14: metrics[1].aggregate: 'avg' is not allowed (expected one
    of: mean, sum, count, rate_per_day, share; did you mean 'mean'?)

Only pydantic and ruamel.yaml are imported: ``livinglab validate`` stays fast.
"""

from __future__ import annotations

import copy
import math
import re
import types
import typing
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
)
from ruamel.yaml.scalarbool import ScalarBoolean

from livinglab.errors import NotFoundError, Problem, SpecError
from livinglab.spec.models import (
    IDENTIFIER_PATTERN,
    RULE_ERROR,
    UNION_TAGS,
    Instrument,
    Loc,
    Pilot,
    one_of,
    suggest,
)

__all__ = [
    "SpecError",
    "find_pilot",
    "load_instrument",
    "load_instruments",
    "load_pilot",
    "validate_paths",
]

SUFFIXES = (".yaml", ".yml")
SpecModel = TypeVar("SpecModel", Pilot, Instrument)


# --- public API ---------------------------------------------------------------


def load_pilot(path: str | Path) -> Pilot:
    """Load and validate one pilot file.

    Raises
    ------
    SpecError
        With every problem of the file (syntax, fields, cross-references, an id
        that differs from the file name), each with its line.
    """
    path = Path(path)
    return _load(_read(path, str(path)), Pilot)


def load_instrument(path: str | Path) -> Instrument:
    """Load and validate one instrument (survey questionnaire) file.

    Raises
    ------
    SpecError
        With every problem of the file, each with its line.
    """
    path = Path(path)
    return _load(_read(path, str(path)), Instrument)


def load_instruments(surveys_dir: str | Path) -> dict[str, Instrument]:
    """Every instrument of ``surveys_dir``, by id.

    Raises
    ------
    NotFoundError
        When the folder does not exist.
    SpecError
        With the problems of every invalid file (nothing is returned then).
    """
    surveys_dir = Path(surveys_dir)
    if not surveys_dir.is_dir():
        raise NotFoundError(f"The surveys folder {surveys_dir} does not exist.")
    documents = [_read(path, str(path)) for path in _spec_files(surveys_dir)]
    problems = [p for doc in documents for p in _check(doc, Instrument)]
    problems += _duplicate_ids(documents)
    if problems:
        raise SpecError(problems, summary=_summary(problems, f"the instruments of {surveys_dir}"))
    return {
        instrument.id: instrument
        for instrument in sorted(
            (Instrument.model_validate(doc.data) for doc in documents), key=lambda i: i.id
        )
    }


def find_pilot(pilot_id: str, pilots_dir: str | Path, surveys_dir: str | Path) -> Pilot:
    """The pilot ``pilots_dir/<pilot_id>.yaml``, with the instruments it names checked.

    Raises
    ------
    NotFoundError
        When there is no such pilot; the message lists the known pilot ids.
    SpecError
        When the pilot file is invalid, names an instrument that ``surveys_dir``
        does not hold, or names an invalid instrument file.
    """
    pilots_dir, surveys_dir = Path(pilots_dir), Path(surveys_dir)
    path = _pilot_path(pilot_id, pilots_dir)
    if path is None:
        known = sorted(p.stem for p in _spec_files(pilots_dir)) if pilots_dir.is_dir() else []
        listed = ", ".join(known) if known else "none"
        raise NotFoundError(
            f"No pilot '{pilot_id}' in {pilots_dir} "
            f"(known pilots: {listed}{suggest(pilot_id, known)})."
        )
    document = _read(path, str(path))
    instruments = _instrument_documents(surveys_dir)
    problems = _in_file_order(
        _check(document, Pilot) + _instrument_references(document, instruments, surveys_dir)
    )
    for name in sorted(_named_instruments(document.data)):
        if name in instruments:
            problems += _check(instruments[name], Instrument)
    if problems:
        raise SpecError(problems, summary=_summary(problems, f"pilot '{pilot_id}'"))
    return _validated(document, Pilot)


def validate_paths(paths: Iterable[str | Path], *, surveys_dir: str | Path) -> list[Problem]:
    """Every problem in the given files and folders (empty when all are valid).

    A folder stands for its ``*.yaml`` / ``*.yml`` files. A file is an instrument
    when it sits in ``surveys_dir`` or in a folder named ``surveys``; a pilot when
    it sits in a folder named ``pilots``; elsewhere, an instrument when it has
    ``items`` or ``scoring`` but no ``cohorts``. Pilots are also checked against the
    instruments of ``surveys_dir``, and no two files may declare the same id.
    """
    surveys_dir = Path(surveys_dir)
    problems: list[Problem] = []
    files: list[tuple[Path, str]] = []
    for given in map(Path, paths):
        if given.is_dir():
            files += [(path, str(path)) for path in _spec_files(given)]
        elif given.is_file():
            files.append((given, str(given)))
        else:
            problems.append(Problem(str(given), None, "", "no such file or folder"))
    instruments = _instrument_documents(surveys_dir)
    pilots: list[_Document] = []
    others: list[_Document] = []
    for path, name in dict.fromkeys(files):
        document = _read(path, name)
        if _is_instrument(path, document, surveys_dir):
            problems += _check(document, Instrument)
            others.append(document)
        else:
            found = _check(document, Pilot) + _instrument_references(
                document, instruments, surveys_dir
            )
            problems += _in_file_order(found)
            pilots.append(document)
    return problems + _duplicate_ids(pilots) + _duplicate_ids(others)


# --- reading -----------------------------------------------------------------


@dataclass
class _Document:
    """One YAML file as plain data, with the line of every key and list item."""

    name: str
    stem: str
    data: Any = None
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, loc: Loc) -> int | None:
        """The line of ``loc``, else of its nearest ancestor that is in the file."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return None

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.name, self.line_of(loc), _field(loc), message)


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves dates as text.

    ruamel turns ``2025-02-30`` into a crash and ``2025-03-01 10:00`` into a
    datetime; as text, the date validator of the models judges both and the
    problem gets its line like any other.
    """


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


def _read(path: Path, name: str) -> _Document:
    document = _Document(name=name, stem=path.stem)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        document.problems.append(
            Problem(name, None, "", "the file is not UTF-8 text (expected YAML saved as UTF-8)")
        )
        return document
    except OSError as exc:
        document.problems.append(Problem(name, None, "", f"cannot read the file ({exc.strerror})"))
        return document
    if len(text) > MAX_FILE_CHARS:
        document.problems.append(
            Problem(
                name, None, "",
                f"the file has {len(text):,} characters (expected at most {MAX_FILE_CHARS:,}: "
                "a pilot or an instrument is a few thousand)",
            )
        )
        return document
    key = (text, name, path.stem)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = _parse(text, document)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = parsed
    return copy.deepcopy(parsed)


# Parsed documents by their text: pages and evaluations read the same pilot and
# instruments on every run, and ruamel's round-trip parser (which gives every key its
# line) takes ~0.1 s for a pilot and the demo's instruments. Keyed by the whole text,
# so an edit is always seen; bounded, since texts are at most MAX_FILE_CHARS.
_PARSED: dict[tuple[str, str, str], _Document] = {}
_PARSED_MAX = 64


def _parse(text: str, document: _Document) -> _Document:
    """``document`` (empty, named) filled from the YAML ``text``: data, lines, problems."""
    name = document.name
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        document.problems += _unsafe_structure(yaml, text, name)
        if document.problems:
            return document
        tree = yaml.load(text)
    except YAMLError as exc:
        document.problems.append(_syntax_problem(name, exc))
        return document
    except RecursionError:  # deeper than the event scan allows: cannot happen, but never hang
        document.problems.append(Problem(name, None, "", "the file is nested too deeply"))
        return document
    if not isinstance(tree, CommentedMap):
        got = "an empty file" if tree is None else _describe(_plain(tree, (), {}))
        document.problems.append(
            Problem(
                name,
                1,
                "",
                "expected a mapping of keys at the top of the file (id: ..., title: ...). "
                f"Got {got} instead.",
            )
        )
        return document
    document.lines[()] = (tree.lc.line or 0) + 1
    document.data = _plain(tree, (), document.lines)
    document.problems += [document.problem(loc, why) for loc, why in _bad_values(document.data, ())]
    return document


# What a pilot or an instrument file may hold: plain YAML, small. Checked on the parser's
# events, before anything is built, so that a file of a few hundred bytes cannot expand
# into gigabytes (aliases), exhaust the stack (nesting) or build objects (tags).
MAX_FILE_CHARS = 1_000_000
MAX_DEPTH = 20
MAX_NODES = 50_000
MAX_DIGITS = 15
ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
PLAIN_YAML = "plain YAML values: texts, numbers, true/false, lists and mappings"


def _unsafe_structure(yaml: YAML, text: str, name: str) -> list[Problem]:
    """Aliases, explicit tags, nesting deeper than :data:`MAX_DEPTH`, more than
    :data:`MAX_NODES` values: each a problem with its line (the scan stops at the first
    of depth or size)."""
    problems: list[Problem] = []
    depth = nodes = 0
    for event in yaml.parse(text):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, AliasEvent):
            problems.append(
                Problem(
                    name, line, "",
                    f"the alias *{event.anchor} repeats another part of the file (expected "
                    "each value written out: aliases are not allowed in pilot and instrument "
                    "files)",
                )
            )
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in ALLOWED_TAGS and str(tag) != "!":
            shown = str(tag).replace("tag:yaml.org,2002:", "!!")
            problems.append(
                Problem(name, line, "", f"the tag {shown} is not allowed (expected {PLAIN_YAML})")
            )
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                problems.append(
                    Problem(
                        name, line, "",
                        f"the file is nested more than {MAX_DEPTH} levels deep (expected a "
                        "pilot's few levels of mappings and lists)",
                    )
                )
                break
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
        if isinstance(event, NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                problems.append(
                    Problem(name, line, "", f"the file holds more than {MAX_NODES:,} values")
                )
                break
    return problems


def _bad_values(node: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Numbers too big to compute with, and texts with control characters (a NUL is
    refused by PostgreSQL and invisible everywhere)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _bad_values(key, loc + (key,))
            yield from _bad_values(value, loc + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _bad_values(value, loc + (i,))
    elif isinstance(node, bool):
        return
    elif isinstance(node, int) and abs(node) >= 10**MAX_DIGITS:
        yield loc, (
            f"a number of {len(str(abs(node)))} digits is too large "
            f"(expected at most {MAX_DIGITS} digits)"
        )
    elif isinstance(node, float) and not math.isfinite(node):
        yield loc, f"{node} is not a finite number (expected at most {MAX_DIGITS} digits)"
    elif isinstance(node, str) and (bad := CONTROL_CHARACTERS.search(node)):
        yield loc, (
            f"the text contains the control character U+{ord(bad[0]):04X} "
            "(expected printable text: remove it)"
        )


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters no text of a spec or a data file holds (PostgreSQL refuses a NUL)."""


def _syntax_problem(name: str, exc: YAMLError) -> Problem:
    if not isinstance(exc, MarkedYAMLError):
        return Problem(name, None, "", f"invalid YAML: {exc}")
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    if isinstance(exc, DuplicateKeyError):
        key = re.search(r'duplicate key "(.*?)"', str(exc.problem))
        first = exc.context_mark.line + 1 if exc.context_mark is not None else None
        where = f" (expected each key once in a mapping; the mapping starts on line {first})"
        return Problem(name, line, key.group(1) if key else "", f"key appears twice{where}")
    message = f"invalid YAML: {exc.problem}"
    context_line = exc.context_mark.line + 1 if exc.context_mark is not None else None
    if exc.context:
        message += f", {exc.context}" + (
            f" on line {context_line}" if context_line and context_line != line else ""
        )
    hint = next((h for cue, h in _SYNTAX_HINTS if cue in str(exc.problem)), _SYNTAX_HINTS[-1][1])
    return Problem(name, line, "", f"{message} (expected {hint})")


_SYNTAX_HINTS = (
    (
        "mapping values are not allowed",
        "a key aligned with its siblings, or quotes around a text containing ': '",
    ),
    ("\\t", "spaces for indentation: YAML does not allow tabs"),
    ("end of stream", "a closing quote or bracket"),
    ("", "valid YAML: check the indentation, the ': ' after each key and the quotes"),
)


def _plain(node: Any, loc: Loc, lines: dict[Loc, int]) -> Any:
    """Plain Python data from ruamel nodes, recording the line of each key and item."""
    if isinstance(node, CommentedMap):
        result: dict[Any, Any] = {}
        for key, value in node.items():
            position = node.lc.data.get(key)
            if position is not None:
                lines[loc + (_key(key),)] = position[0] + 1
            result[_key(key)] = _plain(value, loc + (_key(key),), lines)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            position = node.lc.data.get(i)
            if position is not None:
                lines[loc + (i,)] = position[0] + 1
            items.append(_plain(value, loc + (i,), lines))
        return items
    if isinstance(node, TaggedScalar):
        return node.value
    if isinstance(node, ScalarBoolean):
        return bool(node)
    for kind in (bool, int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


def _key(key: Any) -> str | int:
    return key if isinstance(key, str | int) and not isinstance(key, bool) else str(key)


def _spec_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())


# --- validating ---------------------------------------------------------------


def _load(document: _Document, model: type[SpecModel]) -> SpecModel:
    problems = _check(document, model)
    if problems:
        raise SpecError(problems, summary=_summary(problems, document.name))
    return _validated(document, model)


class SpecDeprecation(FutureWarning):
    """A word a spec file may still use but should not (``FILE:LINE: field: message``)."""


def _validated(document: _Document, model: type[SpecModel]) -> SpecModel:
    """``model`` of a checked document; its deprecation notes were given by :func:`_check`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return model.model_validate(document.data)


def _check(document: _Document, model: type[BaseModel]) -> list[Problem]:
    """Every problem of one file read as ``model``: syntax, fields, rules, file name.
    Values no model should see (a number of 400 digits, a NUL) are reported alone."""
    if document.data is None or document.problems:
        return _in_file_order(list(document.problems))
    problems: list[Problem] = []
    try:
        with warnings.catch_warnings(record=True) as notes:
            warnings.simplefilter("always", FutureWarning)
            model.model_validate(document.data)
    except ValidationError as exc:
        problems = [_problem(document, model, err) for err in exc.errors(include_url=False)]
    for note in notes:
        if issubclass(note.category, FutureWarning):
            # A deprecated word (phase: evaluating): the note names the file and line.
            where = document.problem(("phase",), str(note.message))
            warnings.warn(str(where), SpecDeprecation, stacklevel=2)
    ident = document.data.get("id")
    if isinstance(ident, str) and ident != document.stem:
        problems.append(
            document.problem(
                ("id",),
                f"'{ident}' differs from the file name {document.stem}{Path(document.name).suffix} "
                f"(expected the file to be named {ident}.yaml, or id: {document.stem})",
            )
        )
    return _in_file_order(problems)


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Without repeats, by line (stable: problems of one line keep their order)."""
    return sorted(dict.fromkeys(problems), key=lambda p: p.line or 0)


def _problem(document: _Document, model: type[BaseModel], err: Any) -> Problem:
    raw_loc: Loc = tuple(err["loc"])
    loc = _file_loc(raw_loc)
    return document.problem(loc, _message(err, model, raw_loc))


def _file_loc(raw_loc: Loc) -> Loc:
    """The error location as keys of the file: without union tags and ``[key]`` markers."""
    loc: list[str | int] = []
    for part in raw_loc:
        if part == "[key]" or (part in UNION_TAGS and loc and isinstance(loc[-1], int)):
            continue
        loc.append(part)
    return tuple(loc)


def _field(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _summary(problems: list[Problem], what: str) -> str:
    count = len(problems)
    return f"{count} problem{'s' if count != 1 else ''} in {what}:"


# --- messages -------------------------------------------------------------------

_TYPE_EXPECTATIONS = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list (one '- ' line per entry)",
    "dict_type": "expected a mapping (indented 'key: value' lines)",
    "model_type": "expected a mapping (indented 'key: value' lines)",
    "model_attributes_type": "expected a mapping (indented 'key: value' lines)",
}

_BOUNDS = {
    "greater_than": ("must be greater than", "gt"),
    "greater_than_equal": ("must be at least", "ge"),
    "less_than": ("must be less than", "lt"),
    "less_than_equal": ("must be at most", "le"),
}


def _message(err: Any, model: type[BaseModel], raw_loc: Loc) -> str:
    """Pydantic's error rewritten as ``what is wrong (expected ...)`` / ``Got X instead.``"""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    got = _describe(value)
    if kind in (RULE_ERROR, "iso_date", "criterion_kind", "time_zone"):
        return str(err["msg"])
    if kind == "missing":
        return "this required key is missing"
    if kind == "extra_forbidden":
        allowed = _keys_at(model, raw_loc[:-1])
        return f"unknown key '{raw_loc[-1]}' {one_of(allowed, raw_loc[-1])}"
    if kind == "literal_error":
        options = re.findall(r"'((?:[^'\\]|\\.)*)'", str(ctx.get("expected", "")))
        return f"{got} is not allowed {one_of(options, value)}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == IDENTIFIER_PATTERN:
        return (
            f"{got} is not a valid id (expected lowercase letters, digits and '_', "
            "starting with a letter, e.g. kwh_per_day)"
        )
    if kind == "string_too_short":
        return f"must not be empty. Got {got} instead."
    if kind == "string_too_long":
        return f"is too long (expected at most {ctx.get('max_length')} characters)"
    if kind in ("too_short", "too_long"):
        bound = "at least" if kind == "too_short" else "at most"
        limit = ctx.get("min_length" if kind == "too_short" else "max_length")
        return f"must list {bound} {limit} entr{'y' if limit == 1 else 'ies'}. Got {got} instead."
    if kind in _BOUNDS:
        text, key = _BOUNDS[kind]
        return f"{text} {ctx.get(key)}. Got {got} instead."
    if kind == "model_type" and ctx.get("class_name") == "Text":
        return f"expected a text, or fr: and en: texts. Got {got} instead."
    if kind in _TYPE_EXPECTATIONS:
        return f"{_TYPE_EXPECTATIONS[kind]}. Got {got} instead."
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    return f"{err['msg']}. Got {got} instead."


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value!r}"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, Mapping):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}" if value else "an empty list"
    return repr(value)


def _keys_at(root: type[BaseModel], raw_loc: Loc) -> list[str]:
    """The keys allowed by the model found at ``raw_loc`` (a location with union tags)."""
    current: Any = root
    for part in raw_loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return []
            current = current.model_fields[part].annotation
            continue
        origin, args = typing.get_origin(current), typing.get_args(current)
        if origin in (list, tuple) and isinstance(part, int) and args:
            current = args[0]
        elif origin is dict and args:
            current = args[1]
        elif _is_union(current):
            named = {getattr(_unwrap(a), "__name__", ""): a for a in args}
            if part not in named:
                return []
            current = named[part]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` until a model, a container or a real union."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if _is_union(annotation):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


# --- across files -------------------------------------------------------------


def _instrument_documents(surveys_dir: Path) -> dict[str, _Document]:
    """The instrument files of ``surveys_dir`` by id (read, not yet validated).

    An invalid file still counts under its id (or file name), so that a pilot
    naming it is not told the instrument is missing.
    """
    if not surveys_dir.is_dir():
        return {}
    documents: dict[str, _Document] = {}
    for path in _spec_files(surveys_dir):
        document = _read(path, str(path))
        ident = document.data.get("id") if isinstance(document.data, Mapping) else None
        documents.setdefault(ident if isinstance(ident, str) else path.stem, document)
    return documents


def _named_instruments(data: Any) -> set[str]:
    if not isinstance(data, Mapping):
        return set()
    plans = data.get("surveys")
    return {
        plan["instrument"]
        for plan in (plans if isinstance(plans, list) else [])
        if isinstance(plan, Mapping) and isinstance(plan.get("instrument"), str)
    }


def _instrument_references(
    document: _Document, instruments: Mapping[str, Any], surveys_dir: Path
) -> list[Problem]:
    """A survey plan or a survey criterion naming an instrument ``surveys_dir`` lacks."""
    data = document.data
    if not isinstance(data, Mapping):
        return []
    known = sorted(instruments)
    folder = f"{surveys_dir}/"

    def missing(name: str) -> str:
        expected = one_of(known, name) if known else "(the folder holds no instrument)"
        return f"'{name}' is not an instrument of {folder} {expected}"

    problems = []
    plans = data.get("surveys")
    for i, plan in enumerate(plans if isinstance(plans, list) else []):
        name = plan.get("instrument") if isinstance(plan, Mapping) else None
        if isinstance(name, str) and name not in instruments:
            problems.append(document.problem(("surveys", i, "instrument"), missing(name)))
    planned = _named_instruments(data)
    decision = data.get("decision")
    criteria = decision.get("criteria") if isinstance(decision, Mapping) else None
    for i, criterion in enumerate(criteria if isinstance(criteria, list) else []):
        name = criterion.get("survey") if isinstance(criterion, Mapping) else None
        # An unplanned survey is already reported by the pilot's own rules.
        if isinstance(name, str) and name in planned and name not in instruments:
            problems.append(document.problem(("decision", "criteria", i, "survey"), missing(name)))
    return problems


def _duplicate_ids(documents: list[_Document]) -> list[Problem]:
    first: dict[str, str] = {}
    problems = []
    for document in documents:
        ident = document.data.get("id") if isinstance(document.data, Mapping) else None
        if not isinstance(ident, str):
            continue
        if ident in first:
            problems.append(
                document.problem(
                    ("id",),
                    f"'{ident}' is already the id of {first[ident]} (expected one file per id)",
                )
            )
        else:
            first[ident] = document.name
    return problems


def _is_instrument(path: Path, document: _Document, surveys_dir: Path) -> bool:
    if surveys_dir.is_dir() and path.resolve().parent == surveys_dir.resolve():
        return True
    if path.parent.name in ("surveys", "pilots"):
        return path.parent.name == "surveys"
    data = document.data
    return (
        isinstance(data, Mapping)
        and ("items" in data or "scoring" in data)
        and ("cohorts" not in data)
    )


def _pilot_path(pilot_id: str, pilots_dir: Path) -> Path | None:
    if not re.fullmatch(IDENTIFIER_PATTERN, pilot_id or ""):
        return None
    for suffix in SUFFIXES:
        path = pilots_dir / f"{pilot_id}{suffix}"
        if path.is_file():
            return path
    return None
