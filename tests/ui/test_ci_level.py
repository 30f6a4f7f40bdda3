"""A pilot declared with ``alpha: 0.10`` shows 90 % intervals, and says so, everywhere:
the dossier, the pilot page's sentences and the portfolio; never "95 %" beside them."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator

import pytest
from ui_factories import ROOT, UI_DIR, as_read, environment, signed_in_app, store_env

from livinglab import services

pytestmark = pytest.mark.xdist_group("ui")


@pytest.fixture(scope="module")
def alpha_10(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A demo store whose energy_feedback declared alpha 0.10 before its data came in (the
    registered analysis plan then says 0.10: an alpha edited after the data would not
    move the intervals, see tests/test_plan_registration.py)."""
    tmp = tmp_path_factory.mktemp("alpha10")
    spec = tmp / "pilots" / "energy_feedback.yaml"
    shutil.copytree(ROOT / "pilots", spec.parent)
    spec.write_text(spec.read_text().replace("  alpha: 0.05\n", "  alpha: 0.10\n"))
    with environment(store_env(tmp / "store.db") | {"LIVINGLAB_PILOTS_DIR": str(spec.parent)}):
        services.load_demo()
        yield


def visible(document: str) -> str:
    return html.unescape(re.sub(r"<style>.*?</style>|<svg.*?</svg>|<[^>]+>", " ", document,
                                flags=re.S))


def test_a_pilot_at_alpha_010_says_90_percent_everywhere(alpha_10: None) -> None:
    evaluation = services.evaluate_pilot("energy_feedback")
    assert [round(m.conf_level, 6) for m in evaluation.metrics] == [0.9, 0.9, 0.9]

    for lang, ninety, ninety_five in (("fr", "IC 90\u00a0%", "95"), ("en", "90% CI", "95")):
        text = visible(services.dossier_html("energy_feedback", lang=lang))
        assert text.count(ninety) >= 10, lang  # criteria, sentences, captions, projection
        assert not re.search(rf"(IC {ninety_five}|{ninety_five}\s?% CI)", text), lang

    app = signed_in_app("team")
    app.switch_page(str(UI_DIR / "pilot.py"))
    app.query_params["pilot"] = "energy_feedback"
    app.run()
    assert not app.exception
    shown = "\n".join(as_read(m.value) for m in app.markdown)
    assert "(IC 90\u00a0% : " in shown and "IC 95" not in shown

    app.switch_page(str(UI_DIR / "portfolio.py"))
    app.run()
    cells = app.table[0].value.astype(str).to_string()
    assert "Consommation d'électricité : −7,9\u202f% (IC 90\u00a0% : " in as_read(cells)
