"""``flask airm ...`` (or ``airm ...``) commands: loading the programme, demo data, users,
audit checks, backups, reminders and the mail worker."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import click
from flask import Blueprint, current_app

from airm_training.assessments.bank import load_question_bank
from airm_training.audit.services import verify_chain
from airm_training.core.clock import today
from airm_training.core.work import command_work
from airm_training.credentials import holders
from airm_training.extensions import db
from airm_training.hours import backlog
from airm_training.people.models import Role
from airm_training.people.services import create_person, find_by_email
from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE, load_programme_file
from airm_training.progression import summary, tally

bp = Blueprint("airm", __name__, cli_group="airm")


@bp.cli.command("load-programme")
@click.argument(
    "path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def load_programme_command(path: Path | None) -> None:
    """Load the programme file (default: the one shipped with the application)."""
    with command_work():
        result = load_programme_file(path or DEFAULT_PROGRAMME_FILE)
        quizzes = load_question_bank()
    click.echo(result.describe())
    if quizzes:
        click.echo(f"Loaded {quizzes} quizzes from the question bank.")


@bp.cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Allow seeding in production.")
def seed_demo_command(force: bool) -> None:
    """Create the demo people and their records (safe to run again)."""
    from airm_training.demo import seed_demo

    if current_app.config["ENV_NAME"] == "production" and not force:
        click.echo(
            "Refusing to load demo data in production (use --force if you mean it).", err=True
        )
        sys.exit(1)
    with command_work():
        created = seed_demo()
    click.echo(
        f"Demo data: {created} people created."
        if created
        else "Demo data already present; nothing changed."
    )


@bp.cli.command("rebuild-standing")
@click.option("--check", is_flag=True, help="Only report kept figures that differ.")
@click.option(
    "--summaries", "summaries_only", is_flag=True, help="Only the day's standing summaries."
)
def rebuild_standing_command(check: bool, summaries_only: bool) -> None:
    """Recompute every enrolled person's kept hours tally, the sign-off backlog, today's
    standing summary and today's holders at each level (after an upgrade or a restore;
    --summaries, every night, for the new day: the summaries and the holders); with
    --check, list the kept figures that differ from a recomputation and change nothing."""
    day = today()
    if check:
        wrong_hours = [] if summaries_only else tally.differences(db.session)
        wrong_days = [] if summaries_only else backlog.differences(db.session)
        wrong_standings = summary.differences(db.session, day)
        wrong_levels = holders.differences(db.session, day)
        db.session.rollback()
        for requirement_id, person_id in wrong_hours:
            click.echo(f"requirement {requirement_id}, person {person_id}: differs")
        for submitted_on, supervisor_id in wrong_days:
            click.echo(
                f"entries waiting for sign-off, submitted on {submitted_on}"
                f" to supervisor {supervisor_id}: differ"
            )
        for person_id in wrong_standings:
            click.echo(f"standing of person {person_id} on {day}: differs")
        for level_id in wrong_levels:
            click.echo(f"holders of level {level_id} on {day}: differ")
        wrong = len(wrong_hours) + len(wrong_days) + len(wrong_standings) + len(wrong_levels)
        click.echo(f"{wrong} kept figures differ from a recomputation.")
        if wrong:
            sys.exit(1)
        return
    with command_work():
        written = 0 if summaries_only else tally.rebuild(db.session)
        waiting = 0 if summaries_only else backlog.rebuild(db.session)
        standings = summary.rebuild(db.session, day)
        levels = holders.refresh(db.session, day)
    hours = (
        ""
        if summaries_only
        else f"{written} kept hours figures, {waiting} sign-off backlog figures, "
    )
    click.echo(
        f"Recomputed {hours}{standings} standings and {levels} holder counts for {day.isoformat()}."
    )


@bp.cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]))
@click.password_option()
def create_user_command(email: str, full_name: str, roles: tuple[str, ...], password: str) -> None:
    """Create an account with a password (for bootstrapping the first administrator)."""
    with command_work():
        person = create_person(
            email=email,
            full_name=full_name,
            roles=tuple(Role(r) for r in roles),
            password=password,
            actor_id=None,
        )
    click.echo(f"Created {person.email} with roles: {', '.join(roles) or 'none'}.")


@bp.cli.command("reset-two-factor")
@click.option("--email", required=True)
def reset_two_factor_command(email: str) -> None:
    """Turn off someone's two-factor sign-in (they lost their phone and recovery codes)."""
    from airm_training.auth.two_factor import reset_two_factor

    person = find_by_email(email)
    if person is None:
        click.echo(f"Error: no account with the e-mail address {email}.", err=True)
        sys.exit(1)
    with command_work():
        reset_two_factor(person, actor_id=None)
    click.echo(f"Two-factor sign-in of {person.email} is reset; their password alone signs in.")


@bp.cli.command("audit-verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also check the chain against the checkpoints in this file.",
)
def audit_verify_command(checkpoint_file: Path | None) -> None:
    """Check the audit chain; exit 1 and name the first bad event if it was tampered with
    (with ``--checkpoint``, also if events recorded in a checkpoint are gone)."""
    from airm_training.audit.checkpoint import check_against

    report = verify_chain()
    if not report.intact:
        click.echo(
            f"Audit chain BROKEN at event {report.first_bad_id}: {report.problem} "
            f"({report.events_checked} events verified before it).",
            err=True,
        )
        sys.exit(1)
    if checkpoint_file is not None:
        problem = check_against(db.session, checkpoint_file)
        if problem:
            click.echo(
                f"Audit chain BROKEN against checkpoint line {problem.line} of "
                f"{checkpoint_file}: {problem.reason}.",
                err=True,
            )
            sys.exit(1)
    against = f" and every checkpoint in {checkpoint_file}" if checkpoint_file else ""
    click.echo(f"Audit chain intact: {report.events_checked} events verified{against}.")


@bp.cli.command("audit-checkpoint")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def audit_checkpoint_command(path: Path) -> None:
    """Append the audit chain's head (count, last hash, time), signed, to PATH: a file
    outside the database that ``audit-verify --checkpoint PATH`` checks against."""
    from airm_training.audit.checkpoint import append_checkpoint

    checkpoint = append_checkpoint(db.session, path)
    click.echo(
        f"Checkpoint: {checkpoint['events']} events, last {checkpoint['last_id']}, "
        f"written to {path}."
    )


@bp.cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_command(path: Path) -> None:
    """Write the whole database to PATH (gzipped JSON lines, any database can read it)."""
    from airm_training.core.backup import write_backup

    summary = write_backup(path)
    rows = sum(table.rows for table in summary.values())
    click.echo(f"Backed up {rows} rows from {len(summary)} tables to {path}.")


@bp.cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Load a backup into this freshly migrated, empty database (all or nothing)."""
    from airm_training.core.backup import restore_backup

    with command_work():
        summary = restore_backup(path)
    rows = sum(table.rows for table in summary.values())
    click.echo(f"Restored {rows} rows into {len(summary)} tables; every checksum matches.")


@bp.cli.command("send-reminders")
def send_reminders_command() -> None:
    """Send the reminders due today; safe to run repeatedly (e.g. daily from cron)."""
    from airm_training.reminders import send_reminders

    with command_work(
        conflict="Another run is in progress and is sending these reminders; this run sent none.",
        conflict_status=0,
    ):
        sent = send_reminders()
    if not sent:
        click.echo("Nothing to send.")
        return
    click.echo(f"Sent {len(sent)} {'reminder' if len(sent) == 1 else 'reminders'}:")
    for line in sent:
        click.echo(f"  {line}")


@bp.cli.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped (SIGTERM, Ctrl-C).")
@click.option("--interval", type=float, default=None, help="Seconds between polls in a loop.")
def send_mail_command(loop: bool, interval: float | None) -> None:
    """Deliver the e-mails waiting in the outbox (once, or in a loop with ``--loop``)."""
    from airm_training.notifications.mailer import deliver_due

    pause = current_app.config["MAIL_POLL_SECONDS"] if interval is None else interval
    stopping: list[int] = []
    if loop:
        signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    while True:
        run = deliver_due()
        db.session.remove()
        if run.handled or not loop:
            click.echo(
                f"Sent {len(run.sent)}, to retry {len(run.retrying)}, failed {len(run.failed)}."
            )
        if not loop:
            return
        if run.handled < current_app.config["MAIL_BATCH_SIZE"] or run.retrying:
            deadline = time.monotonic() + pause
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.2, pause))
        if stopping:
            click.echo("Stopped.")
            return


@bp.cli.command("build-archives")
@click.option("--loop", is_flag=True, help="Keep building until stopped (SIGTERM, Ctrl-C).")
@click.option("--interval", type=float, default=None, help="Seconds between polls in a loop.")
def build_archives_command(loop: bool, interval: float | None) -> None:
    """Build the personal archives people asked for (once, or in a loop with ``--loop``),
    and delete those past their date."""
    from airm_training.archive.worker import build_due

    pause = current_app.config["ARCHIVE_POLL_SECONDS"] if interval is None else interval
    stopping: list[int] = []
    if loop:
        signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    while True:
        run = build_due()
        db.session.remove()
        if run.handled or run.expired or not loop:
            click.echo(
                f"Built {len(run.built)}, to retry {len(run.retrying)}, "
                f"failed {len(run.failed)}, expired {run.expired}."
            )
        if not loop:
            return
        deadline = time.monotonic() + pause
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, pause))
        if stopping:
            click.echo("Stopped.")
            return


@bp.cli.command("rotate-totp-keys")
def rotate_totp_keys_command() -> None:
    """Re-encrypt every two-factor secret with the first key of AIRM_TOTP_KEYS (after
    putting a new key first; the old ones can then be removed)."""
    from airm_training.auth.two_factor import reencrypt_secrets

    with command_work():
        count = reencrypt_secrets()
    click.echo(f"Re-encrypted {count} two-factor {'secret' if count == 1 else 'secrets'}.")


@bp.cli.group("keys")
def keys_group() -> None:
    """The organisation's signing keys (credentials, status list, PDFs)."""


@keys_group.command("generate")
@click.option("--if-missing", is_flag=True, help="Do nothing when a key set exists already.")
def keys_generate_command(if_missing: bool) -> None:
    """Create a key set in AIRM_KEYS_DIR; an existing one is retired but stays published."""
    from airm_training.verifiable.keys import KeyStore

    store = KeyStore(current_app.config["KEYS_DIR"])
    if if_missing and store.key_sets():
        click.echo(f"Signing keys exist in {store.folder} (current: {store.current().kid}).")
        return
    key_set = store.generate(current_app.config["ORGANISATION_NAME"])
    retired = len(store.key_sets()) - 1
    click.echo(f"Created key set {key_set.kid} in {store.folder}.")
    if retired:
        click.echo(f"{retired} earlier key set(s) retired; they stay in the JWKS and DID document.")


@keys_group.command("list")
def keys_list_command() -> None:
    """The key sets, oldest first, with their state."""
    from airm_training.verifiable.keys import KeyStore

    for key_set in KeyStore(current_app.config["KEYS_DIR"]).key_sets():
        state = f"retired {key_set.retired}" if key_set.retired else "current"
        click.echo(f"{key_set.kid}  created {key_set.created}  {state}")


@bp.cli.command("sign-credentials")
def sign_credentials_command() -> None:
    """Sign the Open Badges credential of every certificate that has none yet (those
    issued before credentials were signed); safe to run again."""
    import sqlalchemy as sa

    from airm_training.extensions import db
    from airm_training.progression.models import Certificate
    from airm_training.verifiable.models import SignedCredential
    from airm_training.verifiable.services import sign_certificate

    unsigned = db.session.scalars(
        sa.select(Certificate)
        .where(~sa.exists().where(SignedCredential.certificate_id == Certificate.id))
        .order_by(Certificate.id)
    ).all()
    with command_work():
        for certificate in unsigned:
            sign_certificate(certificate)
    click.echo(f"Signed the credentials of {len(unsigned)} certificate(s).")
