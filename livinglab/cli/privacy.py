"""Commands of personal data: ``erase``, ``purge``, ``consent withdraw``, ``audit`` and
``pseudonyms``. Who runs them is logged as ``cli:<system user>``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

PARTICIPANT_HELP = "The participant's id as in the team's files, or their pseudonym."


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``livinglab`` command line."""
    app.command()(erase)
    app.command()(purge)
    app.command()(audit)
    app.command()(pseudonyms)
    consent_app = typer.Typer(help="Participants' consent.", no_args_is_help=True)
    consent_app.command("withdraw")(consent_withdraw)
    app.add_typer(consent_app, name="consent")


def erase(
    pilot: Annotated[str, typer.Argument(help="The pilot's id.")],
    participant: Annotated[str, typer.Argument(help=PARTICIPANT_HELP)],
) -> None:
    """Erase a person from a pilot (GDPR right to erasure): every row of theirs in every
    table; their pseudonym is kept so that a re-import skips them."""
    from livinglab.services.privacy import erase as erase_person

    done = erase_person(pilot, participant)
    tables = ", ".join(f"{table} {n}" for table, n in done.deleted.items() if n)
    typer.echo(
        f"Erased pseudonym {done.pseudonym} of pilot {pilot}: {done.total} row(s) deleted "
        f"({tables}). A re-import of an old file will skip this person."
    )


def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be deleted; delete nothing.")
    ] = False,
) -> None:
    """Delete every pilot whose intervention ended more than its privacy.retention_days
    ago: all its rows in every table (the audit log is kept)."""
    from livinglab.services.privacy import purge as purge_pilots

    done = purge_pilots(dry_run=dry_run)
    if not done:
        typer.echo("No pilot is past its retention period: nothing to delete.")
    verb = "would delete" if dry_run else "deleted"
    for pilot in done:
        tables = ", ".join(f"{table} {n}" for table, n in pilot.deleted.items())
        typer.echo(
            f"{pilot.pilot_id}: intervention ended {pilot.ended_on}, kept {pilot.retention_days} "
            f"days (until {pilot.purge_from}): {verb} {pilot.total} row(s) ({tables})."
        )


def consent_withdraw(
    pilot: Annotated[str, typer.Argument(help="The pilot's id.")],
    participant: Annotated[str, typer.Argument(help=PARTICIPANT_HELP)],
) -> None:
    """Withdraw a person's consent: their data leaves every evaluation from now on."""
    from livinglab.services.privacy import withdraw_consent

    done = withdraw_consent(pilot, participant)
    if done.withdrawn:
        typer.echo(
            f"Consent of pseudonym {done.pseudonym} to pilot {pilot} withdrawn: their data "
            "counts in no evaluation from now on."
        )
    else:
        typer.echo(f"The consent of pseudonym {done.pseudonym} was already withdrawn.")


def audit(
    pilot: Annotated[str | None, typer.Option(help="Only this pilot's entries.")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action (e.g. export).")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the entries as CSV here.")
    ] = None,
) -> None:
    """The audit log, newest first: who did what, when."""
    from livinglab.services.audit import audit_csv, audit_log, cli_actor, record_export
    from livinglab.store.audit import ACTIONS

    if action is not None and action not in ACTIONS:
        typer.echo(f"Unknown action {action!r} (expected one of {', '.join(ACTIONS)}).", err=True)
        raise typer.Exit(1)
    if output is not None:
        output.write_text(audit_csv(pilot_id=pilot, action=action), encoding="utf-8")
        record_export(cli_actor(), pilot, f"audit log csv to {output.name}")
        typer.echo(f"Audit log written to {output}.")
        return
    for row in audit_log(pilot_id=pilot, action=action).itertuples(index=False):
        moment = f"{row.at:%Y-%m-%d %H:%M:%S}"
        typer.echo(f"{moment}\t{row.actor}\t{row.action}\t{row.pilot or '-'}\t{row.detail or ''}")


def pseudonyms(
    pilot: Annotated[str, typer.Argument(help="The pilot's id.")],
    participants: Annotated[
        Path, typer.Option(help="The team's participants file (participant_id column).")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the table as CSV here.")
    ] = None,
) -> None:
    """The team's ids beside their pseudonyms (with the pilot's key): the way back from a
    pseudonym to a person, for whoever holds both. Nothing is written to the store."""
    from livinglab.services.audit import cli_actor, record_export
    from livinglab.services.privacy import pseudonym_table

    table = pseudonym_table(pilot, participants)
    record_export(cli_actor(), pilot, f"pseudonym table of {len(table)} id(s)")
    if output is not None:
        table.to_csv(output, index=False)
        typer.echo(f"{len(table)} row(s) written to {output} (keep it private).")
        return
    typer.echo(table.to_string(index=False))
