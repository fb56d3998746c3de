"""Load a programme file (TOML) into the database. Loading the same file twice changes
nothing; a new version is added beside the old ones, which stay for people enrolled
under them."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from airm_training.audit.services import record_event
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.programme.labels import requirement_label
from airm_training.programme.models import (
    CredentialLevel,
    GrantedBy,
    HoursCategory,
    Module,
    ModuleStage,
    ProgrammeLevel,
    ProgrammeVersion,
    Requirement,
    RequirementKind,
    RequirementPurpose,
)

DEFAULT_PROGRAMME_FILE = Path(__file__).with_name("airm.toml")
_LEVEL_KEYS = {"code", "name", "description", "rank", "granted_by", "validity_months"}
_LEVEL_KEYS |= {"confers_supervision", "requirements", "renewal", "reinstatement"}
_LEVEL_KEYS |= {"renewal_window_days", "grace_days"}
_REQUIREMENT_COMMON = {"kind", "label"}


@dataclass(frozen=True)
class LoadResult:
    version: ProgrammeVersion
    created: bool
    modules_added: int
    categories_added: int

    def describe(self) -> str:
        if not self.created:
            return f"{self.version.label} is already loaded; nothing changed."
        return (
            f"Loaded {self.version.label}: {len(self.version.levels)} levels, "
            f"{self.modules_added} new modules, {self.categories_added} new hours categories."
        )


def load_programme_file(path: Path = DEFAULT_PROGRAMME_FILE, *, actor_id: int | None = None):
    """Parse and load ``path``; raise DomainError with every problem found."""
    raw = path.read_bytes()
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DomainError.on(None, f"{path.name} is not valid TOML: {exc}") from exc
    return load_programme(
        document, checksum=hashlib.sha256(raw).hexdigest(), base=path.parent, actor_id=actor_id
    )


def load_programme(
    document: dict[str, Any], *, checksum: str, base: Path, actor_id: int | None
) -> LoadResult:
    _validate(document, base)
    header = document["programme"]
    existing = db.session.scalar(
        sa.select(ProgrammeVersion).where(
            ProgrammeVersion.code == header["code"], ProgrammeVersion.version == header["version"]
        )
    )
    if existing is not None:
        if existing.checksum != checksum:
            raise DomainError.on(
                None,
                f"Version {header['version']} of {header['code']} is already loaded with "
                "different content. Give the changed file a new version number.",
            )
        return LoadResult(existing, created=False, modules_added=0, categories_added=0)

    categories_added = _add_missing_categories(document.get("hours_categories", []))
    modules_added = _add_missing_modules(document.get("modules", []), base)
    version = ProgrammeVersion(
        code=header["code"],
        version=header["version"],
        title=header["title"],
        checksum=checksum,
        definition=document,
        loaded_by_id=actor_id,
    )
    db.session.add(version)
    names = dict(db.session.execute(sa.select(HoursCategory.code, HoursCategory.name)).all())
    subjects = {
        str(area["code"]): str(area["name"])
        for area in document.get("continuing_education", {}).get("subject_areas", [])
    }
    for level_doc in document["levels"]:
        version.levels.append(_programme_level(level_doc, names, subjects))
    db.session.flush()
    record_event(
        "programme.loaded",
        "programme_version",
        version.id,
        actor_id=actor_id,
        after={"code": version.code, "version": version.version, "checksum": checksum},
    )
    return LoadResult(version, True, modules_added, categories_added)


def _programme_level(
    level_doc: dict[str, Any], names: dict[str, str], subjects: dict[str, str]
) -> ProgrammeLevel:
    level = db.session.scalar(
        sa.select(CredentialLevel).where(CredentialLevel.code == level_doc["code"])
    )
    if level is None:
        level = CredentialLevel(code=level_doc["code"])
        db.session.add(level)
    level.name = level_doc["name"]
    level.description = level_doc.get("description", "")
    level.confers_supervision = bool(level_doc.get("confers_supervision", False))
    rules = ProgrammeLevel(
        level=level,
        rank=level_doc["rank"],
        granted_by=level_doc["granted_by"],
        validity_months=level_doc.get("validity_months"),
    )
    for purpose, key in (
        (RequirementPurpose.ATTAIN, "requirements"),
        (RequirementPurpose.RENEW, "renewal"),
        (RequirementPurpose.REINSTATE, "reinstatement"),
    ):
        for position, req in enumerate(level_doc.get(key, []), start=1):
            rules.requirements.append(
                Requirement(
                    purpose=purpose.value,
                    position=position,
                    kind=req["kind"],
                    label=requirement_label(req, names, subjects),
                    params=_requirement_params(req),
                )
            )
    return rules


def _requirement_params(req: dict[str, Any]) -> dict[str, Any]:
    """Everything but the kind (and a label, which is derived, never read); hours become
    whole minutes."""
    params = {key: value for key, value in req.items() if key not in _REQUIREMENT_COMMON}
    if "minimum_hours" in params:
        params["minimum_minutes"] = round(params.pop("minimum_hours") * 60)
    return params


def _add_missing_categories(documents: list[dict[str, Any]]) -> int:
    known = set(db.session.scalars(sa.select(HoursCategory.code)))
    added = 0
    for position, doc in enumerate(documents, start=1):
        if doc["code"] in known:
            continue
        db.session.add(
            HoursCategory(
                code=doc["code"],
                name=doc["name"],
                description=doc.get("description", ""),
                requires_supervisor=bool(doc.get("requires_supervisor", False)),
                is_group=bool(doc.get("group", False)),
                position=position,
            )
        )
        added += 1
    return added


def _add_missing_modules(documents: list[dict[str, Any]], base: Path) -> int:
    modules = {module.code: module for module in db.session.scalars(sa.select(Module))}
    new_codes = []
    for position, doc in enumerate(documents, start=1):
        if doc["code"] in modules:
            continue
        content_file = doc.get("content_file")
        module = Module(
            code=doc["code"],
            title=doc["title"],
            stage=doc["stage"],
            position=position,
            ce_minutes=round(doc.get("ce_hours", 0) * 60),
            objectives=list(doc.get("objectives", [])),
            content=(base / content_file).read_text(encoding="utf-8")
            if content_file
            else doc.get("content", ""),
            self_paced=bool(doc.get("self_paced", True)),
        )
        db.session.add(module)
        modules[module.code] = module
        new_codes.append(doc)
    for doc in new_codes:
        modules[doc["code"]].prerequisites = [
            modules[code] for code in doc.get("prerequisites", [])
        ]
    db.session.flush()
    return len(new_codes)


def _validate(document: dict[str, Any], base: Path) -> None:
    """Collect every structural problem so the author can fix the file in one go."""
    problems: list[tuple[str | None, str]] = []
    header = document.get("programme", {})
    for key, kind in (("code", str), ("version", int), ("title", str)):
        if not isinstance(header.get(key), kind):
            problems.append((None, f"[programme] needs {key} ({kind.__name__})."))
    levels = document.get("levels") or []
    if not levels:
        problems.append((None, "The programme needs at least one [[levels]] entry."))
    known_modules = set(db.session.scalars(sa.select(Module.code)))
    module_codes = {doc.get("code") for doc in document.get("modules", [])} | known_modules
    stages = {stage.value for stage in ModuleStage}
    for doc in document.get("modules", []):
        content_file = doc.get("content_file")
        is_new = doc.get("code") not in known_modules  # only new modules read their content
        if is_new and content_file and not (base / content_file).is_file():
            problems.append((None, f"Module {doc.get('code')}: {content_file} not found."))
        if doc.get("stage") not in stages:
            problems.append(
                (None, f"Module {doc.get('code')}: stage must be one of {sorted(stages)}.")
            )
        for code in doc.get("prerequisites", []):
            if code not in module_codes:
                problems.append((None, f"Module {doc.get('code')}: unknown prerequisite {code}."))
    level_codes = [level.get("code") for level in levels]
    for code in {code for code in level_codes if level_codes.count(code) > 1}:
        problems.append((None, f"Level {code} is defined more than once."))
    if levels and not any(level.get("granted_by") == GrantedBy.ENROLMENT for level in levels):
        problems.append((None, "One level must be granted on enrolment (granted_by = enrolment)."))
    category_codes = {doc.get("code") for doc in document.get("hours_categories", [])}
    category_codes |= set(db.session.scalars(sa.select(HoursCategory.code)))
    kinds = {kind.value for kind in RequirementKind}
    document_kinds = {doc.get("code") for doc in document.get("document_kinds", [])}
    subject_areas = {
        area.get("code")
        for area in document.get("continuing_education", {}).get("subject_areas", [])
    }
    for level in levels:
        unknown = set(level) - _LEVEL_KEYS
        if unknown:
            problems.append((None, f"Level {level.get('code')}: unknown keys {sorted(unknown)}."))
        if level.get("granted_by") not in {g.value for g in GrantedBy}:
            problems.append(
                (None, f"Level {level.get('code')}: granted_by must be enrolment or application.")
            )
        sections = ("requirements", "renewal", "reinstatement")
        for req in [r for key in sections for r in level.get(key, [])]:
            if req.get("kind") not in kinds:
                problems.append(
                    (
                        None,
                        f"Level {level.get('code')}: unknown requirement kind {req.get('kind')!r}.",
                    )
                )
            if len(str(req.get("description", ""))) > 500:
                problems.append(
                    (None, f"Level {level.get('code')}: keep descriptions under 500 characters.")
                )
            if req.get("kind") == RequirementKind.CE_CREDITS and req.get("subject_area") not in {
                None,
                *subject_areas,
            }:
                problems.append(
                    (
                        None,
                        f"Level {level.get('code')}: unknown subject area "
                        f"{req.get('subject_area')!r} (see [continuing_education]).",
                    )
                )
            if req.get("kind") == RequirementKind.DOCUMENT and (
                req.get("document_kind") not in document_kinds
            ):
                problems.append(
                    (
                        None,
                        f"Level {level.get('code')}: unknown document kind "
                        f"{req.get('document_kind')!r} (see [[document_kinds]]).",
                    )
                )
            for code in req.get("modules", []):
                if code not in module_codes:
                    problems.append((None, f"Level {level.get('code')}: unknown module {code}."))
            for code in req.get("categories", []):
                if code not in category_codes:
                    problems.append(
                        (None, f"Level {level.get('code')}: unknown hours category {code}.")
                    )
            if not isinstance(req.get("within_agreement", False), bool):
                problems.append(
                    (None, f"Level {level.get('code')}: within_agreement must be true or false.")
                )
            hours = req.get("minimum_hours", 0)
            if isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0:
                problems.append(
                    (None, f"Level {level.get('code')}: minimum_hours must be a positive number.")
                )
            if "level" in req and req["level"] not in level_codes:
                problems.append((None, f"Level {level.get('code')}: unknown level {req['level']}."))
    agreements = document.get("supervision_agreements", {})
    for code in agreements.get("categories", []):
        if code not in category_codes:
            problems.append((None, f"[supervision_agreements]: unknown hours category {code}."))
    if problems:
        raise DomainError(*problems)
