"""A writable workspace for the innovation team's pages: copies of the demo pilots and
instruments, and a SQLite store loaded with the seeded demo (the pages write files)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ui_factories import ROOT, environment

from livinglab import services


@contextmanager
def team_workspace(folder: Path, *, demo: bool = True) -> Iterator[Path]:
    """``folder`` with ``pilots/``, ``surveys/`` and ``store.db`` (the demo loaded when
    ``demo``), pointed at through the LIVINGLAB_* environment (restored afterwards)."""
    shutil.copytree(ROOT / "pilots", folder / "pilots")
    shutil.copytree(ROOT / "surveys", folder / "surveys")
    env = {
        "LIVINGLAB_DATABASE_URL": f"sqlite:///{folder / 'store.db'}",
        "LIVINGLAB_PILOTS_DIR": str(folder / "pilots"),
        "LIVINGLAB_SURVEYS_DIR": str(folder / "surveys"),
    }
    with environment(env):
        if demo:
            services.load_demo()
        else:
            services.create_demo_accounts()
        yield folder
