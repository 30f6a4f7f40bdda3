"""Printable invitation letters: one A4 page per tester with the pilot, the link as a
short address and a QR code (segno), and the pilot's contact; printed to PDF by the
same headless Chromium as the dossier."""

from __future__ import annotations

import html
from datetime import date

from livinglab import services
from livinglab.i18n import Translator
from livinglab.services.survey import minutes_needed

LETTER_CSS = """
@page { size: A4; margin: 22mm 20mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14pt; line-height: 1.45;
       color: #111; }
section.letter { break-after: page; }
section.letter:last-child { break-after: auto; }
h1 { font-size: 20pt; margin: 0 0 8mm; }
.qr { display: block; width: 62mm; height: 62mm; margin: 8mm 0; }
.qr svg { width: 100%; height: 100%; }
.link { font-family: "DejaVu Sans Mono", monospace; font-size: 13pt; word-break: break-all; }
.small { font-size: 12pt; }
"""


def letters_html(
    pilot_id: str,
    instrument: str,
    links: list[dict[str, str]],
    *,
    lang: str = "fr",
    expires: date | None = None,
) -> str:
    """One HTML document of letters (a page each) for ``links`` (from
    :func:`livinglab.services.invitations.invite`). Every text from files and links is
    escaped; the words (``letter_*``, our own) hold no markup."""
    import segno

    t = Translator(lang)
    pilot = services.load_pilot(pilot_id)
    spec = services._instrument(instrument)
    title = html.escape(pilot.title.get(lang))
    controller = html.escape(
        pilot.privacy.controller if pilot.privacy else t("survey_controller_unknown")
    )
    contact = html.escape(pilot.privacy.contact) if pilot.privacy else ""
    minutes = minutes_needed(len(spec.items))
    pages = []
    for link in links:
        qr = segno.make(link["link"], error="m")
        svg = qr.svg_inline(scale=4, border=4, title=t("letter_qr_alt"))
        address = html.escape(link["link"])
        parts = [
            f"<h1>{title}</h1>",
            f"<p>{html.escape(t('letter_greeting'))}</p>",
            f"<p>{t('letter_body', pilot=title, controller=controller, minutes=minutes)}</p>",
            f"<p>{html.escape(t('letter_how'))}</p>",
            f'<div class="qr">{svg}</div>',
            f'<p class="link">{address}</p>',
        ]
        if expires is not None:
            parts.append(f"<p>{html.escape(t('letter_expires', date=t.date(expires)))}</p>")
        parts.append(f'<p class="small">{html.escape(t("letter_personal"))}</p>')
        if contact:
            parts.append(f"<p>{t('letter_contact', contact=contact)}</p>")
        pages.append('<section class="letter">' + "".join(parts) + "</section>")
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{LETTER_CSS}</style></head><body>"
        + "".join(pages)
        + "</body></html>"
    )


def letters_pdf(
    pilot_id: str,
    instrument: str,
    links: list[dict[str, str]],
    *,
    lang: str = "fr",
    expires: date | None = None,
) -> bytes:
    """The letters as a PDF, one page per link (needs Chromium, like the dossier)."""
    from livinglab.presentation.dossier import html_to_pdf

    return html_to_pdf(letters_html(pilot_id, instrument, links, lang=lang, expires=expires))
