"""What differs between two programme versions, level by level and requirement by
requirement: added, removed, and changed numbers or lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from airm_training.programme.models import ProgrammeLevel, ProgrammeVersion, Requirement

LEVEL_FIELDS = (
    ("rank", "Rank"),
    ("granted_by", "Granted by"),
    ("validity_months", "Valid for (months)"),
)
PARAM_NAMES = {
    "minimum_minutes": "Minimum hours",
    "categories": "Hours categories",
    "min_sessions": "Minimum sessions",
    "within_months": "Within months",
    "within": "Within",
    "signed_by_level": "Signed by a holder of",
    "modules": "Modules",
    "assessments": "Quizzes",
    "assessment_kind": "Assessment kind",
    "count": "Count",
    "form": "Evaluation form",
    "minimum_rating": "Minimum rating",
    "level": "Level",
    "months": "Months",
    "quorum": "Quorum",
    "board_size": "Board members",
    "description": "Description",
    "counts_months_before_enrolment": "Counted from months before enrolment",
}
PURPOSES = {"attain": "To reach the level", "renew": "To renew it"}


@dataclass(frozen=True)
class Change:
    name: str
    before: str
    after: str


@dataclass(frozen=True)
class RequirementDiff:
    status: str  # added, removed, changed, same
    purpose: str
    kind: str
    label: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class LevelDiff:
    code: str
    name: str
    status: str  # added, removed, changed, same
    changes: list[Change] = field(default_factory=list)
    requirements: list[RequirementDiff] = field(default_factory=list)


def diff_versions(old: ProgrammeVersion, new: ProgrammeVersion) -> list[LevelDiff]:
    """The levels of both versions, in the new version's order, removed ones last."""
    old_levels = {rules.level.code: rules for rules in old.levels}
    new_levels = {rules.level.code: rules for rules in new.levels}
    diffs = []
    for code, rules in new_levels.items():
        before = old_levels.get(code)
        if before is None:
            diffs.append(_whole_level(rules, "added"))
            continue
        changes = [
            Change(name, _show(getattr(before, key)), _show(getattr(rules, key)))
            for key, name in LEVEL_FIELDS
            if getattr(before, key) != getattr(rules, key)
        ]
        requirements = _requirement_diffs(before.requirements, rules.requirements)
        changed = changes or any(r.status != "same" for r in requirements)
        diffs.append(
            LevelDiff(
                code, rules.level.name, "changed" if changed else "same", changes, requirements
            )
        )
    diffs += [
        _whole_level(rules, "removed")
        for code, rules in old_levels.items()
        if code not in new_levels
    ]
    return diffs


def _whole_level(rules: ProgrammeLevel, status: str) -> LevelDiff:
    return LevelDiff(
        rules.level.code,
        rules.level.name,
        status,
        requirements=[_alone(r, status) for r in rules.requirements],
    )


def _alone(requirement: Requirement, status: str) -> RequirementDiff:
    shown = [
        Change(PARAM_NAMES.get(key, key), _show_param(key, value), "")
        if status == "removed"
        else Change(PARAM_NAMES.get(key, key), "", _show_param(key, value))
        for key, value in sorted(requirement.params.items())
    ]
    return RequirementDiff(status, requirement.purpose, requirement.kind, requirement.label, shown)


def _requirement_diffs(old: list[Requirement], new: list[Requirement]) -> list[RequirementDiff]:
    """Pair requirements by purpose, kind and label; those whose label changed (with their
    numbers) are then
    paired in order by purpose, kind and what they are about (the hours categories, the
    level held, the evaluation form). The rest were added or removed."""
    unpaired_old = list(old)
    pairs: dict[int, Requirement] = {}  # new requirement id → its old counterpart
    for requirement in new:
        match = next((o for o in unpaired_old if _key(o) == _key(requirement)), None)
        if match is not None:
            pairs[requirement.id] = match
            unpaired_old.remove(match)
    for requirement in new:
        if requirement.id in pairs:
            continue
        match = next((o for o in unpaired_old if _about(o) == _about(requirement)), None)
        if match is not None:
            pairs[requirement.id] = match
            unpaired_old.remove(match)
    diffs = []
    for requirement in new:
        before = pairs.get(requirement.id)
        if before is None:
            diffs.append(_alone(requirement, "added"))
            continue
        changes = []  # the label follows the numbers: their changes say it all
        for key in sorted(set(before.params) | set(requirement.params)):
            was, now = before.params.get(key), requirement.params.get(key)
            if was != now:
                changes.append(
                    Change(PARAM_NAMES.get(key, key), _show_param(key, was), _show_param(key, now))
                )
        diffs.append(
            RequirementDiff(
                "changed" if changes else "same",
                requirement.purpose,
                requirement.kind,
                requirement.label,
                changes,
            )
        )
    diffs += [_alone(r, "removed") for r in unpaired_old]
    return diffs


def _key(requirement: Requirement) -> tuple[str, str, str]:
    return (requirement.purpose, requirement.kind, requirement.label)


def _about(requirement: Requirement) -> tuple:
    params = requirement.params
    subject = (
        tuple(sorted(params.get("categories", []))),
        params.get("assessment_kind"),
        params.get("level"),
        params.get("form"),
    )
    return (requirement.purpose, requirement.kind, subject)


def _show_param(key: str, value: Any) -> str:
    if value is not None and key == "minimum_minutes":
        return f"{value / 60:.2f}".rstrip("0").rstrip(".")
    return _show(value)


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)
