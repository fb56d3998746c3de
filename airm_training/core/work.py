"""The unit of work: one transaction per user action, owned by the view or the command that
runs it, never by a service (services only ``flush()``).

A view runs its service call inside ``unit_of_work``::

    with unit_of_work(form) as work:
        entry = log_entry(current_user, form.to_input(), submit=form.submitting)
    if work.ok:
        return redirect(url_for("hours.show", entry_id=entry.id))

On success the transaction is committed. A ``DomainError`` (or an ``IntegrityError``, a
conflict with a concurrent request) rolls everything back and is shown: its problems go
onto ``form`` when one is given, else they are flashed. Any other exception rolls back
and propagates (a server error). A CLI command uses ``command_work`` the same way."""

from __future__ import annotations

import sys
from types import TracebackType

import click
import sqlalchemy as sa
from flask import flash
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from airm_training.core.errors import DomainError
from airm_training.core.forms import flash_problems, show_problems
from airm_training.core.locks import lock_audit_chain
from airm_training.extensions import db

CONFLICT = "Someone else changed this at the same moment; nothing was saved. Try again."


def _commit() -> IntegrityError | None:
    """Commit; when the database refuses the changes as a conflict, roll back and return
    its error."""
    try:
        db.session.commit()
    except IntegrityError as conflict:
        db.session.rollback()
        return conflict
    return None


class unit_of_work:
    """Commit the block's changes, or roll them back and show why.

    ``keep_refused``: commit even when the block raises a ``DomainError``, for actions whose
    refusal itself is recorded (the audit event of a wrong password or code).
    ``conflict``: the message shown when the database refuses the changes as a conflict.
    ``refusals``: further exception types that roll back and are kept on ``work.error``
    without being shown (the view shows them its own way). ``category`` and
    ``conflict_category``: how flashed problems and the conflict message look."""

    def __init__(
        self,
        form: FlaskForm | None = None,
        *,
        keep_refused: bool = False,
        conflict: str = CONFLICT,
        refusals: tuple[type[Exception], ...] = (),
        category: str = "danger",
        conflict_category: str = "warning",
    ) -> None:
        self.form = form
        self.keep_refused = keep_refused
        self.conflict = conflict
        self.refusals = refusals
        self.category = category
        self.conflict_category = conflict_category
        self.error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __bool__(self) -> bool:
        return self.ok

    def __enter__(self) -> unit_of_work:
        lock_audit_chain()  # before any row lock the block takes (see its docstring)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> bool:
        if error is None:
            if (conflict := _commit()) is not None:
                self._refused_by_database(conflict)
            return False
        if isinstance(error, DomainError):
            self._end(keep=self.keep_refused)
            self.error = error
            self._show(error)
            return True
        if isinstance(error, IntegrityError):
            db.session.rollback()
            self._refused_by_database(error)
            return True
        if self.refusals and isinstance(error, self.refusals):
            self._end(keep=self.keep_refused)
            self.error = error
            return True
        db.session.rollback()
        return False

    @staticmethod
    def _end(*, keep: bool) -> None:
        if keep:
            db.session.commit()
        else:
            db.session.rollback()

    def _refused_by_database(self, error: IntegrityError) -> None:
        self.error = error
        flash(self.conflict, self.conflict_category)

    def _show(self, error: DomainError) -> None:
        if self.form is not None:
            show_problems(self.form, error)
        else:
            flash_problems(error, self.category)


def database_answers() -> bool:
    """Whether the database answers a trivial query (the health check); a failed attempt
    is rolled back so the session stays usable."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False
    return True


class command_work:
    """The unit of work of a ``flask airm`` command: commit on success; on a
    ``DomainError`` (or a conflict) roll back, print why and exit with status 1.
    ``conflict_status`` 0: a conflict is an expected outcome (another run did the work),
    printed on stdout, and the command ends with success."""

    def __init__(self, *, conflict: str = CONFLICT, conflict_status: int = 1) -> None:
        self.conflict = conflict
        self.conflict_status = conflict_status

    def __enter__(self) -> command_work:
        lock_audit_chain()  # as ``unit_of_work`` does
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> bool:
        if error is None:
            if _commit() is not None:
                self._conflicted()
            return False
        db.session.rollback()
        if isinstance(error, DomainError):
            self._fail([f"Error: {reason}" for _field, reason in error.problems])
        if isinstance(error, IntegrityError):
            self._conflicted()
        return False

    def _conflicted(self) -> None:
        if self.conflict_status == 0:
            click.echo(self.conflict)
            sys.exit(0)
        self._fail([self.conflict])

    @staticmethod
    def _fail(lines: list[str], status: int = 1) -> None:
        for line in lines:
            click.echo(line, err=True)
        sys.exit(status)
