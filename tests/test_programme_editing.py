"""Directors change requirement numbers into a new programme version, compare versions
and move people between them; everyone else is refused; bad numbers change nothing."""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.core.errors import DomainError
from airm_training.credentials.services import enrolment_of
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.programme.diff import diff_versions
from airm_training.programme.editing import current_values, edit_level
from airm_training.programme.models import ProgrammeVersion
from airm_training.programme.services import current_version, programme_level
from airm_training.progression.engine import evaluate, next_level
from airm_training.progression.enrolment import move_enrolment
from tests.factories import doc_label, login, make_candidate, make_director, make_person
from tests.test_engine import (
    APPROVAL,
    DIDACTIC,
    EVALUATION,
    insert_hours,
    load_document,
    long_standing_supervisor,
    months_ago,
    programme_document,
    requirement_doc,
)
from tests.test_engine import bare_application as open_application

LEVEL = "AIRT-S"


@pytest.fixture
def director(app) -> Person:
    return make_director()


def version_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeVersion))


def index_of(version: ProgrammeVersion, label: str, section: str = "requirements") -> int:
    level = next(lv for lv in version.definition["levels"] if lv["code"] == LEVEL)
    return next(i for i, r in enumerate(level[section]) if doc_label(r) == label)


def values_with(version: ProgrammeVersion, **changes) -> dict:
    return {**current_values(version, LEVEL), **changes}


def didactic_field(version: ProgrammeVersion, key: str = "minimum_hours") -> str:
    return f"req_{index_of(version, DIDACTIC)}_{key}"


def rule(version: ProgrammeVersion, label: str, purpose: str = "attain"):
    rules = programme_level(version, LEVEL)
    return next(r for r in rules.requirements if r.label == label and r.purpose == purpose)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- the service --------------------------------------------------------------------------
def test_a_change_is_saved_as_a_new_version_and_old_enrolments_keep_theirs(director):
    before = make_candidate(director=director)
    v1 = current_version()
    v2 = edit_level(
        v1,
        LEVEL,
        values_with(
            v1,
            validity_months=36,
            **{didactic_field(v1): 60, didactic_field(v1, "description"): "Board decision"},
        ),
        actor=director,
        note="Board decision",
    )
    db.session.commit()
    assert (v2.version, v2.code) == (v1.version + 1, v1.code)
    assert current_version().id == v2.id
    assert rule(v2, "Didactic training: 60 hours").params["minimum_minutes"] == 3600
    assert rule(v2, "Didactic training: 60 hours").params["description"] == "Board decision"
    assert programme_level(v2, LEVEL).validity_months == 36
    # The old version is untouched and still used by the person enrolled under it.
    db.session.expire_all()
    assert rule(v1, DIDACTIC).params["minimum_minutes"] == 2400
    assert programme_level(v1, LEVEL).validity_months == 24
    assert enrolment_of(before).programme_version_id == v1.id
    assert enrolment_of(make_candidate(director=director)).programme_version_id == v2.id
    (event,) = events("programme.edited")
    assert event.actor_id == director.id
    assert event.before["version"] == v1.version
    assert event.after["note"] == "Board decision"
    assert event.after["level"]["validity_months"] == 36


def test_lists_and_every_kind_of_number_can_change(director):
    v1 = current_version()
    modules, quizzes = (
        index_of(
            v1,
            "7 modules completed",
        ),
        index_of(
            v1,
            "7 quizzes passed",
        ),
    )
    approval = index_of(v1, "Approved by the co-creators' board (2 of 3)")
    renewal = index_of(v1, "Verified continuing education in the cycle: 12 hours", "renewal")
    v2 = edit_level(
        v1,
        LEVEL,
        values_with(
            v1,
            **{
                f"req_{modules}_modules": ["AIRM-101", "AIRM-102"],
                f"req_{quizzes}_assessments": ["AIRM-101-Q"],
                f"req_{approval}_quorum": 3,
                f"req_{index_of(v1, '2 case presentations passed')}_count": 3,
                f"req_{index_of(v1, 'AIRT-C held for at least 12 months')}_months": 18,
                f"req_{index_of(v1, 'Endorsed by a supervisor')}_count": 2,
                f"req_{index_of(v1, DIDACTIC)}_min_sessions": 8,
                f"renew_{renewal}_minimum_hours": 15.5,
            },
        ),
        actor=director,
    )
    db.session.commit()
    # each label follows its new numbers
    assert rule(v2, "2 modules completed").params["modules"] == ["AIRM-101", "AIRM-102"]
    assert rule(v2, "Quiz AIRM-101-Q passed").params["assessments"] == ["AIRM-101-Q"]
    assert rule(v2, "Approved by the co-creators' board (3 of 3)").params["quorum"] == 3
    assert rule(v2, "3 case presentations passed").params["count"] == 3
    assert rule(v2, "AIRT-C held for at least 18 months").params["months"] == 18
    assert rule(v2, "Endorsed by 2 supervisors").params["count"] == 2
    assert rule(v2, "Didactic training: 40 hours (at least 8 sessions)").params["min_sessions"] == 8
    renew = rule(v2, "Verified continuing education in the cycle: 15.5 hours", "renew")
    assert renew.params["minimum_minutes"] == 930


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("didactic", -5, "Enter a number from 0 to 10000."),
        ("didactic", 12.01, "Enter hours that make whole minutes"),
        ("didactic", "lots", "Enter a number."),
        ("didactic", None, "Enter a number."),
        ("validity_months", 0, "Enter a number from 1 to 240."),
        ("validity_months", 2.5, "Enter a whole number."),
        ("quorum", 4, "The quorum cannot be larger than the board."),
        ("modules", [], "Choose at least one."),
        ("modules", ["AIRM-999"], "Unknown codes: AIRM-999."),
        ("rating", 5, "Enter a number from 1 to 4."),
        ("description", "x" * 201, "Keep the description under 200 characters."),
    ],
)
def test_bad_numbers_are_refused_with_a_reason_and_nothing_is_saved(
    director, field, value, message
):
    v1 = current_version()
    names = {
        "didactic": didactic_field(v1),
        "validity_months": "validity_months",
        "quorum": f"req_{index_of(v1, APPROVAL)}_quorum",
        "modules": f"req_{index_of(v1, '7 modules completed')}_modules",
        "rating": f"req_{index_of(v1, EVALUATION)}_minimum_rating",
        "description": didactic_field(v1, "description"),
    }
    count = version_count()
    with pytest.raises(DomainError) as refused:
        edit_level(v1, LEVEL, values_with(v1, **{names[field]: value}), actor=director)
    db.session.rollback()
    assert any(
        name == names[field] and message in reason for name, reason in refused.value.problems
    )
    assert version_count() == count
    assert events("programme.edited") == []


def test_saving_without_a_change_is_refused(director):
    v1 = current_version()
    with pytest.raises(DomainError, match="Nothing changed"):
        edit_level(v1, LEVEL, current_values(v1, LEVEL), actor=director)


def test_only_a_director_changes_the_programme(app):
    v1 = current_version()
    with pytest.raises(DomainError, match="Only a director"):
        edit_level(
            v1, LEVEL, values_with(v1, validity_months=30), actor=make_person(Role.CANDIDATE)
        )


# --- the diff -----------------------------------------------------------------------------
def hand_made_pair() -> tuple[ProgrammeVersion, ProgrammeVersion]:
    old = programme_document()
    old["programme"]["version"] = 7
    new = copy.deepcopy(old)
    new["programme"]["version"] = 8
    level = next(lv for lv in new["levels"] if lv["code"] == LEVEL)
    level["validity_months"] = 36
    requirement_doc(new, LEVEL, DIDACTIC)["minimum_hours"] = 60  # the label follows
    modules = requirement_doc(
        new,
        LEVEL,
        "7 modules completed",
    )
    modules["modules"] = modules["modules"][:-1]
    modules["description"] = "The AIRM modules"  # paired by kind and order
    level["requirements"] = [
        r
        for r in level["requirements"]
        if doc_label(r) != "Consultation of consultation with an AIRT-S: 10 hours"
    ]
    level["requirements"].append(
        {
            "kind": "hours",
            "categories": ["group-consultation"],
            "minimum_hours": 5,
        }
    )
    return load_document(old, "7" * 64), load_document(new, "8" * 64)


def test_the_diff_of_a_hand_made_pair_of_versions(app):
    old, new = hand_made_pair()
    db.session.commit()
    levels = {level.code: level for level in diff_versions(old, new)}
    assert levels["AIRT-C"].status == "same"
    airt_s = levels[LEVEL]
    assert airt_s.status == "changed"
    assert [(c.name, c.before, c.after) for c in airt_s.changes] == [
        ("Valid for (months)", "24", "36")
    ]
    by_label = {r.label: r for r in airt_s.requirements}
    didactic = by_label["Didactic training: 60 hours"]
    assert didactic.status == "changed"
    assert [(c.name, c.before, c.after) for c in didactic.changes] == [
        ("Minimum hours", "40", "60")
    ]
    modules = by_label["6 modules completed"]
    assert modules.status == "changed"
    assert [(c.name, c.before, c.after) for c in modules.changes] == [
        ("Description", "—", "The AIRM modules"),
        (
            "Modules",
            "AIRM-101, AIRM-102, AIRM-201, AIRM-202, AIRM-203, AIRM-204, AIRM-301",
            "AIRM-101, AIRM-102, AIRM-201, AIRM-202, AIRM-203, AIRM-204",
        ),
    ]
    assert by_label["Consultation of consultation with an AIRT-S: 10 hours"].status == "removed"
    added = by_label["Group consultation: 5 hours"]
    assert added.status == "added"
    assert ("Minimum hours", "", "5") in [(c.name, c.before, c.after) for c in added.changes]
    unchanged = [r.label for r in airt_s.requirements if r.status == "same"]
    assert "A verified, unexpired licence on file" in unchanged
    assert len(unchanged) == len(airt_s.requirements) - 4


def test_the_compare_page_shows_the_differences(client, director):
    old, new = hand_made_pair()
    db.session.commit()
    login(client, director)
    page = client.get(f"/programme/compare?old={old.id}&new={new.id}").get_data(as_text=True)
    assert "<del>40</del>" in page and "<ins>60</ins>" in page
    assert "Consultation of consultation with an AIRT-S: 10 hours" in page and ">removed<" in page
    assert "Group consultation: 5 hours" in page and ">added<" in page


# --- the pages ----------------------------------------------------------------------------
def edit_path(version: ProgrammeVersion) -> str:
    return f"/programme/versions/{version.id}/levels/{LEVEL}/edit"


def form_data(version: ProgrammeVersion, **changes) -> dict:
    data = {}
    for name, value in values_with(version, **changes).items():
        data[name] = "" if value is None else value
    return data


def test_a_director_saves_a_new_version_through_the_form(client, director):
    v1 = current_version()
    login(client, director)
    assert "version 2" in client.get(edit_path(v1)).get_data(as_text=True)
    response = client.submit(edit_path(v1), form_data(v1, **{didactic_field(v1): "45.5"}))
    assert response.status_code == 302
    v2 = current_version()
    assert v2.version == v1.version + 1
    assert f"old={v1.id}" in response.headers["Location"]
    assert rule(v2, "Didactic training: 45.5 hours").params["minimum_minutes"] == 2730


def test_bad_input_in_the_form_shows_a_message_next_to_the_field(client, director):
    v1 = current_version()
    login(client, director)
    count = version_count()
    for bad, message in (
        ("-3", "Enter a number from 0 to 10000."),
        ("abc", "Not a valid decimal value"),
    ):
        response = client.submit(edit_path(v1), form_data(v1, **{didactic_field(v1): bad}))
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert message in page
        assert "is-invalid" in page
    assert version_count() == count


def test_the_form_needs_its_csrf_token(client, director):
    v1 = current_version()
    login(client, director)
    response = client.post(edit_path(v1), data=form_data(v1, **{didactic_field(v1): "60"}))
    assert response.status_code == 400
    assert version_count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/programme/",
        "/programme/compare",
        "/programme/versions/{v}/levels/AIRT-S/edit",
        "/programme/people/{p}/move",
    ],
)
def test_candidates_and_supervisors_are_refused(client, director, path):
    v1 = current_version()
    candidate = make_candidate(director=director)
    url = path.format(v=v1.id, p=candidate.id)
    for person in (candidate, long_standing_supervisor(director)):
        login(client, person)
        assert client.get(url).status_code == 403
        if "/edit" in url or "/move" in url:
            assert client.post(url, data={}).status_code in (400, 403)
        client.post("/auth/logout", data={"csrf_token": client.form_token("/curriculum/")})
    assert version_count() == 1


def test_a_candidate_posting_with_a_valid_token_is_still_refused(client, director):
    v1 = current_version()
    candidate = make_candidate(director=director)
    login(client, candidate)
    token = client.form_token("/hours/new")
    response = client.post(
        edit_path(v1), data={**form_data(v1, validity_months=30), "csrf_token": token}
    )
    assert response.status_code == 403
    assert version_count() == 1


def test_unknown_versions_and_levels_are_not_found(client, director):
    login(client, director)
    assert client.get("/programme/versions/999999/levels/AIRT-S/edit").status_code == 404
    assert (
        client.get(f"/programme/versions/{current_version().id}/levels/NOPE/edit").status_code
        == 404
    )


def test_the_versions_page_counts_enrolments(client, director):
    make_candidate(director=director)
    login(client, director)
    page = client.get("/programme/").get_data(as_text=True)
    assert current_version().label in page
    assert "new enrolments" in page


# --- moving a person ----------------------------------------------------------------------
@pytest.fixture
def moved_setup(director):
    """A candidate with 45 h of didactic training under version 1 (40 h needed) and a
    version 2 that asks 60 h."""
    supervisor = long_standing_supervisor(director)
    person = make_candidate(director=director, enrolled_on=months_ago(13))
    insert_hours(person, "didactic", 9, 300, signer=supervisor)
    v1 = current_version()
    document = copy.deepcopy(programme_document())
    document["programme"]["version"] = 2
    requirement_doc(document, LEVEL, DIDACTIC)["minimum_hours"] = 60
    v2 = load_document(document, "2" * 64)
    db.session.commit()
    return person, v1, v2, supervisor


def didactic_result(person: Person):
    db.session.expire_all()
    return next(
        r for r in evaluate(person, next_level(person)).results if r.label.startswith("Didactic")
    )


def test_moving_a_person_re_evaluates_them_under_the_new_version(director, moved_setup):
    person, _v1, v2, _ = moved_setup
    assert didactic_result(person).met
    move_enrolment(person, v2, actor=director, confirmed=True)
    db.session.commit()
    result = didactic_result(person)
    assert not result.met
    assert result.progress == "45 h of 60 h"
    assert next_level(person).programme_version_id == v2.id
    (event,) = events("enrolment.version_changed")
    assert (event.before["version"], event.after["version"]) == (1, 2)
    assert event.actor_id == director.id


def test_a_move_needs_confirmation_and_no_open_application(director, moved_setup):
    person, v1, v2, supervisor = moved_setup
    with pytest.raises(DomainError, match="Tick the box"):
        move_enrolment(person, v2, actor=director, confirmed=False)
    with pytest.raises(DomainError, match="already under"):
        move_enrolment(person, v1, actor=director, confirmed=True)
    open_application(person, supervisor)
    with pytest.raises(DomainError, match="application is in progress"):
        move_enrolment(person, v2, actor=director, confirmed=True)
    db.session.rollback()
    assert enrolment_of(person).programme_version_id == v1.id
    assert events("enrolment.version_changed") == []


def test_the_move_page_previews_then_moves_with_confirmation(client, director, moved_setup):
    person, v1, v2, _ = moved_setup
    login(client, director)
    path = f"/programme/people/{person.id}/move"
    preview = client.get(f"{path}?to={v2.id}").get_data(as_text=True)
    assert "45 h of 40 h" in preview and "45 h of 60 h" in preview
    refused = client.submit(path, {"version": v2.id})
    assert refused.status_code == 200
    assert "Tick the box to confirm the move." in refused.get_data(as_text=True)
    assert enrolment_of(person).programme_version_id == v1.id
    moved = client.submit(path, {"version": v2.id, "confirm": "y"})
    assert moved.status_code == 302
    db.session.expire_all()
    assert enrolment_of(person).programme_version_id == v2.id
    assert not didactic_result(person).met


def test_the_move_needs_its_csrf_token(client, director, moved_setup):
    person, v1, v2, _ = moved_setup
    login(client, director)
    response = client.post(
        f"/programme/people/{person.id}/move", data={"version": v2.id, "confirm": "y"}
    )
    assert response.status_code == 400
    assert enrolment_of(person).programme_version_id == v1.id


def test_the_person_page_links_to_the_move(client, director, moved_setup):
    person, *_ = moved_setup
    login(client, director)
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert f"/programme/people/{person.id}/move" in page


def test_a_level_without_requirements_changes_its_validity_and_may_stop_expiring(director):
    v1 = current_version()
    v2 = edit_level(v1, "AIRT-C", {"validity_months": 60}, actor=director)
    assert programme_level(v2, "AIRT-C").validity_months == 60
    v3 = edit_level(v2, LEVEL, values_with(v2, validity_months=None), actor=director)
    assert programme_level(v3, LEVEL).validity_months is None
    assert programme_level(v3, "AIRT-C").validity_months == 60
