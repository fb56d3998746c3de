"""The case presentation's workflow: its transition table (a grade is the action on a
submitted version; a new version follows "revise") and one ``can_<action>(person,
presentation)`` per action. The services enforce these verdicts; the case page shows the
grading form and the "new version" link only when they allow it."""

from __future__ import annotations

import enum

from airm_training.access.supervision import is_supervisor
from airm_training.assessments.models import CaseGrade, CasePresentation, CaseStatus
from airm_training.core.workflow import ALLOWED, Verdict, next_state, refused
from airm_training.people.models import Person


class CaseAction(enum.StrEnum):
    PASS = CaseGrade.PASS.value  # nosec B105  # a grade, not a password
    REVISE = CaseGrade.REVISE.value
    FAIL = CaseGrade.FAIL.value
    RESUBMIT = "resubmit"


GRADES = (CaseAction.PASS, CaseAction.REVISE, CaseAction.FAIL)
TRANSITIONS: dict[tuple[CaseStatus, CaseAction], CaseStatus] = {
    (CaseStatus.SUBMITTED, CaseAction.PASS): CaseStatus.PASSED,
    (CaseStatus.SUBMITTED, CaseAction.REVISE): CaseStatus.REVISE,
    (CaseStatus.SUBMITTED, CaseAction.FAIL): CaseStatus.FAILED,
    (CaseStatus.REVISE, CaseAction.RESUBMIT): CaseStatus.SUBMITTED,
}


def transition(presentation: CasePresentation, action: CaseAction) -> CaseStatus | None:
    return next_state(TRANSITIONS, presentation.state, action)


def can_grade(supervisor: Person, presentation: CasePresentation) -> Verdict:
    """Any of the three grades: the supervisor it was submitted to, holding a current
    AIRT-S, while the latest version waits for a grade."""
    if presentation.person_id == supervisor.id:
        return refused("You cannot grade your own work.")
    if presentation.supervisor_id != supervisor.id:
        return refused("Only the supervisor this case was submitted to can grade it.")
    if not is_supervisor(supervisor):
        return refused("Your AIRT-S is not current: you cannot grade until renewed.")
    if all(transition(presentation, grade) is None for grade in GRADES):
        return refused("This case presentation is not waiting for a grade.")
    return ALLOWED


def can_resubmit(person: Person, presentation: CasePresentation) -> Verdict:
    if presentation.person_id != person.id:
        return refused("Only the author can revise this case presentation.")
    if transition(presentation, CaseAction.RESUBMIT) is None:
        return refused("A new version is possible only after a “revise” grade.")
    return ALLOWED
