"""The programme file is data: loading it is idempotent, every number in it reaches the
database, and a new version is added beside the old one."""

from __future__ import annotations

import copy
import itertools
import tomllib

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.core.errors import DomainError
from airm_training.credentials.services import enrolment_of
from airm_training.extensions import db
from airm_training.programme.loader import (
    DEFAULT_PROGRAMME_FILE,
    load_programme,
    load_programme_file,
)
from airm_training.programme.models import (
    CredentialLevel,
    HoursCategory,
    Module,
    ProgrammeLevel,
    ProgrammeVersion,
    Requirement,
)
from airm_training.programme.services import current_version, programme_level
from tests.factories import doc_label, make_candidate

MODULE_CODES = ["AIRM-101", "AIRM-102", "AIRM-201", "AIRM-202", "AIRM-203", "AIRM-204", "AIRM-301"]


@pytest.fixture
def document() -> dict:
    """The shipped file, parsed independently of the loader (a fresh copy per test)."""
    return tomllib.loads(DEFAULT_PROGRAMME_FILE.read_text(encoding="utf-8"))


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _counts() -> dict[str, int]:
    return {
        model.__name__: _count(model)
        for model in (
            ProgrammeVersion,
            ProgrammeLevel,
            Requirement,
            CredentialLevel,
            Module,
            HoursCategory,
            AuditEvent,
        )
    }


def _version(number: int) -> ProgrammeVersion:
    return db.session.scalar(
        sa.select(ProgrammeVersion).where(
            ProgrammeVersion.code == "airm", ProgrammeVersion.version == number
        )
    )


def _load(document: dict, checksum: str):
    return load_programme(
        document, checksum=checksum, base=DEFAULT_PROGRAMME_FILE.parent, actor_id=None
    )


def _level_doc(document: dict, code: str) -> dict:
    return next(level for level in document["levels"] if level["code"] == code)


def _requirement_doc(document: dict, level: str, label_start: str) -> dict:
    return next(
        req
        for req in _level_doc(document, level)["requirements"]
        if doc_label(req).startswith(label_start)
    )


def _problems(error: DomainError) -> str:
    return "\n".join(reason for _field, reason in error.problems)


# --- loading the shipped file ------------------------------------------------------------
def test_the_shipped_programme_is_loaded_once(document):
    versions = db.session.scalars(sa.select(ProgrammeVersion)).all()
    assert [(v.code, v.version) for v in versions] == [("airm", 1)]
    assert versions[0].title == document["programme"]["title"]
    assert versions[0].definition == document


def test_loading_the_shipped_file_again_changes_nothing():
    before = _counts()
    result = load_programme_file()
    assert result.created is False
    assert result.modules_added == 0
    assert result.categories_added == 0
    assert result.version.id == _version(1).id
    assert "already loaded" in result.describe()
    assert _counts() == before


def test_load_programme_command_reports_already_loaded(app):
    runner = app.test_cli_runner()
    before = _counts()
    for _ in range(2):
        result = runner.invoke(args=["airm", "load-programme"])
        assert result.exit_code == 0, result.output
        assert "already loaded" in result.output
    assert _counts() == before


def test_load_programme_command_rejects_a_changed_file_with_the_same_version(app, tmp_path):
    text = DEFAULT_PROGRAMME_FILE.read_text(encoding="utf-8")
    changed = tmp_path / "airm.toml"
    changed.write_text(text.replace("minimum_hours = 40", "minimum_hours = 41"), encoding="utf-8")
    before = _counts()
    result = app.test_cli_runner().invoke(args=["airm", "load-programme", str(changed)])
    assert result.exit_code == 1
    assert "already loaded with different content" in result.stderr
    assert _counts() == before


def test_the_levels_of_the_shipped_version():
    version = current_version()
    assert version.version == 1
    assert [(rules.level.code, rules.rank) for rules in version.levels] == [
        ("AIRT-C", 1),
        ("AIRT-S", 2),
    ]

    candidate = programme_level(version, "AIRT-C")
    assert candidate.granted_by == "enrolment"
    assert candidate.validity_months is None
    assert candidate.level.confers_supervision is False
    assert candidate.requirements == []

    supervisor = programme_level(version, "AIRT-S")
    assert supervisor.granted_by == "application"
    assert supervisor.validity_months == 24
    assert supervisor.level.confers_supervision is True
    assert supervisor.level.name == "AIRM-Trained Supervisor"


def test_airt_s_requirements_hold_the_numbers_of_the_file():
    rules = programme_level(current_version(), "AIRT-S")
    attain = {r.label: r for r in rules.requirements if r.purpose == "attain"}
    renew = {r.label: r for r in rules.requirements if r.purpose == "renew"}

    didactic = attain["Didactic training: 40 hours"]
    assert didactic.kind == "hours"
    assert didactic.params == {"categories": ["didactic"], "minimum_minutes": 2400}

    approval = attain["Approved by the co-creators' board (2 of 3)"]
    assert approval.kind == "approval"
    assert approval.params == {"quorum": 2, "board_size": 3}

    held = attain["AIRT-C held for at least 12 months"]
    assert held.kind == "credential_held"
    assert held.params == {"level": "AIRT-C", "months": 12}

    modules = attain["7 modules completed"]
    assert modules.params == {"modules": MODULE_CODES}

    assert renew, "AIRT-S has renewal requirements"
    education = renew["Verified continuing education in the cycle: 12 hours"]
    assert education.kind == "ce_credits"
    assert education.params == {"minimum_minutes": 720, "within": "cycle"}
    airm = renew[
        "Verified continuing education in AIRM and artificial intimacy in the cycle: 6 hours"
    ]
    assert airm.params == {"subject_area": "airm", "minimum_minutes": 360, "within": "cycle"}
    assert (
        renew["Individual consultation + group consultation in the cycle: 4 hours"].params[
            "minimum_minutes"
        ]
        == 240
    )


def test_every_requirement_of_the_file_is_stored(document):
    """Kind, label, order, purpose and every parameter; hours become minutes."""
    version = current_version()
    for level_doc in document["levels"]:
        rules = programme_level(version, level_doc["code"])
        assert rules.rank == level_doc["rank"]
        assert rules.granted_by == level_doc["granted_by"]
        assert rules.validity_months == level_doc.get("validity_months")
        assert rules.level.confers_supervision is level_doc["confers_supervision"]
        assert rules.level.name == level_doc["name"]
        assert rules.level.description == level_doc["description"]

        stored = [
            (r.purpose, r.position, r.kind, r.label, r.params)
            for r in sorted(rules.requirements, key=lambda r: (r.purpose, r.position))
        ]
        expected = []
        sections = (
            ("attain", "requirements"),
            ("renew", "renewal"),
            ("reinstate", "reinstatement"),
        )
        for purpose, key in sections:
            for position, req in enumerate(level_doc.get(key, []), start=1):
                params = {k: v for k, v in req.items() if k not in {"kind", "label"}}
                if "minimum_hours" in params:
                    params["minimum_minutes"] = params.pop("minimum_hours") * 60
                expected.append((purpose, position, req["kind"], doc_label(req), params))
        assert stored == sorted(expected, key=lambda item: (item[0], item[1]))


def test_every_number_in_the_file_reaches_the_database(document):
    """Walk the file's levels for numbers and find each one where it was stored."""
    version = current_version()
    numbers_checked = 0
    for level_doc in document["levels"]:
        rules = programme_level(version, level_doc["code"])
        assert rules.rank == level_doc["rank"]
        assert rules.validity_months == level_doc.get("validity_months")
        by_label = {r.label: r.params for r in rules.requirements}
        for req in [*level_doc.get("requirements", []), *level_doc.get("renewal", [])]:
            params = by_label[doc_label(req)]
            for key, value in req.items():
                if isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                if key == "minimum_hours":
                    assert params["minimum_minutes"] == value * 60, doc_label(req)
                    assert "minimum_hours" not in params
                else:
                    assert params[key] == value, (doc_label(req), key)
                numbers_checked += 1
    assert numbers_checked >= 13  # the shipped file has 13 numeric parameters


def test_hours_categories_from_the_file(document):
    categories = db.session.scalars(sa.select(HoursCategory).order_by(HoursCategory.position))
    stored = [
        (c.code, c.name, c.description, c.requires_supervisor, c.is_group, c.position)
        for c in categories
    ]
    assert stored == [
        (
            doc["code"],
            doc["name"],
            doc["description"],
            doc["requires_supervisor"],
            doc["group"],
            position,
        )
        for position, doc in enumerate(document["hours_categories"], start=1)
    ]


def test_seven_modules_with_chained_prerequisites_and_content(document):
    modules = db.session.scalars(sa.select(Module).order_by(Module.position)).all()
    assert [m.code for m in modules] == MODULE_CODES
    assert modules[0].prerequisites == []
    for previous, module in itertools.pairwise(modules):
        assert module.prerequisites == [previous]

    for module, doc in zip(modules, document["modules"], strict=True):
        assert module.title == doc["title"]
        assert module.stage == doc["stage"]
        assert module.ce_minutes == doc["ce_hours"] * 60
        assert module.self_paced is doc["self_paced"]
        assert module.objectives == doc["objectives"]
        assert module.content.strip()
        expected = (DEFAULT_PROGRAMME_FILE.parent / doc["content_file"]).read_text(encoding="utf-8")
        assert module.content == expected
    assert modules[-1].self_paced is False


def test_loading_writes_an_audit_event():
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "programme.loaded").limit(1)
    )
    version = _version(1)
    assert event.object_type == "programme_version"
    assert event.object_id == str(version.id)
    assert event.after == {"code": "airm", "version": 1, "checksum": version.checksum}


# --- a second version ---------------------------------------------------------------------
def _version_two(document: dict) -> dict:
    v2 = copy.deepcopy(document)
    v2["programme"]["version"] = 2
    _requirement_doc(v2, "AIRT-S", "Didactic training")["minimum_hours"] = 45
    _requirement_doc(v2, "AIRT-S", "Approved by the co-creators")["quorum"] = 3
    return v2


def test_a_new_version_is_added_beside_the_old_one(document):
    enrolled_before = make_candidate()
    before = _counts()

    result = _load(_version_two(document), checksum="v2" * 32)

    assert result.created is True
    assert result.modules_added == 0
    assert result.categories_added == 0
    assert "version 2" in result.describe()
    after = _counts()
    assert after["ProgrammeVersion"] == before["ProgrammeVersion"] + 1
    assert after["ProgrammeLevel"] == before["ProgrammeLevel"] + 2
    assert after["Requirement"] == before["Requirement"] * 2
    assert after["Module"] == before["Module"]
    assert after["CredentialLevel"] == before["CredentialLevel"]
    assert after["AuditEvent"] == before["AuditEvent"] + 1

    v1, v2 = _version(1), _version(2)
    assert v1 is not None and v2 is not None and v1.id != v2.id
    assert current_version().id == v2.id

    def didactic(version):
        rules = programme_level(version, "AIRT-S")
        req = next(r for r in rules.requirements if r.label.startswith("Didactic"))
        return req.params["minimum_minutes"]

    assert didactic(v1) == 2400
    assert didactic(v2) == 2700
    approval = next(r for r in programme_level(v2, "AIRT-S").requirements if r.kind == "approval")
    assert approval.params["quorum"] == 3

    # The person enrolled earlier keeps version 1; a new enrolment gets version 2.
    assert enrolment_of(enrolled_before).programme_version_id == v1.id
    enrolled_after = make_candidate()
    assert enrolment_of(enrolled_after).programme_version_id == v2.id


def test_loading_the_new_version_twice_changes_nothing(document):
    v2 = _version_two(document)
    _load(v2, checksum="v2" * 32)
    before = _counts()
    result = _load(copy.deepcopy(v2), checksum="v2" * 32)
    assert result.created is False
    assert result.version.version == 2
    assert _counts() == before


def test_a_new_version_adds_new_modules_and_categories(document):
    v2 = _version_two(document)
    v2["modules"].append(
        {
            "code": "AIRM-401",
            "title": "Advanced topics",
            "stage": "supervision",
            "ce_hours": 1.5,
            "prerequisites": ["AIRM-301"],
            "content": "Inline content.",
        }
    )
    v2["hours_categories"].append({"code": "peer-review", "name": "Peer review"})
    result = _load(v2, checksum="v2" * 32)

    assert (result.modules_added, result.categories_added) == (1, 1)
    module = db.session.scalar(sa.select(Module).where(Module.code == "AIRM-401"))
    assert [m.code for m in module.prerequisites] == ["AIRM-301"]
    assert module.ce_minutes == 90
    assert module.content == "Inline content."


def test_different_content_under_an_existing_version_number_is_refused(document):
    changed = copy.deepcopy(document)
    _requirement_doc(changed, "AIRT-S", "Didactic training")["minimum_hours"] = 45
    before = _counts()
    with pytest.raises(DomainError) as raised:
        _load(changed, checksum="f" * 64)
    assert "already loaded with different content" in _problems(raised.value)
    assert _counts() == before
    rules = programme_level(_version(1), "AIRT-S")
    assert (
        next(r for r in rules.requirements if r.label.startswith("Didactic")).params[
            "minimum_minutes"
        ]
        == 2400
    )


# --- invalid documents --------------------------------------------------------------------
def _broken(document: dict, breakage) -> dict:
    """Version 3 with a new module and category (so a partial load would show), broken."""
    doc = copy.deepcopy(document)
    doc["programme"]["version"] = 3
    doc["modules"].append(
        {"code": "AIRM-999", "title": "New", "stage": "supervision", "prerequisites": []}
    )
    doc["hours_categories"].append({"code": "new-category", "name": "New"})
    breakage(doc)
    return doc


def _unknown_kind(doc):
    _level_doc(doc, "AIRT-S")["requirements"].append({"kind": "telepathy", "label": "Mind"})


def _unknown_prerequisite(doc):
    doc["modules"][-1]["prerequisites"] = ["AIRM-000"]


def _missing_header_keys(doc):
    del doc["programme"]["title"]
    del doc["programme"]["code"]


def _unknown_requirement_module(doc):
    _requirement_doc(doc, "AIRT-S", "7 modules")["modules"].append("AIRM-998")


def _unknown_level_key(doc):
    _level_doc(doc, "AIRT-S")["validity_years"] = 2


def _bad_granted_by(doc):
    _level_doc(doc, "AIRT-C")["granted_by"] = "purchase"


def _bad_stage(doc):
    doc["modules"][-1]["stage"] = "stage-five"


def _no_levels(doc):
    doc["levels"] = []


def _unknown_hours_category(doc):
    _requirement_doc(doc, "AIRT-S", "Didactic training")["categories"] = ["astral-travel"]


def _missing_content_file(doc):
    doc["modules"][-1]["content_file"] = "content/NOPE.md"


def _duplicate_level(doc):
    doc["levels"].append(copy.deepcopy(_level_doc(doc, "AIRT-S")))


def _non_numeric_hours(doc):
    _requirement_doc(doc, "AIRT-S", "Didactic training")["minimum_hours"] = "forty"


def _no_entry_level(doc):
    _level_doc(doc, "AIRT-C")["granted_by"] = "application"


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_unknown_kind, ["unknown requirement kind 'telepathy'"]),
        (_unknown_prerequisite, ["Module AIRM-999: unknown prerequisite AIRM-000"]),
        (_missing_header_keys, ["[programme] needs code", "[programme] needs title"]),
        (_unknown_requirement_module, ["unknown module AIRM-998"]),
        (_unknown_level_key, ["unknown keys ['validity_years']"]),
        (_bad_granted_by, ["Level AIRT-C: granted_by must be"]),
        (_bad_stage, ["Module AIRM-999: stage must be one of"]),
        (_no_levels, ["at least one [[levels]]"]),
        (_unknown_hours_category, ["unknown hours category astral-travel"]),
        (_missing_content_file, ["Module AIRM-999: content/NOPE.md not found"]),
        (_duplicate_level, ["Level AIRT-S is defined more than once"]),
        (_non_numeric_hours, ["minimum_hours must be a positive number"]),
        (_no_entry_level, ["One level must be granted on enrolment"]),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_an_invalid_document_is_refused_and_nothing_is_written(document, breakage, expected):
    before = _counts()
    with pytest.raises(DomainError) as raised:
        _load(_broken(document, breakage), checksum="3" * 64)
    problems = _problems(raised.value)
    for text in expected:
        assert text in problems
    assert _counts() == before
    assert db.session.scalar(sa.select(Module).where(Module.code == "AIRM-999")) is None
    assert (
        db.session.scalar(sa.select(HoursCategory).where(HoursCategory.code == "new-category"))
        is None
    )


def test_every_problem_of_a_document_is_listed_at_once(document):
    def everything(doc):
        _unknown_kind(doc)
        _unknown_prerequisite(doc)
        _missing_header_keys(doc)

    before = _counts()
    with pytest.raises(DomainError) as raised:
        _load(_broken(document, everything), checksum="3" * 64)
    problems = raised.value.problems
    assert len(problems) == 4
    text = _problems(raised.value)
    assert "unknown requirement kind 'telepathy'" in text
    assert "unknown prerequisite AIRM-000" in text
    assert "[programme] needs code" in text
    assert "[programme] needs title" in text
    assert _counts() == before


def test_the_shipped_document_is_valid(document):
    """The valid baseline of the cases above: version 3 with the extras loads fine."""
    result = _load(_broken(document, lambda doc: None), checksum="3" * 64)
    assert result.created
    assert (result.modules_added, result.categories_added) == (1, 1)
