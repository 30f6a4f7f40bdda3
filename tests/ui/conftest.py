"""App tests run against one demo store per test session (and an empty one on demand)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui_factories import signed_in_app, using_store

from livinglab import services


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with using_store(tmp_path_factory.mktemp("ui") / "demo.db", demo=True) as env:
        yield env


@pytest.fixture
def empty_store(tmp_path: Path, demo_store: dict[str, str]) -> Iterator[dict[str, str]]:
    with using_store(tmp_path / "empty.db", demo=False) as env:
        services.create_demo_accounts()  # no data, but the same accounts as the demo
        yield env


@pytest.fixture
def app(demo_store: dict[str, str]) -> AppTest:
    """The whole app (app.py: navigation, sidebar, the default page), signed in with the
    demo's innovation-team account (who may open every page)."""
    return signed_in_app("team")
