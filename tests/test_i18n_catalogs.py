"""The gettext catalogs: both languages hold every key the code asks for, Babel's
extraction finds them, the wheel ships them, and the old-style words move in."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from livinglab.i18n import LANGS, catalog_path, messages, translator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import words_to_po  # noqa: E402


def extracted_keys() -> set[str]:
    """What ``pybabel extract`` finds with the project's configuration (pyproject.toml)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    babel = config["babel"]
    found = extract_from_dir(
        str(ROOT),
        method_map=[(m["pattern"], m["method"]) for m in babel["mappings"]],
        keywords={k: None for k in babel["extract_messages"]["keywords"]},
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_both_catalogs_translate_the_same_keys_and_nothing_is_left_empty() -> None:
    ids = {}
    for lang in LANGS:
        with catalog_path(lang).open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        ids[lang] = {m.id for m in catalog if m.id}
        assert not [m.id for m in catalog if m.id and not m.string], lang
    assert ids["fr"] == ids["en"]
    assert translator("fr")("verdict_go") == "Généraliser"
    assert translator("en")("verdict_go") == "Roll out"


def test_every_key_the_code_asks_for_is_in_both_catalogs() -> None:
    keys = extracted_keys()
    assert len(keys) > 150  # the extraction really reads the t("...") calls
    # t("phase_" + pilot.phase): Babel sees the prefix; some key must start with it.
    prefixes = {k for k in keys if k.endswith("_")}
    for lang in LANGS:
        known = set(messages(lang))
        missing = sorted(keys - prefixes - known)
        assert not missing, f"{lang}: {missing}"
        assert all(any(k.startswith(p) for k in known) for p in prefixes), lang


def test_words_in_the_old_form_move_into_both_catalogs(tmp_path: Path) -> None:
    module = tmp_path / "words.py"
    module.write_text(
        'X = 1\nWORDS = {\n    "plan_changed": (\n        "Plan modifié le {date}",\n'
        '        "Plan changed on {date}",\n    ),\n    "kept": ("gardé", "kept"),\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "locale").mkdir()
    code = words_to_po.main([str(module), "--remove", "--locale-dir", str(tmp_path / "locale")])
    assert code == 0
    for lang, text in (("fr", "Plan modifié le {date}"), ("en", "Plan changed on {date}")):
        with words_to_po.po_path(lang, tmp_path / "locale").open("rb") as handle:
            catalog = read_po(handle)
        assert catalog.get("plan_changed").string == text
        assert catalog.get("kept").string in ("gardé", "kept")
    assert module.read_text(encoding="utf-8") == "X = 1\nWORDS = {\n}\n"


def test_a_word_already_translated_otherwise_is_reported_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "words.py"
    module.write_text('W = {"verdict_go": ("Foncer", "Go ahead")}\n', encoding="utf-8")
    locale = tmp_path / "locale"
    words_to_po.merge([("verdict_go", "Généraliser", "Roll out")], locale_dir=locale)
    assert words_to_po.main([str(module), "--locale-dir", str(locale)]) == 1
    assert "'verdict_go' already has another text" in capsys.readouterr().err
    with words_to_po.po_path("fr", locale).open("rb") as handle:
        assert read_po(handle).get("verdict_go").string == "Généraliser"


def test_the_wheel_ships_both_catalogs(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("livinglab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in LANGS:
        assert f"livinglab/locale/{lang}/LC_MESSAGES/livinglab.po" in names
