"""Reading never writes, and nothing changes without a valid CSRF token.

Both tests walk the URL map, so a new route is covered without editing this file: GET
routes are opened at real objects of the demo data and at the access matrix's sample
URLs, by every kind of person; every POST/PUT/PATCH/DELETE route is posted without a
token and with a wrong one. No page records a "last seen" time (sign-in itself writes
``last_login_at``, before the first snapshot)."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.routing import AnyConverter
from werkzeug.routing.converters import NumberConverter

from airm_training.assessments.models import CasePresentation, CompetencyEvaluation, Question, Quiz
from airm_training.assessments.quizzes import start_attempt
from airm_training.auth.tokens import TokenPurpose, make_token
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.people.services import find_by_email
from tests.factories import login, make_candidate, make_director
from tests.hostile import _transaction, changed_tables, demo_world, table_checksums  # noqa: F401 - one demo world, shared
from tests.test_access_matrix import SAMPLE_URLS, SKIPPED_ENDPOINTS
from tests.test_fuzz_forms import DEMO_PASSWORD, _application

PRINCIPALS = (
    None,
    "aubrey.holden",  # candidate with hours, a case to revise, evaluations
    "marcus.bell",  # candidate with an open quiz attempt
    "sofia.alvarez",  # candidate holding a certificate
    "connie.zollner",  # co-creator, director, admin, supervisor
    "elizabeth.abbruzza",  # director and supervisor, the endorser
    "daniel.okafor",  # supervisor (AIRT-S)
)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The tables a page may write: the two-factor set-up page stores the unconfirmed secret
# it shows on its first visit, so that the QR code stays the same on every visit; it has
# no effect (and no audit event) until a code from the app confirms it by a POST. A signed
# PDF download records the file's SHA-256 (issued_pdf) so that the public check can later
# recognise that exact file; a transcript download also records its verification code
# with what it printed (issued_transcript), for the public page to confirm. Neither
# changes a record or grants anything.
WRITTEN_BY_GET = frozenset({"totp_credential", "issued_pdf", "issued_transcript"})
# Query parameters every page must survive (pages, filters and ids that are nonsense).
HOSTILE_QUERY = {
    "page": "-1",
    "q": "\u202e%' OR 1=1 --",
    "status": "<script>",
    "category": "\U0001f600",
    "supervisor": "99999999999999999999",
    "supervisee": "\u00b2",
    "candidate": "2147483648",
    "person": "99999999999999999999",
    "role": "\u0430dmin",
    "credential": "AIRT-S:\x7f",
    "date_from": "2024-02-30",
    "date_to": "0000-00-00",
    "late": ["1", "0"],
    "code": "x" * 2000,
    "next": "//evil.example",
}


# Every query parameter any page reads, each a number far beyond any integer column.
HUGE = "9" * 40
QUERY_NAMES = (
    *("page", "near_page", "stalled_page", "candidate", "supervisee", "supervisor", "person"),
    *("to", "version", "from_version", "to_version", "entry", "status", "category", "role"),
    *("date_from", "date_to", "action", "object_type", "object_id", "actor", "day", "late"),
)


def _query_names(app) -> set[str]:
    """The fields of the filter forms that read the query string, and QUERY_NAMES."""
    from airm_training.hours.forms import HoursFilterForm
    from airm_training.people.forms import DirectoryFilterForm
    from airm_training.programme.forms import CompareForm
    from airm_training.reports.audit_forms import AuditFilterForm
    from airm_training.reports.forms import ReportSettingsForm

    with app.test_request_context():
        forms = (AuditFilterForm, HoursFilterForm, DirectoryFilterForm, CompareForm)
        return {name for form in (*forms, ReportSettingsForm) for name in form()._fields} | set(
            QUERY_NAMES
        )


def _email(local: str) -> str:
    return f"{local}@btrc.example"


@pytest.fixture
def world(app) -> dict[str, list[str]]:
    """The demo data plus an open quiz attempt and an issued certificate; the real URL
    of one object per GET route with parameters."""
    aubrey, marcus = find_by_email(_email("aubrey.holden")), find_by_email(_email("marcus.bell"))
    attempt = start_attempt(marcus, db.session.scalar(sa.select(Quiz).order_by(Quiz.code)))
    db.session.commit()
    certificate = _application("issued")
    entry = db.session.scalar(
        sa.select(HoursEntry).where(HoursEntry.person_id == aubrey.id).order_by(HoursEntry.id)
    )
    case = db.session.scalar(
        sa.select(CasePresentation).where(CasePresentation.person_id == aubrey.id)
    )
    evaluation = db.session.scalar(sa.select(CompetencyEvaluation))
    question = db.session.scalar(sa.select(Question).order_by(Question.id))
    quiz_code = question.quiz.code
    return {
        "people.show": [f"/people/{aubrey.id}"],
        "curriculum.show": ["/curriculum/AIRM-201"],
        "curriculum.attendance": ["/curriculum/AIRM-201/attendance"],
        "curriculum.edit": ["/curriculum/AIRM-201/edit"],
        "auth.accept_invite": [f"/auth/invite/{make_token(aubrey, TokenPurpose.INVITE)}"],
        "auth.reset_password": [f"/auth/reset/{make_token(aubrey, TokenPurpose.RESET)}"],
        "hours.show": [f"/hours/{entry.id}"],
        "hours.edit": [f"/hours/{entry.id}/edit"],
        "hours.amend": [f"/hours/{entry.id}/amend"],
        "assessments.attempt": [f"/assessments/attempts/{attempt.id}"],
        "assessments.revise_case": [f"/assessments/cases/{case.id}/revise"],
        "assessments.case": [f"/assessments/cases/{case.id}"],
        "assessments.case_pdf": [f"/assessments/cases/{case.id}/versions/1.pdf"],
        "assessments.evaluation": [f"/assessments/evaluations/{evaluation.id}"],
        "assessments.quiz_bank": [f"/assessments/quizzes/{quiz_code}"],
        "assessments.new_question": [f"/assessments/quizzes/{quiz_code}/questions/new"],
        "assessments.edit_question_page": [f"/assessments/questions/{question.id}/edit"],
        "progression.application": [f"/progression/applications/{certificate.application_id}"],
        "progression.certificate": [f"/progression/certificates/{certificate.id}"],
        "progression.certificate_pdf": [f"/progression/certificates/{certificate.id}.pdf"],
        "verify.show": [f"/verify/{certificate.verification_code}"],
        "verify.show_json": [f"/verify/{certificate.verification_code}.json"],
        "progression.transcript_of": [f"/progression/people/{aubrey.id}/transcript.pdf"],
        "progression.evidence_pdf": [
            f"/progression/applications/{certificate.application_id}/evidence.pdf"
        ],
    }


def _get_urls(
    app, world: dict[str, list[str]], me: int, huge_query: dict[str, str]
) -> list[tuple[str, dict]]:
    """Every GET route: pages without parameters also with the hostile query string
    (they hold the filters and the pagination), pages of one object at real and at
    sample ids."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS or "GET" not in rule.methods:
            continue
        if rule.arguments:
            sample = SAMPLE_URLS[rule.endpoint].format(me=me)
            urls += [(url, {}) for url in [*world.get(rule.endpoint, []), sample]]
        else:
            urls += [(rule.rule, {}), (rule.rule, HOSTILE_QUERY), (rule.rule, huge_query)]
    return urls


def _sign_in(app, principal: str | None):
    client = app.test_client()
    person = None
    if principal is not None:
        person = find_by_email(_email(principal))
        assert login(client, person, DEMO_PASSWORD).status_code == 302
    return client, person


def test_no_get_changes_the_database(app, world):
    """Every kind of person in one walk (the demo world is built once); every page also
    with a number beyond any integer column in every query parameter."""
    huge_query = dict.fromkeys(_query_names(app), HUGE)
    failures, walked = [], 0
    for principal in PRINCIPALS:
        client, person = _sign_in(app, principal)
        urls = _get_urls(app, world, person.id if person else 1, huge_query)
        before = table_checksums(ignore=WRITTEN_BY_GET)
        for url, query in urls:
            response = client.get(url, query_string=query)
            if response.status_code >= 500:
                failures.append(f"{principal}: {url} {query and '(hostile query)'} -> 5xx")
        walked += len(urls)
        changed = changed_tables(before, table_checksums(ignore=WRITTEN_BY_GET))
        if changed:
            failures.append(f"{principal}: GET requests changed {sorted(changed)}")
    assert not failures, "\n".join(failures)
    assert walked >= len(PRINCIPALS) * (len(SAMPLE_URLS) + len(world))
    assert {"page", "near_page", "supervisee", "date_from"} <= set(huge_query)


def _write_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in SKIPPED_ENDPOINTS and rule.methods & WRITE_METHODS
    ]


def _any_url(app, rule, values: dict) -> str:
    """A URL matching ``rule``: real ids where the world has them, else a plausible value
    (the CSRF check runs before the view looks anything up)."""
    arguments = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            arguments[name] = sorted(converter.items)[0]
        elif isinstance(converter, NumberConverter):
            arguments[name] = values.get(name, 1)
        else:
            arguments[name] = values.get(name, "AIRM-201")
    with app.test_request_context():
        return url_for(rule.endpoint, **arguments)


def test_every_write_route_needs_a_valid_csrf_token(app):
    director = make_director()
    candidate = make_candidate(director=director)
    values = {"person_id": candidate.id, "licence_id": candidate.licences[0].id, "token": "x"}
    signed_in, anonymous = app.test_client(), app.test_client()
    login(signed_in, director)
    rules = _write_rules(app)
    assert len(rules) >= 40
    before = table_checksums()
    failures = []
    for rule in rules:
        url = _any_url(app, rule, values)
        for method in sorted(rule.methods & WRITE_METHODS):
            for client, token in itertools.product(
                (signed_in, anonymous), (None, "not-a-token", "")
            ):
                data = {"submit": "y", "status": "signed"}
                if token is not None:
                    data["csrf_token"] = token
                response = client.open(url, method=method, data=data)
                if response.status_code != 400:
                    who = "signed in" if client is signed_in else "anonymous"
                    failures.append(f"{method} {url} {who} token={token!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert changed_tables(before, table_checksums()) == set()


def test_a_token_from_another_session_is_refused(app):
    """A token is bound to its session: one lifted from another browser does not work."""
    candidate = make_candidate()
    other, client = app.test_client(), app.test_client()
    login(other, candidate)
    login(client, candidate)
    stolen = other.form_token("/hours/new")
    before = table_checksums()
    response = client.post("/hours/new", data={"csrf_token": stolen, "note": "x"})
    assert response.status_code == 400
    assert changed_tables(before, table_checksums()) == set()
