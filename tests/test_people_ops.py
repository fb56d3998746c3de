"""Directors change roles, deactivate and reactivate accounts and assign primary
supervisors; the last active administrator and director keep their role."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.access.supervision import is_supervisor
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today
from airm_training.core.errors import DomainError
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.people.models import Licence, Person, Role
from airm_training.people.roles import set_roles
from airm_training.people.services import deactivate_person, reactivate_person
from airm_training.people.supervision import assign_supervisor
from airm_training.programme.services import current_version
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor


def fresh(person: Person) -> Person:
    db.session.expire_all()
    return db.session.get(Person, person.id)


def events(action: str, person: Person) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_id == str(person.id))
            .order_by(AuditEvent.id)
        )
    )


def post_roles(client, person: Person, roles: list[str], **kwargs):
    return client.submit(
        f"/people/{person.id}/roles",
        {"roles": roles},
        form_path=f"/people/{person.id}",
        follow_redirects=True,
        **kwargs,
    )


@pytest.fixture
def director(client):
    person = make_director()
    login(client, person)
    return person


@pytest.fixture
def admin(client):
    person = make_person(Role.ADMIN)
    login(client, person)
    return person


# --- roles ---------------------------------------------------------------------------------
def test_director_changes_roles_and_the_change_is_audited(client, director):
    candidate = make_candidate(director=director)

    page = post_roles(client, candidate, ["candidate", "co-creator"]).get_data(as_text=True)

    assert "Roles saved." in page
    assert fresh(candidate).roles == {Role.CANDIDATE, Role.CO_CREATOR}
    (event,) = events("person.roles_changed", candidate)
    assert event.actor_id == director.id
    assert event.before == {"roles": ["candidate"]}
    assert event.after == {"roles": ["candidate", "co-creator"]}

    post_roles(client, candidate, ["co-creator"])
    assert fresh(candidate).roles == {Role.CO_CREATOR}
    second = events("person.roles_changed", candidate)[-1]
    assert (second.before, second.after) == (
        {"roles": ["candidate", "co-creator"]},
        {"roles": ["co-creator"]},
    )


def test_saving_the_same_roles_changes_nothing(client, director):
    candidate = make_candidate(director=director)

    page = post_roles(client, candidate, ["candidate"]).get_data(as_text=True)

    assert "The roles are unchanged." in page
    assert events("person.roles_changed", candidate) == []


@pytest.mark.parametrize("roles", [["candidate", "admin"], []])
def test_a_director_neither_grants_nor_removes_admin(client, director, roles):
    target = make_person(Role.CANDIDATE) if roles else make_person(Role.ADMIN)
    before = fresh(target).roles

    page = post_roles(client, target, roles).get_data(as_text=True)

    assert "You may not grant or remove: Admin." in page
    assert fresh(target).roles == before
    assert events("person.roles_changed", target) == []


def test_an_admin_grants_and_removes_admin(client, admin):
    target = make_person(Role.DIRECTOR)

    post_roles(client, target, ["director", "admin"])
    assert fresh(target).roles == {Role.DIRECTOR, Role.ADMIN}
    post_roles(client, target, ["director"])
    assert fresh(target).roles == {Role.DIRECTOR}
    assert len(events("person.roles_changed", target)) == 2


def test_the_last_active_admin_keeps_the_role(client, admin):
    make_person(Role.ADMIN, active=False)  # a deactivated admin does not count

    page = post_roles(client, admin, ["director"]).get_data(as_text=True)

    assert "is the last active admin" in page
    assert fresh(admin).roles == {Role.ADMIN}

    make_person(Role.ADMIN)
    post_roles(client, admin, ["director"])
    assert fresh(admin).roles == {Role.DIRECTOR}


def test_the_last_active_director_keeps_the_role(client, director):
    page = post_roles(client, director, ["co-creator"]).get_data(as_text=True)

    assert "is the last active director" in page
    assert fresh(director).roles == {Role.DIRECTOR}

    make_director()
    post_roles(client, director, ["co-creator"])
    assert fresh(director).roles == {Role.CO_CREATOR}


def test_non_directors_may_not_change_roles(client):
    candidate, other = make_candidate(), make_person(Role.CANDIDATE)
    login(client, candidate)
    token = client.form_token(f"/people/{candidate.id}")

    own = client.post(
        f"/people/{candidate.id}/roles", data={"roles": ["director"], "csrf_token": token}
    )
    theirs = client.post(
        f"/people/{other.id}/roles", data={"roles": ["director"], "csrf_token": token}
    )

    assert own.status_code == theirs.status_code == 403
    assert fresh(candidate).roles == {Role.CANDIDATE}
    assert fresh(other).roles == {Role.CANDIDATE}


def test_changing_roles_needs_the_csrf_token(client, director):
    candidate = make_candidate(director=director)

    response = client.post(f"/people/{candidate.id}/roles", data={"roles": ["director"]})

    assert response.status_code == 400
    assert fresh(candidate).roles == {Role.CANDIDATE}


def test_set_roles_refuses_an_actor_without_the_right():
    candidate = make_candidate()
    with pytest.raises(DomainError, match="You may not grant or remove: Co creator"):
        set_roles(candidate, candidate, {Role.CANDIDATE, Role.CO_CREATOR})


# --- deactivation --------------------------------------------------------------------------
def test_deactivation_asks_for_confirmation_and_a_reason(client, director):
    candidate = make_candidate(director=director)
    path = f"/people/{candidate.id}/deactivate"

    confirm = client.get(path).get_data(as_text=True)
    assert f"Deactivate {candidate.display_name}?" in confirm
    assert 'name="reason"' in confirm

    blank = client.submit(path, {"reason": "  "})
    assert blank.status_code == 200
    assert "Say why the account is deactivated." in blank.get_data(as_text=True)
    assert "invalid-feedback" in blank.get_data(as_text=True)
    assert fresh(candidate).active
    assert events("person.deactivated", candidate) == []


def test_deactivated_person_is_signed_out_refused_and_keeps_their_records(app, client, director):
    candidate = make_candidate(director=director)
    version = candidate.session_version
    own = app.test_client()
    login(own, candidate)
    assert own.get("/candidate").status_code == 200

    response = client.submit(
        f"/people/{candidate.id}/deactivate",
        {"reason": "Left the centre"},
        follow_redirects=True,
    )

    assert "is deactivated and can no longer sign in" in response.get_data(as_text=True)
    person = fresh(candidate)
    assert not person.active
    assert person.session_version == version + 1
    (event,) = events("person.deactivated", candidate)
    assert event.actor_id == director.id
    assert event.before == {"active": True}
    assert event.after == {"active": False, "reason": "Left the centre"}
    # the open session ends, and signing in again is refused with a clear message
    assert own.get("/candidate").status_code == 302
    refused = login(own, candidate)
    assert refused.status_code == 200
    assert "This account has been deactivated" in refused.get_data(as_text=True)
    # records are kept
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(Licence).where(Licence.person_id == candidate.id)
    )
    assert "Deactivated" in client.get(f"/people/{candidate.id}").get_data(as_text=True)


def test_reactivation_lets_the_person_sign_in_again(app, client, director):
    candidate = make_candidate(director=director)
    deactivate_person(director, candidate, "On leave")
    db.session.commit()

    response = client.submit(
        f"/people/{candidate.id}/reactivate",
        form_path=f"/people/{candidate.id}",
        follow_redirects=True,
    )

    assert "can sign in again" in response.get_data(as_text=True)
    assert fresh(candidate).active
    (event,) = events("person.reactivated", candidate)
    assert (event.actor_id, event.before, event.after) == (
        director.id,
        {"active": False},
        {"active": True},
    )
    assert login(app.test_client(), candidate).status_code == 302


def test_a_director_cannot_deactivate_themselves_or_an_admin(client, director):
    admin = make_person(Role.ADMIN)
    for person, message in (
        (director, "You cannot deactivate your own account."),
        (admin, "Only an administrator can deactivate an administrator."),
    ):
        response = client.submit(f"/people/{person.id}/deactivate", {"reason": "Testing"})
        assert message in response.get_data(as_text=True)
        assert fresh(person).active


def test_the_last_active_admin_cannot_be_deactivated():
    last = make_person(Role.ADMIN)
    former = make_person(Role.ADMIN, active=False)
    with pytest.raises(DomainError, match="last active admin"):
        deactivate_person(former, last, "Tidying up")
    assert fresh(last).active


def test_deactivating_twice_and_reactivating_an_active_person_are_refused():
    director, candidate = make_director(), make_candidate()
    deactivate_person(director, candidate, "Left")
    with pytest.raises(DomainError, match="already deactivated"):
        deactivate_person(director, candidate, "Again")
    reactivate_person(director, candidate)
    with pytest.raises(DomainError, match="already active"):
        reactivate_person(director, candidate)


def test_non_directors_may_not_deactivate_or_reactivate(client):
    candidate, other = make_candidate(), make_candidate()
    login(client, candidate)
    token = client.form_token(f"/people/{candidate.id}")

    assert client.get(f"/people/{other.id}/deactivate").status_code == 403
    for path in (f"/people/{other.id}/deactivate", f"/people/{other.id}/reactivate"):
        assert client.post(path, data={"reason": "x", "csrf_token": token}).status_code == 403
    assert fresh(other).active


def test_deactivation_needs_the_csrf_token(client, director):
    candidate = make_candidate(director=director)

    response = client.post(f"/people/{candidate.id}/deactivate", data={"reason": "Left"})

    assert response.status_code == 400
    assert fresh(candidate).active


# --- primary supervisor --------------------------------------------------------------------
def post_supervisor(client, candidate: Person, supervisor_id: int | str):
    return client.submit(
        f"/people/{candidate.id}/supervisor",
        {"supervisor": str(supervisor_id)},
        form_path=f"/people/{candidate.id}",
        follow_redirects=True,
    )


def test_director_assigns_changes_and_removes_a_primary_supervisor(app, client, director):
    candidate = make_candidate(director=director)
    first = make_supervisor(director=director)
    second = make_supervisor(director=director)

    page = post_supervisor(client, candidate, first.id).get_data(as_text=True)

    assert "Primary supervisor saved." in page
    assert fresh(candidate).primary_supervisor_id == first.id
    (assigned,) = events("person.supervisor_assigned", candidate)
    assert assigned.actor_id == director.id
    assert assigned.before == {"primary_supervisor_id": None, "primary_supervisor": None}
    assert assigned.after == {
        "primary_supervisor_id": first.id,
        "primary_supervisor": first.full_name,
    }
    # visible to the candidate and on the supervisor's supervisees page
    own = app.test_client()
    login(own, candidate)
    assert first.display_name in own.get("/candidate").get_data(as_text=True)
    assert first.display_name in own.get(f"/people/{candidate.id}").get_data(as_text=True)
    theirs = app.test_client()
    login(theirs, first)
    supervisees = theirs.get("/hours/supervisees").get_data(as_text=True)
    assert candidate.full_name in supervisees
    assert "Primary supervisor" in supervisees

    post_supervisor(client, candidate, second.id)
    changed = events("person.supervisor_assigned", candidate)[-1]
    assert changed.before["primary_supervisor_id"] == first.id
    assert changed.after["primary_supervisor_id"] == second.id
    assert candidate.full_name not in theirs.get("/hours/supervisees").get_data(as_text=True)

    post_supervisor(client, candidate, "")
    assert fresh(candidate).primary_supervisor_id is None
    (removed,) = events("person.supervisor_removed", candidate)
    assert removed.before["primary_supervisor_id"] == second.id
    assert removed.after == {"primary_supervisor_id": None, "primary_supervisor": None}


def test_only_current_supervisors_are_offered_and_accepted(client, director):
    candidate = make_candidate(director=director)
    lapsed = make_supervisor(director=director, awarded_on=today() - timedelta(days=3 * 365))
    colleague = make_candidate(director=director)

    form = client.get(f"/people/{candidate.id}").get_data(as_text=True)
    assert lapsed.full_name not in form

    for person in (lapsed, colleague):
        page = post_supervisor(client, candidate, person.id).get_data(as_text=True)
        assert "Not a valid choice" in page
    assert fresh(candidate).primary_supervisor_id is None
    assert events("person.supervisor_assigned", candidate) == []


def test_supervisor_rules_in_the_service():
    director = make_director()
    candidate = make_candidate(director=director)
    lapsed = make_supervisor(director=director, awarded_on=today() - timedelta(days=3 * 365))
    current = make_supervisor(director=director)
    with pytest.raises(DomainError, match="does not hold a current AIRT-S"):
        assign_supervisor(director, candidate, lapsed)
    senior = make_candidate(director=director)
    award_credential(senior, "AIRT-S", actor_id=director.id, version=current_version())
    assert is_supervisor(senior)
    with pytest.raises(DomainError, match="cannot supervise themselves"):
        assign_supervisor(director, senior, senior)
    with pytest.raises(DomainError, match="Only a director"):
        assign_supervisor(current, candidate, current)
    with pytest.raises(DomainError, match="is not a candidate"):
        assign_supervisor(director, make_director(), current)
    assert assign_supervisor(director, candidate, current) is True
    assert assign_supervisor(director, candidate, current) is False


def test_non_directors_may_not_assign_supervisors(client):
    candidate = make_candidate()
    supervisor = make_supervisor()
    login(client, candidate)
    token = client.form_token(f"/people/{candidate.id}")

    response = client.post(
        f"/people/{candidate.id}/supervisor",
        data={"supervisor": str(supervisor.id), "csrf_token": token},
    )

    assert response.status_code == 403
    assert fresh(candidate).primary_supervisor_id is None


def test_assigning_a_supervisor_needs_the_csrf_token(client, director):
    candidate = make_candidate(director=director)
    supervisor = make_supervisor(director=director)

    response = client.post(
        f"/people/{candidate.id}/supervisor", data={"supervisor": str(supervisor.id)}
    )

    assert response.status_code == 400
    assert fresh(candidate).primary_supervisor_id is None


def test_the_primary_supervisor_is_preselected_when_logging_hours(client):
    director = make_director()
    candidate = make_candidate(director=director)
    supervisor, other = make_supervisor(director=director), make_supervisor(director=director)
    login(client, candidate)
    assert f'<option selected value="{supervisor.id}">' not in client.get("/hours/new").get_data(
        as_text=True
    )

    assign_supervisor(director, candidate, supervisor)
    db.session.commit()

    html = client.get("/hours/new").get_data(as_text=True)
    assert f'<option selected value="{supervisor.id}">' in html
    assert f'<option value="{other.id}">' in html
