"""Sign-in through the city's identity provider (OIDC), end to end in a real Chromium:
Streamlit's st.login against oidc-provider-mock (a real OpenID Connect provider, from
PyPI) started by the test. A person whose issuer and subject have a role in the store
gets that role's pages; a person of the provider without a role gets a message and
nothing else, and the refusal is logged; signing out asks for the provider again."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, NO_CHROMIUM, ROOT, free_port, serve_app

sys.path.insert(0, str(ROOT / "tests" / "ui"))
from ui_factories import using_store  # noqa: E402

from livinglab import services  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
]

DECISION_MAKER = "amelie.martin@ville.example"
STRANGER = "quelquun@ailleurs.example"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """oidc-provider-mock on a free port; its issuer URL."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=free_port()) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def oidc_app(provider: str, e2e_store: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app with an ``[auth]`` section pointing at the provider, on the demo store
    where the decision-maker's (issuer, subject) has the role ``decision``."""
    folder = tmp_path_factory.mktemp("oidc")
    port = free_port()
    (folder / ".streamlit").mkdir()
    (folder / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "livinglab"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with using_store(e2e_store, demo=False) as store:
        services.grant_identity(provider, DECISION_MAKER, "decision", "Amélie Martin")
        env = {**os.environ, **store}
    with serve_app(folder, env, port=port, host="localhost") as url:
        yield url, folder


def sign_in_at_provider(page: Any, subject: str) -> None:
    page.get_by_role("button", name="Se connecter avec le compte de la ville").click()
    page.locator("input[name='sub']").fill(subject)  # the provider's own page
    page.get_by_role("button", name="Authorize").click()


def audit_entries(e2e_store: Path, action: str) -> list[tuple[str, str | None]]:
    """(actor, detail) of the store's audit entries of ``action``, newest first."""
    from livinglab.services.audit import audit_log

    with using_store(e2e_store, demo=False):
        log = audit_log(action=action)
    return list(zip(log["actor"], log["detail"], strict=True))


def test_a_person_with_a_role_signs_in_through_the_provider(
    page: Any, oidc_app, e2e_store: Path
) -> None:
    url, _ = oidc_app
    page.goto(url)
    page.get_by_role("heading", name="Connexion au Living Lab", level=1).wait_for()
    assert page.get_by_label("Mot de passe").count() == 0  # no local accounts here
    sign_in_at_provider(page, DECISION_MAKER)
    page.get_by_role("heading", name="Portefeuille des pilotes", level=1).wait_for()
    page.get_by_text("(décideur)").wait_for()
    (entry, *_) = audit_entries(e2e_store, "sign_in")  # in the audit log, by subject
    assert entry[0] == f"oidc:{DECISION_MAKER}" and "role decision" in (entry[1] or "")
    body = page.locator("body").inner_text().replace("\u2060", "")  # see ui.common.plain
    assert f"Connecté : {DECISION_MAKER} (décideur)" in body
    assert "Équipe innovation" not in body
    # A new tab of the same browser is signed in too (the provider's identity cookie),
    # and the team's page stays refused to this role.
    page.goto(f"{url}/checks?pilot=energy_feedback")
    page.get_by_role("heading", name="Accès refusé", level=1).wait_for()
    # Signing out also ends the session at the provider (its own confirmation page).
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Se connecter avec le compte de la ville").wait_for()


def test_a_person_without_a_role_is_let_in_nowhere_and_logged(
    page: Any, oidc_app, e2e_store: Path
) -> None:
    url, folder = oidc_app
    page.goto(url)
    sign_in_at_provider(page, STRANGER)
    page.get_by_text("votre compte n'a pas de rôle dans le Living Lab").wait_for()
    body = page.locator("body").inner_text().replace("\u2060", "")
    assert STRANGER in body and "Portefeuille" not in body and "Généraliser" not in body
    log = (folder / "streamlit.log").read_text(encoding="utf-8")
    assert f"subject='{STRANGER}' reason=no-role" in log
    assert f"oidc:{STRANGER}" in [actor for actor, _ in audit_entries(e2e_store, "sign_in_failed")]
