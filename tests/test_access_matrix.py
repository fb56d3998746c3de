"""Who may open which page: every route's declared need, every parameterless GET page (and
a sample URL of every GET page with parameters) opened by every kind of principal. The
tables are written out by hand, cell by cell: a new route fails these tests until someone
decides who may open it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from airm_training.access import needs as permissions
from airm_training.core.permissions import declared_need
from airm_training.people.models import Role
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor

SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}

# endpoint -> the name of the Need it must declare in airm_training.access.needs
EXPECTED_NEEDS = {
    "main.index": "PUBLIC",
    "main.home": "SIGNED_IN",
    "main.candidate_home": "CANDIDATE",
    "main.supervisor_home": "SUPERVISOR",
    "main.board_home": "CO_CREATOR",
    "main.director_home": "DIRECTOR",
    "main.healthz": "PUBLIC",
    "main.readyz": "PUBLIC",
    "main.favicon": "PUBLIC",
    "main.design": "SIGNED_IN",
    "auth.login": "PUBLIC",
    "auth.logout": "SIGNED_IN",
    "auth.keep_session": "SIGNED_IN",
    "auth.accept_invite": "PUBLIC",
    "auth.reset_password": "PUBLIC",
    "auth.request_reset": "PUBLIC",
    "auth.two_factor": "PUBLIC",
    "auth.security": "SIGNED_IN",
    "auth.change_password": "SIGNED_IN",
    "auth.two_factor_setup": "SIGNED_IN",
    "auth.two_factor_disable": "SIGNED_IN",
    "auth.recovery_codes": "SIGNED_IN",
    "people.directory": "DIRECTOR",
    "people.show": "SIGNED_IN",
    "people.invite": "DIRECTOR",
    "curriculum.index": "SIGNED_IN",
    "curriculum.show": "SIGNED_IN",
    "curriculum.complete": "CANDIDATE",
    "curriculum.attendance": "DIRECTOR",
    "curriculum.manage": "DIRECTOR",
    "curriculum.create": "DIRECTOR",
    "curriculum.edit": "DIRECTOR",
    "curriculum.move": "DIRECTOR",
    "curriculum.retire": "DIRECTOR",
    "curriculum.restore": "DIRECTOR",
    "hours.my_hours": "LOGS_HOURS",
    "hours.new": "LOGS_HOURS",
    "hours.show": "SIGNED_IN",
    "hours.edit": "LOGS_HOURS",
    "hours.amend": "LOGS_HOURS",
    "hours.submit": "LOGS_HOURS",
    "hours.withdraw": "LOGS_HOURS",
    "hours.delete": "LOGS_HOURS",
    "hours.csv_template": "LOGS_HOURS",
    "hours.export": "LOGS_HOURS",
    "hours.import_hours": "LOGS_HOURS",
    "hours.queue": "SUPERVISOR",
    "hours.sign": "SUPERVISOR",
    "hours.return_": "SUPERVISOR",
    "hours.supervisees": "SUPERVISOR",
    "assessments.mine": "CANDIDATE",
    "assessments.start_quiz": "CANDIDATE",
    "assessments.attempt": "CANDIDATE",
    "assessments.new_case": "CANDIDATE",
    "assessments.revise_case": "CANDIDATE",
    "assessments.case": "SIGNED_IN",
    "assessments.case_pdf": "SIGNED_IN",
    "assessments.grade": "SUPERVISOR",
    "assessments.grading": "SUPERVISOR",
    "assessments.new_evaluation": "SUPERVISOR",
    "assessments.evaluation": "SIGNED_IN",
    "assessments.quizzes": "DIRECTOR",
    "assessments.quiz_bank": "DIRECTOR",
    "assessments.new_question": "DIRECTOR",
    "assessments.edit_question_page": "DIRECTOR",
    "assessments.retire_question": "DIRECTOR",
    "assessments.extra_attempt": "DIRECTOR",
    "progression.apply_page": "CANDIDATE",
    "progression.application": "SIGNED_IN",
    "progression.endorse_application": "SUPERVISOR",
    "progression.vote_application": "CO_CREATOR",
    "progression.issue_application": "DIRECTOR",
    "progression.endorsements": "SUPERVISOR",
    "progression.issuing": "DIRECTOR",
    "progression.certificate": "SIGNED_IN",
    "progression.certificate_pdf": "SIGNED_IN",
    "progression.revoke_certificate": "DIRECTOR",
    "verify.form": "PUBLIC",
    "verify.show": "PUBLIC",
    "verify.show_json": "PUBLIC",
    "verifiable.did_json": "PUBLIC",
    "verifiable.jwks": "PUBLIC",
    "verifiable.status_list": "PUBLIC",
    "verifiable.credential_json": "PUBLIC",
    "verifiable.credential_jwt": "PUBLIC",
    "verifiable.check": "PUBLIC",
    "progression.my_transcript": "SIGNED_IN",
    "progression.transcript_of": "DIRECTOR",
    "progression.request_renewal_page": "SIGNED_IN",
    "progression.renew_application": "DIRECTOR",
    "progression.evidence_pdf": "SIGNED_IN",
    "people.add_licence_page": "SIGNED_IN",
    "people.verify_licence_page": "DIRECTOR",
    "people.enrol_page": "DIRECTOR",
    "people.progress": "DIRECTOR",
    "people.change_roles": "DIRECTOR",
    "people.deactivate": "DIRECTOR",
    "people.reactivate": "DIRECTOR",
    "people.assign_supervisor_page": "DIRECTOR",
    "audit.trail": "DIRECTOR",
    "audit.people_lookup": "DIRECTOR",
    "audit.export": "DIRECTOR",
    "privacy.sweep_page": "DIRECTOR",
    "privacy.mine": "SIGNED_IN",
    "privacy.redact_text": "SIGNED_IN",
    "reports.mail_delivery": "DIRECTOR",
    "notifications.index": "SIGNED_IN",
    "notifications.open_": "SIGNED_IN",
    "notifications.read": "SIGNED_IN",
    "notifications.read_all": "SIGNED_IN",
    "notifications.preferences": "SIGNED_IN",
    "reports.index": "DIRECTOR",
    "reports.export": "DIRECTOR",
    "programme.versions": "DIRECTOR",
    "programme.compare": "DIRECTOR",
    "programme.edit_level_page": "DIRECTOR",
    "programme.move_person": "DIRECTOR",
    "records.hours_verification": "LOGS_HOURS",
    "records.show": "SIGNED_IN",
    "records.pdf": "SIGNED_IN",
    "records.csv": "SIGNED_IN",
    "records_public.show": "PUBLIC",
    "records_public.show_json": "PUBLIC",
    "directory.index": "PUBLIC",
    "directory.profile": "SIGNED_IN",
    "invitations.index": "DIRECTOR",
    "invitations.csv_template": "DIRECTOR",
    "invitations.resend_invitation": "DIRECTOR",
}

OK = 200
FORBIDDEN = 403
LOGIN = "/auth/login"
SECURITY = "/auth/security"


def redirect(path: str) -> tuple[int, str]:
    return (302, path)


# principal -> endpoint -> expected outcome of a GET, cell by cell.
EXPECTED_OUTCOMES: dict[str, dict[str, int | tuple[int, str]]] = {
    "anonymous": {
        "invitations.index": redirect(LOGIN),
        "invitations.csv_template": redirect(LOGIN),
        "directory.index": OK,
        "directory.profile": redirect(LOGIN),
        "records.hours_verification": redirect(LOGIN),
        "reports.index": redirect(LOGIN),
        "programme.versions": redirect(LOGIN),
        "programme.compare": redirect(LOGIN),
        "main.index": redirect(LOGIN),
        "main.home": redirect(LOGIN),
        "main.candidate_home": redirect(LOGIN),
        "main.supervisor_home": redirect(LOGIN),
        "main.board_home": redirect(LOGIN),
        "main.director_home": redirect(LOGIN),
        "main.healthz": OK,
        "main.readyz": OK,
        "main.favicon": (301, "/static/brand/favicon.svg"),
        "main.design": redirect(LOGIN),
        "auth.login": OK,
        "auth.request_reset": OK,
        "auth.two_factor": redirect(LOGIN),
        "auth.security": redirect(LOGIN),
        "auth.change_password": redirect(LOGIN),
        "auth.two_factor_setup": redirect(LOGIN),
        "auth.two_factor_disable": redirect(LOGIN),
        "auth.recovery_codes": redirect(LOGIN),
        "people.directory": redirect(LOGIN),
        "people.invite": redirect(LOGIN),
        "curriculum.index": redirect(LOGIN),
        "progression.my_transcript": redirect(LOGIN),
        "progression.apply_page": redirect(LOGIN),
        "progression.endorsements": redirect(LOGIN),
        "progression.issuing": redirect(LOGIN),
        "verify.form": OK,
        "verifiable.jwks": OK,
        "verifiable.did_json": 404,  # did:web only on an HTTPS base URL
        "assessments.mine": redirect(LOGIN),
        "assessments.new_case": redirect(LOGIN),
        "assessments.grading": redirect(LOGIN),
        "assessments.new_evaluation": redirect(LOGIN),
        "assessments.quizzes": redirect(LOGIN),
        "curriculum.manage": redirect(LOGIN),
        "curriculum.create": redirect(LOGIN),
        "hours.my_hours": redirect(LOGIN),
        "hours.new": redirect(LOGIN),
        "hours.csv_template": redirect(LOGIN),
        "hours.export": redirect(LOGIN),
        "hours.import_hours": redirect(LOGIN),
        "hours.queue": redirect(LOGIN),
        "hours.supervisees": redirect(LOGIN),
        "audit.trail": redirect(LOGIN),
        "audit.people_lookup": redirect(LOGIN),
        "audit.export": redirect(LOGIN),
        "privacy.sweep_page": redirect(LOGIN),
        "privacy.mine": redirect(LOGIN),
        "reports.mail_delivery": redirect(LOGIN),
        "notifications.index": redirect(LOGIN),
        "notifications.preferences": redirect(LOGIN),
    },
    "candidate": {
        "invitations.index": FORBIDDEN,
        "invitations.csv_template": FORBIDDEN,
        "directory.index": OK,
        "directory.profile": OK,
        "records.hours_verification": OK,
        "reports.index": FORBIDDEN,
        "programme.versions": FORBIDDEN,
        "programme.compare": FORBIDDEN,
        "main.index": redirect("/home"),
        "main.home": redirect("/candidate"),
        "main.candidate_home": OK,
        "main.supervisor_home": FORBIDDEN,
        "main.board_home": FORBIDDEN,
        "main.director_home": FORBIDDEN,
        "main.healthz": OK,
        "main.readyz": OK,
        "main.favicon": (301, "/static/brand/favicon.svg"),
        "main.design": OK,
        "auth.login": redirect("/home"),
        "auth.request_reset": OK,
        "auth.two_factor": redirect("/home"),
        "auth.security": OK,
        "auth.change_password": OK,
        "auth.two_factor_setup": OK,
        "auth.two_factor_disable": redirect(SECURITY),
        "auth.recovery_codes": redirect(SECURITY),
        "people.directory": FORBIDDEN,
        "people.invite": FORBIDDEN,
        "curriculum.index": OK,
        "progression.my_transcript": OK,
        "progression.apply_page": OK,
        "progression.endorsements": FORBIDDEN,
        "progression.issuing": FORBIDDEN,
        "verify.form": OK,
        "verifiable.jwks": OK,
        "verifiable.did_json": 404,  # did:web only on an HTTPS base URL
        "assessments.mine": OK,
        "assessments.new_case": OK,
        "assessments.grading": FORBIDDEN,
        "assessments.new_evaluation": FORBIDDEN,
        "assessments.quizzes": FORBIDDEN,
        "curriculum.manage": FORBIDDEN,
        "curriculum.create": FORBIDDEN,
        "hours.my_hours": OK,
        "hours.new": OK,
        "hours.csv_template": OK,
        "hours.export": OK,
        "hours.import_hours": OK,
        "hours.queue": FORBIDDEN,
        "hours.supervisees": FORBIDDEN,
        "audit.trail": FORBIDDEN,
        "audit.people_lookup": FORBIDDEN,
        "audit.export": FORBIDDEN,
        "privacy.sweep_page": FORBIDDEN,
        "privacy.mine": OK,
        "reports.mail_delivery": FORBIDDEN,
        "notifications.index": OK,
        "notifications.preferences": OK,
    },
    "supervisor": {
        "invitations.index": FORBIDDEN,
        "invitations.csv_template": FORBIDDEN,
        "directory.index": OK,
        "directory.profile": OK,
        "records.hours_verification": OK,
        "reports.index": FORBIDDEN,
        "programme.versions": FORBIDDEN,
        "programme.compare": FORBIDDEN,
        "main.index": redirect("/home"),
        "main.home": redirect("/supervision"),
        "main.candidate_home": FORBIDDEN,
        "main.supervisor_home": OK,
        "main.board_home": FORBIDDEN,
        "main.director_home": FORBIDDEN,
        "main.healthz": OK,
        "main.readyz": OK,
        "main.favicon": (301, "/static/brand/favicon.svg"),
        "main.design": OK,
        "auth.login": redirect("/home"),
        "auth.request_reset": OK,
        "auth.two_factor": redirect("/home"),
        "auth.security": OK,
        "auth.change_password": OK,
        "auth.two_factor_setup": OK,
        "auth.two_factor_disable": redirect(SECURITY),
        "auth.recovery_codes": redirect(SECURITY),
        "people.directory": FORBIDDEN,
        "people.invite": FORBIDDEN,
        "curriculum.index": OK,
        "progression.my_transcript": OK,
        "progression.apply_page": FORBIDDEN,
        "progression.endorsements": OK,
        "progression.issuing": FORBIDDEN,
        "verify.form": OK,
        "verifiable.jwks": OK,
        "verifiable.did_json": 404,  # did:web only on an HTTPS base URL
        "assessments.mine": FORBIDDEN,
        "assessments.new_case": FORBIDDEN,
        "assessments.grading": OK,
        "assessments.new_evaluation": OK,
        "assessments.quizzes": FORBIDDEN,
        "curriculum.manage": FORBIDDEN,
        "curriculum.create": FORBIDDEN,
        "hours.my_hours": OK,
        "hours.new": OK,
        "hours.csv_template": OK,
        "hours.export": OK,
        "hours.import_hours": OK,
        "hours.queue": OK,
        "hours.supervisees": OK,
        "audit.trail": FORBIDDEN,
        "audit.people_lookup": FORBIDDEN,
        "audit.export": FORBIDDEN,
        "privacy.sweep_page": FORBIDDEN,
        "privacy.mine": OK,
        "reports.mail_delivery": FORBIDDEN,
        "notifications.index": OK,
        "notifications.preferences": OK,
    },
    "co-creator": {
        "invitations.index": FORBIDDEN,
        "invitations.csv_template": FORBIDDEN,
        "directory.index": OK,
        "directory.profile": OK,
        "records.hours_verification": FORBIDDEN,
        "reports.index": FORBIDDEN,
        "programme.versions": FORBIDDEN,
        "programme.compare": FORBIDDEN,
        "main.index": redirect("/home"),
        "main.home": redirect("/board"),
        "main.candidate_home": FORBIDDEN,
        "main.supervisor_home": FORBIDDEN,
        "main.board_home": OK,
        "main.director_home": FORBIDDEN,
        "main.healthz": OK,
        "main.readyz": OK,
        "main.favicon": (301, "/static/brand/favicon.svg"),
        "main.design": OK,
        "auth.login": redirect("/home"),
        "auth.request_reset": OK,
        "auth.two_factor": redirect("/home"),
        "auth.security": OK,
        "auth.change_password": OK,
        "auth.two_factor_setup": OK,
        "auth.two_factor_disable": redirect(SECURITY),
        "auth.recovery_codes": redirect(SECURITY),
        "people.directory": FORBIDDEN,
        "people.invite": FORBIDDEN,
        "curriculum.index": OK,
        "progression.my_transcript": OK,
        "progression.apply_page": FORBIDDEN,
        "progression.endorsements": FORBIDDEN,
        "progression.issuing": FORBIDDEN,
        "verify.form": OK,
        "verifiable.jwks": OK,
        "verifiable.did_json": 404,  # did:web only on an HTTPS base URL
        "assessments.mine": FORBIDDEN,
        "assessments.new_case": FORBIDDEN,
        "assessments.grading": FORBIDDEN,
        "assessments.new_evaluation": FORBIDDEN,
        "assessments.quizzes": FORBIDDEN,
        "curriculum.manage": FORBIDDEN,
        "curriculum.create": FORBIDDEN,
        "hours.my_hours": FORBIDDEN,
        "hours.new": FORBIDDEN,
        "hours.csv_template": FORBIDDEN,
        "hours.export": FORBIDDEN,
        "hours.import_hours": FORBIDDEN,
        "hours.queue": FORBIDDEN,
        "hours.supervisees": FORBIDDEN,
        "audit.trail": FORBIDDEN,
        "audit.people_lookup": FORBIDDEN,
        "audit.export": FORBIDDEN,
        "privacy.sweep_page": FORBIDDEN,
        "privacy.mine": OK,
        "reports.mail_delivery": FORBIDDEN,
        "notifications.index": OK,
        "notifications.preferences": OK,
    },
    "director": {
        "invitations.index": OK,
        "invitations.csv_template": OK,
        "directory.index": OK,
        "directory.profile": OK,
        "records.hours_verification": FORBIDDEN,
        "reports.index": OK,
        "programme.versions": OK,
        "programme.compare": OK,
        "main.index": redirect("/home"),
        "main.home": redirect("/director"),
        "main.candidate_home": FORBIDDEN,
        "main.supervisor_home": FORBIDDEN,
        "main.board_home": FORBIDDEN,
        "main.director_home": OK,
        "main.healthz": OK,
        "main.readyz": OK,
        "main.favicon": (301, "/static/brand/favicon.svg"),
        "main.design": OK,
        "auth.login": redirect("/home"),
        "auth.request_reset": OK,
        "auth.two_factor": redirect("/home"),
        "auth.security": OK,
        "auth.change_password": OK,
        "auth.two_factor_setup": OK,
        "auth.two_factor_disable": redirect(SECURITY),
        "auth.recovery_codes": redirect(SECURITY),
        "people.directory": OK,
        "people.invite": OK,
        "curriculum.index": OK,
        "progression.my_transcript": OK,
        "progression.apply_page": FORBIDDEN,
        "progression.endorsements": FORBIDDEN,
        "progression.issuing": OK,
        "verify.form": OK,
        "verifiable.jwks": OK,
        "verifiable.did_json": 404,  # did:web only on an HTTPS base URL
        "assessments.mine": FORBIDDEN,
        "assessments.new_case": FORBIDDEN,
        "assessments.grading": FORBIDDEN,
        "assessments.new_evaluation": FORBIDDEN,
        "assessments.quizzes": OK,
        "curriculum.manage": OK,
        "curriculum.create": OK,
        "hours.my_hours": FORBIDDEN,
        "hours.new": FORBIDDEN,
        "hours.csv_template": FORBIDDEN,
        "hours.export": FORBIDDEN,
        "hours.import_hours": FORBIDDEN,
        "hours.queue": FORBIDDEN,
        "hours.supervisees": FORBIDDEN,
        "audit.trail": OK,
        "audit.people_lookup": OK,
        "audit.export": OK,
        "privacy.sweep_page": OK,
        "privacy.mine": OK,
        "reports.mail_delivery": OK,
        "notifications.index": OK,
        "notifications.preferences": OK,
    },
    "admin": {
        "invitations.index": OK,
        "invitations.csv_template": OK,
        "directory.index": OK,
        "directory.profile": OK,
        "records.hours_verification": FORBIDDEN,
        "reports.index": OK,
        "programme.versions": OK,
        "programme.compare": OK,
        "main.index": redirect("/home"),
        "main.home": redirect("/director"),
        "main.candidate_home": FORBIDDEN,
        "main.supervisor_home": FORBIDDEN,
        "main.board_home": FORBIDDEN,
        "main.director_home": OK,
        "main.healthz": OK,
        "main.readyz": OK,
        "main.favicon": (301, "/static/brand/favicon.svg"),
        "main.design": OK,
        "auth.login": redirect("/home"),
        "auth.request_reset": OK,
        "auth.two_factor": redirect("/home"),
        "auth.security": OK,
        "auth.change_password": OK,
        "auth.two_factor_setup": OK,
        "auth.two_factor_disable": redirect(SECURITY),
        "auth.recovery_codes": redirect(SECURITY),
        "people.directory": OK,
        "people.invite": OK,
        "curriculum.index": OK,
        "progression.my_transcript": OK,
        "progression.apply_page": FORBIDDEN,
        "progression.endorsements": FORBIDDEN,
        "progression.issuing": OK,
        "verify.form": OK,
        "verifiable.jwks": OK,
        "verifiable.did_json": 404,  # did:web only on an HTTPS base URL
        "assessments.mine": FORBIDDEN,
        "assessments.new_case": FORBIDDEN,
        "assessments.grading": FORBIDDEN,
        "assessments.new_evaluation": FORBIDDEN,
        "assessments.quizzes": OK,
        "curriculum.manage": OK,
        "curriculum.create": OK,
        "hours.my_hours": FORBIDDEN,
        "hours.new": FORBIDDEN,
        "hours.csv_template": FORBIDDEN,
        "hours.export": FORBIDDEN,
        "hours.import_hours": FORBIDDEN,
        "hours.queue": FORBIDDEN,
        "hours.supervisees": FORBIDDEN,
        "audit.trail": OK,
        "audit.people_lookup": OK,
        "audit.export": OK,
        "privacy.sweep_page": OK,
        "privacy.mine": OK,
        "reports.mail_delivery": OK,
        "notifications.index": OK,
        "notifications.preferences": OK,
    },
}

# GET routes with URL parameters, opened at a sample URL ("{me}" is the principal's own id).
SAMPLE_URLS = {
    "people.show": "/people/{me}",
    "curriculum.show": "/curriculum/AIRM-101",
    "curriculum.attendance": "/curriculum/AIRM-101/attendance",
    "curriculum.edit": "/curriculum/AIRM-101/edit",
    "auth.accept_invite": "/auth/invite/not-a-real-token",
    "auth.reset_password": "/auth/reset/not-a-real-token",
    "hours.show": "/hours/999999",
    "hours.edit": "/hours/999999/edit",
    "hours.amend": "/hours/999999/amend",
    "assessments.attempt": "/assessments/attempts/999999",
    "assessments.revise_case": "/assessments/cases/999999/revise",
    "assessments.case": "/assessments/cases/999999",
    "assessments.case_pdf": "/assessments/cases/999999/versions/1.pdf",
    "assessments.evaluation": "/assessments/evaluations/999999",
    "assessments.quiz_bank": "/assessments/quizzes/AIRM-101-Q",
    "assessments.new_question": "/assessments/quizzes/AIRM-101-Q/questions/new",
    "assessments.edit_question_page": "/assessments/questions/999999/edit",
    "progression.application": "/progression/applications/999999",
    "progression.certificate": "/progression/certificates/999999",
    "progression.certificate_pdf": "/progression/certificates/999999.pdf",
    "verify.show": "/verify/no-such-code-000",
    "verify.show_json": "/verify/no-such-code-000.json",
    "verifiable.status_list": "/credentials/status/0",
    "verifiable.credential_json": "/credentials/no-such-code-000.json",
    "verifiable.credential_jwt": "/credentials/no-such-code-000.jwt",
    "progression.transcript_of": "/progression/people/{me}/transcript.pdf",
    "progression.evidence_pdf": "/progression/applications/999999/evidence.pdf",
    "people.progress": "/people/{me}/progress",
    "people.deactivate": "/people/{me}/deactivate",
    "reports.export": "/reports/levels.csv",
    "programme.edit_level_page": "/programme/versions/999999/levels/AIRT-S/edit",
    "programme.move_person": "/programme/people/{me}/move",
    "records.show": "/records/hours-verification/999999",
    "records.pdf": "/records/hours-verification/999999.pdf",
    "records.csv": "/records/hours-verification/999999.csv",
    "records_public.show": "/verify/hours/no-such-code-00000000",
    "records_public.show_json": "/verify/hours/no-such-code-00000000.json",
}
BAD_LINK = 400  # a public page explaining that the link is invalid
NOT_FOUND = 404  # allowed past the need, then no such entry

EXPECTED_SAMPLE_OUTCOMES: dict[str, dict[str, int | tuple[int, str]]] = {
    "anonymous": {
        "records.show": redirect(LOGIN),
        "records.pdf": redirect(LOGIN),
        "records.csv": redirect(LOGIN),
        "records_public.show": NOT_FOUND,
        "records_public.show_json": NOT_FOUND,
        "reports.export": redirect(LOGIN),
        "programme.edit_level_page": redirect(LOGIN),
        "programme.move_person": redirect(LOGIN),
        "people.show": redirect(LOGIN),
        "curriculum.show": redirect(LOGIN),
        "curriculum.attendance": redirect(LOGIN),
        "curriculum.edit": redirect(LOGIN),
        "auth.accept_invite": BAD_LINK,
        "auth.reset_password": BAD_LINK,
        "hours.show": redirect(LOGIN),
        "hours.edit": redirect(LOGIN),
        "hours.amend": redirect(LOGIN),
        "progression.evidence_pdf": redirect(LOGIN),
        "progression.transcript_of": redirect(LOGIN),
        "progression.application": redirect(LOGIN),
        "progression.certificate": redirect(LOGIN),
        "progression.certificate_pdf": redirect(LOGIN),
        "verify.show": NOT_FOUND,
        "verify.show_json": NOT_FOUND,
        "verifiable.status_list": OK,
        "verifiable.credential_json": NOT_FOUND,
        "verifiable.credential_jwt": NOT_FOUND,
        "assessments.attempt": redirect(LOGIN),
        "assessments.revise_case": redirect(LOGIN),
        "assessments.case": redirect(LOGIN),
        "assessments.case_pdf": redirect(LOGIN),
        "assessments.evaluation": redirect(LOGIN),
        "assessments.quiz_bank": redirect(LOGIN),
        "assessments.new_question": redirect(LOGIN),
        "assessments.edit_question_page": redirect(LOGIN),
        "people.progress": redirect(LOGIN),
        "people.deactivate": redirect(LOGIN),
    },
    "candidate": {
        "records.show": NOT_FOUND,
        "records.pdf": NOT_FOUND,
        "records.csv": NOT_FOUND,
        "records_public.show": NOT_FOUND,
        "records_public.show_json": NOT_FOUND,
        "reports.export": FORBIDDEN,
        "programme.edit_level_page": FORBIDDEN,
        "programme.move_person": FORBIDDEN,
        "people.show": OK,
        "curriculum.show": OK,
        "curriculum.attendance": FORBIDDEN,
        "curriculum.edit": FORBIDDEN,
        "auth.accept_invite": BAD_LINK,
        "auth.reset_password": BAD_LINK,
        "hours.show": NOT_FOUND,
        "hours.edit": NOT_FOUND,
        "hours.amend": NOT_FOUND,
        "progression.evidence_pdf": NOT_FOUND,
        "progression.transcript_of": FORBIDDEN,
        "progression.application": NOT_FOUND,
        "progression.certificate": NOT_FOUND,
        "progression.certificate_pdf": NOT_FOUND,
        "verify.show": NOT_FOUND,
        "verify.show_json": NOT_FOUND,
        "verifiable.status_list": OK,
        "verifiable.credential_json": NOT_FOUND,
        "verifiable.credential_jwt": NOT_FOUND,
        "assessments.attempt": NOT_FOUND,
        "assessments.revise_case": NOT_FOUND,
        "assessments.case": NOT_FOUND,
        "assessments.case_pdf": NOT_FOUND,
        "assessments.evaluation": NOT_FOUND,
        "assessments.quiz_bank": FORBIDDEN,
        "assessments.new_question": FORBIDDEN,
        "assessments.edit_question_page": FORBIDDEN,
        "people.progress": FORBIDDEN,
        "people.deactivate": FORBIDDEN,
    },
    "supervisor": {
        "records.show": NOT_FOUND,
        "records.pdf": NOT_FOUND,
        "records.csv": NOT_FOUND,
        "records_public.show": NOT_FOUND,
        "records_public.show_json": NOT_FOUND,
        "reports.export": FORBIDDEN,
        "programme.edit_level_page": FORBIDDEN,
        "programme.move_person": FORBIDDEN,
        "people.show": OK,
        "curriculum.show": OK,
        "curriculum.attendance": FORBIDDEN,
        "curriculum.edit": FORBIDDEN,
        "auth.accept_invite": BAD_LINK,
        "auth.reset_password": BAD_LINK,
        "hours.show": NOT_FOUND,
        "hours.edit": NOT_FOUND,
        "hours.amend": NOT_FOUND,
        "progression.evidence_pdf": NOT_FOUND,
        "progression.transcript_of": FORBIDDEN,
        "progression.application": NOT_FOUND,
        "progression.certificate": NOT_FOUND,
        "progression.certificate_pdf": NOT_FOUND,
        "verify.show": NOT_FOUND,
        "verify.show_json": NOT_FOUND,
        "verifiable.status_list": OK,
        "verifiable.credential_json": NOT_FOUND,
        "verifiable.credential_jwt": NOT_FOUND,
        "assessments.attempt": FORBIDDEN,
        "assessments.revise_case": FORBIDDEN,
        "assessments.case": NOT_FOUND,
        "assessments.case_pdf": NOT_FOUND,
        "assessments.evaluation": NOT_FOUND,
        "assessments.quiz_bank": FORBIDDEN,
        "assessments.new_question": FORBIDDEN,
        "assessments.edit_question_page": FORBIDDEN,
        "people.progress": FORBIDDEN,
        "people.deactivate": FORBIDDEN,
    },
    "co-creator": {
        "records.show": NOT_FOUND,
        "records.pdf": NOT_FOUND,
        "records.csv": NOT_FOUND,
        "records_public.show": NOT_FOUND,
        "records_public.show_json": NOT_FOUND,
        "reports.export": FORBIDDEN,
        "programme.edit_level_page": FORBIDDEN,
        "programme.move_person": FORBIDDEN,
        "people.show": OK,
        "curriculum.show": OK,
        "curriculum.attendance": FORBIDDEN,
        "curriculum.edit": FORBIDDEN,
        "auth.accept_invite": BAD_LINK,
        "auth.reset_password": BAD_LINK,
        "hours.show": NOT_FOUND,
        "hours.edit": FORBIDDEN,
        "hours.amend": FORBIDDEN,
        "progression.evidence_pdf": NOT_FOUND,
        "progression.transcript_of": FORBIDDEN,
        "progression.application": NOT_FOUND,
        "progression.certificate": NOT_FOUND,
        "progression.certificate_pdf": NOT_FOUND,
        "verify.show": NOT_FOUND,
        "verify.show_json": NOT_FOUND,
        "verifiable.status_list": OK,
        "verifiable.credential_json": NOT_FOUND,
        "verifiable.credential_jwt": NOT_FOUND,
        "assessments.attempt": FORBIDDEN,
        "assessments.revise_case": FORBIDDEN,
        "assessments.case": NOT_FOUND,
        "assessments.case_pdf": NOT_FOUND,
        "assessments.evaluation": NOT_FOUND,
        "assessments.quiz_bank": FORBIDDEN,
        "assessments.new_question": FORBIDDEN,
        "assessments.edit_question_page": FORBIDDEN,
        "people.progress": FORBIDDEN,
        "people.deactivate": FORBIDDEN,
    },
    "director": {
        "records.show": NOT_FOUND,
        "records.pdf": NOT_FOUND,
        "records.csv": NOT_FOUND,
        "records_public.show": NOT_FOUND,
        "records_public.show_json": NOT_FOUND,
        "reports.export": OK,
        "programme.edit_level_page": NOT_FOUND,
        "programme.move_person": NOT_FOUND,
        "people.show": OK,
        "curriculum.show": OK,
        "curriculum.attendance": OK,
        "curriculum.edit": OK,
        "auth.accept_invite": BAD_LINK,
        "auth.reset_password": BAD_LINK,
        "hours.show": NOT_FOUND,
        "hours.edit": FORBIDDEN,
        "hours.amend": FORBIDDEN,
        "progression.evidence_pdf": NOT_FOUND,
        "progression.transcript_of": OK,
        "progression.application": NOT_FOUND,
        "progression.certificate": NOT_FOUND,
        "progression.certificate_pdf": NOT_FOUND,
        "verify.show": NOT_FOUND,
        "verify.show_json": NOT_FOUND,
        "verifiable.status_list": OK,
        "verifiable.credential_json": NOT_FOUND,
        "verifiable.credential_jwt": NOT_FOUND,
        "assessments.attempt": FORBIDDEN,
        "assessments.revise_case": FORBIDDEN,
        "assessments.case": NOT_FOUND,
        "assessments.case_pdf": NOT_FOUND,
        "assessments.evaluation": NOT_FOUND,
        "assessments.quiz_bank": OK,
        "assessments.new_question": OK,
        "assessments.edit_question_page": NOT_FOUND,
        "people.progress": OK,
        "people.deactivate": OK,
    },
    "admin": {
        "records.show": NOT_FOUND,
        "records.pdf": NOT_FOUND,
        "records.csv": NOT_FOUND,
        "records_public.show": NOT_FOUND,
        "records_public.show_json": NOT_FOUND,
        "reports.export": OK,
        "programme.edit_level_page": NOT_FOUND,
        "programme.move_person": NOT_FOUND,
        "people.show": OK,
        "curriculum.show": OK,
        "curriculum.attendance": OK,
        "curriculum.edit": OK,
        "auth.accept_invite": BAD_LINK,
        "auth.reset_password": BAD_LINK,
        "hours.show": NOT_FOUND,
        "hours.edit": FORBIDDEN,
        "hours.amend": FORBIDDEN,
        "progression.evidence_pdf": NOT_FOUND,
        "progression.transcript_of": OK,
        "progression.application": NOT_FOUND,
        "progression.certificate": NOT_FOUND,
        "progression.certificate_pdf": NOT_FOUND,
        "verify.show": NOT_FOUND,
        "verify.show_json": NOT_FOUND,
        "verifiable.status_list": OK,
        "verifiable.credential_json": NOT_FOUND,
        "verifiable.credential_jwt": NOT_FOUND,
        "assessments.attempt": FORBIDDEN,
        "assessments.revise_case": FORBIDDEN,
        "assessments.case": NOT_FOUND,
        "assessments.case_pdf": NOT_FOUND,
        "assessments.evaluation": NOT_FOUND,
        "assessments.quiz_bank": OK,
        "assessments.new_question": OK,
        "assessments.edit_question_page": NOT_FOUND,
        "people.progress": OK,
        "people.deactivate": OK,
    },
}

PRINCIPALS = {
    "anonymous": None,
    "candidate": make_candidate,
    "supervisor": make_supervisor,
    "co-creator": lambda: make_person(Role.CO_CREATOR),
    "director": make_director,
    "admin": lambda: make_person(Role.ADMIN),
}


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED_ENDPOINTS]


def _parameterless_get_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in _rules(app) if "GET" in rule.methods and not rule.arguments}


def _path(app, endpoint: str) -> str:
    (rule,) = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    return rule.rule


def test_every_route_is_in_the_needs_table(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
    missing = endpoints - set(EXPECTED_NEEDS)
    assert not missing, f"routes without an expected need in this test: {sorted(missing)}"
    stale = set(EXPECTED_NEEDS) - endpoints
    assert not stale, f"expected needs for routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("endpoint", sorted(EXPECTED_NEEDS))
def test_each_view_declares_the_expected_need(app, endpoint):
    expected = getattr(permissions, EXPECTED_NEEDS[endpoint])
    actual = declared_need(app.view_functions[endpoint])
    assert actual is expected, (
        f"{endpoint} declares {actual.description!r}, expected {expected.description!r}"
    )


@pytest.mark.parametrize("principal", sorted(EXPECTED_OUTCOMES))
def test_outcome_table_covers_every_parameterless_get_route(app, principal):
    assert set(EXPECTED_OUTCOMES[principal]) == _parameterless_get_endpoints(app)


def test_outcome_table_covers_every_principal():
    assert set(EXPECTED_OUTCOMES) == set(PRINCIPALS)


def _check(response, expected) -> str | None:
    """A description of the mismatch, or None when the response is as expected."""
    if isinstance(expected, tuple):
        status, location = expected
        actual_location = urlsplit(response.headers.get("Location", "")).path
        if (response.status_code, actual_location) != (status, location):
            return (
                f"expected {status} to {location}, "
                f"got {response.status_code} {response.headers.get('Location')}"
            )
    elif response.status_code != expected:
        return f"expected {expected}, got {response.status_code}"
    return None


def _sign_in(client, principal: str):
    make = PRINCIPALS[principal]
    if make is None:
        return None
    person = make()
    response = login(client, person)
    assert response.status_code == 302, f"{principal} could not sign in"
    return person


@pytest.mark.parametrize("principal", sorted(PRINCIPALS))
def test_access_matrix(app, client, principal):
    _sign_in(client, principal)
    failures = []
    for endpoint in sorted(_parameterless_get_endpoints(app)):
        problem = _check(client.get(_path(app, endpoint)), EXPECTED_OUTCOMES[principal][endpoint])
        if problem:
            failures.append(f"{endpoint}: {problem}")
    assert not failures, f"{principal}:\n" + "\n".join(failures)


def test_sample_urls_cover_every_get_route_with_parameters(app):
    with_arguments = {
        rule.endpoint for rule in _rules(app) if "GET" in rule.methods and rule.arguments
    }
    assert set(SAMPLE_URLS) == with_arguments
    for principal in PRINCIPALS:
        assert set(EXPECTED_SAMPLE_OUTCOMES[principal]) == with_arguments, principal


@pytest.mark.parametrize("principal", sorted(PRINCIPALS))
def test_access_matrix_of_routes_with_parameters(client, principal):
    person = _sign_in(client, principal)
    failures = []
    for endpoint, url in sorted(SAMPLE_URLS.items()):
        url = url.format(me=person.id if person else 1)
        problem = _check(client.get(url), EXPECTED_SAMPLE_OUTCOMES[principal][endpoint])
        if problem:
            failures.append(f"{endpoint} ({url}): {problem}")
    assert not failures, f"{principal}:\n" + "\n".join(failures)


def test_anonymous_redirect_to_login_remembers_the_page(client):
    response = client.get("/director")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == LOGIN
    assert "next=%2Fdirector" in location.query


def test_forbidden_page_names_the_missing_need(client):
    login(client, make_candidate())
    response = client.get("/director")
    assert response.status_code == 403
    assert "This page is for a director." in response.get_data(as_text=True)


def test_people_show_is_for_the_person_and_directors(client):
    """The one signed-in page with a parameter: object-level rule on top of the need."""
    candidate, other = make_candidate(), make_candidate()
    login(client, candidate)
    assert client.get(f"/people/{candidate.id}").status_code == 200
    assert client.get(f"/people/{other.id}").status_code == 403
    assert client.get("/people/999999").status_code == 404


def test_directors_can_open_any_person(client):
    candidate = make_candidate()
    login(client, make_director())
    assert client.get(f"/people/{candidate.id}").status_code == 200
