"""The privacy check on every free-text form (highlighted spans, nothing saved until the
person confirms, the confirmation audited), the director's sweep, the owner's redaction and
the two commands, including the forbidden cases."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from reportlab.pdfgen import canvas

from airm_training.assessments.models import CasePresentation, CompetencyEvaluation
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursImport, HoursStatus
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry, sign_entries
from airm_training.privacy.pdf_text import pdf_text
from airm_training.privacy.redaction import REMOVED
from airm_training.progression.models import Application
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor
from tests.test_cases_and_evaluations import (
    CASE_TEXT,
    case_fields,
    evaluation_fields,
    submitted_case,
)
from tests.test_engine import long_standing_supervisor, qualified_candidate
from tests.test_fuzz_csv import _csv, _row, _upload
from tests.test_hours_routes import entries_of, form_data
from tests.test_progression_workflow import applied, endorsed

NOTE = "Client Maria Gonzalez called from 206-555-0190"
MATCHED = ("Maria Gonzalez", "206-555-0190")


@pytest.fixture
def pair():
    director = make_director()
    return make_candidate(director=director), make_supervisor(director=director)


def flagged(response, *kinds: str) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[-1500:]
    assert "This may identify a client." in page
    for kind in kinds:
        assert f'class="privacy-finding" data-kind="{kind}"' in page, kind
    assert 'name="confirm_no_identifiers"' in page
    return page


def confirmations(object_type: str, object_id) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "privacy.confirmed",
                AuditEvent.object_type == object_type,
                AuditEvent.object_id == str(object_id),
            )
        )
    )


def assert_audited_without_text(event: AuditEvent, *kinds: str) -> None:
    recorded = json.dumps(event.after)
    for text in MATCHED:
        assert text not in recorded
    found = {f["kind"] for part in event.after["texts"] for f in part["findings"]}
    assert set(kinds) <= found


def pdf_with(text: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


# --- hours notes: new, edit, amend, CSV import, return reason -------------------------------
def test_a_new_note_is_highlighted_and_saved_only_once_confirmed(client, pair):
    candidate, supervisor = pair
    login(client, candidate)
    day = (today() - timedelta(days=1)).isoformat()
    page = flagged(client.submit("/hours/new", form_data(supervisor, day, note=NOTE)), "name")
    assert (
        '<mark class="privacy-finding" data-kind="phone" title="a phone number">206-555-0190'
        in page
    )
    assert entries_of(candidate) == []
    confirmed = client.submit(
        "/hours/new", form_data(supervisor, day, note=NOTE, confirm_no_identifiers="y")
    )
    assert confirmed.status_code == 302
    (entry,) = entries_of(candidate)
    (event,) = confirmations("hours_entry", entry.id)
    assert_audited_without_text(event, "name", "phone")


def test_a_clean_note_needs_no_confirmation_and_writes_no_confirmation(client, pair):
    candidate, supervisor = pair
    login(client, candidate)
    day = (today() - timedelta(days=1)).isoformat()
    response = client.submit("/hours/new", form_data(supervisor, day))
    assert response.status_code == 302
    (entry,) = entries_of(candidate)
    assert confirmations("hours_entry", entry.id) == []


def _entry(candidate, supervisor, *, note="Consultation on pacing", submit=False, days_ago=3):
    entry = log_entry(
        candidate,
        EntryInput(
            session_date=today() - timedelta(days=days_ago),
            minutes=60,
            category_code="individual-consultation",
            supervisor_id=supervisor.id,
            note=note,
        ),
        submit=submit,
    )
    db.session.commit()
    return entry


def test_editing_a_note_is_checked(client, pair):
    candidate, supervisor = pair
    entry = _entry(candidate, supervisor)
    login(client, candidate)
    day = entry.session_date.isoformat()
    path = f"/hours/{entry.id}/edit"
    flagged(client.submit(path, form_data(supervisor, day, note=NOTE)), "name", "phone")
    db.session.expire_all()
    assert db.session.get(HoursEntry, entry.id).note == "Consultation on pacing"
    confirmed = form_data(supervisor, day, note=NOTE, confirm_no_identifiers="y")
    assert client.submit(path, confirmed).status_code == 302
    db.session.expire_all()
    assert db.session.get(HoursEntry, entry.id).note == NOTE
    assert len(confirmations("hours_entry", entry.id)) == 1


def test_an_amendment_note_is_checked(client, pair):
    candidate, supervisor = pair
    entry = _entry(candidate, supervisor, submit=True)
    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()
    login(client, candidate)
    day = entry.session_date.isoformat()
    path = f"/hours/{entry.id}/amend"
    flagged(client.submit(path, form_data(supervisor, day, note=NOTE)), "name")
    assert len(entries_of(candidate)) == 1
    response = client.submit(
        path, form_data(supervisor, day, note=NOTE, confirm_no_identifiers="y")
    )
    assert response.status_code == 302
    amendment = entries_of(candidate)[-1]
    assert amendment.amends_id == entry.id
    assert len(confirmations("hours_entry", amendment.id)) == 1


def test_a_csv_row_with_a_finding_is_reported_and_imported_only_once_confirmed(client, pair):
    candidate, supervisor = pair
    login(client, candidate)
    raw = _csv([_row(supervisor.email), _row(supervisor.email, note=NOTE)]).encode()
    page = flagged(_upload(client, client.form_token("/hours/import"), raw), "name", "phone")
    assert "Row 3" in page and "The note may identify a client" in page
    assert entries_of(candidate) == []
    token = client.form_token("/hours/import")
    response = client.post(
        "/hours/import",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(raw), "h.csv"),
            "confirm_no_identifiers": "y",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert len(entries_of(candidate)) == 2
    batch = db.session.scalar(sa.select(HoursImport).where(HoursImport.person_id == candidate.id))
    (event,) = confirmations("hours_import", batch.id)
    assert [part["field"] for part in event.after["texts"]] == ["3"]


def test_a_return_reason_is_checked(client, pair):
    candidate, supervisor = pair
    entry = _entry(candidate, supervisor, submit=True)
    login(client, supervisor)
    path, page = f"/hours/{entry.id}/return", f"/hours/{entry.id}"
    flagged(client.submit(path, {"reason": NOTE}, form_path=page), "name")
    db.session.expire_all()
    assert db.session.get(HoursEntry, entry.id).state is HoursStatus.SUBMITTED
    client.submit(path, {"reason": NOTE, "confirm_no_identifiers": "y"}, form_path=page)
    db.session.expire_all()
    assert db.session.get(HoursEntry, entry.id).state is HoursStatus.RETURNED
    assert len(confirmations("hours_entry", entry.id)) == 1


# --- assessments: case text and PDF, feedback, evaluation comments ---------------------------
def _post_case(client, supervisor, pdf=None, **changes):
    data = {
        **case_fields(supervisor, **changes),
        "csrf_token": client.form_token("/assessments/cases/new"),
    }
    if pdf is not None:
        data["pdf"] = (io.BytesIO(pdf), "case.pdf")
    return client.post("/assessments/cases/new", data=data, content_type="multipart/form-data")


def _cases(candidate) -> list[CasePresentation]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(CasePresentation).where(CasePresentation.person_id == candidate.id)
        )
    )


def test_case_text_is_checked(client, pair):
    candidate, supervisor = pair
    login(client, candidate)
    text = CASE_TEXT + " " + NOTE
    flagged(_post_case(client, supervisor, text=text), "name", "phone")
    assert _cases(candidate) == []
    assert _post_case(client, supervisor, text=text, confirm_no_identifiers="y").status_code == 302
    (case,) = _cases(candidate)
    assert len(confirmations("case_presentation", case.id)) == 1


def test_the_text_of_an_uploaded_pdf_is_checked(client, pair):
    candidate, supervisor = pair
    login(client, candidate)
    pdf = pdf_with("Client Peter Novak, DOB 11/30/1994, mother Linda")
    page = flagged(_post_case(client, supervisor, pdf=pdf), "name", "date_of_birth")
    assert "The uploaded PDF" in page
    assert _cases(candidate) == []
    response = _post_case(client, supervisor, pdf=pdf, confirm_no_identifiers="y")
    assert response.status_code == 302
    (case,) = _cases(candidate)
    (event,) = confirmations("case_presentation", case.id)
    assert [part["field"] for part in event.after["texts"]] == ["pdf"]
    stored = case.versions[0].pdf  # read for the check, then stored (cleaned, same text)
    assert "Peter Novak" in pdf_text(stored)


def test_a_clean_pdf_passes(client, pair):
    candidate, supervisor = pair
    login(client, candidate)
    response = _post_case(client, supervisor, pdf=pdf_with("Stage 2 pacing, in general terms"))
    assert response.status_code == 302


def test_grading_feedback_is_checked(client, pair):
    candidate, supervisor = pair
    case = submitted_case(candidate, supervisor)
    login(client, supervisor)
    path, page = f"/assessments/cases/{case.id}/grade", f"/assessments/cases/{case.id}"
    fields = {
        "grade": "pass",
        "feedback": NOTE,
        "rubric_formulation": "met",
        "rubric_stage-work": "met",
        "rubric_integration": "met",
        "rubric_ethics": "met",
    }
    flagged(client.submit(path, fields, form_path=page), "name")
    db.session.expire_all()
    assert db.session.get(CasePresentation, case.id).versions[-1].grade is None
    client.submit(path, {**fields, "confirm_no_identifiers": "y"}, form_path=page)
    db.session.expire_all()
    assert db.session.get(CasePresentation, case.id).versions[-1].grade == "pass"
    assert len(confirmations("case_presentation", case.id)) == 1


def test_evaluation_comments_are_checked(client, pair):
    candidate, supervisor = pair
    login(client, supervisor)
    path = "/assessments/evaluations/new"
    some_item = next(key for key in evaluation_fields(candidate) if key.startswith("comment_"))
    fields = evaluation_fields(candidate, **{some_item: NOTE})
    page = flagged(client.submit(path, fields), "name", "phone")
    count = sa.select(sa.func.count()).select_from(CompetencyEvaluation)
    assert db.session.scalar(count) == 0
    assert "Overall comment" not in page.split("This may identify a client.")[1].split("</div>")[0]
    assert client.submit(path, {**fields, "confirm_no_identifiers": "y"}).status_code == 302
    evaluation = db.session.scalar(sa.select(CompetencyEvaluation))
    (event,) = confirmations("competency_evaluation", evaluation.id)
    assert [part["field"] for part in event.after["texts"]] == [some_item]


# --- progression: statement, endorsement, vote ------------------------------------------------
@pytest.fixture
def qualified():
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidate, _hours = qualified_candidate(supervisor=supervisor, director=director)
    return candidate, supervisor


def test_an_application_statement_is_checked(client, qualified):
    candidate, supervisor = qualified
    login(client, candidate)
    data = {"endorser": str(supervisor.id), "statement": NOTE}
    flagged(client.submit("/progression/apply", data), "name")
    query = sa.select(Application).where(Application.person_id == candidate.id)
    assert db.session.scalar(query) is None
    client.submit("/progression/apply", {**data, "confirm_no_identifiers": "y"})
    application = db.session.scalar(query)
    assert application is not None
    assert len(confirmations("application", application.id)) == 1


def test_an_endorsement_comment_is_checked(client, qualified):
    candidate, supervisor = qualified
    application = applied(candidate, supervisor)
    login(client, supervisor)
    path = f"/progression/applications/{application.id}/endorse"
    page = f"/progression/applications/{application.id}"
    data = {"decision": "decline", "reason": NOTE}
    flagged(client.submit(path, data, form_path=page), "name")
    assert confirmations("application", application.id) == []
    client.submit(path, {**data, "confirm_no_identifiers": "y"}, form_path=page)
    db.session.expire_all()
    assert db.session.get(Application, application.id).endorsements
    assert len(confirmations("application", application.id)) == 1


def test_a_vote_comment_is_checked(client, qualified):
    from airm_training.people.models import Role

    candidate, supervisor = qualified
    application = endorsed(applied(candidate, supervisor))
    member = make_person(Role.CO_CREATOR)
    login(client, member)
    path = f"/progression/applications/{application.id}/vote"
    page = f"/progression/applications/{application.id}"
    data = {"decision": "reject", "comment": NOTE}
    flagged(client.submit(path, data, form_path=page), "name")
    db.session.expire_all()
    assert db.session.get(Application, application.id).votes == []
    client.submit(path, {**data, "confirm_no_identifiers": "y"}, form_path=page)
    db.session.expire_all()
    assert len(db.session.get(Application, application.id).votes) == 1


# --- the sweep and redaction -------------------------------------------------------------------
@pytest.fixture
def planted(pair):
    candidate, supervisor = pair
    draft = _entry(candidate, supervisor, note=NOTE)
    signed = _entry(
        candidate, supervisor, note="Consultation on Mr. Haddad's pacing", submit=True, days_ago=5
    )
    sign_entries(supervisor, [signed.id], attested=True)
    db.session.commit()
    return candidate, supervisor, draft, signed


def test_the_sweep_lists_who_where_and_what_kind_never_the_text(client, planted):
    candidate, _supervisor, draft, signed = planted
    login(client, make_director())
    response = client.get("/privacy/sweep")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/hours/{draft.id}" in page and f"/hours/{signed.id}" in page
    assert candidate.full_name in page
    assert "a person&#39;s name" in page and "a phone number" in page
    for text in (*MATCHED, "Haddad"):
        assert text not in page


@pytest.mark.parametrize("who", ["candidate", "supervisor", "anonymous"])
def test_only_directors_open_the_sweep(client, planted, who):
    candidate, supervisor, _draft, _signed = planted
    if who != "anonymous":
        login(client, {"candidate": candidate, "supervisor": supervisor}[who])
    response = client.get("/privacy/sweep")
    assert response.status_code == (302 if who == "anonymous" else 403)


def _redact(client, source, object_id, part=""):
    token = client.form_token("/notifications/preferences")
    data = {"csrf_token": token, "source": source, "object_id": str(object_id), "part": part}
    return client.post("/privacy/redact", data=data)


def _redactions(object_id) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(
        AuditEvent.action == "privacy.redacted", AuditEvent.object_id == str(object_id)
    )
    return list(db.session.scalars(query))


def test_the_owner_redacts_a_draft_in_place(client, planted):
    candidate, _supervisor, draft, _signed = planted
    login(client, candidate)
    mine = client.get("/privacy/mine").get_data(as_text=True)
    assert f"/hours/{draft.id}" in mine and "Maria" not in mine
    assert _redact(client, "hours_entry.note", draft.id).status_code == 302
    db.session.expire_all()
    assert db.session.get(HoursEntry, draft.id).note == f"Client {REMOVED} called from {REMOVED}"
    (event,) = _redactions(draft.id)
    assert event.after == {"via": "in place"}
    assert "Maria" not in json.dumps(event.before)


def test_a_signed_entry_is_redacted_through_an_amendment(client, planted):
    candidate, _supervisor, _draft, signed = planted
    login(client, candidate)
    assert _redact(client, "hours_entry.note", signed.id).status_code == 302
    db.session.expire_all()
    assert db.session.get(HoursEntry, signed.id).note == "Consultation on Mr. Haddad's pacing"
    amendment = db.session.scalar(sa.select(HoursEntry).where(HoursEntry.amends_id == signed.id))
    assert amendment.note == f"Consultation on {REMOVED}'s pacing"
    assert amendment.state is HoursStatus.SUBMITTED
    (event,) = _redactions(signed.id)
    assert event.after == {"via": "amendment", "amendment_id": amendment.id}


def test_nobody_else_redacts_and_nothing_changes(app, planted):
    _candidate, supervisor, draft, _signed = planted
    for person in (supervisor, make_director()):
        client = app.test_client()
        login(client, person)
        assert _redact(client, "hours_entry.note", draft.id).status_code == 403
    db.session.expire_all()
    assert db.session.get(HoursEntry, draft.id).note == NOTE
    assert _redactions(draft.id) == []


def test_redaction_refuses_bad_input_and_a_missing_token(client, planted):
    candidate, _supervisor, draft, _signed = planted
    login(client, candidate)
    assert _redact(client, "person.password_hash", draft.id).status_code == 400
    assert _redact(client, "hours_entry.note", "x").status_code == 400
    no_token = {"source": "hours_entry.note", "object_id": str(draft.id)}
    assert client.post("/privacy/redact", data=no_token).status_code == 400
    clean = _entry(candidate, _supervisor, days_ago=7)
    response = _redact(client, "hours_entry.note", clean.id)
    assert response.status_code == 302
    assert "nothing left to redact" in client.get("/privacy/mine").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(HoursEntry, draft.id).note == NOTE
    assert _redactions(draft.id) == _redactions(clean.id) == []


# --- the commands -------------------------------------------------------------------------------
def test_privacy_check_writes_one_json_line_per_input_line(app, pair):
    candidate, _supervisor = pair
    lines = [NOTE, f"Consultation with {candidate.full_name} on stage 2", ""]
    result = app.test_cli_runner().invoke(
        args=["airm", "privacy-check"], input="\n".join(lines) + "\n"
    )
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [answer["line"] for answer in answers] == [1, 2, 3]
    first = answers[0]["findings"]
    assert [(NOTE[f["start"] : f["end"]], f["kind"]) for f in first] == [
        ("Maria Gonzalez", "name"),
        ("206-555-0190", "phone"),
    ]
    assert answers[1]["findings"] == answers[2]["findings"] == []


def test_privacy_sweep_command_lists_the_flagged_records(app, planted):
    candidate, _supervisor, draft, signed = planted
    result = app.test_cli_runner().invoke(args=["airm", "privacy-sweep"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    ours = {row["object_id"]: row for row in rows if row["owner"] == candidate.email}
    assert set(ours) == {draft.id, signed.id}
    assert ours[draft.id]["kinds"] == ["name", "phone"]
    assert "Maria" not in result.output


def test_the_sweep_lists_the_demo_data_planted_examples(client):
    from airm_training.demo import seed_demo
    from airm_training.people.services import find_by_email

    seed_demo()
    db.session.commit()
    aubrey = find_by_email("aubrey.holden@btrc.example")
    login(client, find_by_email("connie.zollner@btrc.example"), "airm-demo-password")
    page = client.get("/privacy/sweep").get_data(as_text=True)
    assert "<strong>2</strong> texts may identify a client" in page
    assert page.count(aubrey.full_name) == 2
    assert "Gonzalez" not in page and "Haddad" not in page
