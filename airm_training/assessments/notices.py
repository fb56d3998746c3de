"""What the assessments feature tells candidates: a case presentation graded, a
competency evaluation completed. Called by its services in the same transaction."""

from __future__ import annotations

from airm_training.assessments.models import CaseGrade, CasePresentation, CompetencyEvaluation
from airm_training.notifications.links import Link
from airm_training.notifications.models import NotificationKind
from airm_training.notifications.services import send


def notify_case_graded(presentation: CasePresentation) -> None:
    version = presentation.versions[-1]
    outcome = {
        CaseGrade.PASS: "passed",
        CaseGrade.REVISE: "returned for revision",
        CaseGrade.FAIL: "not passed",
    }
    send(
        NotificationKind.CASE_GRADED,
        [presentation.person_id],
        f"Version {version.number} of your case presentation was graded: "
        f"{outcome.get(version.grade, version.grade)}.",
        Link("case_presentation", presentation.id),
        actor_id=version.graded_by_id,
    )


def notify_evaluation_completed(evaluation: CompetencyEvaluation) -> None:
    send(
        NotificationKind.EVALUATION_COMPLETED,
        [evaluation.person_id],
        "A competency evaluation of your session of "
        f"{evaluation.session_date.isoformat()} was completed.",
        Link("competency_evaluation", evaluation.id),
        actor_id=evaluation.evaluator_id,
    )
