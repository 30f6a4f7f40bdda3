"""The team's "Données personnelles" page in Streamlit's AppTest, on a demo store of its
own (its erasures and withdrawals change the data): the audit log names who signed in
and who exported, a request made on the page lands in the log and in the evaluation,
and a decision-maker cannot open it, even by its address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest
from ui_factories import (
    DEMO_LOGINS,
    UI_DIR,
    as_read,
    open_address,
    signed_in_app,
    using_store,
)

from livinglab import services
from livinglab.services import audit

pytestmark = pytest.mark.xdist_group("ui")


@pytest.fixture(scope="module")
def own_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with using_store(tmp_path_factory.mktemp("privacy") / "demo.db", demo=True) as env:
        yield env


def privacy_page(role: str = "team") -> AppTest:
    at = signed_in_app(role)
    return open_address(at, "privacy")


def table_text(at: AppTest) -> str:
    return "\n".join(str(table.value.to_dict()) for table in at.table)


def test_the_log_shows_sign_ins_newest_first_and_filters_by_action(own_store, tmp_path) -> None:
    at = privacy_page()
    assert not at.exception
    assert at.title[0].value == "Données personnelles"
    log = at.table[0].value
    assert list(log.columns) == ["Quand (UTC)", "Qui", "Action", "Pilote", "Détail"]
    assert (log.iloc[0]["Qui"], log.iloc[0]["Action"]) == ("equipe", "connexion")
    imports = log[log["Action"] == "import"]
    assert len(imports) == 3 and set(map(as_read, imports["Pilote"])) == {
        "energy_feedback", "senior_procedures", "shared_mobility"
    }
    at.selectbox(key="audit_action").set_value("sign_in").run()
    assert set(at.table[0].value["Action"]) == {"connexion"}
    assert at.get("download_button")  # the CSV export


def test_an_erasure_and_a_withdrawal_made_on_the_page_are_logged_and_counted(own_store) -> None:
    at = privacy_page()
    people = services.engine().connect()
    try:
        from sqlalchemy import text

        first, second = people.execute(
            text(
                "SELECT participant_id FROM participant WHERE pilot_id = 'energy_feedback' "
                "ORDER BY key LIMIT 2"
            )
        ).scalars()
    finally:
        people.close()
    at.selectbox(key="withdraw_pilot").set_value("energy_feedback")
    at.text_input(key="withdraw_participant").input(first)
    at.button(key="FormSubmitter:withdraw_form-Retirer le consentement").click().run()
    assert not at.exception
    assert f"Consentement retiré (pseudonyme {first})." in [s.value for s in at.success]
    at.selectbox(key="erase_pilot").set_value("energy_feedback")
    at.text_input(key="erase_participant").input(second)
    at.button(key="FormSubmitter:erase_form-Effacer").click().run()
    assert "Je confirme" in at.warning[0].value  # not without the confirmation
    at.text_input(key="erase_participant").input(second)
    at.checkbox(key="erase_confirm").check()
    at.button(key="FormSubmitter:erase_form-Effacer").click().run()
    assert any(s.value.startswith("Effacé :") and second in s.value for s in at.success)
    entries = audit.audit_log(pilot_id="energy_feedback")
    assert list(entries["action"][:2]) == ["erase", "consent_withdrawn"]
    assert set(entries["actor"][:2]) == {"equipe"}
    # The pilot page says how many withdrew.
    open_address(at, "pilot", pilot="energy_feedback")
    assert not at.exception
    assert any(
        "1 participant(s) ont retiré leur consentement" in c.value for c in at.caption
    )


def test_a_decision_maker_cannot_open_it_even_by_its_address(own_store) -> None:
    at = privacy_page("decision")
    assert not at.exception
    assert [t.value for t in at.title] == ["Accès refusé"]
    assert not at.table and not at.get("download_button")
    run_directly = AppTest.from_file(str(UI_DIR / "privacy.py"), default_timeout=120)
    run_directly.session_state["_signed_in_account"] = DEMO_LOGINS["decision"][0]
    run_directly.run()
    assert not run_directly.exception and not run_directly.table
    assert "n'est pas accessible" in run_directly.warning[0].value


def test_signing_out_is_logged_with_who(own_store) -> None:
    at = signed_in_app("team")
    at.sidebar.button(key="signout").click().run()
    assert not at.exception
    latest = audit.audit_log(action="sign_out").iloc[0]
    assert latest["actor"] == "equipe"
