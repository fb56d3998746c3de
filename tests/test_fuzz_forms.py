"""Every form of the app fed hostile values (tests/hostile.py): no response is a server
error, rejected input changes nothing, and accepted input changes exactly the tables its
action owns, always with an audit event (never half of it)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from airm_training.assessments.cases import CaseInput, submit_case
from airm_training.assessments.evaluations import programme_rubric
from airm_training.assessments.models import CasePresentation, Question, Quiz
from airm_training.assessments.quizzes import start_attempt
from airm_training.auth.tokens import TokenPurpose, make_token
from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry
from airm_training.people.models import Person
from airm_training.people.services import create_person, find_by_email
from airm_training.progression.renewal import request_renewal
from airm_training.progression.services import apply, endorse, issue, vote
from tests.conftest import csrf_token_in
from tests.factories import into_renewal_window, login, make_supervisor
from tests.hostile import (  # _transaction: each test is a savepoint of one demo world
    SIDE_EFFECTS,
    _transaction,  # noqa: F401
    changed_tables,
    demo_world,  # noqa: F401
    example_savepoint,
    hostile_form,
    hostile_scalar,
    pop_flashes,
    table_checksums,
)

DEMO_PASSWORD = "airm-demo-password"
WRITE_UP = "A de-identified write-up of the work on pacing, bond by bond. " * 5
MASS_ASSIGNMENT_FIELDS = (
    "status",
    "state",
    "role",
    "roles",
    "person_id",
    "signed_by_id",
    "signed_at",
    "verified",
    "verified_by_id",
    "grade",
    "score_percent",
    "passed",
    "active",
    "session_version",
    "id",
)


@dataclass
class FormCase:
    """One form: who posts it, where, its good values, and what an accepted post owns."""

    principal: str | None  # e-mail of the demo person posting it; None: anonymous
    path: str
    baseline: dict[str, str | list[str]]
    owns: frozenset[str]  # the tables an accepted post may change
    needs: frozenset[str] = frozenset({"audit_event"})  # ... and must change
    rejected_may_change: frozenset[str] = frozenset()  # e.g. the audit of a failed sign-in
    accepted: Callable[[list[tuple[str, str]], object], bool] = lambda flashes, _response: any(
        category == "success" for category, _ in flashes
    )
    fresh_client: bool = False  # anonymous forms whose success signs the client in
    shown_at: tuple[str, ...] = ()  # other pages (and PDFs) that show what was saved
    after_location: tuple[str, ...] = ()  # ... and suffixes of the page it redirects to


def _email(local: str) -> str:
    return f"{local}@btrc.example"


def _person(local: str) -> Person:
    person = find_by_email(_email(local))
    assert person is not None, local
    return person


def _entry(person: Person, status: HoursStatus) -> HoursEntry:
    entry = db.session.scalar(
        sa.select(HoursEntry)
        .where(HoursEntry.person_id == person.id, HoursEntry.status == status.value)
        .order_by(HoursEntry.id)
        .limit(1)
    )
    assert entry is not None, status
    return entry


def _entry_fields(supervisor: Person, **overrides) -> dict:
    return {
        "session_date": (today() - timedelta(days=1)).isoformat(),
        "duration_hours": "1",
        "duration_minutes": "0",
        "category": "individual-consultation",
        "supervisor": str(supervisor.id),
        "stages": ["attachment-awareness"],
        "modalities": ["CBT"],
        "group_size": "",
        "note": "Consultation on pacing",
        "submit_entry": "Submit for sign-off",
        **overrides,
    }


def _module_fields(code: str) -> dict:
    return {
        "code": code,
        "title": "Pacing in practice",
        "stage": "attachment-awareness",
        "ce_hours": "1.5",
        "objectives": "Pace\nReflect",
        "content": "# Pacing\n\nText.",
        "self_paced": "y",
        "prerequisites": ["AIRM-101"],
    }


def _question_fields() -> dict:
    fields = {"kind": "single", "prompt": "Which stage comes first?", "explanation": "Order."}
    for n in range(4):
        fields[f"options-{n}-text"] = f"Option {n}"
    fields["options-0-correct"] = "y"
    return fields


def _submitted_case(candidate: Person, supervisor: Person) -> CasePresentation:
    presentation = submit_case(
        candidate,
        CaseInput(
            title="Romantic bond, stage 2 pacing",
            stages=["attachment-awareness"],
            bond_type="Romantic",
            modalities=["CBT"],
            text=WRITE_UP,
            deidentified_confirmed=True,
            supervisor_id=supervisor.id,
        ),
        bond_types={"Romantic"},
    )
    db.session.commit()
    return presentation


def _application(stage: str):
    """Sofia's AIRT-S application, taken to ``stage`` through the services."""
    sofia, endorser = _person("sofia.alvarez"), _person("elizabeth.abbruzza")
    application = apply(sofia, endorser_id=endorser.id, statement="Ready.")
    if stage != "submitted":
        endorse(endorser, application, endorse=True, reason="Ready.")
    if stage in ("approved", "issued"):
        vote(_person("connie.zollner"), application, approve=True, comment="")
        vote(_person("jessica.lamar"), application, approve=True, comment="")
    db.session.commit()
    if stage == "issued":
        certificate = issue(_person("connie.zollner"), application)
        db.session.commit()
        return certificate
    return application


# --- the forms ---------------------------------------------------------------------------
def case_login() -> FormCase:
    return FormCase(
        None,
        "/auth/login",
        {"email": _email("aubrey.holden"), "password": DEMO_PASSWORD},
        owns=frozenset({"person", "audit_event"}),
        rejected_may_change=frozenset({"audit_event"}),  # the failed attempt is recorded
        fresh_client=True,
    )


def case_request_reset() -> FormCase:
    return FormCase(
        None,
        "/auth/reset",
        {"email": _email("aubrey.holden")},
        owns=frozenset(),
        # The answer is the same for every address: the request is queued as typed (the
        # mail worker looks the address up); only an existing one is audited.
        rejected_may_change=frozenset({"audit_event", "outbox_message"}),
        fresh_client=True,
    )


def case_reset_password() -> FormCase:
    token = make_token(_person("aubrey.holden"), TokenPurpose.RESET)
    password = "a long new passphrase"
    return FormCase(
        None,
        f"/auth/reset/{token}",
        {"password": password, "confirm": password},
        owns=frozenset({"person", "audit_event"}),
        fresh_client=True,
    )


def case_accept_invite() -> FormCase:
    invited = create_person(
        email="invited@example.org", full_name="Invited Person", roles=(), actor_id=None
    )
    db.session.commit()
    password = "a long new passphrase"
    return FormCase(
        None,
        f"/auth/invite/{make_token(invited, TokenPurpose.INVITE)}",
        {"password": password, "confirm": password},
        owns=frozenset({"person", "audit_event"}),
        fresh_client=True,
    )


def case_invite() -> FormCase:
    return FormCase(
        "connie.zollner",
        "/people/invite",
        {
            "full_name": "New Colleague",
            "post_nominals": "MA",
            "email": "new.colleague@example.org",
            "roles": ["candidate"],
        },
        owns=frozenset({"person", "role_assignment", "invitation", "audit_event"}),
        shown_at=("/people/",),
    )


def case_licence() -> FormCase:
    aubrey = _person("aubrey.holden")
    return FormCase(
        "aubrey.holden",
        f"/people/{aubrey.id}/licences",
        {
            "licence_type": "LPC",
            "number": "LPC-1234",
            "jurisdiction": "Oregon",
            "expires_on": (today() + timedelta(days=400)).isoformat(),
        },
        owns=frozenset({"licence", "audit_event"}),
    )


def case_hours_new() -> FormCase:
    return FormCase(
        "aubrey.holden",
        "/hours/new",
        _entry_fields(_person("connie.zollner")),
        owns=frozenset({"hours_entry", "audit_event"}),
        shown_at=("/progression/transcript.pdf", "/hours/export.csv", "/hours/"),
    )


def case_hours_edit() -> FormCase:
    entry = _entry(_person("aubrey.holden"), HoursStatus.RETURNED)
    return FormCase(
        "aubrey.holden",
        f"/hours/{entry.id}/edit",
        _entry_fields(entry.supervisor, category=entry.category.code),
        owns=frozenset({"hours_entry", "audit_event"}),
        shown_at=("/progression/transcript.pdf", "/hours/export.csv", "/hours/"),
    )


def case_hours_amend() -> FormCase:
    entry = _entry(_person("aubrey.holden"), HoursStatus.SIGNED)
    return FormCase(
        "aubrey.holden",
        f"/hours/{entry.id}/amend",
        _entry_fields(entry.signed_by, category=entry.category.code, duration_minutes="30"),
        owns=frozenset({"hours_entry", "audit_event"}),
        shown_at=("/progression/transcript.pdf", "/hours/export.csv", "/hours/"),
    )


def case_hours_sign() -> FormCase:
    entry = _entry(_person("aubrey.holden"), HoursStatus.SUBMITTED)
    return FormCase(
        entry.supervisor.email.split("@")[0],
        "/hours/sign",
        {"attest": "y", "entry": [str(entry.id)], "back": "entry"},
        owns=frozenset({"hours_entry", "audit_event"}),
        shown_at=("/hours/queue", "/hours/supervisees"),
    )


def case_hours_return() -> FormCase:
    entry = _entry(_person("aubrey.holden"), HoursStatus.SUBMITTED)
    return FormCase(
        entry.supervisor.email.split("@")[0],
        f"/hours/{entry.id}/return",
        {"reason": "Say which stage this covered."},
        owns=frozenset({"hours_entry", "audit_event"}),
        shown_at=("/hours/queue", "/hours/supervisees"),
    )


def case_quiz_attempt() -> FormCase:
    marcus = _person("marcus.bell")
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.code == "AIRM-101-Q"))
    attempt = start_attempt(marcus, quiz)
    db.session.commit()
    answers = {
        f"q{item.position}": [str(item.snapshot["options"][0]["id"])] for item in attempt.items
    }
    return FormCase(
        "marcus.bell",
        f"/assessments/attempts/{attempt.id}",
        answers,
        owns=frozenset({"quiz_attempt", "attempt_item", "audit_event"}),
        accepted=lambda flashes, _response: any(
            message.startswith("You scored") for _, message in flashes
        ),
    )


def case_new_case() -> FormCase:
    return FormCase(
        "aubrey.holden",
        "/assessments/cases/new",
        {
            "title": "Parasocial bond, stage 1",
            "supervisor": str(_person("connie.zollner").id),
            "bond_type": "Parasocial",
            "stages": ["attachment-awareness"],
            "modalities": ["CBT"],
            "text": WRITE_UP,
            "deidentified": "y",
        },
        owns=frozenset({"case_presentation", "case_version", "audit_event"}),
        shown_at=("/progression/transcript.pdf", "/assessments/"),
        after_location=("/versions/1.pdf",),
    )


def case_revise_case() -> FormCase:
    aubrey = _person("aubrey.holden")
    presentation = db.session.scalar(
        sa.select(CasePresentation).where(
            CasePresentation.person_id == aubrey.id, CasePresentation.status == "revise"
        )
    )
    assert presentation is not None
    return FormCase(
        "aubrey.holden",
        f"/assessments/cases/{presentation.id}/revise",
        {"text": "Revised. " + WRITE_UP, "deidentified": "y"},
        owns=frozenset({"case_presentation", "case_version", "audit_event"}),
        shown_at=("/progression/transcript.pdf", "/assessments/"),
    )


def case_grade() -> FormCase:
    supervisor = _person("connie.zollner")
    presentation = _submitted_case(_person("marcus.bell"), supervisor)
    from airm_training.assessments.case_rubric import case_rubric

    fields = {"grade": "pass", "feedback": "Clear and well paced."}
    fields.update({f"rubric_{code}": "met" for code, _ in case_rubric().criteria})
    return FormCase(
        "connie.zollner",
        f"/assessments/cases/{presentation.id}/grade",
        fields,
        owns=frozenset({"case_presentation", "case_version", "audit_event"}),
        shown_at=("/assessments/grading",),
    )


def case_evaluation() -> FormCase:
    rubric = programme_rubric()
    fields = {
        "candidate": str(_person("marcus.bell").id),
        "session_date": (today() - timedelta(days=2)).isoformat(),
        "observation": "live",
        "overall_comment": "Steady.",
    }
    for item in rubric.items:
        fields[f"rating_{item.code}"] = str(rubric.maximum)
        fields[f"comment_{item.code}"] = "Good."
    return FormCase(
        "connie.zollner",
        "/assessments/evaluations/new",
        fields,
        owns=frozenset({"competency_evaluation", "audit_event"}),
        shown_at=("/assessments/grading",),
    )


def case_module_create() -> FormCase:
    return FormCase(
        "connie.zollner",
        "/curriculum/manage/new",
        _module_fields("AIRM-299"),
        owns=frozenset({"module", "module_prerequisite", "audit_event"}),
        shown_at=("/curriculum/", "/curriculum/manage"),
    )


def case_module_edit() -> FormCase:
    return FormCase(
        "connie.zollner",
        "/curriculum/AIRM-202/edit",
        _module_fields("AIRM-202"),
        owns=frozenset({"module", "module_prerequisite", "audit_event"}),
        shown_at=("/curriculum/", "/curriculum/manage"),
    )


def case_attendance() -> FormCase:
    return FormCase(
        "connie.zollner",
        "/curriculum/AIRM-203/attendance",
        {
            "attended_on": (today() - timedelta(days=3)).isoformat(),
            "people": [str(_person("marcus.bell").id)],
        },
        owns=frozenset({"module_completion", "audit_event"}),
    )


def case_quiz_settings() -> FormCase:
    return FormCase(
        "connie.zollner",
        "/assessments/quizzes/AIRM-101-Q",
        {
            "title": "Foundations quiz",
            "pass_mark_percent": "80",
            "questions_per_attempt": "5",
            "attempt_limit": "3",
            "wait_hours": "24",
        },
        owns=frozenset({"quiz", "audit_event"}),
    )


def case_new_question() -> FormCase:
    return FormCase(
        "connie.zollner",
        "/assessments/quizzes/AIRM-101-Q/questions/new",
        _question_fields(),
        owns=frozenset({"question", "question_option", "audit_event"}),
    )


def case_edit_question() -> FormCase:
    question = db.session.scalar(sa.select(Question).order_by(Question.id).limit(1))
    return FormCase(
        "connie.zollner",
        f"/assessments/questions/{question.id}/edit",
        _question_fields(),
        owns=frozenset({"question", "question_option", "audit_event"}),
    )


def case_apply() -> FormCase:
    return FormCase(
        "sofia.alvarez",
        "/progression/apply",
        {"endorser": str(_person("elizabeth.abbruzza").id), "statement": "Ready to supervise."},
        owns=frozenset({"application", "audit_event"}),
        after_location=("/evidence.pdf",),
    )


def case_endorse() -> FormCase:
    application = _application("submitted")
    return FormCase(
        "elizabeth.abbruzza",
        f"/progression/applications/{application.id}/endorse",
        {"decision": "endorse", "reason": "Ready."},
        owns=frozenset({"application", "endorsement", "audit_event"}),
        after_location=("/evidence.pdf",),
    )


def case_vote() -> FormCase:
    application = _application("endorsed")
    return FormCase(
        "connie.zollner",
        f"/progression/applications/{application.id}/vote",
        {"decision": "approve", "comment": "Yes."},
        owns=frozenset({"application", "vote", "audit_event"}),
        after_location=("/evidence.pdf",),
    )


def case_issue() -> FormCase:
    application = _application("approved")
    return FormCase(
        "connie.zollner",
        f"/progression/applications/{application.id}/issue",
        {},
        owns=frozenset(
            {"application", "certificate", "credential_award", "signed_credential", "audit_event"}
        ),
        after_location=(".pdf",),
    )


def case_revoke() -> FormCase:
    certificate = _application("issued")
    return FormCase(
        "connie.zollner",
        f"/progression/certificates/{certificate.id}/revoke",
        {"reason": "Issued in error."},
        owns=frozenset(
            {"certificate", "credential_award", "audit_event", "notification", "outbox_message"}
        ),
        after_location=(".pdf",),
    )


def case_renew() -> FormCase:
    into_renewal_window(_person("daniel.okafor"))
    application = request_renewal(_person("daniel.okafor"))
    db.session.commit()
    return FormCase(
        "connie.zollner",
        f"/progression/applications/{application.id}/renew",
        {},
        owns=frozenset(
            {"application", "certificate", "credential_award", "signed_credential", "audit_event"}
        ),
        after_location=(".pdf",),
    )


def _draft(person: Person) -> HoursEntry:
    entry = log_entry(
        person,
        EntryInput(
            session_date=today() - timedelta(days=1),
            minutes=45,
            category_code="individual-consultation",
            supervisor_id=_person("connie.zollner").id,
        ),
        submit=False,
    )
    db.session.commit()
    return entry


def _one_button(principal: str, path: str, owns: set[str], **kwargs) -> FormCase:
    """A CSRF-only form: every field posted to it is one it does not offer."""
    return FormCase(principal, path, {}, owns=frozenset({*owns, "audit_event"}), **kwargs)


def case_hours_submit() -> FormCase:
    entry = _draft(_person("aubrey.holden"))
    return _one_button("aubrey.holden", f"/hours/{entry.id}/submit", {"hours_entry"})


def case_hours_withdraw() -> FormCase:
    entry = _entry(_person("aubrey.holden"), HoursStatus.SUBMITTED)
    return _one_button("aubrey.holden", f"/hours/{entry.id}/withdraw", {"hours_entry"})


def case_hours_delete() -> FormCase:
    entry = _draft(_person("aubrey.holden"))
    return _one_button("aubrey.holden", f"/hours/{entry.id}/delete", {"hours_entry"})


def case_module_complete() -> FormCase:
    return _one_button("marcus.bell", "/curriculum/AIRM-102/complete", {"module_completion"})


def case_start_quiz() -> FormCase:
    return _one_button(
        "marcus.bell",
        "/assessments/quizzes/AIRM-102-Q/start",
        {"quiz_attempt", "attempt_item"},
        accepted=lambda _flashes, response: (
            "/assessments/attempts/" in response.headers.get("Location", "")
        ),
    )


def case_verify_licence() -> FormCase:
    priya = _person("priya.raman")
    licence = priya.licences[0]
    return _one_button(
        "connie.zollner", f"/people/{priya.id}/licences/{licence.id}/verify", {"licence"}
    )


def case_request_renewal() -> FormCase:
    into_renewal_window(_person("daniel.okafor"))
    db.session.commit()
    return _one_button("daniel.okafor", "/progression/renewal", {"application"})


def case_retire_question() -> FormCase:
    question = db.session.scalar(sa.select(Question).order_by(Question.id).limit(1))
    return _one_button(
        "connie.zollner", f"/assessments/questions/{question.id}/retire", {"question"}
    )


FORM_CASES: dict[str, Callable[[], FormCase]] = {
    "login": case_login,
    "request reset": case_request_reset,
    "reset password": case_reset_password,
    "accept invitation": case_accept_invite,
    "invite": case_invite,
    "add licence": case_licence,
    "hours new": case_hours_new,
    "hours edit": case_hours_edit,
    "hours amend": case_hours_amend,
    "hours sign": case_hours_sign,
    "hours return": case_hours_return,
    "quiz attempt": case_quiz_attempt,
    "case new": case_new_case,
    "case revise": case_revise_case,
    "case grade": case_grade,
    "evaluation": case_evaluation,
    "module create": case_module_create,
    "module edit": case_module_edit,
    "attendance": case_attendance,
    "quiz settings": case_quiz_settings,
    "question new": case_new_question,
    "question edit": case_edit_question,
    "apply": case_apply,
    "endorse": case_endorse,
    "vote": case_vote,
    "issue": case_issue,
    "revoke": case_revoke,
    "renew": case_renew,
    "hours submit": case_hours_submit,
    "hours withdraw": case_hours_withdraw,
    "hours delete": case_hours_delete,
    "module complete": case_module_complete,
    "start quiz": case_start_quiz,
    "verify licence": case_verify_licence,
    "request renewal": case_request_renewal,
    "retire question": case_retire_question,
}


def _signed_in_client(app, principal: str | None):
    client = app.test_client()
    if principal is not None:
        response = login(client, _person(principal), DEMO_PASSWORD)
        assert response.status_code == 302
    return client


def _token(client, principal: str | None) -> str:
    page = "/auth/login" if principal is None else f"/people/{_person(principal).id}"
    return csrf_token_in(client.get(page).get_data(as_text=True))


def post_and_check(app, client, case: FormCase, data: dict, token: str, **kwargs) -> None:
    """Post ``data``; assert no server error and that nothing is half-saved."""
    before = table_checksums()
    response = client.post(case.path, data={**data, "csrf_token": token}, **kwargs)
    check_outcome(client, case, before, response)


def check_outcome(client, case: FormCase, before: dict, response) -> None:
    """No server error; an accepted post changed what its action owns (and shows without
    error), a rejected one changed nothing."""
    assert response.status_code < 500, response.status_code
    flashes = pop_flashes(client)
    changed = changed_tables(before, table_checksums())
    if case.accepted(flashes, response):
        assert case.needs <= changed, f"accepted but {case.needs - changed} unchanged"
        allowed = case.owns | SIDE_EFFECTS
        assert changed <= allowed, f"accepted, and also changed {changed - allowed}"
        if response.status_code == 302:  # what was saved must show without error
            location = response.headers["Location"]
            for path in (location, *case.shown_at, *(location + s for s in case.after_location)):
                shown = client.get(path)
                assert shown.status_code < 500, (path, shown.status_code)
    else:
        assert changed <= case.rejected_may_change, (
            f"rejected ({response.status_code}, {flashes}) yet changed {sorted(changed)}"
        )


def check_baseline_is_accepted(app, case: FormCase) -> None:
    """The good values are a valid post, so the fuzzing starts from a form that works
    (a broken baseline would make every example a mere rejection)."""
    with example_savepoint(app):
        client = _signed_in_client(app, case.principal)
        before = table_checksums()
        response = client.post(
            case.path, data={**case.baseline, "csrf_token": _token(client, case.principal)}
        )
        assert response.status_code in (200, 302)
        flashes = pop_flashes(client)
        changed = changed_tables(before, table_checksums())
        if case.owns:
            assert case.accepted(flashes, response), (response.status_code, flashes)
            assert case.needs <= changed <= case.owns | SIDE_EFFECTS, changed
        else:  # a reset request answers the same whether or not the address exists
            assert changed <= case.rejected_may_change


@pytest.mark.parametrize("name", sorted(FORM_CASES))
def test_hostile_values_never_fail_or_half_save(app, name):
    case = FORM_CASES[name]()
    check_baseline_is_accepted(app, case)
    client = None if case.fresh_client else _signed_in_client(app, case.principal)
    token = None if client is None else _token(client, case.principal)

    @given(data=hostile_form(case.baseline, MASS_ASSIGNMENT_FIELDS))
    def post_hostile(data):
        with example_savepoint(app):
            this_client = client or _signed_in_client(app, case.principal)
            this_token = token or _token(this_client, case.principal)
            post_and_check(app, this_client, case, data, this_token)

    post_hostile()


@given(code=hostile_scalar)
def test_the_public_verification_form_takes_any_code(app, code):
    with example_savepoint(app):
        client = app.test_client()
        before = table_checksums()
        response = client.get("/verify/", query_string={"code": code}, follow_redirects=True)
        assert response.status_code in (200, 400, 404), response.status_code
        assert changed_tables(before, table_checksums()) == set()


@given(value=st.sampled_from(["99999999999999999999", "2147483648", "\u00b2", "-1", "1e3"]))
def test_ids_out_of_range_in_urls_and_queries_are_not_found(app, value):
    """Regression: an id beyond the database's integer range raised OverflowError (500)."""
    with example_savepoint(app):
        client = app.test_client()
        login(client, make_supervisor())
        for url in (f"/people/{value}", f"/hours/{value}", f"/assessments/cases/{value}"):
            assert client.get(url).status_code == 404, url
        assert client.get(f"/hours/queue?supervisee={value}").status_code == 200
        assert client.get(f"/assessments/evaluations/new?candidate={value}").status_code == 200


RAW_BODIES = (
    b"note=%ED%A0%80&title=%ED%BF%BF&email=%FF%FE%00",  # an encoded surrogate, invalid UTF-8
    b"%C0%AF=%C0%AF&reason=%E2%82&password=%F4%90%80%80",  # overlong, truncated, > U+10FFFF
    b"a=1&" * 2000 + b"&&==&%&%%%=%zz",  # many fields, broken escapes
)


@pytest.mark.parametrize("name", sorted(FORM_CASES))
def test_undecodable_bodies_and_other_content_types_are_never_a_server_error(app, name):
    case = FORM_CASES[name]()
    client = _signed_in_client(app, case.principal)
    token = _token(client, case.principal).encode()
    bodies = [
        (b + b"&csrf_token=" + token, "application/x-www-form-urlencoded") for b in RAW_BODIES
    ]
    bodies += [
        (b'{"csrf_token": "%s", "status": "signed"}' % token, "application/json"),
        (b"csrf_token=" + token, "text/plain"),
        (b"--zz\r\nContent-Disposition: form-data; name", "multipart/form-data; boundary=zz"),
    ]
    for body, content_type in bodies:
        with example_savepoint(app):
            before = table_checksums()
            response = client.post(case.path, data=body, content_type=content_type)
            check_outcome(client, case, before, response)


_pdf_bytes = st.one_of(
    st.binary(max_size=3000),
    st.binary(max_size=3000).map(lambda body: b"%PDF-1.4\n" + body + b"\n%%EOF\n"),
    st.just(b"%PDF-1.4\n%%EOF"),
    st.just(b""),
)
_filenames = st.one_of(
    st.sampled_from(
        ["case.pdf", "CASE.PDF", "case.pdf.exe", "../../etc/passwd.pdf", "x" * 300 + ".pdf", ".pdf"]
    ),
    st.text(max_size=80).map(lambda name: name + ".pdf"),
)


@pytest.mark.parametrize("name", ["case new", "case revise"])
def test_hostile_pdf_uploads_never_fail_or_half_save(app, name):
    case = FORM_CASES[name]()
    client = _signed_in_client(app, case.principal)
    token = _token(client, case.principal)

    @given(content=_pdf_bytes, filename=_filenames)
    def upload(content, filename):
        with example_savepoint(app):
            data = {**case.baseline, "pdf": (io.BytesIO(content), filename)}
            post_and_check(app, client, case, data, token, content_type="multipart/form-data")

    upload()
