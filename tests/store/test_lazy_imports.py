"""A reduction does not pay for the importer (issue 15: modules loaded on their paths)."""

from __future__ import annotations

import subprocess
import sys


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


def test_reductions_load_neither_the_importer_nor_its_readers():
    loaded = _loaded_after("from livinglab.store import reductions, weekly")
    assert "livinglab.store.reductions" in loaded
    assert {"livinglab.store.importer", "livinglab.store.readers", "livinglab.store.dialects",
            "livinglab.store.excel", "python_calamine"}.isdisjoint(loaded)


def test_store_package_still_offers_every_name_on_first_use():
    loaded = _loaded_after("from livinglab.store import import_files, participant_values")
    assert "livinglab.store.importer" in loaded
