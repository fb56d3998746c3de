"""Directors create, edit, reorder and retire modules. Every change is audited;
retired modules stay in existing completion records."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from airm_training.audit.services import record_event
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.programme.models import Module, ModuleStage

CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}-[0-9A-Z]{1,6}$")
MAX_CE_MINUTES = 100 * 60


@dataclass
class ModuleInput:
    code: str
    title: str
    stage: str
    ce_minutes: int
    objectives: list[str]
    content: str
    self_paced: bool
    prerequisite_codes: list[str]


def _require_director(actor: Person) -> None:
    if not actor.has_role(Role.DIRECTOR, Role.ADMIN):
        raise DomainError.on(None, "Only a director edits the curriculum.")


def _snapshot(module: Module) -> dict:
    return {
        "code": module.code,
        "title": module.title,
        "stage": module.stage,
        "ce_minutes": module.ce_minutes,
        "objectives": list(module.objectives or []),
        "content_chars": len(module.content or ""),
        "self_paced": module.self_paced,
        "prerequisites": [p.code for p in module.prerequisites],
        "position": module.position,
        "retired": module.retired,
    }


def _check(data: ModuleInput, module: Module | None) -> list[Module]:
    problems = []
    code = data.code.strip().upper()
    if not CODE_PATTERN.match(code):
        problems.append(("code", "Use a code like AIRM-205: letters, a dash, then digits."))
    elif module is None or module.code != code:
        taken = db.session.scalar(sa.select(Module.id).where(Module.code == code))
        if taken is not None:
            problems.append(("code", f"Another module already uses {code}."))
    if not data.title.strip():
        problems.append(("title", "Give the module a title."))
    if data.stage not in {s.value for s in ModuleStage}:
        problems.append(("stage", "Choose a stage."))
    if not 0 <= data.ce_minutes <= MAX_CE_MINUTES:
        problems.append(("ce_hours", "CE hours are between 0 and 100."))
    prerequisites = list(
        db.session.scalars(sa.select(Module).where(Module.code.in_(data.prerequisite_codes)))
    )
    if module is not None and (module in prerequisites or _depends_on(prerequisites, module.id)):
        problems.append(("prerequisites", "A module cannot depend on itself, even indirectly."))
    if problems:
        raise DomainError(*problems)
    return prerequisites


def _depends_on(modules: list[Module], target_id: int) -> bool:
    """Does any of ``modules`` require ``target_id``, directly or through others?"""
    seen: set[int] = set()
    stack = list(modules)
    while stack:
        current = stack.pop()
        if current.id == target_id:
            return True
        if current.id in seen:
            continue
        seen.add(current.id)
        stack.extend(current.prerequisites)
    return False


def _apply(module: Module, data: ModuleInput, prerequisites: list[Module]) -> None:
    module.code = data.code.strip().upper()
    module.title = data.title.strip()
    module.stage = data.stage
    module.ce_minutes = data.ce_minutes
    module.objectives = [line.strip() for line in data.objectives if line.strip()]
    module.content = data.content
    module.self_paced = data.self_paced
    module.prerequisites = prerequisites


def create_module(actor: Person, data: ModuleInput) -> Module:
    _require_director(actor)
    prerequisites = _check(data, None)
    last = db.session.scalar(sa.select(sa.func.max(Module.position))) or 0
    module = Module(position=last + 1, retired=False)
    _apply(module, data, prerequisites)
    db.session.add(module)
    db.session.flush()
    record_event("module.created", "module", module.id, actor_id=actor.id, after=_snapshot(module))
    return module


def update_module(actor: Person, module: Module, data: ModuleInput) -> None:
    _require_director(actor)
    prerequisites = _check(data, module)
    before = _snapshot(module)
    _apply(module, data, prerequisites)
    db.session.flush()
    record_event(
        "module.edited",
        "module",
        module.id,
        actor_id=actor.id,
        before=before,
        after=_snapshot(module),
    )


def move_module(actor: Person, module: Module, direction: int) -> None:
    """Swap the module with its neighbour above (-1) or below (+1) in teaching order."""
    _require_director(actor)
    ordered = list(db.session.scalars(sa.select(Module).order_by(Module.position, Module.code)))
    index = ordered.index(module)
    other_index = index + direction
    if direction not in (-1, 1) or not 0 <= other_index < len(ordered):
        raise DomainError.on(None, "The module is already at that end of the list.")
    ordered[index], ordered[other_index] = ordered[other_index], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    db.session.flush()
    record_event(
        "module.moved",
        "module",
        module.id,
        actor_id=actor.id,
        after={"position": module.position},
    )


def set_retired(actor: Person, module: Module, retired: bool) -> None:
    _require_director(actor)
    if module.retired == retired:
        raise DomainError.on(
            None, f"{module.code} is already {'retired' if retired else 'active'}."
        )
    module.retired = retired
    db.session.flush()
    record_event(
        "module.retired" if retired else "module.restored",
        "module",
        module.id,
        actor_id=actor.id,
        before={"retired": not retired},
        after={"retired": retired},
    )


def all_modules() -> list[Module]:
    return list(
        db.session.scalars(
            sa.select(Module)
            .options(selectinload(Module.prerequisites))
            .order_by(Module.position, Module.code)
        )
    )
