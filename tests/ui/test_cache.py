"""The evaluation cache: keyed by pilot, language and data version, so that a new import
shows at once (not after the cache's lifetime)."""

from __future__ import annotations

import pytest

from livinglab import services
from livinglab.ui import common

pytestmark = pytest.mark.xdist_group("ui")


def test_a_new_import_is_evaluated_at_once(empty_store: dict[str, str]) -> None:
    before = common.report("energy_feedback", "fr")
    assert before.evaluation.verdict == "extend"  # no data yet: nothing can be concluded
    assert common.report("energy_feedback", "fr").version == before.version  # cached
    services.load_demo()
    after = common.report("energy_feedback", "fr")
    assert after.version[1] > before.version[1]
    assert after.evaluation.verdict == "go"


def test_each_language_has_its_own_cached_report(demo_store: dict[str, str]) -> None:
    french = common.report("shared_mobility", "fr")
    english = common.report("shared_mobility", "en")
    assert french.lang == "fr" and english.lang == "en"
    assert french.surveys[0].title != english.surveys[0].title
