"""Demo activity: module completions and hours for the fictional candidates, logged and
signed through the real services, then dated back as if it had happened over months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from airm_training.assessments.case_rubric import case_rubric
from airm_training.assessments.cases import CaseInput, GradeInput, grade_case, submit_case
from airm_training.assessments.evaluations import (
    EvaluationInput,
    programme_rubric,
    submit_evaluation,
)
from airm_training.assessments.models import CaseGrade, Quiz
from airm_training.assessments.quizzes import start_attempt, submit_attempt
from airm_training.core.clock import today
from airm_training.curriculum.services import record_attendance
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry, return_entry, sign_entries
from airm_training.people.models import Person
from airm_training.programme.models import Module
from airm_training.programme.services import taxonomy

DEMO_FEEDBACK = {
    CaseGrade.PASS: "Clear formulation and well-paced stage work.",
    CaseGrade.REVISE: "Say more about how you paced stage 2 and why.",
}


@dataclass(frozen=True)
class HoursPlan:
    """``total_hours`` of ``category`` in sessions of ``session_minutes``, one every
    ``every_days`` days going back from ``start_days_ago``."""

    category: str
    total_hours: int
    supervisor: str  # e-mail local part
    status: str = "signed"  # signed, submitted, returned or draft
    session_minutes: int = 120
    start_days_ago: int = 3
    every_days: int = 7
    group_size: int | None = None
    stages: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    note: str = ""


ACTIVITY: dict[str, tuple[tuple[str, ...], tuple[HoursPlan, ...]]] = {
    "sofia.alvarez": (
        ("AIRM-101", "AIRM-102", "AIRM-201", "AIRM-202", "AIRM-203", "AIRM-204", "AIRM-301"),
        (
            HoursPlan(
                "didactic",
                42,
                "connie.zollner",
                session_minutes=360,
                start_days_ago=200,
                every_days=9,
                note="AIRM training days",
            ),
            HoursPlan(
                "direct-clinical",
                52,
                "elizabeth.abbruzza",
                start_days_ago=4,
                every_days=6,
                stages=("attachment-awareness", "disruption-detachment"),
                modalities=("CBT", "ACT"),
                note="Client sessions applying AIRM",
            ),
            HoursPlan(
                "individual-consultation",
                12,
                "elizabeth.abbruzza",
                session_minutes=60,
                start_days_ago=5,
                every_days=14,
                stages=("integration-of-meaning",),
                note="Case consultation",
            ),
            HoursPlan(
                "group-consultation",
                10,
                "connie.zollner",
                session_minutes=90,
                start_days_ago=8,
                every_days=21,
                group_size=6,
                modalities=("Group therapy",),
                note="Monthly AIRM consultation group",
            ),
            HoursPlan(
                "consultation-of-consultation",
                10,
                "jessica.lamar",
                session_minutes=60,
                start_days_ago=10,
                every_days=15,
                note="Consulting a peer on stage 2 pacing",
            ),
            HoursPlan(
                "consultation-of-consultation",
                2,
                "jessica.lamar",
                status="submitted",
                session_minutes=60,
                start_days_ago=2,
                note="Consulting a peer on stage 3",
            ),
        ),
    ),
    "aubrey.holden": (
        ("AIRM-101", "AIRM-102"),
        (
            HoursPlan(
                "didactic",
                12,
                "connie.zollner",
                session_minutes=360,
                start_days_ago=120,
                every_days=30,
                note="AIRM foundations training",
            ),
            HoursPlan(
                "direct-clinical",
                10,
                "connie.zollner",
                start_days_ago=6,
                every_days=8,
                stages=("attachment-awareness",),
                modalities=("EMDR", "Brainspotting"),
                note="Client sessions, stage 1",
            ),
            HoursPlan(
                "individual-consultation",
                3,
                "connie.zollner",
                session_minutes=60,
                start_days_ago=9,
                every_days=21,
                note="Consultation on stage 1 assessment",
            ),
            HoursPlan(
                "individual-consultation",
                2,
                "connie.zollner",
                status="submitted",
                session_minutes=60,
                start_days_ago=2,
                every_days=1,
                stages=("attachment-awareness",),
                modalities=("EMDR",),
                note="Consultation on resourcing before EMDR",
            ),
            HoursPlan(
                "direct-clinical",
                1,
                "connie.zollner",
                status="returned",
                session_minutes=60,
                start_days_ago=1,
                note="Client session",
            ),
            # Two notes that identify a client, for the privacy sweep to find: a draft the
            # owner can redact at once and a signed entry redacted through an amendment.
            HoursPlan(
                "direct-clinical",
                1,
                "connie.zollner",
                status="draft",
                session_minutes=60,
                start_days_ago=4,
                note="Client Maria Gonzalez, 34, asked to be called back on 206-555-0190",
            ),
            HoursPlan(
                "individual-consultation",
                1,
                "connie.zollner",
                session_minutes=60,
                start_days_ago=33,
                note="Consultation on Mr. Haddad's stage 2 pacing after his Replika update",
            ),
        ),
    ),
    "daniel.okafor": (
        (),
        (
            HoursPlan(
                "individual-consultation",
                4,
                "connie.zollner",
                session_minutes=60,
                start_days_ago=6,
                every_days=14,
                note="Consultation on supervising",
            ),
        ),
    ),
    "rosa.delgado": (
        (),
        (
            HoursPlan(
                "continuing-education",
                12,
                "connie.zollner",
                session_minutes=180,
                start_days_ago=20,
                every_days=30,
                note="AIRM refresher workshop",
            ),
            HoursPlan(
                "individual-consultation",
                4,
                "connie.zollner",
                session_minutes=60,
                start_days_ago=5,
                every_days=14,
                note="Consultation on returning to AIRM practice",
            ),
        ),
    ),
    "marcus.bell": (
        ("AIRM-101",),
        (
            HoursPlan(
                "didactic",
                6,
                "daniel.okafor",
                session_minutes=360,
                status="submitted",
                start_days_ago=20,
                note="AIRM foundations training",
            ),
            HoursPlan(
                "direct-clinical",
                1,
                "daniel.okafor",
                session_minutes=60,
                status="draft",
                start_days_ago=1,
                note="First client session applying stage 1",
            ),
            # Before his supervision agreement with Daniel starts: it does not count.
            HoursPlan(
                "individual-consultation",
                1,
                "daniel.okafor",
                session_minutes=60,
                start_days_ago=21,
                note="First consultation on stage 1",
            ),
        ),
    ),
}


# Quizzes passed, case presentations (title, supervisor, final grade) and evaluations
# (evaluator, rating for every item) of the demo candidates.
ASSESSMENTS: dict[str, dict] = {
    "sofia.alvarez": {
        "quizzes": (
            "AIRM-101-Q",
            "AIRM-102-Q",
            "AIRM-201-Q",
            "AIRM-202-Q",
            "AIRM-203-Q",
            "AIRM-204-Q",
            "AIRM-301-Q",
        ),
        "cases": (
            (
                "Romantic bond with a companion app: pacing stage 2",
                "Romantic",
                "elizabeth.abbruzza",
                "pass",
            ),
            (
                "Parasocial reliance after a bereavement: meaning-making",
                "Parasocial",
                "connie.zollner",
                "pass",
            ),
        ),
        "evaluation": ("elizabeth.abbruzza", 3),
    },
    "aubrey.holden": {
        "quizzes": ("AIRM-101-Q", "AIRM-102-Q"),
        "cases": (
            (
                "Emotional-support bond and EMDR resourcing",
                "Emotional support",
                "connie.zollner",
                "revise",
            ),
        ),
        "evaluation": None,
    },
}
CASE_TEXT = (
    "Presenting concern: a client in their thirties described a daily bond with an AI "
    "companion that had become their main source of comfort after a move. Stage 1 work "
    "explored what the bond offered (predictability, being listened to without judgement) "
    "and which needs it met. Stage 2 mapped the evening reinforcement loop and introduced "
    "graded alternatives, paced to the client's window of tolerance. All identifying details "
    "have been removed or changed."
)


def seed_activity(new_keys: set[str], people: dict[str, Person], director: Person) -> None:
    """Completions and hours for the demo people just created (``new_keys``); ``people``
    holds every demo person by e-mail local part (their supervisors among them)."""
    for key, (module_codes, plans) in ACTIVITY.items():
        if key not in new_keys:
            continue
        person = people[key]
        _complete_modules(person, module_codes, director)
        for plan in plans:
            _log_plan(person, plan, people)
    for key, plan in ASSESSMENTS.items():
        if key in new_keys:
            _seed_assessments(people[key], plan, people)


def _seed_assessments(person: Person, plan: dict, people: dict[str, Person]) -> None:
    quizzes = {q.code: q for q in db.session.scalars(sa.select(Quiz))}
    for code in plan["quizzes"]:
        attempt = start_attempt(person, quizzes[code])
        submit_attempt(
            person, attempt, {i.position: list(i.snapshot["correct"]) for i in attempt.items}
        )
    bond_types = set(taxonomy().bond_types)
    for title, bond_type, grader_key, grade in plan["cases"]:
        grader = people[grader_key]
        case = submit_case(
            person,
            CaseInput(
                title=title,
                stages=["attachment-awareness", "disruption-detachment"],
                bond_type=bond_type,
                modalities=["CBT"],
                text=CASE_TEXT,
                deidentified_confirmed=True,
                supervisor_id=grader.id,
            ),
            bond_types=bond_types,
        )
        feedback = DEMO_FEEDBACK[CaseGrade(grade)]
        rubric = case_rubric()
        given = rubric.pass_minimum if grade == CaseGrade.PASS else rubric.ratings[0][0]
        ratings = dict.fromkeys((code for code, _ in rubric.criteria), given)
        grade_case(grader, case, GradeInput(grade=grade, feedback=feedback, rubric=ratings))
    if plan["evaluation"]:
        evaluator_key, rating = plan["evaluation"]
        rubric = programme_rubric()
        submit_evaluation(
            people[evaluator_key],
            person,
            EvaluationInput(
                session_date=today() - timedelta(days=20),
                observation="recorded",
                ratings={item.code: rating for item in rubric.items},
                comments={},
                overall_comment="Consistent, attuned work across the stages.",
            ),
        )


def _complete_modules(person: Person, codes: tuple[str, ...], director: Person) -> None:
    modules = {
        m.code: m for m in db.session.scalars(sa.select(Module).where(Module.code.in_(codes)))
    }
    for step, code in enumerate(codes):
        attended_on = today() - timedelta(days=300 - 30 * step)
        record_attendance(modules[code], [person], attended_on, director=director)


def _log_plan(person: Person, plan: HoursPlan, people: dict[str, Person]) -> None:
    supervisor = people[plan.supervisor]
    sessions = plan.total_hours * 60 // plan.session_minutes
    logged: list[tuple[HoursEntry, date]] = []
    for n in range(sessions):
        session_date = today() - timedelta(days=plan.start_days_ago + n * plan.every_days)
        entry = log_entry(
            person,
            EntryInput(
                session_date=session_date,
                minutes=plan.session_minutes,
                category_code=plan.category,
                supervisor_id=supervisor.id,
                stages=list(plan.stages),
                modalities=list(plan.modalities),
                group_size=plan.group_size,
                note=plan.note,
            ),
            submit=plan.status != "draft",
        )
        if plan.status == "returned":
            return_entry(entry, supervisor, "Please add the AIRM stage and modality you used.")
        logged.append((entry, session_date))
    if plan.status == "signed":
        sign_entries(supervisor, [entry.id for entry, _ in logged], attested=True)
    _date_back(logged)


def _date_back(logged: list[tuple[HoursEntry, date]]) -> None:
    """Make the demo look lived-in: submitted the day after, signed two days later."""
    for entry, session_date in logged:
        entry = db.session.get(HoursEntry, entry.id)
        if entry.submitted_at is not None:
            entry.submitted_at = datetime.combine(session_date + timedelta(days=1), time(18, 30))
            entry.late = False
        if entry.signed_at is not None:
            entry.signed_at = datetime.combine(session_date + timedelta(days=3), time(9, 15))
    db.session.flush()
