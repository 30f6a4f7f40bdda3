"""``livinglab invite``: survey links for a wave (expiring, one live link per person),
reminders, the team's own ids beside the links, printable letters with a QR code."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def invite(
    pilot: Annotated[str, typer.Argument(help="The pilot's id.")],
    instrument: Annotated[str, typer.Option(help="The instrument's id (surveys/<id>.yaml).")],
    wave: Annotated[str, typer.Option(help="baseline or after.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV of the links to write.")],
    cohort: Annotated[
        list[str] | None, typer.Option(help="Invite only this cohort (repeatable).")
    ] = None,
    base_url: Annotated[
        str, typer.Option(help="The app's public address.")
    ] = "http://localhost:8501",
    expires: Annotated[
        str | None,
        typer.Option(help="The links' last valid day, YYYY-MM-DD (the pilot's local time)."),
    ] = None,
    reminder: Annotated[
        bool,
        typer.Option(
            "--reminder",
            help="Only those already invited to this wave who have not answered (new links).",
        ),
    ] = False,
    participants: Annotated[
        Path | None,
        typer.Option(
            help="The team's participants file: its raw ids go beside the links (own_id)."
        ),
    ] = None,
    letters: Annotated[
        Path | None,
        typer.Option(help="Also write printable letters (PDF, one page per tester, QR code)."),
    ] = None,
    lang: Annotated[str, typer.Option(help="The letters' language: fr or en.")] = "fr",
) -> None:
    """One single-use survey link per participant who has not answered yet (CSV).

    Re-inviting revokes a person's earlier unused link for the wave: one live link each.
    """
    import csv

    from livinglab import services

    for path, option in ((output, "--output"), (letters, "--letters")):
        if path is not None and not path.parent.is_dir():
            raise _fail(f"The folder '{path.parent}' of {option} does not exist.")
    if lang not in ("fr", "en"):
        raise _fail(f"--lang must be fr or en. Got {lang!r} instead.")
    last_day = None
    if expires is not None:
        try:
            last_day = date.fromisoformat(expires)
        except ValueError:
            raise _fail(
                f"--expires must be a date like 2026-06-30. Got {expires!r} instead."
            ) from None
    links = services.invite(
        pilot,
        instrument=instrument,
        wave=wave,
        cohorts=cohort or None,
        base_url=base_url,
        expires=last_day,
        reminder=reminder,
        own_ids=participants,
    )
    columns = ["participant_id", "cohort", "link"] + (["own_id"] if participants else [])
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(links)
    typer.echo(f"{len(links)} link(s) written to {output} (each answers once; keep it private).")
    if letters is not None:
        from livinglab.services.letters import letters_pdf

        letters.write_bytes(
            letters_pdf(pilot, instrument, links, lang=lang, expires=last_day)
        )
        typer.echo(f"{len(links)} letter(s) written to {letters}.")


def register(app: typer.Typer) -> None:
    """Add ``invite`` to the ``livinglab`` command line."""
    app.command()(invite)
