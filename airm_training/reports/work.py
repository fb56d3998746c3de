"""What waits for a person, for the home pages: one read model per role, each a fixed
number of aggregate queries however much work there is. Every figure comes with the
address of the list it counts, and the lists put the oldest first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import BindParameter

from airm_training.assessments.models import (
    AttemptStatus,
    CasePresentation,
    CaseStatus,
    CaseVersion,
    Quiz,
    QuizAttempt,
)
from airm_training.continuing.queries import pending_columns as ce_pending_columns
from airm_training.core.clock import local_date, utcnow
from airm_training.core.reads import Read, built_once, only_row, read_together, shaped
from airm_training.extensions import db
from airm_training.hours import backlog
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.people.models import Person
from airm_training.programme.models import CredentialLevel
from airm_training.progression.due import evaluations_due
from airm_training.progression.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Vote,
)
from airm_training.progression.services import approval_quorums
from airm_training.reports import queues
from airm_training.reports.people import DEFAULT_STALLED_DAYS, PeopleReports
from airm_training.supporting.models import DocumentStatus, SupportingDocument

SIGN_OFF_DAYS = 14  # sign-offs waiting longer than this are shown as overdue


@dataclass(frozen=True)
class QueueItem:
    key: str
    count: int
    label: str
    note: str
    url: str
    urgent: bool = False


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _oldest(days: int) -> str:
    """How long the oldest item has waited, in words."""
    return (
        "the oldest came in today" if days == 0 else f"oldest {days} {_plural(days, 'day', 'days')}"
    )


def _age(moment: datetime | None, day: date) -> int | None:
    return (day - local_date(moment)).days if moment else None


def _overdue_before() -> datetime:
    return utcnow() - timedelta(days=SIGN_OFF_DAYS)


def _signoff_figures(day: date, supervisor_id: int) -> tuple[int, int, int | None]:
    """(entries waiting, waiting more than SIGN_OFF_DAYS days, age of the oldest) of one
    supervisor, from their entries."""
    statement = sa.select(
        sa.func.count(HoursEntry.id),
        sa.func.count(HoursEntry.id).filter(HoursEntry.submitted_at < _overdue_before()),
        sa.func.min(HoursEntry.submitted_at),
    ).where(
        HoursEntry.status == HoursStatus.SUBMITTED.value,
        HoursEntry.supervisor_id == supervisor_id,
        HoursEntry.person_id != supervisor_id,
    )
    waiting, overdue, oldest = db.session.execute(statement).one()
    return waiting, overdue, _age(oldest, day)


def _signoff_item(url: str, figures: tuple[int, int, int | None]) -> QueueItem:
    """The sign-off tile from (entries waiting, of them overdue, the oldest's age)."""
    waiting, overdue, oldest = figures
    if not waiting:
        note = "nothing waiting"
    elif overdue:
        note = f"{overdue} over {SIGN_OFF_DAYS} days · oldest {oldest} days"
    else:
        note = _oldest(oldest)
    label = _plural(waiting, "entry waiting for sign-off", "entries waiting for sign-off")
    return QueueItem("sign-offs", waiting, label, note, url, urgent=bool(overdue))


def _application_counts() -> Read:
    """Open applications by kind and status → (count, oldest submission)."""
    return Read(
        sa.select(
            Application.kind,
            Application.status,
            sa.func.count(Application.id),
            sa.func.min(Application.submitted_at),
        ).group_by(Application.kind, Application.status),
        _by_step,
    )


def _by_step(rows: Iterable[tuple]) -> dict[str, tuple[int, datetime | None]]:
    """Application counts by the step they wait for → (count, oldest submission)."""
    steps: dict[str, tuple[int, datetime | None]] = {}
    for kind, status, count, oldest in rows:
        step = queues.WAITING_FOR.get((ApplicationKind(kind), ApplicationStatus(status)))
        if step is None:
            continue
        before, earliest = steps.get(step, (0, None))
        steps[step] = (before + count, min(d for d in (earliest, oldest) if d is not None))
    return steps


def _director_figures() -> Read:
    """(documents waiting, the oldest's upload, continuing-education records waiting, the
    oldest's submission, licences and credentials expiring from ``day`` through
    ``until``): one row, its days bind parameters."""
    document_waits = SupportingDocument.status == DocumentStatus.PENDING.value
    return Read(
        sa.select(
            sa.select(sa.func.count(SupportingDocument.id)).where(document_waits).scalar_subquery(),
            sa.select(sa.func.min(SupportingDocument.uploaded_at))
            .where(document_waits)
            .scalar_subquery(),
            *ce_pending_columns(),
            queues.expiring_count_column(sa.bindparam("day"), sa.bindparam("until")),
        ),
        only_row,
    )


def director_reads(day: date) -> dict[str, Read]:
    """What ``director_queue`` reads besides the stalled candidates, for a page to send
    with its other reads in one statement (``read_together``)."""
    start, until = queues.expiry_window(day)
    return {
        "signoffs": backlog.waiting_figures_read(db.session, _overdue_before()),
        "applications": shaped("work.application_counts", _application_counts, {}),
        "director": shaped(
            "work.director_figures", _director_figures, {"day": start, "until": until}
        ),
    }


def director_queue(day: date, read: Mapping[str, Any] | None = None) -> list[QueueItem]:
    """Sign-offs by age, credentials to issue, documents and continuing education to
    review, applications at the board, what expires soon and stalled candidates.
    ``read``: what ``director_reads`` read, when the page sent them with its others."""
    read = read if read is not None else read_together(director_reads(day))
    steps = read["applications"]
    waiting, overdue, first_waiting = read["signoffs"]
    documents, documents_oldest, ce_waiting, ce_oldest, expiring = read["director"]
    to_issue, issue_oldest = steps.get("issuing", (0, None))
    at_board, board_oldest = steps.get("board votes", (0, None))
    stalled = PeopleReports(day).stalled_count()
    reports = url_for("reports.index")

    def since(moment):
        return _oldest(_age(moment, day)) if moment else "nothing waiting"

    return [
        _signoff_item(f"{reports}#sign-offs", (waiting, overdue, _age(first_waiting, day))),
        QueueItem(
            "issuing",
            to_issue,
            _plural(to_issue, "credential to issue", "credentials to issue"),
            since(issue_oldest),
            url_for("progression.issuing") + "#to-issue",
            urgent=bool(to_issue),
        ),
        QueueItem(
            "documents",
            documents,
            _plural(documents, "document to review", "documents to review"),
            since(documents_oldest),
            url_for("supporting.review", status=DocumentStatus.PENDING.value),
        ),
        QueueItem(
            "continuing-education",
            ce_waiting,
            _plural(
                ce_waiting,
                "continuing-education record to verify",
                "continuing-education records to verify",
            ),
            since(ce_oldest),
            url_for("continuing.review", status="pending"),
        ),
        QueueItem(
            "board",
            at_board,
            _plural(at_board, "application at the board", "applications at the board"),
            since(board_oldest),
            f"{reports}#applications",
        ),
        QueueItem(
            "expiring",
            expiring,
            _plural(
                expiring, "licence or credential expiring", "licences and credentials expiring"
            ),
            f"in the next {queues.EXPIRY_WINDOW_DAYS} days",
            f"{reports}#expiring",
        ),
        QueueItem(
            "stalled",
            stalled,
            _plural(stalled, "stalled candidate", "stalled candidates"),
            f"no activity in {DEFAULT_STALLED_DAYS} days",
            f"{reports}#stalled",
        ),
    ]


def supervisor_queue(supervisor_id: int, day: date) -> list[QueueItem]:
    """Entries to sign, cases to grade, evaluations due and applications to endorse, for
    one supervisor."""
    cases, cases_oldest = db.session.execute(
        sa.select(
            sa.func.count(CasePresentation.id), sa.func.min(CasePresentation.created_at)
        ).where(
            CasePresentation.supervisor_id == supervisor_id,
            CasePresentation.status == CaseStatus.SUBMITTED.value,
            CasePresentation.person_id != supervisor_id,
        )
    ).one()
    endorse, endorse_oldest = db.session.execute(
        sa.select(sa.func.count(Application.id), sa.func.min(Application.submitted_at)).where(
            Application.endorser_id == supervisor_id,
            Application.status == ApplicationStatus.SUBMITTED.value,
        )
    ).one()

    due = evaluations_due(supervisor_id, day)

    def since(moment):
        return _oldest(_age(moment, day)) if moment else "nothing waiting"

    return [
        _signoff_item(url_for("hours.queue"), _signoff_figures(day, supervisor_id)),
        QueueItem(
            "grading",
            cases,
            _plural(cases, "case presentation to grade", "case presentations to grade"),
            since(cases_oldest),
            url_for("assessments.grading"),
        ),
        QueueItem(
            "evaluations",
            len(due),
            _plural(len(due), "competency evaluation due", "competency evaluations due"),
            f"enrolled since {due[0].enrolled_on.isoformat()}" if due else "nothing waiting",
            url_for("progression.evaluations_due_list"),
        ),
        QueueItem(
            "endorsements",
            endorse,
            _plural(endorse, "application to endorse", "applications to endorse"),
            since(endorse_oldest),
            url_for("progression.endorsements"),
        ),
    ]


def candidate_queue(person_id: int, unmet: int | None, day: date) -> list[QueueItem]:
    """A candidate's next steps: entries returned to them, drafts not yet submitted,
    case presentations to revise, quizzes left open and, when they have a next level,
    its ``unmet`` evidence requirements (counted by the caller from the standing the
    page shows)."""
    (
        returned,
        returned_oldest,
        drafts,
        drafts_oldest,
        revise,
        revise_oldest,
        open_quizzes,
        quizzes_oldest,
    ) = db.session.execute(
        built_once("work.candidate_counts", lambda: _candidate_counts(sa.bindparam("person"))),
        {"person": person_id},
    ).one()

    def since(verb: str, moment) -> str:
        if moment is None:
            return "nothing waiting"
        days = _age(moment, day)
        return (
            f"{verb} today"
            if days == 0
            else f"oldest {verb} {days} {_plural(days, 'day', 'days')} ago"
        )

    items = [
        QueueItem(
            "returned",
            returned,
            _plural(returned, "entry returned to you", "entries returned to you"),
            since("returned", returned_oldest),
            url_for("hours.my_hours", status=HoursStatus.RETURNED.value, order="oldest"),
            urgent=bool(returned),
        ),
        QueueItem(
            "drafts",
            drafts,
            _plural(drafts, "draft to submit", "drafts to submit"),
            since("started", drafts_oldest),
            url_for("hours.my_hours", status=HoursStatus.DRAFT.value, order="oldest"),
        ),
        QueueItem(
            "revise",
            revise,
            _plural(revise, "case presentation to revise", "case presentations to revise"),
            since("returned", revise_oldest),
            url_for("assessments.mine", show="revise") + "#cases-heading",
            urgent=bool(revise),
        ),
        QueueItem(
            "quizzes",
            open_quizzes,
            _plural(open_quizzes, "quiz started, not submitted", "quizzes started, not submitted"),
            since("started", quizzes_oldest),
            url_for("assessments.mine", show="started") + "#quizzes-heading",
        ),
    ]
    if unmet is not None:
        items.append(
            QueueItem(
                "requirements",
                unmet,
                _plural(unmet, "requirement still to meet", "requirements still to meet"),
                "each with what is missing" if unmet else "all met: you can apply",
                url_for("main.candidate_home") + "#next-heading",
            )
        )
    return items


@dataclass(frozen=True)
class BoardRow:
    """One application at the board, read as columns (``board_rows``)."""

    application_id: int
    applicant_name: str
    level_code: str
    is_reinstatement: bool
    is_own: bool  # the reader's own application
    submitted_on: date  # the centre's date
    endorser_name: str
    days_waiting: int
    approvals: int
    rejections: int
    quorum: int
    you_voted: bool | None  # None: not voted; True/False: approved/rejected


AT_THE_BOARD = sa.or_(
    Application.status == ApplicationStatus.ENDORSED.value,
    sa.and_(
        Application.kind == ApplicationKind.REINSTATE.value,
        Application.status == ApplicationStatus.SUBMITTED.value,
    ),
)


def _candidate_counts(person_id: int | BindParameter) -> sa.Select:
    """One row: entries returned and drafts, case presentations to revise and quizzes
    left open, each with its count and its oldest moment."""
    mine = HoursEntry.person_id == person_id
    entries = (
        sa.select(
            sa.func.count(HoursEntry.id).filter(HoursEntry.status == HoursStatus.RETURNED.value),
            sa.func.min(HoursEntry.returned_at).filter(
                HoursEntry.status == HoursStatus.RETURNED.value
            ),
            sa.func.count(HoursEntry.id).filter(HoursEntry.status == HoursStatus.DRAFT.value),
            sa.func.min(HoursEntry.created_at).filter(HoursEntry.status == HoursStatus.DRAFT.value),
        )
        .where(mine)
        .subquery()
    )
    returned_for_revision = (  # when each case waiting for a new version was sent back
        sa.select(sa.func.max(CaseVersion.graded_at).label("at"))
        .join(CasePresentation, CasePresentation.id == CaseVersion.presentation_id)
        .where(
            CasePresentation.person_id == person_id,
            CasePresentation.status == CaseStatus.REVISE.value,
        )
        .group_by(CasePresentation.id)
        .subquery()
    )
    cases = sa.select(sa.func.count(), sa.func.min(returned_for_revision.c.at)).subquery()
    quizzes = (
        sa.select(
            sa.func.count(sa.distinct(QuizAttempt.quiz_id)), sa.func.min(QuizAttempt.started_at)
        )
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(
            QuizAttempt.person_id == person_id,
            QuizAttempt.status == AttemptStatus.OPEN.value,
            Quiz.retired.is_(False),
        )
        .subquery()
    )
    together = sa.join(entries, cases, sa.true()).join(quizzes, sa.true())
    return sa.select(*entries.c, *cases.c, *quizzes.c).select_from(together)


def _waiting_for_vote_of(member_id: int) -> sa.ColumnElement[bool]:
    """At the board, not the member's own, and without the member's vote yet."""
    voted = sa.select(Vote.id).where(
        Vote.application_id == Application.id, Vote.member_id == member_id
    )
    return sa.and_(AT_THE_BOARD, Application.person_id != member_id, ~sa.exists(voted))


def board_queue(member_id: int, day: date) -> list[QueueItem]:
    """A board member's figures: applications waiting for their vote, and all those at
    the board, each with the age of the oldest."""
    waiting_for_you = _waiting_for_vote_of(member_id)
    waiting, waiting_oldest, at_board, board_oldest = db.session.execute(
        sa.select(
            sa.func.count(Application.id).filter(waiting_for_you),
            sa.func.min(Application.submitted_at).filter(waiting_for_you),
            sa.func.count(Application.id),
            sa.func.min(Application.submitted_at),
        ).where(AT_THE_BOARD)
    ).one()

    def since(moment):
        return _oldest(_age(moment, day)) if moment else "nothing waiting"

    return [
        QueueItem(
            "your-vote",
            waiting,
            _plural(
                waiting, "application waiting for your vote", "applications waiting for your vote"
            ),
            since(waiting_oldest),
            url_for("main.board_home", waiting="you") + "#board-queue",
            urgent=bool(waiting),
        ),
        QueueItem(
            "at-board",
            at_board,
            _plural(at_board, "application at the board", "applications at the board"),
            since(board_oldest),
            url_for("main.board_home") + "#board-queue",
        ),
    ]


def board_list_total(queue: list[QueueItem], *, waiting_for_you: bool) -> int:
    """How many applications ``board_query`` lists: the figure of the tile it is the
    list of (``board_queue`` counts them under the same condition)."""
    key = "your-vote" if waiting_for_you else "at-board"
    return next(item.count for item in queue if item.key == key)


def board_query(waiting_for: int | None = None) -> sa.Select:
    """The ids of the applications waiting for the board (endorsed, or reinstatements,
    which need no endorsement), oldest first: a query, for the page to paginate. With
    ``waiting_for``, only those waiting for that member's vote."""
    return (
        sa.select(Application.id)
        .where(AT_THE_BOARD if waiting_for is None else _waiting_for_vote_of(waiting_for))
        .order_by(Application.submitted_at, Application.id)
    )


def _board_rows() -> sa.Select:
    """The applications ``ids`` (an expanding bind parameter) as board rows: applicant,
    level, endorser and the votes counted, ``yours`` being the vote of ``member``."""
    applicant, endorser = aliased(Person), aliased(Person)
    ids = sa.bindparam("ids", expanding=True)
    votes = (
        sa.select(
            Vote.application_id,
            sa.func.count().filter(Vote.approve.is_(True)).label("approvals"),
            sa.func.count().filter(Vote.approve.is_(False)).label("rejections"),
            # 1 approved, 0 rejected, NULL not voted (one vote per member)
            sa.func.max(sa.case((Vote.approve.is_(True), 1), else_=0))
            .filter(Vote.member_id == sa.bindparam("member"))
            .label("yours"),
        )
        .where(Vote.application_id.in_(ids))
        .group_by(Vote.application_id)
        .subquery()
    )
    return (
        sa.select(
            Application.id,
            Application.kind,
            Application.person_id,
            Application.programme_version_id,
            Application.level_id,
            Application.submitted_at,
            applicant.display_name.label("applicant_name"),
            CredentialLevel.code,
            endorser.display_name.label("endorser_name"),
            sa.func.coalesce(votes.c.approvals, 0).label("approvals"),
            sa.func.coalesce(votes.c.rejections, 0).label("rejections"),
            votes.c.yours,
        )
        .join(applicant, applicant.id == Application.person_id)
        .join(CredentialLevel, CredentialLevel.id == Application.level_id)
        .outerjoin(endorser, endorser.id == Application.endorser_id)
        .outerjoin(votes, votes.c.application_id == Application.id)
        .where(Application.id.in_(ids))
    )


def board_rows(application_ids: list[int], member_id: int, day: date) -> list[BoardRow]:
    """The board's rows for ``application_ids`` (one page of ``board_query``), in that
    order, read in one statement (built once); the quorums of the whole page in one
    more."""
    if not application_ids:
        return []
    found = db.session.execute(
        built_once("board_rows", _board_rows), {"ids": application_ids, "member": member_id}
    ).all()
    quorums = approval_quorums(found)
    by_id = {row.id: row for row in found}
    rows = []
    for application_id in application_ids:
        row = by_id[application_id]
        submitted_on = local_date(row.submitted_at)
        rows.append(
            BoardRow(
                application_id=row.id,
                applicant_name=row.applicant_name,
                level_code=row.code,
                is_reinstatement=row.kind == ApplicationKind.REINSTATE.value,
                is_own=row.person_id == member_id,
                submitted_on=submitted_on,
                endorser_name=row.endorser_name or "—",
                days_waiting=(day - submitted_on).days,
                approvals=row.approvals,
                rejections=row.rejections,
                quorum=quorums[row.id],
                you_voted=None if row.yours is None else bool(row.yours),
            )
        )
    return rows
