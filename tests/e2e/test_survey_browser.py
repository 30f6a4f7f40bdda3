"""A citizen's path in a real headless Chromium at 390x844, from the link exactly as
``livinglab invite`` prints it to "Merci !", with the keyboard alone: no English, no
"Page not found", no WCAG 2.2 A/AA violation (axe-core, no rule disabled) on any
screen; the radio outline and the focus ring measured at >= 3:1; the same link again
says "already answered"; two tabs submitting at once store one answer; an expired
link is refused; at 200 % zoom the page still reflows."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import CHROMIUM, NO_CHROMIUM, other_hosts, the_app_store

from livinglab import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
]

WCAG22 = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}
PILOT = "senior_procedures"
PHONE = {"width": 390, "height": 844}
ENGLISH = ("Page not found", "Welcome", "Question 1 of", "Next", "Thank you", "Running the app")


def invite(e2e_store: Path, app_url: str) -> list[dict[str, str]]:
    with the_app_store(e2e_store):
        links = services.invite(PILOT, instrument="sus", wave="after", base_url=app_url)
    assert links, "no tester left to invite"
    return links


def settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')"
    )
    page.wait_for_timeout(400)


def heading(page: Any, name: str) -> None:
    page.get_by_role("heading", name=name, level=1).wait_for()
    settled(page)


def first_question(page: Any, link: str) -> None:
    """Open ``link`` and reach question 1: through the welcome and the consent, or
    straight there when the person consented earlier (their answers in progress are
    kept against the link, or carried to its replacement)."""
    page.goto(link)
    page.get_by_role("heading", level=1).first.wait_for()
    settled(page)
    if page.get_by_role("heading", name="Bienvenue", level=1).count():
        page.get_by_role("button", name="Commencer").click()
        heading(page, "Votre accord")
        page.get_by_role("button", name="Oui, j'accepte").click()
    heading(page, "Question 1 sur 10")


def assert_accessible(page: Any, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, options=WCAG22).response["violations"]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    )
    assert not violations, f"WCAG 2.2 A/AA violations on {where}:\n{report}"


def assert_french_only(page: Any, where: str) -> None:
    body = page.locator("body").inner_text()
    shown = [word for word in ENGLISH if word in body]
    assert not shown, f"English on {where}: {shown}"


def key_to(page: Any, name: str, *, limit: int = 40) -> None:
    """Press Tab until the button ``name`` has the focus, then Enter (keyboard only)."""
    for _ in range(limit):
        focused = page.evaluate("document.activeElement && document.activeElement.innerText")
        if focused and focused.strip() == name:
            page.keyboard.press("Enter")
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"the button {name!r} is not reachable with Tab")


def choose(page: Any, value: int) -> None:
    """Answer the question on screen with the keyboard: the focus is on its first
    choice when the question opens; Space ticks it, each arrow moves one choice on."""
    focused = page.evaluate("document.activeElement.type")
    assert focused == "radio", "the question does not take the keyboard focus"
    page.keyboard.press("Space")
    for _ in range(value - 1):
        page.keyboard.press("ArrowDown")


def stored(e2e_store: Path, participant_id: str) -> int:
    engine = sa.create_engine(f"sqlite:///{e2e_store}")
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM survey_response r JOIN participant p "
                    "ON p.key = r.participant_key WHERE p.participant_id = :pid"
                ),
                {"pid": participant_id},
            ).scalar_one()
        )


def test_from_the_printed_link_to_thank_you_with_the_keyboard_alone(
    page: Any, app_url: str, e2e_store: Path
) -> None:
    link = invite(e2e_store, app_url)[0]
    assert re.fullmatch(re.escape(app_url) + r"/\?invitation=[\w-]{32}", link["link"])
    page.set_viewport_size(PHONE)
    page.goto(link["link"])
    heading(page, "Bienvenue")
    page.wait_for_function("() => document.documentElement.lang === 'fr'")  # set by the app
    assert page.get_by_role("radiogroup", name="Langue / Language").is_visible()
    assert_french_only(page, "the welcome")
    assert_accessible(page, "the welcome")
    key_to(page, "Commencer")
    heading(page, "Votre accord")
    assert "dpo" in page.locator("main").inner_text()
    assert_accessible(page, "the consent")
    key_to(page, "Oui, j'accepte")
    heading(page, "Question 1 sur 10")
    assert_accessible(page, "question 1")
    key_to(page, "Suivant")  # nothing chosen: the question names itself
    page.get_by_text("Choisissez une réponse à la question 1").wait_for()
    settled(page)
    assert_accessible(page, "question 1 left unanswered")
    for n in range(1, 11):
        heading(page, f"Question {n} sur 10")
        page.wait_for_function("document.activeElement && document.activeElement.type === 'radio'")
        choose(page, 1 + n % 5)
        key_to(page, "Suivant")
    heading(page, "Vérifiez vos réponses")
    assert_accessible(page, "the review")
    key_to(page, "Envoyer mes réponses", limit=80)
    heading(page, "Merci !")
    assert "Retirer mon accord" in page.locator("main").inner_text()
    assert_french_only(page, "the thank-you")
    assert_accessible(page, "the thank-you")
    assert stored(e2e_store, link["participant_id"]) == 10
    assert not other_hosts(page, app_url)

    page.goto(link["link"])  # the same link again
    heading(page, "Déjà répondu")
    assert page.locator("[data-testid='stForm']").count() == 0
    assert_accessible(page, "an answered link")


def test_every_address_with_the_token_opens_the_survey_without_an_error_box(
    page: Any, app_url: str, e2e_store: Path
) -> None:
    token = invite(e2e_store, app_url)[0]["link"].split("invitation=")[1]
    page.set_viewport_size(PHONE)
    for path in ("/", "/survey", "/enquete", "/survey/", "/survey/foo", "/a/b/c"):
        page.goto(f"{app_url}{path}?invitation={token}")
        heading(page, "Bienvenue")
        page.wait_for_timeout(500)
        body = page.locator("body").inner_text()
        assert "Page not found" not in body and "Running the app" not in body, path
        assert page.locator("[role='dialog']").count() == 0, path


def test_two_tabs_submitting_at_once_store_one_answer(
    browser: Any, app_url: str, e2e_store: Path
) -> None:
    link = invite(e2e_store, app_url)[0]
    tabs = []
    for _ in range(2):
        context = browser.new_context(viewport=PHONE, locale="fr-FR")
        tabs.append(context.new_page())
    first, second = tabs
    first.goto(link["link"])
    heading(first, "Bienvenue")
    first.get_by_role("button", name="Commencer").click()
    heading(first, "Votre accord")
    first.get_by_role("button", name="Oui, j'accepte").click()
    for n in range(1, 11):
        heading(first, f"Question {n} sur 10")
        first.get_by_text("3 — Ni d'accord ni pas d'accord").click()
        first.get_by_role("button", name="Suivant").click()
    heading(first, "Vérifiez vos réponses")
    second.goto(link["link"])  # the answers are kept against the link: it resumes
    heading(second, "Vérifiez vos réponses")
    buttons = [tab.get_by_role("button", name="Envoyer mes réponses") for tab in tabs]
    for button in buttons:
        button.click(no_wait_after=True)
    deadline = time.monotonic() + 60
    ends: list[str] = []
    while time.monotonic() < deadline and len(ends) < 2:
        ends = [
            name
            for tab in tabs
            for name in ("Merci !", "Déjà répondu")
            if tab.get_by_role("heading", name=name, level=1).count()
        ]
        time.sleep(0.3)
    assert sorted(ends) == ["Déjà répondu", "Merci !"], ends
    assert stored(e2e_store, link["participant_id"]) == 10
    for tab in tabs:
        tab.context.close()


def test_an_expired_link_is_refused(page: Any, app_url: str, e2e_store: Path) -> None:
    link = invite(e2e_store, app_url)[0]
    engine = sa.create_engine(f"sqlite:///{e2e_store}")
    token = link["link"].split("invitation=")[1]
    from livinglab.store.invitations import token_hash

    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE invitation SET expires_at = 1 WHERE token_hash = :h"),
            {"h": token_hash(token)},
        )
    page.set_viewport_size(PHONE)
    page.goto(link["link"])
    heading(page, "Ce lien ne peut pas servir")
    main = page.locator("main").inner_text()
    assert "Ce lien a expiré" in main and "livinglab\u2060@ville-issy.fr" in main
    assert page.locator("[data-testid='stForm']").count() == 0
    assert_accessible(page, "an expired link")


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_radio_outline_and_focus_ring_have_a_3_to_1_contrast(
    page: Any, app_url: str, e2e_store: Path
) -> None:
    link = invite(e2e_store, app_url)[0]
    page.set_viewport_size(PHONE)
    first_question(page, link["link"])
    page.wait_for_function("document.activeElement && document.activeElement.type === 'radio'")
    styles = page.evaluate(
        """() => {
        const option = document.activeElement.closest('[data-testid="stRadioOption"]');
        const circle = option.querySelector(':scope > div > div');
        const c = getComputedStyle(circle), o = getComputedStyle(option);
        const background = getComputedStyle(document.querySelector('[data-testid="stMain"]'));
        const text = getComputedStyle(option.querySelector('p'));
        return {ring: c.borderTopColor, ringWidth: c.borderTopWidth, text: text.fontSize,
                focus: o.outlineColor, focusWidth: o.outlineWidth, focusStyle: o.outlineStyle,
                page: background.backgroundColor};
    }"""
    )
    page_colour = styles["page"] if "0, 0, 0, 0" not in styles["page"] else "rgb(255, 255, 255)"
    assert contrast(styles["ring"], page_colour) >= 3, styles  # WCAG 1.4.11
    assert float(styles["ringWidth"].removesuffix("px")) >= 1.5, styles
    assert styles["focusStyle"] == "solid", styles
    assert float(styles["focusWidth"].removesuffix("px")) >= 2, styles  # WCAG 2.4.13
    assert contrast(styles["focus"], page_colour) >= 3, styles
    assert float(styles["text"].removesuffix("px")) >= 20, styles  # large type: 1.25rem


def test_at_200_percent_zoom_the_survey_reflows_and_stays_accessible(
    page: Any, app_url: str, e2e_store: Path
) -> None:
    link = invite(e2e_store, app_url)[0]
    # A 1280x900 window zoomed to 200 % lays the page out in 640x450 CSS pixels.
    page.set_viewport_size({"width": 640, "height": 450})
    first_question(page, link["link"])
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow} px of horizontal scrolling at 200 %"
    assert_accessible(page, "question 1 at 200 %")
