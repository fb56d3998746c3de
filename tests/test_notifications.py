"""Notifications: each event tells the right people exactly once, in the app and by
e-mail for those who want it; the bell, the list, marking as read and the preference."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.core.clock import today, utcnow
from airm_training.demo import seed_demo
from airm_training.extensions import db
from airm_training.hours.csv_io import import_csv
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import (
    log_entry,
    request_amendment,
    return_entry,
    sign_entries,
    submit_entry,
)
from airm_training.notifications.delivery import deliver
from airm_training.notifications.links import Link
from airm_training.notifications.models import (
    Channel,
    MailStatus,
    Notification,
    NotificationKind,
    OutboxMessage,
)
from airm_training.notifications.services import send, set_channel
from airm_training.people.models import Person, Role
from airm_training.progression.models import ApplicationStatus
from airm_training.progression.renewal import renew, request_renewal
from airm_training.progression.services import apply, endorse, issue, vote
from tests.ce_helpers import verified_ce
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor
from tests.test_cases_and_evaluations import count_queries
from tests.test_engine import evaluated, graded_case, long_standing_supervisor, qualified_candidate
from tests.test_renewal import holder, signed_hours  # noqa: F401 - a fixture

NOTE = "Discussed a countertransference moment with the supervisor."


# --- helpers ------------------------------------------------------------------------------
def notifications_of(person: Person, kind: NotificationKind | None = None) -> list[Notification]:
    statement = sa.select(Notification).where(Notification.person_id == person.id)
    if kind is not None:
        statement = statement.where(Notification.kind == kind.value)
    return list(db.session.scalars(statement.order_by(Notification.id)))


def all_of_kind(kind: NotificationKind) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.kind == kind.value)))


def mails_to(outbox, person: Person) -> list:
    return [message for message in outbox if person.email in message.to]


def entry_input(supervisor: Person, *, minutes: int = 60, days_ago: int = 0) -> EntryInput:
    return EntryInput(
        session_date=today() - timedelta(days=days_ago),
        minutes=minutes,
        category_code="individual-consultation",
        supervisor_id=supervisor.id,
        note=NOTE,
    )


def submitted(candidate: Person, supervisor: Person, **kwargs):
    entry = log_entry(candidate, entry_input(supervisor, **kwargs), submit=True)
    db.session.commit()
    return entry


@pytest.fixture
def trio(app):
    director = make_director()
    supervisor = make_supervisor(director=director)
    candidate = make_candidate(director=director)
    return director, supervisor, candidate


# --- hours ----------------------------------------------------------------------------------
def test_submitting_an_entry_tells_its_supervisor_once(trio, outbox):
    _director, supervisor, candidate = trio
    entry = submitted(candidate, supervisor)
    (note,) = notifications_of(supervisor)
    assert note.kind == NotificationKind.HOURS_SUBMITTED
    assert note.message == f"{candidate.full_name} submitted 1 hours entry for your sign-off."
    assert (note.object_type, note.object_id) == ("hours_entry", entry.id)
    assert notifications_of(candidate) == []
    (mail,) = outbox
    assert mail.to == [supervisor.email]
    assert f"http://localhost/hours/{entry.id}" in mail.body
    assert NOTE not in mail.body  # the entry's note never leaves the app


def test_mail_links_are_built_on_the_public_base_url(app, trio, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://training.example.org/airm/")
    _director, supervisor, candidate = trio
    entry = submitted(candidate, supervisor)
    (mail,) = outbox
    assert f"https://training.example.org/airm/hours/{entry.id}\n" in mail.body
    assert "https://training.example.org/airm/notifications/preferences" in mail.body


def test_a_draft_tells_nobody_until_it_is_submitted(trio, outbox):
    _director, supervisor, candidate = trio
    entry = log_entry(candidate, entry_input(supervisor), submit=False)
    db.session.commit()
    assert notifications_of(supervisor) == [] and outbox == []
    submit_entry(entry, candidate)
    db.session.commit()
    assert len(notifications_of(supervisor, NotificationKind.HOURS_SUBMITTED)) == 1
    assert len(outbox) == 1


def test_a_csv_import_gives_one_notification_per_supervisor(trio, outbox):
    director, supervisor, candidate = trio
    other = make_supervisor(director=director)
    rows = ["session_date,duration_minutes,category,supervisor_email"]
    for days_ago, person in [(1, supervisor), (2, supervisor), (3, supervisor), (4, other)]:
        day = today() - timedelta(days=days_ago)
        rows.append(f"{day},60,individual-consultation,{person.email}")
    import_csv(candidate, "\n".join(rows).encode(), filename="hours.csv")
    db.session.commit()
    (first,) = notifications_of(supervisor)
    assert first.message == f"{candidate.full_name} submitted 3 hours entries for your sign-off."
    assert (first.object_type, first.object_id) == ("hours_queue", candidate.id)
    (second,) = notifications_of(other)
    assert "submitted 1 hours entry" in second.message
    assert sorted(m.to[0] for m in outbox) == sorted([supervisor.email, other.email])
    assert (
        f"http://localhost/hours/queue?supervisee={candidate.id}"
        in mails_to(outbox, supervisor)[0].body
    )


def test_an_amendment_tells_the_signer_once(trio):
    _director, supervisor, candidate = trio
    entry = submitted(candidate, supervisor)
    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()
    amendment = request_amendment(entry, candidate, entry_input(supervisor, minutes=90))
    db.session.commit()
    first, second = notifications_of(supervisor)
    assert (first.object_id, second.object_id) == (entry.id, amendment.id)
    assert notifications_of(candidate) == []  # signing tells nobody


def test_returning_an_entry_tells_the_clinician_not_the_supervisor(trio, outbox):
    _director, supervisor, candidate = trio
    entry = submitted(candidate, supervisor)
    outbox.clear()
    return_entry(entry, supervisor, "Please add the modality you used.")
    db.session.commit()
    (note,) = notifications_of(candidate)
    assert note.kind == NotificationKind.HOURS_RETURNED
    assert "Please add the modality" not in note.message  # reasons stay on the entry page
    assert len(notifications_of(supervisor)) == 1  # only the earlier submission
    assert [m.to for m in outbox] == [[candidate.email]]


def test_a_rolled_back_action_sends_no_mail_and_leaves_no_notification(trio, outbox):
    _director, supervisor, candidate = trio
    log_entry(candidate, entry_input(supervisor), submit=True)
    db.session.rollback()
    assert outbox == []
    assert notifications_of(supervisor) == []


def test_a_failing_mail_server_does_not_undo_the_action(trio, outbox, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr("flask_mailman.backends.locmem.EmailBackend.send_messages", refuse)
    _director, supervisor, candidate = trio
    entry = submitted(candidate, supervisor)
    assert len(outbox) == 0  # the worker ran and could not deliver
    db.session.expire_all()
    assert db.session.get(HoursEntry, entry.id).status == HoursStatus.SUBMITTED.value
    assert len(notifications_of(supervisor)) == 1
    (waiting,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert (waiting.recipient, waiting.status, waiting.attempts) == (
        supervisor.email,
        MailStatus.PENDING.value,
        1,
    )
    assert "no SMTP server" in waiting.last_error
    assert waiting.next_attempt_at > utcnow()


# --- assessments ------------------------------------------------------------------------------
def test_grading_a_case_tells_the_candidate(trio, outbox):
    _director, supervisor, candidate = trio
    graded_case(candidate, supervisor, "revise", title="A sensitive title")
    (note,) = notifications_of(candidate)
    assert note.kind == NotificationKind.CASE_GRADED
    assert note.message == "Version 1 of your case presentation was graded: returned for revision."
    assert "sensitive" not in outbox[0].body
    assert notifications_of(supervisor) == []


def test_a_completed_evaluation_tells_the_candidate(trio, outbox):
    _director, supervisor, candidate = trio
    evaluated(candidate, supervisor, 3)
    (note,) = notifications_of(candidate)
    assert note.kind == NotificationKind.EVALUATION_COMPLETED
    assert note.object_type == "competency_evaluation"
    assert [m.to for m in outbox] == [[candidate.email]]


# --- progression ------------------------------------------------------------------------------
@pytest.fixture
def progression(app):
    director = make_director()
    endorser = long_standing_supervisor(director)
    candidate, _hours = qualified_candidate(supervisor=endorser, director=director)
    board = [make_person(Role.CO_CREATOR) for _ in range(3)]
    db.session.execute(sa.delete(Notification))  # what building the evidence produced
    db.session.commit()
    return director, endorser, board, candidate


def test_the_application_workflow_tells_each_party_once(progression, outbox):
    director, endorser, board, candidate = progression
    application = apply(candidate, endorser_id=endorser.id, statement="")
    db.session.commit()
    assert [n.person_id for n in all_of_kind(NotificationKind.APPLICATION_SUBMITTED)] == [
        endorser.id
    ]

    endorse(endorser, application, endorse=True, reason="Ready.")
    db.session.commit()
    endorsed = all_of_kind(NotificationKind.APPLICATION_ENDORSED)
    assert sorted(n.person_id for n in endorsed) == sorted(m.id for m in board)

    vote(board[0], application, approve=True, comment="")
    db.session.commit()
    assert all_of_kind(NotificationKind.BOARD_DECIDED) == []  # not decided yet
    vote(board[1], application, approve=True, comment="")
    db.session.commit()
    assert application.state is ApplicationStatus.APPROVED
    decided = all_of_kind(NotificationKind.BOARD_DECIDED)
    directors = set(
        db.session.scalars(
            sa.select(Person.id).where(Person.role_assignments.any(role=Role.DIRECTOR.value))
        )
    )
    assert sorted(n.person_id for n in decided) == sorted(directors | {candidate.id})
    assert director.id in directors
    assert next(n for n in decided if n.person_id == candidate.id).message == (
        "The board approved your application for AIRT-S."
    )

    outbox.clear()
    certificate = issue(director, application)
    db.session.commit()
    (issued,) = all_of_kind(NotificationKind.CERTIFICATE_ISSUED)
    assert (issued.person_id, issued.object_id) == (candidate.id, certificate.id)
    assert [m.to for m in outbox] == [[candidate.email]]


def test_a_rejection_tells_the_directors_and_the_applicant(progression):
    director, endorser, board, candidate = progression
    application = apply(candidate, endorser_id=endorser.id, statement="")
    endorse(endorser, application, endorse=True, reason="Ready.")
    for member in board[:2]:
        vote(member, application, approve=False, comment="Not yet.")
    db.session.commit()
    assert application.state is ApplicationStatus.REJECTED
    decided = {n.person_id: n.message for n in all_of_kind(NotificationKind.BOARD_DECIDED)}
    assert decided[candidate.id] == "The board did not approve your application for AIRT-S."
    assert "did not approve" in decided[director.id]
    assert not any(m.id in decided for m in board)


def test_a_declined_endorsement_tells_the_applicant_only(progression):
    _director, endorser, _board, candidate = progression
    application = apply(candidate, endorser_id=endorser.id, statement="")
    endorse(endorser, application, endorse=False, reason="More cases first.")
    db.session.commit()
    (declined,) = all_of_kind(NotificationKind.ENDORSEMENT_DECLINED)
    assert declined.person_id == candidate.id
    assert all_of_kind(NotificationKind.APPLICATION_ENDORSED) == []


def test_a_renewal_request_tells_the_directors_and_renewing_tells_the_holder(holder):  # noqa: F811
    person, director, supervisor, _old = holder
    verified_ce(person, director, 12, days_ago=30)
    signed_hours(person, supervisor, "individual-consultation", 4, days_ago=20)
    application = request_renewal(person)
    db.session.commit()
    requested = all_of_kind(NotificationKind.RENEWAL_REQUESTED)
    directors = set(
        db.session.scalars(
            sa.select(Person.id).where(Person.role_assignments.any(role=Role.DIRECTOR.value))
        )
    )
    assert sorted(n.person_id for n in requested) == sorted(directors)
    certificate = renew(director, application)
    db.session.commit()
    (issued,) = all_of_kind(NotificationKind.CERTIFICATE_ISSUED)
    assert (issued.person_id, issued.object_id) == (person.id, certificate.id)


# --- channels ---------------------------------------------------------------------------------
def test_in_app_only_means_no_mail(trio, outbox):
    _director, supervisor, candidate = trio
    set_channel(supervisor, Channel.IN_APP_ONLY.value)
    db.session.commit()
    submitted(candidate, supervisor)
    assert len(notifications_of(supervisor)) == 1
    assert outbox == []


def test_deactivated_people_and_the_actor_are_not_told(trio):
    director, supervisor, candidate = trio
    supervisor.active = False
    send(
        NotificationKind.REMINDER,
        [supervisor.id, candidate.id, director.id, director.id],
        "A test message.",
        Link("person", candidate.id),
        actor_id=candidate.id,
    )
    db.session.commit()
    assert notifications_of(supervisor) == [] and notifications_of(candidate) == []
    assert len(notifications_of(director)) == 1  # named twice, told once


# --- pages ------------------------------------------------------------------------------------
def bell_of(html: str) -> str:
    start = html.index('id="notification-bell"')
    return html[start : html.index("</a>", start)]


def test_the_bell_shows_the_unread_count(client, trio):
    _director, supervisor, candidate = trio
    login(client, supervisor)
    assert "unread" not in bell_of(client.get("/notifications/").get_data(as_text=True))
    submitted(candidate, supervisor)
    submitted(candidate, supervisor, days_ago=1)
    bell = bell_of(client.get("/hours/queue").get_data(as_text=True))
    assert '>2<span class="visually-hidden"> unread</span>' in bell


def test_the_list_is_newest_first_and_marks_unread_in_words(client, trio):
    _director, supervisor, candidate = trio
    submitted(candidate, supervisor, days_ago=2)
    submitted(candidate, supervisor, days_ago=1)
    older, newer = notifications_of(supervisor)
    older.read_at = older.created_at
    db.session.commit()
    login(client, supervisor)
    html = client.get("/notifications/").get_data(as_text=True)
    assert html.index(f"/notifications/{newer.id}/open") < html.index(
        f"/notifications/{older.id}/open"
    )
    assert html.count(">Unread</span>") == 1
    assert f"/notifications/{newer.id}/read" in html
    assert f"/notifications/{older.id}/read" not in html  # already read


def test_the_list_is_paginated(client, trio):
    _director, supervisor, _candidate = trio
    for _ in range(30):
        send(
            NotificationKind.REMINDER,
            [supervisor.id],
            "Reminder.",
            Link("person", supervisor.id),
        )
    db.session.commit()
    login(client, supervisor)
    first_page = client.get("/notifications/").get_data(as_text=True)
    assert first_page.count("/open") == 25
    assert client.get("/notifications/?page=2").get_data(as_text=True).count("/open") == 5


def test_an_empty_list_says_so(client, trio):
    login(client, trio[2])
    assert "No notifications yet" in client.get("/notifications/").get_data(as_text=True)


def test_opening_marks_read_and_goes_to_the_object(client, trio):
    _director, supervisor, candidate = trio
    entry = submitted(candidate, supervisor)
    (note,) = notifications_of(supervisor)
    login(client, supervisor)
    response = client.submit(f"/notifications/{note.id}/open", form_path="/notifications/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/hours/{entry.id}")
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None


def test_mark_one_and_mark_all_as_read(client, trio):
    _director, supervisor, candidate = trio
    for days_ago in range(3):
        submitted(candidate, supervisor, days_ago=days_ago)
    one = notifications_of(supervisor)[0]
    login(client, supervisor)
    client.submit(f"/notifications/{one.id}/read", form_path="/notifications/")
    db.session.expire_all()
    assert [n.read_at is not None for n in notifications_of(supervisor)] == [True, False, False]
    response = client.submit("/notifications/read-all", form_path="/notifications/")
    assert response.status_code == 302
    assert "Marked 2 notifications as read." in client.get("/notifications/").get_data(as_text=True)
    db.session.expire_all()
    assert all(n.read_at is not None for n in notifications_of(supervisor))


def test_someone_elses_notification_is_not_found(client, trio):
    _director, supervisor, candidate = trio
    submitted(candidate, supervisor)
    (note,) = notifications_of(supervisor)
    login(client, candidate)
    token = client.form_token("/notifications/preferences")
    for action in ("open", "read"):
        response = client.post(f"/notifications/{note.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 404
    response = client.post("/notifications/999999/read", data={"csrf_token": token})
    assert response.status_code == 404
    client.post("/notifications/read-all", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None


def test_marking_needs_the_csrf_token(client, trio):
    _director, supervisor, candidate = trio
    submitted(candidate, supervisor)
    (note,) = notifications_of(supervisor)
    login(client, supervisor)
    assert client.post(f"/notifications/{note.id}/read").status_code == 400
    assert client.post(f"/notifications/{note.id}/open").status_code == 400
    assert client.post("/notifications/read-all", data={"csrf_token": "bad"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None


def checked_channel(response) -> str:
    (value,) = re.findall(r'<input checked[^>]*value="([a-z_]+)"', response.get_data(as_text=True))
    return value


def test_the_preference_page_saves_the_channel(client, trio, outbox):
    _director, supervisor, candidate = trio
    login(client, supervisor)
    assert checked_channel(client.get("/notifications/preferences")) == "email_and_in_app"
    response = client.submit("/notifications/preferences", {"channel": "in_app_only"})
    assert response.status_code == 302
    page = client.get("/notifications/preferences")
    assert "Your notification preference is saved." in page.get_data(as_text=True)
    assert checked_channel(page) == "in_app_only"
    submitted(candidate, supervisor)
    assert outbox == []


def test_the_preference_page_refuses_an_unknown_channel(client, trio):
    login(client, trio[1])
    response = client.submit("/notifications/preferences", {"channel": "pigeon"})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_a_page_with_the_bell_costs_the_same_with_1_or_50_notifications(app, trio):
    _director, supervisor, _candidate = trio
    browser = app.test_client()
    login(browser, supervisor)

    def add(count: int) -> None:
        for _ in range(count):
            send(
                NotificationKind.REMINDER,
                [supervisor.id],
                "Reminder.",
                Link("person", supervisor.id),
            )
        db.session.commit()

    add(1)
    small_list = count_queries(lambda: browser.get("/notifications/"))
    small_page = count_queries(lambda: browser.get("/curriculum/"))
    add(49)
    assert count_queries(lambda: browser.get("/notifications/")) == small_list
    assert count_queries(lambda: browser.get("/curriculum/")) == small_page


def test_the_demo_notifies_in_the_app_only_and_stays_idempotent(app, outbox):
    seed_demo()
    db.session.commit()
    count = sa.select(sa.func.count()).select_from(Notification)
    created = db.session.scalar(count)
    assert created > 0
    assert outbox == []
    unread_about_hours = db.session.scalars(
        sa.select(Notification.object_id).where(
            Notification.kind == NotificationKind.HOURS_SUBMITTED.value,
            Notification.read_at.is_(None),
        )
    ).all()
    waiting = db.session.scalars(
        sa.select(HoursEntry.status).where(HoursEntry.id.in_(unread_about_hours))
    ).all()
    assert waiting and set(waiting) == {HoursStatus.SUBMITTED.value}
    seed_demo()
    db.session.commit()
    assert db.session.scalar(count) == created


def test_directors_see_the_mail_that_could_not_be_delivered(app, client, trio):
    director, _supervisor, candidate = trio
    failed = deliver(to="gone@example.org", subject="Your invitation", body="A link")
    failed.status, failed.attempts, failed.last_error = (
        MailStatus.FAILED.value,
        6,
        "SMTPRecipientsRefused: 550 No such mailbox",
    )
    db.session.commit()
    login(client, candidate)
    assert client.get("/reports/mail").status_code == 403
    assert "E-mail delivery" not in client.get("/notifications/").get_data(as_text=True)
    director_client = app.test_client()
    login(director_client, director)
    page = director_client.get("/reports/mail").get_data(as_text=True)
    assert "gone@example.org" in page and "550 No such mailbox" in page
    assert "E-mail delivery" in director_client.get("/notifications/").get_data(as_text=True)
