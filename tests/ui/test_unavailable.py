"""When the store does not answer, or the settings cannot work, every visitor gets a
short message in French (never a stack trace), and the page comes back by itself once
the store is back."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui_factories import APP, DEMO_LOGINS, reset_caches, sign_in, signed_in_app

pytestmark = pytest.mark.xdist_group("ui")

DOWN = "postgresql+psycopg://city:s3cret@127.0.0.1:1/lab"  # nothing listens on port 1


def all_text(at: AppTest) -> str:
    parts = [e.value for e in (*at.title, *at.markdown, *at.error, *at.warning, *at.info)]
    return "\n".join(str(p) for p in parts)


def test_a_store_that_is_down_gives_a_short_message_then_the_page_comes_back(
    demo_store: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = signed_in_app("team")
    assert at.title[0].value == "Portefeuille des pilotes"
    monkeypatch.setenv("LIVINGLAB_DATABASE_URL", DOWN)
    reset_caches()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Le service est momentanément indisponible : la base de données ne répond pas. "
        "Réessayez dans quelques instants."
    ]
    assert "s3cret" not in all_text(at) and "127.0.0.1" not in all_text(at)
    assert at.button(key="retry").label == "Réessayer"
    monkeypatch.setenv("LIVINGLAB_DATABASE_URL", demo_store["LIVINGLAB_DATABASE_URL"])
    reset_caches()
    at.button(key="retry").click().run()
    assert not at.exception
    assert at.title[0].value == "Portefeuille des pilotes"


def test_signing_in_while_the_store_is_down_is_a_message(
    demo_store: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVINGLAB_DATABASE_URL", DOWN)
    reset_caches()
    try:
        at = AppTest.from_file(str(APP), default_timeout=120).run()
        assert at.title[0].value == "Connexion au Living Lab"  # drawn without the store
        sign_in(at, *DEMO_LOGINS["team"])
        assert not at.exception
        assert "la base de données ne répond pas" in at.error[0].value
    finally:
        reset_caches()


def test_production_with_a_weak_key_does_not_serve_and_says_so_in_short(
    demo_store: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVINGLAB_ENVIRONMENT", "production")
    monkeypatch.setenv("LIVINGLAB_SECRET_KEY", "weak")
    reset_caches()
    try:
        at = AppTest.from_file(str(APP), default_timeout=120).run()
        assert not at.exception
        assert "n'est pas configuré correctement" in at.error[0].value
        assert "LIVINGLAB_SECRET_KEY" not in all_text(at)  # the details go to the log
        assert not at.text_input  # no sign-in form
    finally:
        monkeypatch.undo()
        reset_caches()
