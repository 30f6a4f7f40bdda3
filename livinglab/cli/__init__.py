"""The ``livinglab`` command line: the same use cases as the app, through ``services``.

Every command imports only what it uses (pingouin alone takes 1.6 s to import):
``validate`` and ``import`` never pull the statistics, Streamlit or Altair.
Every user error is a message on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from livinglab.errors import LivingLabError, ProblemsError

app = typer.Typer(
    name="livinglab",
    help="Run Living Lab pilots: validate configs, import data, evaluate, start the app.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

EXIT_USER_ERROR = 1
EXIT_INTERNAL = 3


def _fail(message: str, code: int = EXIT_USER_ERROR) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Pilot or instrument files or folders (default: the pilots and surveys folders)."
        ),
    ] = None,
) -> None:
    """Check pilot and instrument files; list every problem as FILE:LINE: field: message."""
    import warnings

    from livinglab import services
    from livinglab.spec.loader import SpecDeprecation

    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always", SpecDeprecation)
        problems, checked = services.validate(paths or [])
    for note in dict.fromkeys(str(n.message) for n in notes
                              if issubclass(n.category, SpecDeprecation)):
        typer.echo(f"{note} (deprecated: still read)", err=True)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise _fail(f"{len(problems)} problem(s) in {checked} file(s).")
    typer.echo(f"{checked} file(s) valid.")


@app.command("import")
def import_(
    pilot: Annotated[str, typer.Argument(help="The pilot's id (pilots/<id>.yaml).")],
    participants: Annotated[
        Path | None, typer.Option(help="Participants CSV or Excel workbook.")
    ] = None,
    observations: Annotated[
        Path | None, typer.Option(help="Observations CSV, Excel workbook or Parquet.")
    ] = None,
    responses: Annotated[
        Path | None, typer.Option(help="Survey responses CSV or Excel workbook.")
    ] = None,
    sep: Annotated[
        str | None,
        typer.Option(help="CSV separator: ',' ';' or tab (default: detected from the header)."),
    ] = None,
    decimal: Annotated[
        str | None, typer.Option(help="Decimal mark: '.' or ',' (default: detected).")
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="utf-8, cp1252 (Windows-1252) or latin-1 (default: detected)."),
    ] = None,
    dayfirst: Annotated[
        bool | None,
        typer.Option(
            "--dayfirst/--monthfirst",
            help="Dates like 03/04/2026 are day first (3 April) or month first (default: "
            "detected; a file with only such dates is refused until you say).",
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(help="The sheet to read in each Excel workbook (default: the first)."),
    ] = None,
    export_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="A tool's export: enedis (--observations are load curves, one meter a "
            "file named after its participant; a file or a folder), limesurvey "
            "(--responses are a LimeSurvey export; with --instrument and --wave), kobo "
            "(--responses are a KoboToolbox CSV or XLSX export; the same options).",
        ),
    ] = None,
    metric: Annotated[
        str | None, typer.Option(help="With --format enedis: the metric the readings are.")
    ] = None,
    instrument: Annotated[
        str | None, typer.Option(help="With --format limesurvey or kobo: the instrument.")
    ] = None,
    meters: Annotated[
        Path | None,
        typer.Option(
            help="With --format enedis: a CSV meter,participant_id mapping each curve's PRM "
            "(default: each curve file is named after its participant)."
        ),
    ] = None,
    wave: Annotated[
        str | None, typer.Option(help="With --format limesurvey or kobo: the wave.")
    ] = None,
) -> None:
    """Import data into the store: all of it lands, or nothing does."""
    from livinglab import services
    from livinglab.store.dialects import CsvOptions

    if not (participants or observations or responses):
        raise _fail("Nothing to import: give --participants, --observations or --responses.")
    report = services.import_data(
        pilot,
        participants=participants,
        observations=observations,
        responses=responses,
        csv_options=CsvOptions(
            sep=sep, decimal=decimal, encoding=encoding, dayfirst=dayfirst, sheet=sheet
        ),
        export_format=export_format,
        metric=metric,
        instrument=instrument,
        wave=wave,
        meters=meters,
    )
    typer.echo(_import_summary(report))


def _import_summary(report: object) -> str:
    parts = []
    for k in report.kinds:  # type: ignore[attr-defined]
        part = f"{k.kind}: {k.read} read, {k.inserted} new, {k.already_present} already stored"
        if k.read_as:
            part += f", read as {k.read_as}"
        if k.trimmed:
            part += f", {k.trimmed} id(s) trimmed of surrounding spaces"
        if getattr(k, "skipped_erased", 0):
            part += f", {k.skipped_erased} row(s) of erased participants skipped"
        parts.append(part)
    return "; ".join(parts) + f" ({report.seconds:.1f} s)"  # type: ignore[attr-defined]


@app.command()
def demo(
    out: Annotated[
        Path | None, typer.Option(help="Also keep the generated CSV files in this folder.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = 20260101,
) -> None:
    """Fill the store with seeded, realistic data for the demo pilots."""
    from livinglab import services

    for pilot_id, report in services.load_demo(out_dir=out, seed=seed).items():
        typer.echo(f"{pilot_id}: {_import_summary(report)}")
    typer.echo("Demo accounts (public passwords: for the demo only):")
    for username, password, role in services.DEMO_ACCOUNTS:
        typer.echo(f"  {role:<9} {username} / {password}")


@app.command()
def evaluate(
    pilot: Annotated[str, typer.Argument(help="The pilot's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    lang: Annotated[str, typer.Option(help="fr (default) or en.")] = "fr",
) -> None:
    """Evaluate a pilot: every metric's comparison, every survey's score, the verdict."""
    from livinglab import services
    from livinglab.services.audit import cli_actor, record_export

    if lang not in ("fr", "en"):
        raise _fail(f"The --lang must be 'fr' or 'en'. Got '{lang}' instead.")
    evaluation = services.evaluate_pilot(pilot)
    if as_json:
        typer.echo(json.dumps(evaluation.to_dict(lang), ensure_ascii=False, indent=2))
        record_export(cli_actor(), pilot, "evaluation json")
    else:
        from livinglab.i18n import translator
        from livinglab.presentation.sentences import evaluation_text

        typer.echo(evaluation_text(evaluation, translator(lang)))


@app.command()
def report(
    pilot: Annotated[str, typer.Argument(help="The pilot's id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    format_: Annotated[
        str, typer.Option("--format", help="html (self-contained, offline) or pdf.")
    ] = "html",
    lang: Annotated[str, typer.Option(help="fr (default) or en.")] = "fr",
) -> None:
    """Export the pilot's dossier for the council (HTML or PDF)."""
    from livinglab import services

    if format_ not in ("html", "pdf"):
        raise _fail(f"The --format must be 'html' or 'pdf'. Got '{format_}' instead.")
    if lang not in ("fr", "en"):
        raise _fail(f"The --lang must be 'fr' or 'en'. Got '{lang}' instead.")
    if not output.parent.is_dir():
        raise _fail(f"The folder '{output.parent}' of --output does not exist.")
    if format_ == "html":
        output.write_text(services.dossier_html(pilot, lang=lang), encoding="utf-8")
    else:
        output.write_bytes(services.dossier_pdf(pilot, lang=lang))
    from livinglab.services.audit import cli_actor, record_export

    record_export(cli_actor(), pilot, f"dossier {format_} ({lang}) to {output.name}")
    typer.echo(f"Dossier written to {output} ({output.stat().st_size // 1024} KiB).")


@app.command()
def power(
    design: Annotated[
        str | None, typer.Option(help="paired, two_sample, did or two_proportions.")
    ] = None,
    effect: Annotated[
        float | None,
        typer.Option(help="Effect: in the metric's unit with --sd, else standardised (d or h)."),
    ] = None,
    sd: Annotated[float | None, typer.Option(help="Observed or assumed SD, in units.")] = None,
    n: Annotated[float | None, typer.Option(help="Participants per group (or pairs).")] = None,
    power_: Annotated[
        float | None,
        typer.Option("--power", help="Target power (default: the pilot's, else 0.8)."),
    ] = None,
    alpha: Annotated[
        float | None, typer.Option(help="Two-sided alpha (default: the pilot's, else 0.05).")
    ] = None,
    pilot: Annotated[str | None, typer.Option(help="Plan for a pilot's metric.")] = None,
    metric: Annotated[str | None, typer.Option(help="The metric, with --pilot.")] = None,
    baseline: Annotated[
        float | None,
        typer.Option(
            help="Baseline mean (for a relative effect) or, for two proportions, the "
            "comparison proportion: --effect is then a difference in proportions (Cohen's h)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Solve for whichever of n, effect or power is not given (planning a pilot).

    Power defaults to 0.8 (or the pilot's) and alpha to 0.05 (or the pilot's). Two
    proportions with --baseline use Cohen's h (R's pwr.2p.test)."""
    from livinglab import services

    result = services.plan_power(
        design=design, effect=effect, sd=sd, n=n, power=power_, alpha=alpha,
        pilot_id=pilot, metric_id=metric, baseline=baseline,
    )
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    typer.echo(
        f"design {result.design}: n = {result.n:.2f} per group (recruit {result.n_ceiling}), "
        f"{result.effect_name} = {result.effect:.4g}{_in_units(result)}, "
        f"power = {result.power:.3f}, alpha = {result.alpha:g} (solved for {result.solved_for})"
    )


def _in_units(result: object) -> str:
    units = getattr(result, "effect_units", None)
    if units is None:
        return ""
    if getattr(result, "design", "") == "two_proportions":
        return f" ({units * 100:.2f} points from {getattr(result, 'baseline', 0):g})"
    return f" ({units:.4g} in the metric's unit)"


@app.command()
def pilots() -> None:
    """List the pilots with the data stored for each."""
    from livinglab import services

    for line in services.list_pilots_text():
        typer.echo(line)


instrument_app = typer.Typer(help="Survey instruments.", no_args_is_help=True)
app.add_typer(instrument_app, name="instrument")


@instrument_app.command("from-xlsform")
def instrument_from_xlsform(
    form: Annotated[Path, typer.Argument(help="The XLSForm (.xlsx) of KoboToolbox or ODK.")],
    out: Annotated[
        Path | None, typer.Option(help="The YAML to write (default: surveys/<id>.yaml).")
    ] = None,
    instrument_id: Annotated[
        str | None, typer.Option("--id", help="The instrument's id (default: the form's id).")
    ] = None,
) -> None:
    """Write an instrument YAML from an XLSForm: its select_one questions are the items."""
    from livinglab import services

    written, left_out = services.instrument_from_xlsform(
        form, out=out, instrument_id=instrument_id
    )
    typer.echo(f"{written} written.")
    if left_out:
        typer.echo(f"Left out (not select_one): {', '.join(left_out)}.")


user_app = typer.Typer(
    help="Local sign-in accounts of the innovation team (team) and decision-makers (decision).",
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="The sign-in name (a-z, 0-9, . _ @ -).")],
    role: Annotated[str, typer.Option(help="team or decision.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account; the password is asked twice (never given as an argument)."""
    from livinglab import services
    from livinglab.store.accounts import check_role

    check_role(role)
    password = _read_password(password_stdin)
    account = services.add_account(username, password, role)
    typer.echo(f"Account '{account.username}' created with the role {account.role}.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("list")
def user_list() -> None:
    """Every account: name, role, locked or not, last sign-in."""
    from livinglab import services

    accounts = services.accounts()
    identities = services.identities()
    if not accounts and not identities:
        typer.echo("No account.")
    for issuer, subject, role, label in identities:
        typer.echo(f"{subject}\t{role}\tidentity provider {issuer}\t{label or ''}".rstrip())
    for account in accounts:
        moment = account.last_sign_in_at
        last = f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "never"
        state = "locked" if account.locked else "active"
        typer.echo(f"{account.username}\t{account.role}\t{state}\tlast sign-in: {last}")


@user_app.command("remove")
def user_remove(username: Annotated[str, typer.Argument(help="The account's name.")]) -> None:
    """Delete an account (its open sessions lose access at their next click)."""
    from livinglab import services

    services.remove_account(username)
    typer.echo(f"Account '{username}' removed.")


@user_app.command("set-role")
def user_set_role(
    username: Annotated[str, typer.Argument(help="The account's name.")],
    role: Annotated[str, typer.Argument(help="team or decision.")],
) -> None:
    """Change an account's role (applies at its next click)."""
    from livinglab import services

    account = services.set_account_role(username, role)
    typer.echo(f"Account '{account.username}' now has the role {account.role}.")


@user_app.command("grant")
def user_grant(
    issuer: Annotated[str, typer.Argument(help="The identity provider's issuer URL (iss).")],
    subject: Annotated[str, typer.Argument(help="The person's subject at the provider (sub).")],
    role: Annotated[str, typer.Option(help="team or decision.")],
    label: Annotated[str | None, typer.Option(help="Who it is, for people (e.g. a name).")] = None,
) -> None:
    """Give a role to a person who signs in through the identity provider (OIDC)."""
    from livinglab import services

    services.grant_identity(issuer, subject, role, label)
    typer.echo(f"Subject {subject!r} of {issuer} now has the role {role}.")


@user_app.command("revoke")
def user_revoke(
    issuer: Annotated[str, typer.Argument(help="The identity provider's issuer URL (iss).")],
    subject: Annotated[str, typer.Argument(help="The person's subject at the provider (sub).")],
) -> None:
    """Take away the role of a person of the identity provider (at their next click)."""
    from livinglab import services

    services.revoke_identity(issuer, subject)
    typer.echo(f"Subject {subject!r} of {issuer} has no role any more.")


@user_app.command("unlock")
def user_unlock(username: Annotated[str, typer.Argument(help="The account's name.")]) -> None:
    """Lift a lock-out after repeated failed sign-ins."""
    from livinglab import services

    account = services.unlock_account(username)
    typer.echo(f"Account '{account.username}' unlocked.")


@app.command("app")
def run_app(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    address: Annotated[
        str,
        typer.Option(
            help="Address to listen on: this machine only by default; 0.0.0.0 for every "
            "interface (behind a TLS reverse proxy, see the README's Security section)."
        ),
    ] = "127.0.0.1",
    headless: Annotated[bool, typer.Option(help="Do not open a browser.")] = True,
) -> None:
    """Start the Streamlit app (after checking the settings and the store)."""
    from livinglab import services

    # serve.py: app.py as an ASGI app behind the middleware that opens any address
    # carrying a survey token (livinglab.ui.links).
    entry = Path(__file__).resolve().parents[2] / "serve.py"
    if not entry.exists():
        raise _fail(f"The app's entry point {entry} is missing (run from a source checkout).")
    services.check_deployment()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(entry),
        "--server.port", str(port), "--server.address", address,
        "--server.headless", str(headless).lower(),
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
        # A visitor never sees a stack trace (the server's log keeps it).
        "--client.showErrorDetails", "none",
        # A server does not reload its sources: watching them (watchdog's recursive
        # inotify over the checkout, .venv included) overflowed its queue and kept a core
        # busy for as long as a browser was connected.
        "--server.fileWatcherType", "none",
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    # Become the server (exec, not a child process): a service manager's stop signal
    # reaches Streamlit itself, and no orphan keeps the port.
    os.execv(sys.executable, cmd)


from livinglab.cli import privacy  # noqa: E402 - its commands join the app defined above

privacy.register(app)


def main() -> None:
    """Entry point: run the app, turning errors into messages and exit codes."""
    # Before numpy is imported: the statistics solve small least-squares problems, where
    # one OpenBLAS thread is faster than several and spares their buffers (21 MB of a
    # `livinglab evaluate`); the app started by `livinglab app` inherits it. A value
    # the user set wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        # Without standalone mode click returns an Exit's code instead of exiting.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except ProblemsError as err:
        typer.echo(err.render(limit=50), err=True)
        sys.exit(EXIT_USER_ERROR)
    except LivingLabError as err:
        typer.echo(f"Error: {err}", err=True)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # noqa: BLE001 - the last line of defence against a traceback
        import click
        import sqlalchemy.exc

        if isinstance(err, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError):
            # A server stopped mid-query, a full disk, a lock held too long: the store's
            # transaction was rolled back. Only the first line: the rest may quote data.
            reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
            typer.echo(
                f"Error: the store failed during the command ({reason}); its transaction was "
                "rolled back. Check that the database is running and has free space, then "
                "run the command again.",
                err=True,
            )
            sys.exit(EXIT_USER_ERROR)
        if isinstance(err, OSError) and not os.environ.get("LIVINGLAB_DEBUG"):
            where = f" {err.filename}" if err.filename else ""
            typer.echo(f"Error: cannot read or write{where}: {err.strerror or err}.", err=True)
            sys.exit(EXIT_USER_ERROR)

        if isinstance(err, click.ClickException):
            err.show()
            sys.exit(err.exit_code)
        if isinstance(err, click.exceptions.Abort):
            sys.exit(EXIT_USER_ERROR)
        if os.environ.get("LIVINGLAB_DEBUG"):
            raise
        typer.echo(
            f"Internal error: {type(err).__name__}: {err}\n"
            "This is a bug in livinglab; set LIVINGLAB_DEBUG=1 to see the traceback.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)


# Command families in their own modules.
from livinglab.cli import invitations  # noqa: E402

invitations.register(app)

if __name__ == "__main__":
    main()
