"""The audit trail in words: labels for actions, objects and fields, the person each event
is about, a person filter typed rather than picked from every name, and a CSV download
of what the filters select."""

from __future__ import annotations

import csv
import io

from airm_training.audit.models import AuditEvent
from airm_training.audit.queries import AuditFilter, trail_rows_select
from airm_training.audit.services import record_event
from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry
from airm_training.reports import audit_view
from airm_training.reports.audit_trail import OBJECT_PAGES
from tests.factories import login, make_candidate, make_director, make_supervisor
from tests.test_audit_trail import shown_ids, trail  # noqa: F401


def test_codes_become_words():
    assert audit_view.action_label("credential.renewed") == "Credential renewed"
    assert audit_view.action_label("quiz.question_added") == "Quiz question added"  # fallback
    assert audit_view.object_label("credential_award") == "Credential"
    assert audit_view.object_label("hours_entry") == "Hours entry"
    assert audit_view.field_label("award_id") == "credential"
    assert audit_view.field_label("next_step") == "next step"


def test_values_before_and_after_are_shown_as_words_and_escaped():
    shown = audit_view.value_html
    assert shown(None) == '<span class="text-body-secondary">—</span>'
    assert (shown(True), shown(False)) == ("yes", "no")
    assert shown(0) == "0" and shown(90) == "90"
    assert shown("<b>late</b>") == "&lt;b&gt;late&lt;/b&gt;"
    assert shown(["stage 1", "<i>"]) == "stage 1, &lt;i&gt;"
    assert shown([]) == "(none)"
    assert shown({"b": "<x>", "a": 1}) == "{&#34;a&#34;: 1, &#34;b&#34;: &#34;&lt;x&gt;&#34;}"


def _submitted_hour(candidate, supervisor):
    """An hour the candidate submitted to the supervisor, committed."""
    entry = log_entry(
        candidate,
        EntryInput(
            session_date=today(),
            minutes=60,
            category_code="individual-consultation",
            supervisor_id=supervisor.id,
        ),
        submit=True,
    )
    db.session.commit()
    return entry


def test_the_subject_of_an_hours_event_is_the_candidate_who_logged_them(app, client):
    supervisor = make_supervisor()
    candidate = make_candidate()
    entry = _submitted_hour(candidate, supervisor)
    event = record_event("hours.signed", "hours_entry", entry.id, actor_id=supervisor.id)
    subjects = audit_view.subjects_of([event])
    assert subjects[event.id].full_name == candidate.full_name
    unknown = record_event("hours.signed", "hours_entry", 999999, actor_id=None)
    assert audit_view.subjects_of([unknown]) == {}


def test_the_person_filter_is_a_typed_name_not_a_list_of_everyone(client, trail):  # noqa: F811
    html = client.get("/audit/").get_data(as_text=True)
    assert '<select id="person"' not in html and 'name="person"' in html
    assert 'list="person-suggestions"' in html and 'data-lookup="/audit/people"' in html
    typed = shown_ids(client.get("/audit/?person_name=bob+subj"))
    assert typed == shown_ids(client.get(f"/audit/?person={trail['bob'].id}"))
    assert typed  # Bob acts in some events and is the subject of others
    assert shown_ids(client.get("/audit/?person_name=nobody+by+that+name")) == []


def test_choosing_a_person_by_id_shows_their_name_in_the_box(client, trail):  # noqa: F811
    html = client.get(f"/audit/?person={trail['bob'].id}").get_data(as_text=True)
    assert 'value="Bob Subject"' in html


def test_the_lookup_suggests_matching_names_from_two_letters(client, trail):  # noqa: F811
    assert client.get("/audit/people?q=b").get_json() == []
    found = client.get("/audit/people?q=SUBJ").get_json()
    assert found == [{"id": trail["bob"].id, "name": "Bob Subject"}]


def test_the_lookup_matches_e_mail_in_any_case_and_wildcards_literally(client, trail):  # noqa: F811
    bob = trail["bob"]
    found = client.get(f"/audit/people?q={bob.email.upper()}").get_json()
    assert found == [{"id": bob.id, "name": "Bob Subject"}]
    assert client.get("/audit/people?q=%25%25").get_json() == []
    assert client.get("/audit/people?q=__").get_json() == []


def test_the_lookup_and_the_download_are_for_directors_only(client):
    login(client, make_candidate())
    assert client.get("/audit/people?q=bo").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_the_csv_holds_the_filtered_events_in_words(client, trail):  # noqa: F811
    response = client.get("/audit/export.csv?action=person.roles_changed")
    assert response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:8] == [
        "Event", "Time", "Actor", "Action", "Action code", "Object", "Object id", "About",
    ]  # fmt: skip
    assert [row[0] for row in rows[1:]] == [str(trail["e1"])]
    _id, time, actor, action, code, kind, object_id, about, changes = rows[1]
    assert (time, actor, action, code) == (
        "2020-03-01 10:00 PST", "Ann Actor", "Roles changed", "person.roles_changed",
    )  # fmt: skip
    assert (kind, object_id, about) == ("Person", str(trail["bob"].id), "Bob Subject")
    assert '"roles": [["candidate"], ["candidate", "co-creator"]]' in changes


def test_the_csv_keeps_a_spreadsheet_from_running_a_value(client, trail):  # noqa: F811
    record_event("note.saved", "note", 1, actor_id=trail["ann"].id, after={"text": "x"})
    trail["ann"].full_name = "=HYPERLINK(1)"
    db.session.commit()
    text = client.get("/audit/export.csv?action=note.saved").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_a_trail_row_holds_the_event_in_words_with_its_links(app, client):
    supervisor = make_supervisor()
    candidate = make_candidate()
    entry = _submitted_hour(candidate, supervisor)
    signed = record_event(
        "hours.signed",
        "hours_entry",
        entry.id,
        actor_id=supervisor.id,
        before={"signed_by_id": None},
        after={"signed_by_id": supervisor.id, "minutes": 60},
    )
    unlinked = record_event("hours.import_started", "hours_import", "batch-7", actor_id=None)
    db.session.commit()
    read = trail_rows_select(AuditFilter()).where(AuditEvent.id.in_([signed.id, unlinked.id]))
    with app.test_request_context():
        second, first = audit_view.trail_rows(db.session.execute(read), OBJECT_PAGES)
    assert (first.action, first.object_name, first.object_id) == (
        "Hours signed off",
        "Hours entry",
        str(entry.id),
    )
    assert first.object_href == f"/hours/{entry.id}"
    assert first.actor.full_name == supervisor.full_name
    assert first.subject.full_name == candidate.full_name
    assert (first.actor_href, first.subject_href) == (
        f"/people/{supervisor.id}",
        f"/people/{candidate.id}",
    )
    assert first.changes == (("signed_by_id", None, supervisor.id), ("minutes", None, 60))
    assert first.changed_fields == ("signed by", "minutes")
    assert (second.actor, second.subject, second.object_href) == (None, None, None)
    assert (second.actor_href, second.subject_href) == (None, None)
    assert (second.action, second.object_name, second.object_id) == (
        "Hours import started",
        "Hours import",
        "batch-7",
    )


def test_the_page_names_changed_fields_in_words_and_links_the_object(app, client):
    director = make_director()
    entry_event = record_event(
        "hours.amendment_requested",
        "hours_entry",
        4242,
        actor_id=director.id,
        before={"session_date": "2026-01-02"},
        after={"session_date": "2026-01-03", "category_code": "<b>x</b>"},
    )
    db.session.commit()
    login(client, director)
    html = client.get("/audit/").get_data(as_text=True)
    row = html[html.index(f'id="event-{entry_event.id}"') :]
    row = row[: row.index("</tr>\n    <tr") if "</tr>\n    <tr" in row else row.index("</tbody>")]
    assert '<summary class="small">session date, category</summary>' in row
    assert '<a href="/hours/4242">Hours entry 4242</a>' in row
    assert "&lt;b&gt;x&lt;/b&gt;" in row and "<b>x</b>" not in row


def test_the_subjects_of_a_page_of_several_kinds_are_read_in_one_statement(app, client):
    """Each kind of object on the page binds its own ids; people and hours entries
    together, then hours entries alone, give each event its own subject."""
    supervisor = make_supervisor()
    candidate, other = make_candidate(), make_candidate()
    entry = _submitted_hour(candidate, supervisor)
    about_other = record_event("person.password_set", "person", other.id, actor_id=None)
    signed = record_event("hours.signed", "hours_entry", entry.id, actor_id=supervisor.id)
    db.session.commit()
    events = [about_other, signed]
    assert [event.object_id for event in events]  # loaded again after the commit
    statements = []

    def seen(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    db.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        both = audit_view.subjects_of(events)
        alone = audit_view.subjects_of([signed])
    finally:
        db.event.remove(db.engine, "before_cursor_execute", seen)
    assert len(statements) == 2, statements
    assert both[about_other.id].full_name == other.full_name
    assert both[signed.id].full_name == candidate.full_name
    assert alone == {signed.id: both[signed.id]}
