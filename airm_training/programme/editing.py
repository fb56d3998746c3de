"""Directors change the numbers and lists of a level's requirements. A change never
alters a loaded version: it is saved as a new version (loaded like a programme file),
which new enrolments use; people keep the version they enrolled under until a director
moves them (``progression.enrolment.move_enrolment``)."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from airm_training.assessments.models import Quiz
from airm_training.audit.services import record_event
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE, load_programme
from airm_training.programme.models import HoursCategory, Module, ProgrammeVersion

# field prefix, document key
SECTIONS = (("req", "requirements"), ("renew", "renewal"), ("reinst", "reinstatement"))
MAX_MONTHS = 240
MAX_HOURS = 10_000


@dataclass(frozen=True)
class Param:
    """One editable number or list of a requirement. ``kind``: hours (a decimal number
    of hours), int, codes (a list of module, quiz or category codes) or level."""

    key: str
    label: str
    kind: str
    minimum: int = 0
    maximum: int = MAX_MONTHS
    optional: bool = False
    choices: str = ""  # for codes: modules, quizzes or categories


HOURS_PARAMS = (
    Param("minimum_hours", "Minimum hours", "hours", 0, MAX_HOURS),
    Param("categories", "Hours categories that count", "codes", choices="categories"),
    Param("min_sessions", "Minimum number of sessions", "int", 0, MAX_HOURS, optional=True),
    Param("within_months", "Only hours of the last … months", "int", 1, optional=True),
    Param("signed_by_level", "Signed by a holder of", "level", optional=True),
    Param(
        "counts_months_before_enrolment",
        "Also count sessions up to … months before enrolment",
        "int",
        1,
        optional=True,
    ),
)
PARAMS_BY_KIND: dict[str, tuple[Param, ...]] = {
    "hours": HOURS_PARAMS,
    "module": (Param("modules", "Modules", "codes", choices="modules"),),
    "quiz": (Param("assessments", "Quizzes", "codes", choices="quizzes"),),
    "case-presentation": (Param("count", "Case presentations passed", "int", 1, 20),),
    "evaluation": (Param("minimum_rating", "Lowest rating allowed on every item", "int", 1, 4),),
    "credential_held": (
        Param("level", "Level held", "level"),
        Param("months", "Months held", "int", 0, MAX_MONTHS),
    ),
    "endorsement": (Param("count", "Endorsements", "int", 1, 10),),
    "approval": (
        Param("quorum", "Approvals needed (quorum)", "int", 1, 50),
        Param("board_size", "Board members", "int", 1, 50),
    ),
    "licence": (),
    "ce_credits": (Param("minimum_hours", "Minimum verified CE hours", "hours", 0, MAX_HOURS),),
}


def params_of(requirement: dict[str, Any]) -> tuple[Param, ...]:
    kind = requirement.get("kind")
    if kind == "assessment":
        kind = "case-presentation" if requirement.get("assessment_kind") else "quiz"
    return PARAMS_BY_KIND.get(kind, ())


def field_name(prefix: str, index: int, key: str) -> str:
    """The name of an input: the form and the errors of ``edit_level`` share it."""
    return f"{prefix}_{index}_{key}"


def level_document(version: ProgrammeVersion, level_code: str) -> dict[str, Any]:
    for level in version.definition.get("levels", []):
        if level.get("code") == level_code:
            return level
    raise DomainError.on(None, f"Level {level_code} is not part of {version.label}.")


def current_values(version: ProgrammeVersion, level_code: str) -> dict[str, Any]:
    """The level's editable values under ``version``, by input name."""
    level = level_document(version, level_code)
    values: dict[str, Any] = {"validity_months": level.get("validity_months")}
    for prefix, key in SECTIONS:
        for index, requirement in enumerate(level.get(key, [])):
            values[field_name(prefix, index, "description")] = requirement.get("description", "")
            for param in params_of(requirement):
                values[field_name(prefix, index, param.key)] = requirement.get(param.key)
    return values


def category_names() -> dict[str, str]:
    """Hours category code → name, for the labels derived from requirements."""
    return dict(db.session.execute(sa.select(HoursCategory.code, HoursCategory.name)).all())


def code_choices(version: ProgrammeVersion) -> dict[str, list[str]]:
    """The codes a list may hold, and the levels a requirement may name."""
    return {
        "modules": list(db.session.scalars(sa.select(Module.code).order_by(Module.position))),
        "quizzes": list(db.session.scalars(sa.select(Quiz.code).order_by(Quiz.code))),
        "categories": list(
            db.session.scalars(sa.select(HoursCategory.code).order_by(HoursCategory.position))
        ),
        "levels": [level["code"] for level in version.definition.get("levels", [])],
    }


def edit_level(
    base: ProgrammeVersion,
    level_code: str,
    values: dict[str, Any],
    *,
    actor: Person,
    note: str = "",
) -> ProgrammeVersion:
    """Save ``base`` with the level's numbers and lists changed to ``values`` (by input
    name) as a new version. Raises DomainError naming each bad input; nothing is saved."""
    if not actor.has_role(Role.DIRECTOR, Role.ADMIN):
        raise DomainError.on(None, "Only a director changes the programme.")
    document = copy.deepcopy(base.definition)
    level = next((lv for lv in document.get("levels", []) if lv.get("code") == level_code), None)
    if level is None:
        raise DomainError.on(None, f"Level {level_code} is not part of {base.label}.")
    before = copy.deepcopy(level)
    choices = code_choices(base)
    scale = document.get("evaluation_form", {}).get("scale", {"min": 1, "max": 4})
    problems: list[tuple[str | None, str]] = []

    validity = _number(values.get("validity_months"), 1, MAX_MONTHS, "validity_months", problems)
    _set(level, "validity_months", validity)
    for prefix, key in SECTIONS:
        for index, requirement in enumerate(level.get(key, [])):
            requirement.pop("label", None)  # derived from the numbers when loaded
            description_name = field_name(prefix, index, "description")
            description = str(values.get(description_name) or "").strip()
            if len(description) > 200:
                problems.append((description_name, "Keep the description under 200 characters."))
            _set(requirement, "description", description or None)
            for param in params_of(requirement):
                if param.key == "minimum_rating":  # the rubric's own scale
                    param = replace(param, minimum=scale["min"], maximum=scale["max"])
                name = field_name(prefix, index, param.key)
                value = _checked(param, values.get(name), name, choices, problems)
                _set(requirement, param.key, value)
            if requirement.get("kind") == "approval":
                quorum, board = requirement.get("quorum"), requirement.get("board_size")
                if isinstance(quorum, int) and isinstance(board, int) and quorum > board:
                    problems.append(
                        (
                            field_name(prefix, index, "quorum"),
                            "The quorum cannot be larger than the board.",
                        )
                    )
    if problems:
        raise DomainError(*problems)
    if level == before:
        raise DomainError.on(None, "Nothing changed: no new version was saved.")

    newest = db.session.scalar(
        sa.select(sa.func.max(ProgrammeVersion.version)).where(ProgrammeVersion.code == base.code)
    )
    document["programme"]["version"] = newest + 1
    checksum = hashlib.sha256(
        json.dumps(document, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    version = load_programme(
        document, checksum=checksum, base=DEFAULT_PROGRAMME_FILE.parent, actor_id=actor.id
    ).version
    record_event(
        "programme.edited",
        "programme_version",
        version.id,
        actor_id=actor.id,
        before={"version": base.version, "level": before},
        after={"version": version.version, "level": level, "note": note.strip()[:500]},
    )
    return version


def _set(document: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        document.pop(key, None)
    else:
        document[key] = value


def _number(raw, minimum, maximum, name, problems, *, optional=True, hours=False):
    """A whole number (or, for hours, a number with up to two decimals) within bounds."""
    if raw is None or raw == "":
        if not optional:
            problems.append((name, "Enter a number."))
        return None
    try:
        number = Decimal(str(raw))
    except ArithmeticError:
        problems.append((name, "Enter a number."))
        return None
    if not number.is_finite() or not minimum <= number <= maximum:
        problems.append((name, f"Enter a number from {minimum} to {maximum}."))
        return None
    if hours:
        minutes = number * 60
        if minutes != minutes.to_integral_value():
            problems.append((name, "Enter hours that make whole minutes, e.g. 12.5 or 12.25."))
            return None
        return int(number) if number == number.to_integral_value() else float(number)
    if number != number.to_integral_value():
        problems.append((name, "Enter a whole number."))
        return None
    return int(number)


def _checked(param: Param, raw, name: str, choices: dict[str, list[str]], problems):
    if param.kind in ("hours", "int"):
        return _number(
            raw,
            param.minimum,
            param.maximum,
            name,
            problems,
            optional=param.optional,
            hours=param.kind == "hours",
        )
    if param.kind == "level":
        if not raw:
            if not param.optional:
                problems.append((name, "Choose a level."))
            return None
        if raw not in choices["levels"]:
            problems.append((name, "Choose one of the programme's levels."))
        return raw
    codes = [code for code in (raw or []) if code]
    unknown = [code for code in codes if code not in choices[param.choices]]
    if unknown:
        problems.append((name, f"Unknown codes: {', '.join(unknown)}."))
    if not codes:
        problems.append((name, "Choose at least one."))
    return codes


# --- moving a person to another version ---------------------------------------------------
