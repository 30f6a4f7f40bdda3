"""Move ``"key": ("texte fr", "English text")`` dict entries from a Python module into the
French and English gettext catalogs (``livinglab/locale/{fr,en}/LC_MESSAGES/livinglab.po``).

The app's words used to live in one dict of ``key -> (French, English)`` pairs; they now
live in gettext catalogs whose message ids are those keys. A branch that still adds words
in the old form is merged with::

    python scripts/words_to_po.py livinglab/i18n.py            # add its new words to both .po
    python scripts/words_to_po.py livinglab/i18n.py --remove   # ... and delete the dict entries

Every dict literal in the module whose values are all 2-tuples of string literals is read
(``--dict NAME`` limits it to one assignment). A key already in a catalog with another text
is reported and left as is unless ``--overwrite`` is given. Exit code 1 when nothing was
found or a conflict was left.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "livinglab" / "locale"
LANGS = ("fr", "en")
DOMAIN = "livinglab"


def po_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    """Where the catalog of ``lang`` lives."""
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _pair(node: ast.expr) -> tuple[str, str] | None:
    if (
        isinstance(node, ast.Tuple)
        and len(node.elts) == 2
        and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
    ):
        return node.elts[0].value, node.elts[1].value  # type: ignore[attr-defined]
    return None


def find_words(source: str, dict_name: str | None = None) -> list[tuple[str, str, str, ast.expr]]:
    """``(key, fr, en, key_node)`` of every qualifying dict entry, in source order."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if dict_name is not None and dict_name not in names:
            continue
        if not isinstance(node.value, ast.Dict) or not node.value.keys:
            continue
        pairs = [_pair(v) for v in node.value.values]
        keys = node.value.keys
        if any(p is None for p in pairs) or not all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in keys
        ):
            continue
        for key, pair in zip(keys, pairs, strict=True):
            assert key is not None and pair is not None
            found.append((key.value, pair[0], pair[1], key))  # type: ignore[union-attr]
    return found


def _flags(text: str) -> set[str]:
    return {"python-brace-format"} if "{" in text and "}" in text else set()


def load(lang: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
    """The catalog of ``lang`` (an empty one when the file does not exist yet)."""
    path = po_path(lang, locale_dir)
    if not path.is_file():
        return Catalog(locale=lang, domain=DOMAIN, project="livinglab", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def save(catalog: Catalog, lang: str, locale_dir: Path = LOCALE_DIR) -> None:
    """Write the catalog, entries sorted by id, no line wrapping (stable diffs)."""
    path = po_path(lang, locale_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_output=True, omit_header=False)


def merge(
    words: list[tuple[str, str, str]], *, overwrite: bool = False, locale_dir: Path = LOCALE_DIR
) -> tuple[int, list[str]]:
    """Add ``(key, fr, en)`` to both catalogs; returns (added, conflicting keys)."""
    catalogs = {lang: load(lang, locale_dir) for lang in LANGS}
    added, conflicts = 0, []
    for key, fr, en in words:
        texts = {"fr": fr, "en": en}
        known = {lang: catalogs[lang].get(key) for lang in LANGS}
        if all(m is not None and m.string == texts[lang] for lang, m in known.items()):
            continue
        if any(m is not None and m.string for m in known.values()) and not overwrite:
            if any(m is not None and m.string != texts[lang] for lang, m in known.items()):
                conflicts.append(key)
                continue
        for lang in LANGS:
            if key in catalogs[lang]:
                del catalogs[lang][key]  # Catalog.add keeps an existing message's text
            catalogs[lang].add(key, texts[lang], flags=_flags(texts[lang]))
        added += 1
    for lang in LANGS:
        save(catalogs[lang], lang, locale_dir)
    return added, conflicts


def remove_entries(source: str, nodes: list[ast.expr]) -> str:
    """``source`` without the dict entries whose key nodes are given (whole lines)."""
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    drop: set[int] = set()
    wanted = {(n.lineno, n.col_offset) for n in nodes}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is not None and (key.lineno, key.col_offset) in wanted:
                    drop.update(range(key.lineno - 1, (value.end_lineno or value.lineno)))
    return "".join(line for i, line in enumerate(lines) if i not in drop)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", type=Path, help="The Python file holding the dict(s).")
    parser.add_argument("--dict", dest="dict_name", help="Only this dict assignment.")
    parser.add_argument("--remove", action="store_true", help="Delete the moved entries.")
    parser.add_argument("--overwrite", action="store_true", help="Replace differing texts.")
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    args = parser.parse_args(argv)
    source = args.module.read_text(encoding="utf-8")
    found = find_words(source, args.dict_name)
    if not found:
        print(f"{args.module}: no dict of (French, English) pairs found.", file=sys.stderr)
        return 1
    added, conflicts = merge(
        [(k, fr, en) for k, fr, en, _ in found],
        overwrite=args.overwrite,
        locale_dir=args.locale_dir,
    )
    for key in conflicts:
        print(f"{args.module}: '{key}' already has another text; left as is "
              "(--overwrite replaces it).", file=sys.stderr)
    if args.remove:
        moved = [node for key, _, _, node in found if key not in conflicts]
        args.module.write_text(remove_entries(source, moved), encoding="utf-8")
    print(f"{len(found)} word(s) read, {added} added or changed, {len(conflicts)} conflict(s).")
    return 1 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main())
