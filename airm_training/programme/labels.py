"""A requirement's label, derived from its kind and numbers so that the two can never
disagree. A director may add a description beside it; the label itself is never typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airm_training.programme.models import RequirementKind


def requirement_label(
    requirement: Mapping[str, Any],
    category_names: Mapping[str, str],
    subject_names: Mapping[str, str] | None = None,
) -> str:
    """The label of a requirement as written in a programme document (hours in
    ``minimum_hours``, or in whole minutes in ``minimum_minutes`` once loaded);
    ``subject_names`` names the continuing-education subject areas."""
    kind = requirement.get("kind")
    if kind == RequirementKind.CE_CREDITS.value:
        return _ce_credits(requirement, subject_names or {})
    builder = _BUILDERS.get(kind)
    return builder(requirement, category_names) if builder else str(kind)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _licence(req, names) -> str:
    return "A verified, unexpired licence on file"


def _document(req, names) -> str:
    kind = str(req.get("document_kind", "")).replace("-", " ")
    return f"A current, approved {kind} on file"


def _modules(req, names) -> str:
    codes = list(req.get("modules", []))
    return (
        f"{_plural(len(codes), 'module')} completed" if len(codes) != 1 else f"{codes[0]} completed"
    )


def _assessments(req, names) -> str:
    if req.get("assessment_kind") == "case-presentation":
        return f"{_plural(int(req.get('count', 1)), 'case presentation')} passed"
    codes = list(req.get("assessments", []))
    if len(codes) == 1:
        return f"Quiz {codes[0]} passed"
    return f"{_plural(len(codes), 'quiz', 'quizzes')} passed"


def _evaluation(req, names) -> str:
    return (
        "A competency evaluation with every item rated "
        f"{int(req.get('minimum_rating', 1))} or higher"
    )


def _credential_held(req, names) -> str:
    return f"{req.get('level')} held for at least {_plural(int(req.get('months', 0)), 'month')}"


def hours_text(minutes: int) -> str:
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def _minutes(req) -> int:
    if "minimum_minutes" in req:
        return int(req["minimum_minutes"])
    return round(float(req.get("minimum_hours", 0)) * 60)


def _amount(minutes: int) -> str:
    return f"{hours_text(minutes)} hour" + ("" if minutes == 60 else "s")


def _ce_credits(req, subjects) -> str:
    what = "Verified continuing education"
    if req.get("subject_area"):
        what += f" in {subjects.get(req['subject_area'], req['subject_area'])}"
    if req.get("within") == "cycle":
        what += " in the cycle"
    extra = (
        f" (in the last {_plural(int(req['within_months']), 'month')})"
        if req.get("within_months")
        else ""
    )
    return f"{what}: {_amount(_minutes(req))}{extra}"


def _hours(req, names) -> str:
    minutes = _minutes(req)
    categories = [names.get(code, code) for code in req.get("categories", [])]
    what = " + ".join(categories[:1] + [c[:1].lower() + c[1:] for c in categories[1:]])
    if req.get("signed_by_level"):
        what += f" with an {req['signed_by_level']}"
    if req.get("within") == "cycle":
        what += " in the cycle"
    amount = _amount(minutes)
    extras = []
    if req.get("min_sessions"):
        extras.append(f"at least {_plural(int(req['min_sessions']), 'session')}")
    if req.get("within_months"):
        extras.append(f"in the last {_plural(int(req['within_months']), 'month')}")
    if req.get("counts_months_before_enrolment"):
        months = _plural(int(req["counts_months_before_enrolment"]), "month")
        extras.append(f"counted from {months} before enrolment")
    if req.get("within_agreement"):
        extras.append("inside an approved supervision agreement")
    return f"{what}: {amount}" + (f" ({', '.join(extras)})" if extras else "")


def _endorsement(req, names) -> str:
    count = int(req.get("count", 1))
    return "Endorsed by a supervisor" if count == 1 else f"Endorsed by {count} supervisors"


def _approval(req, names) -> str:
    return (
        f"Approved by the co-creators' board ({int(req.get('quorum', 1))} of "
        f"{int(req.get('board_size', req.get('quorum', 1)))})"
    )


_BUILDERS = {
    RequirementKind.LICENCE.value: _licence,
    RequirementKind.DOCUMENT.value: _document,
    RequirementKind.MODULE.value: _modules,
    RequirementKind.ASSESSMENT.value: _assessments,
    RequirementKind.EVALUATION.value: _evaluation,
    RequirementKind.CREDENTIAL_HELD.value: _credential_held,
    RequirementKind.HOURS.value: _hours,
    RequirementKind.ENDORSEMENT.value: _endorsement,
    RequirementKind.APPROVAL.value: _approval,
}
