"""Curriculum rules: what a person may complete, and recording completions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from airm_training.audit.services import record_event
from airm_training.core.clock import today
from airm_training.core.errors import DomainError
from airm_training.credentials.models import Enrolment
from airm_training.credentials.services import enrolment_of
from airm_training.curriculum.models import CompletionMethod, ModuleCompletion
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.programme.models import Module, ModuleStage


@dataclass(frozen=True)
class ModuleStatus:
    module: Module
    completed_on: date | None
    missing_prerequisites: tuple[Module, ...]

    @property
    def completed(self) -> bool:
        return self.completed_on is not None


def completions_of(person_id: int) -> dict[int, ModuleCompletion]:
    """Module id → completion, for one person, in one query."""
    rows = db.session.scalars(
        sa.select(ModuleCompletion).where(ModuleCompletion.person_id == person_id)
    )
    return {completion.module_id: completion for completion in rows}


def active_modules() -> list[Module]:
    return list(
        db.session.scalars(
            sa.select(Module)
            .where(Module.retired.is_(False))
            .options(selectinload(Module.prerequisites))
            .order_by(Module.position, Module.code)
        )
    )


def module_statuses(person: Person) -> dict[str, list[ModuleStatus]]:
    """Every active module with the person's status, grouped by stage in teaching order."""
    completions = completions_of(person.id)
    grouped: dict[str, list[ModuleStatus]] = {stage.value: [] for stage in ModuleStage}
    for module in active_modules():
        grouped.setdefault(module.stage, []).append(_status(module, completions))
    return {stage: statuses for stage, statuses in grouped.items() if statuses}


def module_status(person: Person, module: Module) -> ModuleStatus:
    return _status(module, completions_of(person.id))


def _status(module: Module, completions: dict[int, ModuleCompletion]) -> ModuleStatus:
    completion = completions.get(module.id)
    missing = tuple(p for p in module.prerequisites if p.id not in completions)
    return ModuleStatus(module, completion.completed_on if completion else None, missing)


def complete_module(person: Person, module: Module) -> ModuleCompletion:
    """A candidate marks a self-paced module complete, today."""
    if not person.has_role(Role.CANDIDATE) or enrolment_of(person) is None:
        raise DomainError.on(None, "Only enrolled candidates record module completions.")
    if module.retired:
        raise DomainError.on(
            None, f"{module.code} has been retired and can no longer be completed."
        )
    if not module.self_paced:
        raise DomainError.on(
            None,
            f"{module.code} is a live training: a director records attendance for it.",
        )
    status = module_status(person, module)
    if status.completed:
        raise DomainError.on(None, f"You completed {module.code} on {status.completed_on}.")
    if status.missing_prerequisites:
        codes = ", ".join(p.code for p in status.missing_prerequisites)
        raise DomainError.on(None, f"Complete {codes} first: {module.code} builds on it.")
    return _record(person, module, today(), CompletionMethod.SELF_PACED, recorded_by=person)


def record_attendance(
    module: Module, people: list[Person], attended_on: date, *, director: Person
) -> list[ModuleCompletion]:
    """A director records that several people attended a live training of ``module``.

    All or nothing: if anyone cannot be recorded, nobody is."""
    if not director.has_role(Role.DIRECTOR, Role.ADMIN):
        raise DomainError.on(None, "Only a director records attendance.")
    if attended_on > today():
        raise DomainError.on("attended_on", "The training date cannot be in the future.")
    if not people:
        raise DomainError.on("people", "Choose at least one person who attended.")
    already = set(
        db.session.scalars(
            sa.select(ModuleCompletion.person_id).where(
                ModuleCompletion.module_id == module.id,
                ModuleCompletion.person_id.in_([p.id for p in people]),
            )
        )
    )
    problems = [
        ("people", f"{person.full_name} has already completed {module.code}.")
        for person in people
        if person.id in already
    ]
    if problems:
        raise DomainError(*problems)
    return [
        _record(person, module, attended_on, CompletionMethod.ATTENDANCE, recorded_by=director)
        for person in people
    ]


def _record(
    person: Person, module: Module, on: date, method: CompletionMethod, *, recorded_by: Person
) -> ModuleCompletion:
    completion = ModuleCompletion(
        person_id=person.id,
        module_id=module.id,
        completed_on=on,
        method=method.value,
        recorded_by_id=recorded_by.id,
    )
    db.session.add(completion)
    db.session.flush()
    record_event(
        "module.completed",
        "module_completion",
        completion.id,
        actor_id=recorded_by.id,
        after={
            "person_id": person.id,
            "module": module.code,
            "completed_on": on.isoformat(),
            "method": method.value,
        },
    )
    return completion


def enrolled_candidates() -> list[Person]:
    """People who may be recorded as attending a training, by name."""
    return list(
        db.session.scalars(
            sa.select(Person)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(Person.active.is_(True))
            .order_by(Person.full_name)
        )
    )
