"""Bulk invitations: a cohort from a CSV, all or nothing with a per-row report, the e-mails
through the outbox, invited / accepted / expired, and a rate-limited resend."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today, utcnow
from airm_training.extensions import db
from airm_training.invitations.models import Invitation
from airm_training.invitations.services import COLUMNS, InvitationState, state_of
from airm_training.notifications.models import OutboxMessage
from airm_training.people.models import Person, Role
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor

PATH = "/people/invitations/"


def _csv(rows: list[dict]) -> bytes:
    lines = [",".join(COLUMNS)]
    for row in rows:
        lines.append(",".join(str(row.get(c, "")) for c in COLUMNS))
    return ("\r\n".join(lines) + "\r\n").encode()


def _cohort(n: int, supervisor: Person | None = None) -> list[dict]:
    expiry = (today() + timedelta(days=400)).isoformat()
    return [
        {
            "full_name": f"Cohort Member {i}",
            "email": f"cohort{i}@example.org",
            "post_nominals": "MA",
            "role": "candidate",
            "licence_type": "LMHC",
            "licence_number": f"MH-{i:05d}",
            "licence_jurisdiction": "Washington",
            "licence_expires_on": expiry,
            "primary_supervisor_email": supervisor.email if supervisor else "",
        }
        for i in range(1, n + 1)
    ]


def _upload(client, raw: bytes):
    token = client.form_token(PATH)
    return client.post(
        PATH,
        data={"csrf_token": token, "file": (io.BytesIO(raw), "cohort.csv")},
        content_type="multipart/form-data",
    )


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def director(client):
    person = make_director()
    login(client, person)
    return person


def test_a_cohort_of_twenty_is_invited_through_the_outbox(client, director, outbox):
    supervisor = make_supervisor(director=director)
    people_before = _count(Person)
    response = _upload(client, _csv(_cohort(20, supervisor)))
    assert response.status_code == 302
    assert _count(Person) == people_before + 20
    assert _count(Invitation) == 20
    member = db.session.scalar(sa.select(Person).where(Person.email == "cohort7@example.org"))
    assert member.roles == {Role.CANDIDATE}
    assert member.primary_supervisor_id == supervisor.id
    assert [(x.licence_type, x.number, x.is_verified) for x in member.licences] == [
        ("LMHC", "MH-00007", False)
    ]
    assert member.password_hash is None
    mails = list(outbox)
    assert len(mails) == 20
    assert {m.to[0] for m in mails} == {f"cohort{i}@example.org" for i in range(1, 21)}
    assert all("/auth/invite/" in m.body for m in mails)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "invitations.imported")
    )
    assert event.after["people"] == 20
    html = client.get(PATH).get_data(as_text=True)
    assert html.count(">Invited</span>") == 20


def test_a_bad_row_in_the_middle_invites_nobody_and_is_reported(client, director, outbox):
    rows = _cohort(20)
    rows[9]["email"] = "not-an-address"  # file row 11
    people_before = _count(Person)
    response = _upload(client, _csv(rows))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nobody was invited." in html
    assert re.search(r"<td>11</td><td>email</td><td>This is not an e-mail address.</td>", html)
    assert _count(Person) == people_before
    assert _count(Invitation) == 0
    assert _count(OutboxMessage) == 0
    assert len(outbox) == 0


def test_duplicates_and_existing_addresses_are_reported_by_row(client, director):
    existing = make_candidate(director=director)
    rows = _cohort(4)
    rows[2]["email"] = rows[0]["email"].upper()  # row 4 repeats row 2
    rows[3]["email"] = existing.email  # row 5
    html = _upload(client, _csv(rows)).get_data(as_text=True)
    assert "The same e-mail address is on row 2." in html
    assert "Someone with this e-mail address has an account." in html
    assert _count(Invitation) == 0


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({"role": "admin"}, "role", "You may not grant the role admin."),
        ({"role": "wizard"}, "role", "Use one of:"),
        ({"licence_number": ""}, "licence_type", "Give all four licence columns, or none."),
        ({"licence_expires_on": "2001-01-01"}, "licence_expires_on",
         "This licence has already expired."),
        ({"licence_expires_on": "soon"}, "licence_expires_on", "Write the date as YYYY-MM-DD."),
        ({"full_name": ""}, "full_name", "Enter the person's name."),
        ({"primary_supervisor_email": "nobody@example.org"}, "primary_supervisor_email",
         "No current supervisor has this address."),
    ],
)  # fmt: skip
def test_each_kind_of_bad_row_is_reported(client, director, change, column, message):
    rows = _cohort(3)
    rows[1].update(change)
    html = _upload(client, _csv(rows)).get_data(as_text=True)
    assert f"<td>3</td><td>{column}</td><td>{message}" in html.replace("&#39;", "'")
    assert _count(Invitation) == 0


def test_a_file_that_is_not_the_template_is_refused(client, director):
    html = _upload(client, b"name,mail\r\nA,b@example.org\r\n").get_data(as_text=True)
    assert "The header row does not match the template" in html
    assert "Nobody was invited." in html


def test_states_invited_accepted_expired(client, director):
    _upload(client, _csv(_cohort(3)))
    first, second, third = db.session.scalars(sa.select(Invitation).order_by(Invitation.id))
    assert state_of(first) is InvitationState.INVITED
    second.person.password_hash = "set"  # accepted: the person chose a password
    third.sent_at = utcnow() - timedelta(hours=73)  # the link's 72 hours have passed
    db.session.commit()
    assert state_of(second) is InvitationState.ACCEPTED
    assert state_of(third) is InvitationState.EXPIRED
    html = client.get(PATH).get_data(as_text=True)
    assert ">Accepted</span>" in html and ">Expired</span>" in html and ">Invited</span>" in html


def test_accepting_through_the_link_marks_it_accepted(app, client, director, outbox):
    _upload(client, _csv(_cohort(1)))
    (mail,) = list(outbox)
    link = re.search(r"http://localhost(/auth/invite/\S+)", mail.body).group(1)
    invitee = app.test_client()
    response = invitee.submit(
        link, {"password": "a long new password 1", "confirm": "a long new password 1"}
    )
    assert response.status_code == 302
    invitation = db.session.scalar(sa.select(Invitation))
    db.session.refresh(invitation.person)
    assert state_of(invitation) is InvitationState.ACCEPTED


def test_resend_waits_refuses_accepted_and_sends_again(client, director, outbox):
    _upload(client, _csv(_cohort(2)))
    outbox.clear()
    first, second = db.session.scalars(sa.select(Invitation).order_by(Invitation.id))
    url = f"{PATH}{first.id}/resend"
    html = client.submit(url, form_path=PATH, follow_redirects=True).get_data(as_text=True)
    assert "Sent less than 2 minutes ago; it can be resent after that." in html
    assert len(outbox) == 0
    first.sent_at = utcnow() - timedelta(hours=80)
    second.person.password_hash = "set"
    db.session.commit()
    assert client.submit(url, form_path=PATH).status_code == 302
    assert [m.to[0] for m in outbox] == [first.person.email]
    db.session.refresh(first)
    assert first.send_count == 2 and state_of(first) is InvitationState.INVITED
    html = client.submit(
        f"{PATH}{second.id}/resend", form_path=PATH, follow_redirects=True
    ).get_data(as_text=True)
    assert "Already accepted." in html
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "invitation.resent"))


def test_resend_needs_csrf_a_director_and_an_invitation(app, client, director):
    _upload(client, _csv(_cohort(1)))
    invitation = db.session.scalar(sa.select(Invitation))
    assert client.post(f"{PATH}{invitation.id}/resend").status_code == 400
    assert client.submit(f"{PATH}999999/resend", form_path=PATH).status_code == 404
    for make in (make_candidate, make_supervisor, lambda: make_person(Role.CO_CREATOR)):
        other = app.test_client()
        login(other, make())
        resent = other.submit(f"{PATH}{invitation.id}/resend", form_path="/auth/security")
        assert resent.status_code == 403
        assert other.get(PATH).status_code == 403


def test_resend_is_rate_limited(client, director):
    _upload(client, _csv(_cohort(1)))
    invitation = db.session.scalar(sa.select(Invitation))
    token = client.form_token(PATH)
    statuses = [
        client.post(f"{PATH}{invitation.id}/resend", data={"csrf_token": token}).status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429


def test_the_template_is_a_valid_file(client, director):
    response = client.get(f"{PATH}template.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True).splitlines()[0] == ",".join(COLUMNS)
    assert _upload(client, response.data).status_code == 302
    assert _count(Invitation) == 1


def test_one_person_invited_from_the_form_joins_the_list_and_can_be_resent(
    client, director, outbox
):
    response = client.submit(
        "/people/invite",
        {"full_name": "Ines Ortega", "email": "ines.ortega@example.org", "roles": "candidate"},
    )
    assert response.status_code == 302
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.person.email == "ines.ortega@example.org"
    assert invitation.batch_checksum is None and invitation.invited_by_id == director.id
    assert [m.to[0] for m in outbox] == ["ines.ortega@example.org"]
    html = client.get(PATH).get_data(as_text=True)
    assert "Ines Ortega" in html and ">Invited</span>" in html
    invitation.sent_at = utcnow() - timedelta(hours=80)
    db.session.commit()
    outbox.clear()
    assert client.submit(f"{PATH}{invitation.id}/resend", form_path=PATH).status_code == 302
    assert [m.to[0] for m in outbox] == ["ines.ortega@example.org"]


def test_a_refused_single_invitation_creates_nobody(client, director, outbox):
    people_before = _count(Person)
    response = client.submit(
        "/people/invite",
        {"full_name": "Ada Admin", "email": "ada@example.org", "roles": "admin"},
    )
    assert response.status_code == 200
    assert "You may not grant: Admin." in response.get_data(as_text=True)
    assert _count(Person) == people_before and _count(Invitation) == 0 and len(outbox) == 0
